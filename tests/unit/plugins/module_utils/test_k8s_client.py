"""The Kubernetes request layer against a scripted local HTTP server: retries, backoff, headers, paging, options."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_client import (
    KubeApi,
    KubeError,
    auth_argument_spec,
    kube_error_message,
    kubeconfig_secrets,
    transport_reason,
)
from urllib3 import HTTPSConnectionPool
from urllib3.connection import HTTPSConnection
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError, SSLError

Reply = tuple[int, dict[str, str], Any]


class Server:
    """Answers each request with the next scripted reply and records what it received."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.received: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.received.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status, headers, payload = server.replies.pop(0) if server.replies else (200, {}, {})
                data = json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PATCH = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    try:
        yield srv
    finally:
        srv.close()


def api_for(server: Server, sleeps: list[float], **params: Any) -> KubeApi:
    return KubeApi({"host": server.url, "api_key": "tok", **params}, sleep=sleeps.append)


def test_5xx_is_retried_with_growing_backoff(server: Server) -> None:
    server.replies = [(503, {}, {}), (500, {}, {}), (502, {}, {}), (200, {}, {"kind": "NodeList", "items": []})]
    sleeps: list[float] = []
    api = api_for(server, sleeps)
    assert api.request("GET", "/api/v1/nodes") == {"kind": "NodeList", "items": []}
    assert api.requests == 4 and api.retried == 3
    assert len(sleeps) == 3
    # jittered exponential backoff: each delay lies in [base/2, base] with base 0.25, 0.5, 1.0
    for delay, base in zip(sleeps, (0.25, 0.5, 1.0)):
        assert base / 2 <= delay <= base


def test_429_waits_at_least_retry_after(server: Server) -> None:
    server.replies = [(429, {"Retry-After": "3"}, {"message": "slow down"}), (200, {}, {"ok": True})]
    sleeps: list[float] = []
    assert api_for(server, sleeps).request("GET", "/api/v1/nodes") == {"ok": True}
    assert sleeps and sleeps[0] >= 3


def test_gives_up_after_the_configured_retries(server: Server) -> None:
    server.replies = [(503, {}, {"message": "etcd unavailable"})] * 5
    sleeps: list[float] = []
    api = api_for(server, sleeps, api_retries=2)
    with pytest.raises(KubeError, match="503") as raised:
        api.request("GET", "/api/v1/nodes")
    assert raised.value.status == 503
    assert "etcd unavailable" in str(raised.value)
    assert api.requests == 3


def test_a_conflict_is_not_retried_by_the_client(server: Server) -> None:
    """A 409 goes back to the runner, which re-reads and re-plans (fleet_runner.apply_with_retry)."""
    server.replies = [(409, {}, {"message": "the object has been modified"}), (200, {}, {})]
    api = api_for(server, [])
    with pytest.raises(KubeError) as raised:
        api.request("PATCH", "/api/v1/nodes/n1", {}, "application/merge-patch+json")
    assert raised.value.status == 409
    assert api.requests == 1


def test_404_on_get_is_none_and_other_errors_raise(server: Server) -> None:
    server.replies = [(404, {}, {"message": 'nodes "x" not found'}), (403, {}, {"message": "forbidden"})]
    api = api_for(server, [])
    assert api.get("/api/v1/nodes/x") is None
    with pytest.raises(KubeError, match="403"):
        api.get("/api/v1/nodes/y")


def test_unreachable_server_is_retried_then_reported() -> None:
    sleeps: list[float] = []
    api = KubeApi({"host": "http://127.0.0.1:9", "api_retries": 1, "request_timeout": 2}, sleep=sleeps.append)
    with pytest.raises(KubeError) as raised:
        api.request("GET", "/api/v1/nodes")
    assert raised.value.status == 0
    assert api.requests == 2 and len(sleeps) == 1


def test_unreachable_server_is_named_with_the_reason() -> None:
    api = KubeApi({"host": "https://127.0.0.1:1", "api_retries": 0}, sleep=lambda _s: None)
    with pytest.raises(KubeError) as raised:
        api.request("GET", "/api/v1/nodes")
    message = str(raised.value)
    assert message.startswith("cannot reach the API server at https://127.0.0.1:1: "), message
    assert "Connection refused" in message
    assert "answered" not in message and "MaxRetryError" not in message and "Pool(" not in message


POOL = HTTPSConnectionPool("127.0.0.1", 1)
REFUSED = "Failed to establish a new connection: [Errno 111] Connection refused"
UNTRUSTED = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (MaxRetryError(POOL, "/api/v1/nodes", NewConnectionError(HTTPSConnection("127.0.0.1", 1), REFUSED)), REFUSED),
        (MaxRetryError(POOL, "/api/v1/nodes", SSLError(UNTRUSTED)), UNTRUSTED),
        (
            ReadTimeoutError(POOL, "/api/v1/nodes", "Read timed out. (read timeout=2)"),
            "Read timed out. (read timeout=2)",
        ),
        (ConnectionResetError(), "ConnectionResetError"),
    ],
)
def test_transport_reason_drops_urllib3_wrapping(error: Exception, reason: str) -> None:
    assert transport_reason(error) == reason


def test_missing_kubeconfig_file_is_reported_as_not_found() -> None:
    with pytest.raises(KubeError) as raised:
        KubeApi({"kubeconfig": "/nonexistent"})
    assert str(raised.value) == "kubeconfig /nonexistent: not found"


def test_broken_kubeconfig_file_is_named_with_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nkind: Config\ncurrent-context: missing\n", encoding="utf-8")
    with pytest.raises(KubeError) as raised:
        KubeApi({"kubeconfig": str(path)})
    message = str(raised.value)
    assert message.startswith(f"kubeconfig {path}: ") and "missing" in message
    assert "answered" not in message


def test_broken_kubeconfig_dictionary_is_reported() -> None:
    with pytest.raises(KubeError, match=r"^kubeconfig \(given as a dictionary\): .*nope"):
        KubeApi({"kubeconfig": kubeconfig("http://127.0.0.1:9"), "context": "nope"})


def test_no_cluster_at_all_says_what_to_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(KubeError) as raised:
        KubeApi({})
    message = str(raised.value)
    assert message.startswith("no cluster to talk to: set host or kubeconfig (")
    assert f"kubeconfig {tmp_path / 'absent'}: not found" in message


def test_merge_patch_sends_token_content_type_and_json(server: Server) -> None:
    api = api_for(server, [])
    api.merge_patch("/api/v1/nodes/n1", {"metadata": {"labels": {"a": "b"}}})
    sent = server.received[0]
    assert sent["method"] == "PATCH"
    assert sent["headers"]["authorization"] == "Bearer tok"
    assert sent["headers"]["content-type"] == "application/merge-patch+json"
    assert json.loads(sent["body"]) == {"metadata": {"labels": {"a": "b"}}}


def test_list_follows_continue_tokens(server: Server) -> None:
    server.replies = [
        (200, {}, {"items": [{"n": 1}, {"n": 2}], "metadata": {"continue": "abc"}}),
        (200, {}, {"items": [{"n": 3}], "metadata": {}}),
    ]
    api = api_for(server, [])
    assert api.list("/api/v1/nodes", limit=2, labelSelector="a=b") == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert server.received[0]["path"] == "/api/v1/nodes?labelSelector=a%3Db&limit=2"
    assert server.received[1]["path"].endswith("&continue=abc")


def test_basic_auth_and_impersonation_headers(server: Server) -> None:
    api = KubeApi(
        {"host": server.url, "username": "ann", "password": "pw", "impersonate_user": "bob"}, sleep=lambda _s: None
    )
    api.request("GET", "/version")
    headers = server.received[0]["headers"]
    assert headers["authorization"] == "Basic YW5uOnB3"
    assert headers["impersonate-user"] == "bob"


def kubeconfig(server: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "from-kubeconfig"}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }


@pytest.mark.parametrize(("validate", "verify"), [(None, True), (True, True), (False, False)])
def test_kubeconfig_dict_and_tls_verification_default(server: Server, validate: Any, verify: bool) -> None:
    api = KubeApi({"kubeconfig": kubeconfig(server.url), "validate_certs": validate}, sleep=lambda _s: None)
    assert api.configuration.verify_ssl is verify
    api.request("GET", "/version")
    assert server.received[0]["headers"]["authorization"] == "Bearer from-kubeconfig"


def test_kubeconfig_insecure_skip_tls_verify_does_not_turn_verification_off(server: Server) -> None:
    config = kubeconfig(server.url)
    config["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True

    def verify_ssl(**params: Any) -> bool:
        return bool(KubeApi({"kubeconfig": config, **params}, sleep=lambda _s: None).configuration.verify_ssl)

    assert verify_ssl() is True
    assert verify_ssl(validate_certs=False) is False


def test_options_fall_back_to_kubernetes_core_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K8S_AUTH_HOST", "https://api.example.com:6443")
    monkeypatch.setenv("K8S_AUTH_API_KEY", "secret-token")
    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "no")
    result = ArgumentSpecValidator(auth_argument_spec()).validate({})
    assert result.error_messages == []
    params = result.validated_parameters
    assert params["host"] == "https://api.example.com:6443"
    assert params["api_key"] == "secret-token"
    assert params["validate_certs"] is False
    assert "secret-token" in result._no_log_values


def test_long_validation_errors_are_shortened() -> None:
    error = KubeError.answered(
        "PATCH", "/apis/batch/v1/namespaces/a/jobs/j", 422, "Unprocessable", {"message": "x" * 5000}
    )
    assert len(str(error)) < 700
    assert "[...]" in str(error)


def test_kubeconfig_secrets_are_the_credentials_of_an_inline_kubeconfig() -> None:
    config = kubeconfig("https://api.example.com")
    config["users"].append(
        {
            "name": "oidc",
            "user": {
                "username": "ann",
                "password": "pw",
                "client-key-data": "a2V5",
                "client-certificate-data": "Y2VydA==",
                "auth-provider": {"name": "oidc", "config": {"id-token": "idt", "refresh-token": "rt"}},
            },
        }
    )
    assert kubeconfig_secrets(config) == {"from-kubeconfig", "pw", "a2V5", "idt", "rt"}
    assert kubeconfig_secrets("~/.kube/config") == set() and kubeconfig_secrets(None) == set()


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_kubeconfig_given_as_text_is_content_not_a_path(server: Server, form: str) -> None:
    config = kubeconfig(server.url)
    text = yaml.safe_dump(config) if form == "yaml" else json.dumps(config)
    api = KubeApi({"kubeconfig": text}, sleep=lambda _s: None)
    api.request("GET", "/version")
    assert server.received[0]["headers"]["authorization"] == "Bearer from-kubeconfig"
    assert kubeconfig_secrets(text) == {"from-kubeconfig"}


@pytest.mark.parametrize(
    "text",
    [
        "users:\n- name: u\n  user: {token: SECRET-TOKEN}\n",  # content, but not a whole kubeconfig
        "token: SECRET-TOKEN\nno kubeconfig at all\n",
        "{token: SECRET-TOKEN",  # broken YAML: its error would quote the text
    ],
)
def test_kubeconfig_text_that_cannot_be_loaded_is_never_echoed(text: str) -> None:
    with pytest.raises(KubeError) as raised:
        KubeApi({"kubeconfig": text})
    message = str(raised.value)
    assert "SECRET-TOKEN" not in message
    assert message.startswith("kubeconfig ") and f"given as text, {len(text)} characters, not shown" in message


def test_exec_plugin_args_and_env_values_are_secrets() -> None:
    config = kubeconfig("https://api.example.com")
    config["users"].append(
        {
            "name": "eks",
            "user": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "command": "aws",
                    "args": ["eks", "get-token", "--token=EXEC-ARG-SECRET"],
                    "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "EXEC-ENV-SECRET"}, {"name": "EMPTY"}],
                }
            },
        }
    )
    secrets = kubeconfig_secrets(config)
    assert {"eks", "get-token", "--token=EXEC-ARG-SECRET", "EXEC-ENV-SECRET"} <= secrets
    assert "AWS_SECRET_ACCESS_KEY" not in secrets and "aws" not in secrets


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        (401, "the credentials were refused"),
        (403, "the user is not allowed to do this"),
        (404, "it does not exist (any more)"),
        (422, "the object is invalid, or a field that cannot change was changed"),
        (503, "the API server failed (retried)"),
    ],
)
def test_kubernetes_errors_are_translated_by_status(status: int, meaning: str) -> None:
    error = KubeError.answered("PATCH", "/api/v1/nodes/n1", status, "Reason", {"message": "server says"})
    assert kube_error_message(error) == f"PATCH /api/v1/nodes/n1 answered {status} Reason: server says ({meaning})"
    assert kube_error_message(error.within("cannot list nodes")).startswith("cannot list nodes: PATCH")


def test_errors_without_an_answer_are_shown_as_they_are() -> None:
    error = KubeError.unreachable("https://h:6443", "GET", "/api/v1/nodes", "Connection refused")
    assert kube_error_message(error) == "cannot reach the API server at https://h:6443: Connection refused"
