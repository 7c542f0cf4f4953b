"""Docker Engine API access for the Swarm modules: community.docker's connection options and retries.

The options (``docker_host``, ``tls``, ``validate_certs``, ``ca_path``, ``client_cert``, ``client_key``,
``tls_hostname``, ``api_version``, ``timeout``) and their ``DOCKER_*`` environment fallbacks are named as
community.docker names them; ``group/wincontainers.compat.swarm`` (meta/runtime.yml) extends community.docker's
``docker`` group, so one ``module_defaults`` entry for it serves both collections. Unlike
community.docker, TLS verification is on by default: a ``tcp://`` host is reached over verified TLS
unless ``validate_certs=false``, and a plain ``http://`` host (or ``tcp://`` without TLS) is refused unless
both ``tls`` and ``validate_certs`` are false.

Errors of the Engine API are translated in one place, :func:`docker_error_message`, from the exception type
and the HTTP status, and a Swarm version conflict is recognised by :func:`is_version_conflict` (see there for
what it relies on).
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Optional

from ansible.module_utils.basic import env_fallback

try:
    import docker
    from docker.errors import APIError, DockerException
    from docker.tls import TLSConfig

    HAS_DOCKER = True
    DOCKER_IMPORT_ERROR: Optional[Exception] = None
except ImportError as exc:  # pragma: no cover - reported by the module
    HAS_DOCKER = False
    DOCKER_IMPORT_ERROR = exc

    class DockerException(Exception):  # type: ignore[no-redef]
        """Stand-in so the modules can report the missing SDK."""

    class APIError(DockerException):  # type: ignore[no-redef]
        """Stand-in so the modules can report the missing SDK."""


try:
    from requests.adapters import HTTPAdapter
    from requests.exceptions import RequestException
except ImportError:  # pragma: no cover - requests comes with the Docker SDK
    HTTPAdapter = object  # type: ignore[misc,assignment]
    RequestException = Exception  # type: ignore[misc,assignment]

__all__ = [
    "DOCKER_ARG_SPEC",
    "REQUIRED_TOGETHER",
    "APIError",
    "DockerClientError",
    "connect",
    "docker_argument_spec",
    "docker_error_message",
    "engine_errors",
    "is_version_conflict",
    "post_json",
    "tls_settings",
]

DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"


def _env(*names: str) -> tuple[Callable[..., Any], list[str]]:
    return (env_fallback, list(names))


DOCKER_ARG_SPEC: dict[str, dict[str, Any]] = {
    "docker_host": {
        "type": "str",
        "default": DEFAULT_DOCKER_HOST,
        "aliases": ["docker_url"],
        "fallback": _env("DOCKER_HOST"),
    },
    "tls_hostname": {"type": "str", "fallback": _env("DOCKER_TLS_HOSTNAME")},
    "api_version": {
        "type": "str",
        "default": "auto",
        "aliases": ["docker_api_version"],
        "fallback": _env("DOCKER_API_VERSION"),
    },
    "timeout": {"type": "int", "default": 60, "fallback": _env("DOCKER_TIMEOUT")},
    "ca_path": {"type": "path", "aliases": ["ca_cert", "tls_ca_cert", "cacert_path"]},
    "client_cert": {"type": "path", "aliases": ["tls_client_cert", "cert_path"]},
    "client_key": {"type": "path", "aliases": ["tls_client_key", "key_path"], "no_log": False},
    "tls": {"type": "bool", "default": False, "fallback": _env("DOCKER_TLS")},
    # No spec default: Ansible applies defaults before env fallbacks. None means true (see tls_settings).
    "validate_certs": {"type": "bool", "aliases": ["tls_verify"], "fallback": _env("DOCKER_TLS_VERIFY")},
}
REQUIRED_TOGETHER = [["client_cert", "client_key"]]


def docker_argument_spec() -> dict[str, dict[str, Any]]:
    """A copy of the connection options, to merge into a module's argument spec."""
    return {key: dict(value) for key, value in DOCKER_ARG_SPEC.items()}


class DockerClientError(Exception):
    """The Docker SDK is missing, the options are inconsistent, or the engine cannot be reached."""


@contextmanager
def engine_errors(host: object) -> Iterator[None]:
    """Turn transport failures (engine not reached, connection broken) into DockerClientError; API answers pass."""
    try:
        yield
    except APIError:
        raise
    except (OSError, RequestException, DockerException) as exc:
        raise DockerClientError(f"cannot talk to the Docker Engine at {host}: {exc}") from exc


def tls_settings(params: Mapping[str, Any], environ: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """The TLS decision for PARAMS: ``{use, verify, ca, cert, key, hostname}``.

    Certificate paths default to ``ca.pem``/``cert.pem``/``key.pem`` in ``DOCKER_CERT_PATH``. TLS is used
    for every network host unless both ``tls`` and ``validate_certs`` are false (always for ``https://``);
    an ``http://`` host with TLS asked for (or left on by default) raises DockerClientError.
    """
    cert_dir = (os.environ if environ is None else environ).get("DOCKER_CERT_PATH")

    def path(option: str, name: str) -> Optional[str]:
        value = params.get(option)
        if not value and cert_dir and os.path.exists(os.path.join(cert_dir, name)):
            value = os.path.join(cert_dir, name)
        return str(value) if value else None

    host = str(params.get("docker_host") or DEFAULT_DOCKER_HOST)
    verify = params.get("validate_certs") is not False
    use = _uses_tls(host, bool(params.get("tls")), verify)
    return {
        "use": use,
        "verify": verify,
        "ca": path("ca_path", "ca.pem"),
        "cert": path("client_cert", "cert.pem"),
        "key": path("client_key", "key.pem"),
        "hostname": params.get("tls_hostname"),
    }


LOCAL_SCHEMES = ("unix://", "npipe://", "ssh://")


def _uses_tls(host: str, tls: bool, verify: bool) -> bool:
    """Whether HOST is reached over TLS; refuses plain HTTP that the options do not explicitly allow."""
    if host.startswith(LOCAL_SCHEMES):
        return False
    if host.startswith("https://"):
        return True
    if host.startswith("http://") and (tls or verify):
        raise DockerClientError(
            f"docker_host {host} is plain, unencrypted HTTP, but TLS is "
            + ("asked for (tls=true)" if tls else "on by default (validate_certs is not false)")
            + ": use tcp://HOST:2376 with TLS, or set both tls and validate_certs to false to accept an"
            " unencrypted, unauthenticated connection"
        )
    return tls or verify


def base_url(host: str, use_tls: bool) -> str:
    """``tcp://h:2376`` becomes ``https://h:2376`` under TLS (the SDK's convention), ``http://`` otherwise."""
    if host.startswith("tcp://"):
        return ("https://" if use_tls else "http://") + host[len("tcp://") :]
    return host


def connect(params: Mapping[str, Any]) -> Any:
    """A ``docker.APIClient`` for PARAMS (raises DockerClientError when it cannot be built)."""
    if not HAS_DOCKER:
        raise DockerClientError(f"the Docker SDK for Python (docker) is needed: {DOCKER_IMPORT_ERROR}")
    settings = tls_settings(params)
    tls: Any = False
    if settings["use"]:
        if bool(settings["cert"]) != bool(settings["key"]):
            raise DockerClientError("client_cert and client_key must be given together")
        tls = TLSConfig(
            client_cert=(settings["cert"], settings["key"]) if settings["cert"] else None,
            ca_cert=settings["ca"] if settings["verify"] else None,
            verify=(settings["ca"] or True) if settings["verify"] else False,
        )
    try:
        api = docker.APIClient(
            base_url=base_url(str(params.get("docker_host") or DEFAULT_DOCKER_HOST), bool(tls)),
            version=str(params.get("api_version") or "auto"),
            timeout=int(params.get("timeout") or 60),
            tls=tls,
        )
    except DockerException as exc:
        raise DockerClientError(f"cannot reach the Docker Engine at {params.get('docker_host')}: {exc}") from exc
    if tls and settings["verify"] and settings["hostname"]:
        api.mount("https://", _HostnameAdapter(str(settings["hostname"])))
    return api


class _HostnameAdapter(HTTPAdapter):
    """Verifies the engine's certificate against ``tls_hostname`` instead of the host in the URL."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)


def post_json(api: Any, path: str, body: Any, params: Optional[Mapping[str, Any]] = None) -> Any:
    """POST BODY as JSON to PATH (``/services/{id}/update``...) exactly as given; raise APIError on failure."""
    response = api.post(
        api._url(path), params=dict(params or {}), data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    api._raise_for_status(response)
    return response.json() if response.content else None


def _api_error_text(exc: BaseException) -> str:
    """The Engine's error message of an APIError (its ``explanation``), else the exception text."""
    return str(getattr(exc, "explanation", None) or exc)


# swarmkit's store.ErrSequenceConflict, as the Engine forwards it: a gRPC status of code Unknown, rendered
# by grpc-go as "rpc error: code = Unknown desc = update out of sequence", answered with HTTP 500.
SEQUENCE_CONFLICT = "update out of sequence"
_GRPC_STATUS = re.compile(r"^rpc error: code = (?P<code>\w+) desc = (?P<desc>.*)$", re.S)


def _grpc_status(explanation: str) -> tuple[str, str]:
    """``(code, description)`` of a gRPC status the Engine forwarded; ``("", text)`` for any other text."""
    match = _GRPC_STATUS.match(explanation.strip())
    return (match["code"], match["desc"].strip()) if match else ("", explanation.strip())


def is_version_conflict(exc: BaseException) -> bool:
    """True for the Engine's answer to an update carrying a stale object version (another client was first).

    The Engine has no dedicated status for it: swarmkit returns ``ErrSequenceConflict`` as a plain error, gRPC
    gives it code ``Unknown``, and the Engine answers HTTP 500 with ``{"message": "rpc error: code = Unknown
    desc = update out of sequence"}``. This relies on all three: the APIError type, status 500 and the gRPC
    status in the answer's ``message`` with code ``Unknown`` and exactly swarmkit's description (also accepted
    bare, should an Engine unwrap the gRPC status). Nothing else in the text is looked at.
    """
    if not isinstance(exc, APIError) or getattr(exc, "status_code", None) != 500:
        return False
    code, description = _grpc_status(str(getattr(exc, "explanation", None) or ""))
    return code in ("", "Unknown") and description == SEQUENCE_CONFLICT


_STATUS_MEANINGS = {
    400: "the request was refused as invalid",
    401: "the credentials were refused",
    403: "the operation is not allowed",
    404: "it no longer exists (removed by another client?)",
    406: "the node is not part of a swarm",
    409: "it conflicts with the current state",
    500: "the Engine failed",
    503: "the Engine is not a swarm manager, or the swarm has no leader",
}


def docker_error_message(exc: BaseException) -> str:
    """The one translation of a Docker error into a message for the user, by exception type and HTTP status."""
    if isinstance(exc, DockerClientError):
        return str(exc)
    if isinstance(exc, APIError):
        status = getattr(exc, "status_code", None)
        if is_version_conflict(exc):
            meaning = "the object kept changing (version conflict, update out of sequence)"
        else:
            meaning = _STATUS_MEANINGS.get(status or 0, "the Engine refused the request")
        return f"Docker Engine API error: {status or 'no status'}, {meaning}: {_api_error_text(exc)}"
    return f"cannot talk to the Docker Engine: {type(exc).__name__}: {exc}"
