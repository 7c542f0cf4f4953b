"""Connection options of the Swarm modules: TLS on and verified by default for TCP hosts, DOCKER_CERT_PATH files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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
