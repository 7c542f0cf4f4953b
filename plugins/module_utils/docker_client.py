"""Docker Engine API access for the Swarm modules: community.docker's connection options and retries.

The options (``docker_host``, ``tls``, ``validate_certs``, ``ca_path``, ``client_cert``, ``client_key``,
``tls_hostname``, ``api_version``, ``timeout``) and their ``DOCKER_*`` environment fallbacks are named as
community.docker names them; ``group/wincontainers.compat.swarm`` (meta/runtime.yml) extends community.docker's
``docker`` group, so one ``module_defaults`` entry for it serves both collections. Unlike
community.docker, TLS verification is on by default: a ``tcp://`` host is reached over verified TLS
unless ``validate_certs=false``.
"""

from __future__ import annotations

import json
import os
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
    "api_error_text",
    "connect",
    "docker_argument_spec",
    "engine_errors",
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
    for every non-unix host unless both ``tls`` and ``validate_certs`` are false.
    """
    cert_dir = (os.environ if environ is None else environ).get("DOCKER_CERT_PATH")

    def path(option: str, name: str) -> Optional[str]:
        value = params.get(option)
        if not value and cert_dir and os.path.exists(os.path.join(cert_dir, name)):
            value = os.path.join(cert_dir, name)
        return str(value) if value else None

    host = str(params.get("docker_host") or DEFAULT_DOCKER_HOST)
    verify = params.get("validate_certs") is not False
    local = host.startswith(("unix://", "npipe://", "ssh://"))
    use = not local and (bool(params.get("tls")) or verify)
    return {
        "use": use,
        "verify": verify,
        "ca": path("ca_path", "ca.pem"),
        "cert": path("client_cert", "cert.pem"),
        "key": path("client_key", "key.pem"),
        "hostname": params.get("tls_hostname"),
    }


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


def api_error_text(exc: BaseException) -> str:
    """The Engine's error message of an APIError (its ``explanation``), else the exception text."""
    return str(getattr(exc, "explanation", None) or exc)
