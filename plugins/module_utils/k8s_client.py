"""Kubernetes API access for the fleet modules: kubernetes.core's connection options, raw JSON, retries.

The options (``kubeconfig``, ``context``, ``host``, ``api_key`` ...) and their ``K8S_AUTH_*`` environment
fallbacks are those of kubernetes.core; ``group/wincontainers.compat.k8s`` (meta/runtime.yml) extends kubernetes.core's
``k8s`` group, so one ``module_defaults`` entry for it serves both collections. Requests go
through the ``kubernetes`` client's configuration and connection pool but skip its model classes: the
modules read and patch plain JSON, which is much faster over thousands of nodes.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import threading
import time
from typing import Any, Callable, Mapping, Optional
from urllib.parse import quote, urlencode

from ansible.module_utils.basic import env_fallback
from ansible_collections.wincontainers.compat.plugins.module_utils.fleet_runner import apply_with_retry, run_items
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import merge_patch_labels

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None

try:
    from kubernetes import client as k8s_client_lib
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException
    from urllib3.util import Retry

    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR: Optional[Exception] = None
except ImportError as exc:  # pragma: no cover - reported by the module
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = exc

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MERGE_PATCH = "application/merge-patch+json"


def _env(*names: str) -> tuple[Callable[..., Any], list[str]]:
    return (env_fallback, list(names))


AUTH_ARG_SPEC: dict[str, dict[str, Any]] = {
    "kubeconfig": {"type": "raw", "fallback": _env("K8S_AUTH_KUBECONFIG")},
    "context": {"type": "str", "fallback": _env("K8S_AUTH_CONTEXT")},
    "host": {"type": "str", "fallback": _env("K8S_AUTH_HOST")},
    "api_key": {"type": "str", "no_log": True, "fallback": _env("K8S_AUTH_API_KEY")},
    "username": {"type": "str", "fallback": _env("K8S_AUTH_USERNAME")},
    "password": {"type": "str", "no_log": True, "fallback": _env("K8S_AUTH_PASSWORD")},
    # No spec default: Ansible applies defaults before env fallbacks. None means true (see _configuration).
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"], "fallback": _env("K8S_AUTH_VERIFY_SSL")},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"], "fallback": _env("K8S_AUTH_SSL_CA_CERT")},
    "client_cert": {"type": "path", "aliases": ["cert_file"], "fallback": _env("K8S_AUTH_CERT_FILE")},
    "client_key": {"type": "path", "aliases": ["key_file"], "no_log": False, "fallback": _env("K8S_AUTH_KEY_FILE")},
    "proxy": {"type": "str", "fallback": _env("K8S_AUTH_PROXY")},
    "no_proxy": {"type": "str", "fallback": _env("K8S_AUTH_NO_PROXY")},
    "proxy_headers": {
        "type": "dict",
        "options": {
            "proxy_basic_auth": {"type": "str", "no_log": True},
            "basic_auth": {"type": "str", "no_log": True},
            "user_agent": {"type": "str"},
        },
    },
    "impersonate_user": {"type": "str", "fallback": _env("K8S_AUTH_IMPERSONATE_USER")},
    "impersonate_groups": {"type": "list", "elements": "str", "fallback": _env("K8S_AUTH_IMPERSONATE_GROUPS")},
    "request_timeout": {"type": "float", "default": 30},
    "api_retries": {"type": "int", "default": 5},
}


REQUIRED_TOGETHER = [["client_cert", "client_key"]]


def auth_argument_spec() -> dict[str, dict[str, Any]]:
    """A copy of the connection options, to merge into a module's argument spec."""
    return {key: dict(value) for key, value in AUTH_ARG_SPEC.items()}


def check_minimum(params: Mapping[str, Any], name: str, minimum: float, exclusive: bool = False) -> None:
    """Raise KubeError naming option NAME when it is below MINIMUM (or equal to it, when EXCLUSIVE)."""
    value = params.get(name)
    if value is not None and (value < minimum or (exclusive and value == minimum)):
        bound = f"more than {minimum:g}" if exclusive else f"{minimum:g} or more"
        raise KubeError(f"{name} must be {bound}; got {value:g}")


# Keys of a kubeconfig's user entries (and auth-provider config) whose values are credentials.
KUBECONFIG_SECRET_KEYS = frozenset(
    {"token", "password", "client-key-data", "id-token", "refresh-token", "access-token", "client-secret"}
)


def kubeconfig_secrets(kubeconfig: Any) -> set[str]:
    """The credential values of an inline kubeconfig (a dict or YAML text; a path or None has none).

    Besides the keys of KUBECONFIG_SECRET_KEYS, an exec credential plugin's ``args`` and ``env`` values count
    as secrets (tokens and keys are often passed there).
    """
    if isinstance(kubeconfig, str):
        parsed = _parse_kubeconfig_text(kubeconfig)
        return kubeconfig_secrets(parsed) if parsed is not None else set()
    if isinstance(kubeconfig, Mapping):
        found = {str(v) for k, v in kubeconfig.items() if k in KUBECONFIG_SECRET_KEYS and isinstance(v, str) and v}
        found |= _exec_secrets(kubeconfig.get("exec"))
        return found.union(*(kubeconfig_secrets(v) for v in kubeconfig.values()))
    if isinstance(kubeconfig, list):
        return set().union(*(kubeconfig_secrets(v) for v in kubeconfig))
    return set()


def _exec_secrets(plugin: Any) -> set[str]:
    """The ``args`` and ``env`` values of an exec credential plugin entry."""
    if not isinstance(plugin, Mapping):
        return set()
    args = [str(a) for a in plugin.get("args") or [] if a not in (None, "")]
    env = [str(e.get("value")) for e in plugin.get("env") or [] if isinstance(e, Mapping) and e.get("value")]
    return set(args + env)


def _parse_kubeconfig_text(text: str) -> Optional[dict[str, Any]]:
    """TEXT read as a kubeconfig (YAML or JSON) when it is one: a mapping with kubeconfig keys; else None."""
    if "\n" not in text and not text.lstrip().startswith("{"):
        return None  # a path (or a list of paths)
    try:
        parsed = yaml.safe_load(text) if yaml is not None else None
    except Exception:  # a YAML error quotes the text: never shown
        return None
    if isinstance(parsed, Mapping) and {"clusters", "contexts", "users", "apiVersion"} & set(parsed):
        return dict(parsed)
    return None


def _describe_kubeconfig_text(text: str) -> str:
    """How an error names a kubeconfig given as text: a path as is, content only by its size (never echoed)."""
    if "\n" in text or len(text) > 256 or text.lstrip().startswith("{"):
        return f"(given as text, {len(text)} characters, not shown)"
    return text


def hide_kubeconfig_secrets(module: Any) -> None:
    """Keep the credentials of an inline kubeconfig out of all the module returns (its invocation included).

    Kubeconfig content given as text is hidden whole.
    """
    kubeconfig = module.params.get("kubeconfig")
    module.no_log_values.update(kubeconfig_secrets(kubeconfig))
    if isinstance(kubeconfig, str) and _describe_kubeconfig_text(kubeconfig) != kubeconfig:
        module.no_log_values.add(kubeconfig)


class KubeError(Exception):
    """The client could not be set up, the API server was not reached, or it answered with an error.

    ``status`` is the HTTP status of the answer, 0 when no answer came.
    """

    def __init__(self, message: str, method: str = "", path: str = "", status: int = 0, body: Any = None) -> None:
        self.method, self.path, self.status, self.body = method, path, status, body
        self.result: dict[str, Any] = {}
        super().__init__(message)

    @classmethod
    def answered(cls, method: str, path: str, status: int, reason: str, body: Any = None) -> KubeError:
        """The API server answered ``status``; the message quotes its own (shortened)."""
        message = str((body.get("message") if isinstance(body, Mapping) else None) or body or "")
        if len(message) > 600:  # validation errors quote the whole object
            message = f"{message[:300]} [...] {message[-200:]}"
        return cls(f"{method} {path} answered {status} {reason}: {message}".strip(), method, path, status, body)

    @classmethod
    def unreachable(cls, host: str, method: str, path: str, reason: str) -> KubeError:
        """No answer came: the connection, TLS handshake or read failed."""
        return cls(f"cannot reach the API server at {host}: {reason}", method, path)

    def within(self, what: str, **result: Any) -> KubeError:
        """The same error, its message prefixed with WHAT was being done (``cannot list nodes``).

        RESULT holds values the module still returns when it fails on this error (``api_requests``).
        """
        error = KubeError(f"{what}: {self}", self.method, self.path, self.status, self.body)
        error.result = dict(result)
        return error


_STATUS_MEANINGS = {
    400: "the request was refused as malformed",
    401: "the credentials were refused",
    403: "the user is not allowed to do this",
    404: "it does not exist (any more)",
    409: "it changed or exists already",
    410: "the list expired; run again",
    422: "the object is invalid, or a field that cannot change was changed",
    429: "the API server is overloaded (retried)",
}


def kube_error_message(exc: BaseException) -> str:
    """The one translation of a Kubernetes error into a message, by exception type and HTTP status."""
    if not isinstance(exc, KubeError):
        return f"{type(exc).__name__}: {exc}"
    if exc.status == 0:
        return str(exc)
    meaning = _STATUS_MEANINGS.get(exc.status) or ("the API server failed (retried)" if exc.status >= 500 else "")
    return f"{exc} ({meaning})" if meaning else str(exc)


def transport_reason(exc: BaseException) -> str:
    """Why a request got no answer, without urllib3's retry and connection-pool wrapping."""
    cause = getattr(exc, "reason", None)  # MaxRetryError wraps the error that ended the last attempt
    if isinstance(cause, BaseException):
        exc = cause
    return re.sub(r"^\w+\(host=[^)]*\):\s*", "", str(exc)) or type(exc).__name__


def _load_kubeconfig_file(path: str, context: Optional[str], cfg: Any) -> None:
    """Load the kubeconfig at PATH (``KUBECONFIG`` may list several); KubeError names the file and the problem."""
    if not any(os.path.exists(part) for part in path.split(os.pathsep) if part):
        raise KubeError(f"kubeconfig {path}: not found")
    try:
        k8s_config.load_kube_config(path, context=context, client_configuration=cfg, persist_config=False)
    except Exception as exc:  # ConfigException, OSError, YAML and base64 errors of a broken file
        raise KubeError(f"kubeconfig {path}: {exc}") from exc


def _load_kubeconfig_dict(config: Mapping[str, Any], context: Optional[str], cfg: Any, given: str) -> None:
    """Load a kubeconfig given as content; KubeError says how it was given, never what it holds."""
    try:
        k8s_config.load_kube_config_from_dict(
            dict(config), context=context, client_configuration=cfg, persist_config=False
        )
    except Exception as exc:  # ConfigException, or a malformed entry
        raise KubeError(f"kubeconfig ({given}): {exc}") from exc


def _load_kubeconfig(kubeconfig: Any, context: Optional[str], has_host: bool, cfg: Any) -> None:
    """Load KUBECONFIG (a dict, YAML text or a path; else ``KUBECONFIG``, ``~/.kube/config`` or in-cluster)."""
    content = _parse_kubeconfig_text(kubeconfig) if isinstance(kubeconfig, str) else None
    if content is not None:
        _load_kubeconfig_dict(content, context, cfg, f"given as text, {len(kubeconfig)} characters, not shown")
    elif isinstance(kubeconfig, str) and _describe_kubeconfig_text(kubeconfig) != kubeconfig:
        raise KubeError(
            f"kubeconfig {_describe_kubeconfig_text(kubeconfig)}: neither a file path nor kubeconfig content"
            " (a YAML mapping with clusters, contexts and users)"
        )
    elif isinstance(kubeconfig, Mapping):
        _load_kubeconfig_dict(kubeconfig, context, cfg, "given as a dictionary")
    elif kubeconfig or context or not has_host:
        path = os.path.expanduser(str(kubeconfig or os.environ.get("KUBECONFIG", "~/.kube/config")))
        try:
            _load_kubeconfig_file(path, context, cfg)
        except KubeError as exc:
            if kubeconfig or context:
                raise
            try:
                k8s_config.load_incluster_config(client_configuration=cfg)
            except ConfigException as exc2:
                raise KubeError(
                    f"no cluster to talk to: set host or kubeconfig ({exc}; not in a pod: {exc2})"
                ) from exc2


def _configuration(params: Mapping[str, Any]) -> Any:
    """A ``kubernetes.client.Configuration`` from kubernetes.core-style options."""
    cfg = k8s_client_lib.Configuration()
    kubeconfig = params.get("kubeconfig")
    context = params.get("context")
    host = params.get("host")
    _load_kubeconfig(kubeconfig, context, bool(host), cfg)
    if host:
        cfg.host = host
    if params.get("api_key"):
        cfg.api_key = {"authorization": f"Bearer {params['api_key']}"}
        cfg.api_key_prefix = {}
    for option, attribute in (
        ("username", "username"),
        ("password", "password"),
        ("ca_cert", "ssl_ca_cert"),
        ("client_cert", "cert_file"),
        ("client_key", "key_file"),
        ("proxy", "proxy"),
        ("no_proxy", "no_proxy"),
    ):
        if params.get(option):
            setattr(cfg, attribute, params[option])
    cfg.verify_ssl = params.get("validate_certs") is not False  # TLS verification unless turned off
    # One HTTP request per attempt: urllib3 would otherwise retry 429/503 with Retry-After on its own,
    # unseen by the request count and the backoff of KubeApi.request.
    cfg.retries = Retry(total=0, redirect=3, respect_retry_after_header=False, raise_on_redirect=False)
    headers = params.get("proxy_headers") or {}
    if any(headers.values()):
        from urllib3.util import make_headers

        cfg.proxy_headers = make_headers(**{k: v for k, v in headers.items() if v})
    return cfg


class KubeApi:
    """Raw JSON requests with retries on 429/5xx, counting every request sent."""

    def __init__(
        self,
        params: Mapping[str, Any],
        retries: Optional[int] = None,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        check_minimum(params, "api_retries", 0)
        check_minimum(params, "request_timeout", 0, exclusive=True)
        if not HAS_KUBERNETES:
            raise KubeError(f"the kubernetes Python client (kubernetes) is needed: {KUBERNETES_IMPORT_ERROR}")
        self.configuration = _configuration(params)
        self.api_client = k8s_client_lib.ApiClient(self.configuration)
        self.headers: dict[str, str] = {"Accept": "application/json"}
        if params.get("username") and params.get("password") and not params.get("api_key"):
            token = base64.b64encode(f"{params['username']}:{params['password']}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        if params.get("impersonate_user"):
            self.headers["Impersonate-User"] = str(params["impersonate_user"])
        self.impersonate_groups = list(params.get("impersonate_groups") or [])
        self.timeout = float(params.get("request_timeout") or 30)
        self.retries = int(params.get("api_retries", 5) if retries is None else retries)
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.retried = 0
        self._lock = threading.Lock()

    def _send(self, method: str, path: str, body: Any, content_type: Optional[str]) -> tuple[int, str, Any, Any]:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        request = self.api_client.param_serialize(
            method, path, header_params=headers, body=body, auth_settings=["BearerToken"]
        )
        url, hdrs = request[1], request[2]
        if self.impersonate_groups:
            # urllib3 sends one header per value only through a list of tuples; join per RFC 7230 instead.
            hdrs["Impersonate-Group"] = ",".join(self.impersonate_groups)
        with self._lock:
            self.requests += 1
        try:
            response = self.api_client.call_api(
                method, url, hdrs, request[3], request[4], _request_timeout=self.timeout
            )
            response.read()
        except Exception as exc:  # urllib3 / ssl errors: the server was not reached
            return 0, "", transport_reason(exc), None
        data: Any = None
        if response.data:
            try:
                data = json.loads(response.data)
            except ValueError:
                data = response.data.decode("utf-8", "replace")
        return int(response.status), str(response.reason or ""), data, response.getheader("Retry-After")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: Optional[str] = None,
    ) -> Any:
        """Send one request; retry 429, 5xx and connection errors.

        A 409 conflict is never retried here: the caller re-reads and re-plans (``fleet_runner.apply_with_retry``).
        """
        attempt = 0
        while True:
            status, reason, data, retry_after = self._send(method, path, body, content_type)
            if 200 <= status < 300:
                return data
            retryable = status == 0 or status in RETRY_STATUSES
            if not retryable or attempt >= self.retries:
                if status == 0:
                    raise KubeError.unreachable(str(self.configuration.host), method, path, str(data))
                raise KubeError.answered(method, path, status, reason, data)
            attempt += 1
            with self._lock:
                self.retried += 1
            delay = min(5.0, self.backoff * (2 ** (attempt - 1))) * (0.5 + random.random() / 2)
            if retry_after and str(retry_after).isdigit():
                delay = max(delay, float(retry_after))
            self.sleep(delay)

    def get(self, path: str) -> Optional[dict[str, Any]]:
        """The object at ``path``, or None when it does not exist."""
        try:
            return dict(self.request("GET", path))
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    def list(self, path: str, limit: int = 0, **query: str) -> list[dict[str, Any]]:
        """Every item of a collection (following ``continue`` tokens when ``limit`` is set)."""
        items: list[dict[str, Any]] = []
        params = {k: v for k, v in query.items() if v}
        if limit:
            params["limit"] = str(limit)
        while True:
            data = self.request("GET", f"{path}?{urlencode(params)}" if params else path)
            items.extend(data.get("items") or [])
            token = (data.get("metadata") or {}).get("continue")
            if not token or not limit:
                return items
            params["continue"] = token

    def merge_patch(self, path: str, patch: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.request("PATCH", path, dict(patch), MERGE_PATCH))

    def create(self, path: str, body: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """Create BODY in the collection PATH; with DRY_RUN the server validates it and stores nothing."""
        return dict(self.request("POST", f"{path}?dryRun=All" if dry_run else path, dict(body), "application/json"))

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def close(self) -> None:
        self.api_client.close()


def node_path(name: str = "") -> str:
    return f"/api/v1/nodes/{quote(name, safe='')}" if name else "/api/v1/nodes"


# kind -> (API group path, plural); CronJob falls back to batch/v1beta1 on servers before 1.21.
WORKLOAD_APIS: dict[str, tuple[str, str]] = {
    "Deployment": ("/apis/apps/v1", "deployments"),
    "StatefulSet": ("/apis/apps/v1", "statefulsets"),
    "DaemonSet": ("/apis/apps/v1", "daemonsets"),
    "Job": ("/apis/batch/v1", "jobs"),
    "CronJob": ("/apis/batch/v1", "cronjobs"),
    "Pod": ("/api/v1", "pods"),
}
CRONJOB_FALLBACK = "/apis/batch/v1beta1"


def collection_path(group: str, plural: str, namespace: Optional[str] = None) -> str:
    return f"{group}/namespaces/{quote(namespace, safe='')}/{plural}" if namespace else f"{group}/{plural}"


def object_path(group: str, plural: str, namespace: str, name: str) -> str:
    return f"{collection_path(group, plural, namespace)}/{quote(name, safe='')}"


def list_workloads(
    api: KubeApi, kind: str, namespace: Optional[str] = None, label_selector: str = ""
) -> tuple[str, list[dict[str, Any]]]:
    """(group path used, items) of one workload kind; CronJobs fall back to batch/v1beta1."""
    group, plural = WORKLOAD_APIS[kind]
    try:
        return group, api.list(collection_path(group, plural, namespace), labelSelector=label_selector)
    except KubeError as exc:
        if kind != "CronJob" or exc.status != 404:
            raise
    path = collection_path(CRONJOB_FALLBACK, plural, namespace)
    return CRONJOB_FALLBACK, api.list(path, labelSelector=label_selector)


def patch_nodes(
    api: KubeApi,
    plans: list[Any],
    replan: Callable[[Mapping[str, Any]], Any],
    concurrency: int = 8,
) -> dict[str, str]:
    """Send each plan's conditional label patch; returns ``{node: outcome}``.

    Outcomes: ``patched``, ``unchanged`` (a re-read found nothing left to do), ``deleted`` (the node went
    away between the list and the patch), or ``failed: <error>``. A 409 (the node changed since it was
    listed) re-reads the node, plans it again and retries, up to ``api.retries`` times.
    """

    def send(plan: Any) -> None:
        api.merge_patch(node_path(plan.name), merge_patch_labels(plan.changes, plan.resource_version))

    def reread(plan: Any) -> Any:
        return replan(api.request("GET", node_path(plan.name)))

    def one(plan: Any) -> str:
        applied = apply_with_retry(plan, lambda p: bool(p.changes), send, reread, _is_conflict, api.retries)
        return "patched" if applied.state.changes else "unchanged"

    def failed(plan: Any, exc: Exception) -> str:
        if isinstance(exc, KubeError) and exc.status == 404:
            return "deleted"
        if isinstance(exc, KubeError) and exc.status == 409:
            return f"failed: the node kept changing during {api.retries + 1} attempts"
        return f"failed: {kube_error_message(exc)}"

    todo = [plan for plan in plans if plan.changes]
    outcomes = run_items(todo, one, failed, (KubeError,), concurrency)
    return {plan.name: outcome for plan, outcome in zip(todo, outcomes)}


def _is_conflict(exc: BaseException) -> bool:
    """A 409 Conflict: the object changed since it was read (optimistic concurrency on resourceVersion)."""
    return isinstance(exc, KubeError) and exc.status == 409
