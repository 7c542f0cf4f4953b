"""Connection options of the Swarm modules: TLS on and verified by default for TCP hosts, DOCKER_CERT_PATH files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from ansible_collections.wincontainers.compat.plugins.module_utils import docker_client as dc


@pytest.mark.parametrize(
    ("params", "use", "verify"),
    [
        ({"docker_host": "unix:///var/run/docker.sock"}, False, True),
        ({"docker_host": "tcp://m1:2376"}, True, True),
        ({"docker_host": "tcp://m1:2376", "validate_certs": None}, True, True),
        ({"docker_host": "tcp://m1:2376", "validate_certs": False, "tls": True}, True, False),
        ({"docker_host": "tcp://m1:2375", "validate_certs": False, "tls": False}, False, False),
        ({"docker_host": "ssh://user@m1"}, False, True),
    ],
)
def test_tls_is_verified_unless_turned_off(params: dict[str, Any], use: bool, verify: bool) -> None:
    settings = dc.tls_settings(params, environ={})
    assert (settings["use"], settings["verify"]) == (use, verify)


def test_cert_paths_default_to_docker_cert_path(tmp_path: Path) -> None:
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    settings = dc.tls_settings({"docker_host": "tcp://m1:2376"}, environ={"DOCKER_CERT_PATH": str(tmp_path)})
    assert settings["ca"] == str(tmp_path / "ca.pem")
    assert (settings["cert"], settings["key"]) == (str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    given = dc.tls_settings({"ca_path": "/etc/ca.pem"}, environ={"DOCKER_CERT_PATH": str(tmp_path)})
    assert given["ca"] == "/etc/ca.pem"


@pytest.mark.parametrize(
    ("host", "tls", "url"),
    [("tcp://m1:2376", True, "https://m1:2376"), ("tcp://m1:2375", False, "http://m1:2375"),
     ("unix:///run/d.sock", False, "unix:///run/d.sock")],
)  # fmt: skip
def test_base_url(host: str, tls: bool, url: str) -> None:
    assert dc.base_url(host, tls) == url


def test_argument_spec_uses_community_docker_names_and_env_fallbacks() -> None:
    spec = dc.docker_argument_spec()
    assert set(spec) == {
        "docker_host", "tls_hostname", "api_version", "timeout", "ca_path", "client_cert", "client_key", "tls",
        "validate_certs",
    }  # fmt: skip
    assert spec["docker_host"]["fallback"][1] == ["DOCKER_HOST"]
    assert spec["validate_certs"]["fallback"][1] == ["DOCKER_TLS_VERIFY"]
    assert "default" not in spec["validate_certs"], "a default would hide DOCKER_TLS_VERIFY; None means verify"
    assert spec["validate_certs"]["aliases"] == ["tls_verify"]
    spec["docker_host"]["default"] = "changed"
    assert dc.docker_argument_spec()["docker_host"]["default"] == dc.DEFAULT_DOCKER_HOST


def test_connect_rejects_a_certificate_without_its_key() -> None:
    with pytest.raises(dc.DockerClientError, match="client_cert and client_key must be given together"):
        dc.connect({"docker_host": "tcp://127.0.0.1:1", "client_cert": "/c.pem"})


def test_connect_builds_a_verified_https_client(tmp_path: Path) -> None:
    api = dc.connect({"docker_host": "tcp://127.0.0.1:1", "api_version": "1.41", "timeout": 5})
    try:
        assert api.base_url == "https://127.0.0.1:1"
        assert api.verify is True
    finally:
        api.close()


def test_tls_hostname_is_what_the_certificate_is_checked_against() -> None:
    api = dc.connect(
        {"docker_host": "tcp://10.0.0.5:2376", "tls_hostname": "manager1.example.com", "api_version": "1.41"}
    )
    try:
        adapter = api.get_adapter("https://10.0.0.5:2376/v1.41/nodes")
        assert adapter.poolmanager.connection_pool_kw["assert_hostname"] == "manager1.example.com"
    finally:
        api.close()


def test_engine_errors_name_the_host_and_let_api_answers_through(tmp_path: Path) -> None:
    api = dc.connect({"docker_host": f"unix://{tmp_path}/absent.sock", "api_version": "1.41", "timeout": 2})
    expected = r"cannot talk to the Docker Engine at unix://.*absent\.sock"
    with pytest.raises(dc.DockerClientError, match=expected), dc.engine_errors(f"unix://{tmp_path}/absent.sock"):
        api.nodes()
    with pytest.raises(dc.APIError), dc.engine_errors("h"):
        raise dc.APIError("503 Server Error", explanation="This node is not a swarm manager.")


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        ({"docker_host": "http://m1:2375"}, "on by default"),
        ({"docker_host": "http://m1:2375", "validate_certs": None}, "on by default"),
        ({"docker_host": "http://m1:2375", "tls": True, "validate_certs": False}, r"asked for \(tls=true\)"),
        ({"docker_host": "http://m1:2375", "tls": False, "validate_certs": True}, "on by default"),
    ],
)
def test_plain_http_is_refused_unless_tls_is_turned_off_explicitly(params: dict[str, Any], refused: str) -> None:
    with pytest.raises(dc.DockerClientError, match=f"docker_host http://m1:2375 is plain, unencrypted HTTP.*{refused}"):
        dc.tls_settings(params, environ={})
    with pytest.raises(dc.DockerClientError, match="unencrypted"):
        dc.connect(params)


@pytest.mark.parametrize(
    ("params", "use"),
    [
        ({"docker_host": "http://m1:2375", "tls": False, "validate_certs": False}, False),
        ({"docker_host": "https://m1:2376", "validate_certs": False}, True),
        ({"docker_host": "npipe:////./pipe/docker_engine"}, False),
        ({"docker_host": "unix:///run/docker.sock", "tls": True}, False),
    ],
)
def test_plain_http_explicitly_allowed_https_always_tls_local_sockets_plain(params: dict[str, Any], use: bool) -> None:
    assert dc.tls_settings(params, environ={})["use"] is use


def engine_error(status: int, message: str) -> dc.APIError:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"message": message}).encode()
    return dc.APIError(f"{status} error", response=response, explanation=message)


@pytest.mark.parametrize(
    ("error", "conflict"),
    [
        (engine_error(500, "rpc error: code = Unknown desc = update out of sequence"), True),
        (engine_error(500, "update out of sequence"), True),
        (engine_error(500, "rpc error: code = Internal desc = update out of sequence"), False),
        (engine_error(500, "rpc error: code = Unknown desc = raft: proposal dropped"), False),
        (engine_error(404, "rpc error: code = Unknown desc = update out of sequence"), False),
        (dc.APIError("500", explanation="rpc error: code = Unknown desc = update out of sequence"), False),
        (RuntimeError("update out of sequence"), False),
    ],
)
def test_version_conflict_is_status_500_with_swarmkits_grpc_status(error: BaseException, conflict: bool) -> None:
    assert dc.is_version_conflict(error) is conflict


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (engine_error(404, "node abc not found"), "Docker Engine API error: 404, it no longer exists (removed by "
         "another client?): node abc not found"),
        (engine_error(503, "This node is not a swarm manager."), "Docker Engine API error: 503, the Engine is not a "
         "swarm manager, or the swarm has no leader: This node is not a swarm manager."),
        (engine_error(500, "rpc error: code = Unknown desc = update out of sequence"), "Docker Engine API error: 500, "
         "the object kept changing (version conflict, update out of sequence): rpc error: code = Unknown desc = "
         "update out of sequence"),
        (dc.DockerClientError("cannot talk to the Docker Engine at h: x"), "cannot talk to the Docker Engine at h: x"),
        (ConnectionResetError("reset"), "cannot talk to the Docker Engine: ConnectionResetError: reset"),
    ],
)  # fmt: skip
def test_docker_errors_are_translated_by_type_and_status(error: BaseException, message: str) -> None:
    assert dc.docker_error_message(error) == message
