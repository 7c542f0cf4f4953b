"""The Kubernetes modules run in-process against a closed local port: what they print and what they refuse."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.wincontainers.compat.plugins.modules import (
    k8s_compat_info,
    k8s_node_labels,
    k8s_runtime_classes,
    k8s_workload_selector,
)

MODULES = [k8s_compat_info, k8s_node_labels, k8s_runtime_classes, k8s_workload_selector]
TOKEN = "KCSECRET31337"
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
    "users": [{"name": "u", "user": {"token": TOKEN, "client-key-data": "S0VZREFUQQ=="}}],
    "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
    "current-context": "x",
}


def run_module(module: ModuleType, args: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_inline_kubeconfig_credentials_are_not_returned(module: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    args = {"kubeconfig": KUBECONFIG, "api_retries": 0, "_ansible_inject_invocation": True}  # as at -vvv
    result = run_module(module, args, capsys)
    assert result["failed"] is True
    assert result["msg"].endswith("Connection refused") and "https://127.0.0.1:1" in result["msg"]
    printed = json.dumps(result)
    assert TOKEN not in printed and "S0VZREFUQQ==" not in printed
    assert result["invocation"]["module_args"]["kubeconfig"]["clusters"] == KUBECONFIG["clusters"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"api_retries": -1}, "api_retries must be 0 or more; got -1"),
        ({"request_timeout": 0}, "request_timeout must be more than 0; got 0"),
        ({"client_cert": "/etc/k8s/client.crt"}, "parameters are required together: client_cert, client_key"),
        ({"client_key": "/etc/k8s/client.key"}, "parameters are required together: client_cert, client_key"),
    ],
)
def test_impossible_connection_options_are_refused(
    module: ModuleType, args: dict[str, Any], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_module(module, {"host": "https://127.0.0.1:1", **args}, capsys)
    assert result["failed"] is True
    assert result["msg"] == message


def test_a_client_certificate_from_the_environment_needs_its_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("K8S_AUTH_CERT_FILE", "/etc/k8s/client.crt")
    result = run_module(k8s_compat_info, {"host": "https://127.0.0.1:1"}, capsys)
    assert result["msg"] == "parameters are required together: client_cert, client_key"


def test_node_labels_refuses_no_concurrency(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_module(k8s_node_labels, {"host": "https://127.0.0.1:1", "concurrency": 0}, capsys)
    assert result["failed"] is True
    assert result["msg"] == "concurrency must be 1 or more; got 0"
