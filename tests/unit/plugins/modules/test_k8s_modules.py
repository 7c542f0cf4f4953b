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
