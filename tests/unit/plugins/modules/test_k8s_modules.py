"""The Kubernetes modules run in-process against a closed local port: what they print and what they refuse."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args
from ansible_collections.wincontainers.compat.plugins.module_utils import k8s_runner
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import plan_node
from ansible_collections.wincontainers.compat.plugins.modules import (
    k8s_compat_info,
    k8s_node_labels,
    k8s_runtime_classes,
    k8s_workload_selector,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
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
def test_kubeconfig_content_given_as_text_is_used_and_never_returned(
    module: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    text = yaml.safe_dump(KUBECONFIG)
    args = {"kubeconfig": text, "api_retries": 0, "_ansible_inject_invocation": True}
    result = run_module(module, args, capsys)
    assert result["failed"] is True
    assert result["msg"].endswith("Connection refused") and "https://127.0.0.1:1" in result["msg"]
    printed = json.dumps(result)
    assert TOKEN not in printed and "S0VZREFUQQ==" not in printed and "clusters:" not in printed


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_unloadable_kubeconfig_text_is_named_by_size_only(
    module: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"user:\n  token: {TOKEN}\n"
    result = run_module(module, {"kubeconfig": text, "_ansible_inject_invocation": True}, capsys)
    assert result["failed"] is True
    assert result["msg"].startswith(f"kubeconfig (given as text, {len(text)} characters, not shown): ")
    assert TOKEN not in json.dumps(result)


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


def example_task(module: ModuleType, name_part: str) -> dict[str, Any]:
    tasks = yaml.safe_load(module.EXAMPLES)
    return next(task for task in tasks if name_part in task["name"])


def test_the_facts_example_labels_windows_server_2016_nodes_with_their_revision() -> None:
    task = example_task(k8s_node_labels, "Windows Server 2016")
    spec = {key: value.get("default") for key, value in k8s_node_labels.argument_spec().items()}
    params = {**spec, **task["wincontainers.compat.k8s_node_labels"]}
    node = {
        "metadata": {"name": "win2016-01", "labels": {"kubernetes.io/os": "windows"}},
        "status": {
            "nodeInfo": {
                "operatingSystem": "windows",
                "kernelVersion": "10.0 14393 (14393.1715.amd64fre.rs1_release_inmarket.170906-1810)",
                "osImage": "Windows Server 2016 Datacenter",
            }
        },
    }
    plan = plan_node(node, k8s_runner.label_options(params), {"version": "10.0.14393.7699"})
    assert plan.after["beta.kubernetes.io/osbuild"] == "14393.7699"


# Reading gathered facts as top-level variables relies on INJECT_FACTS_AS_VARS, deprecated in ansible-core 2.21.
FACT_AS_VARIABLE = re.compile(
    r"extract['\"],\s*hostvars,\s*['\"]wincontainers_host|\bhostvars\[[^\]]+\]\.wincontainers_host"
)


def test_examples_read_gathered_facts_from_ansible_facts() -> None:
    texts = [*REPO_ROOT.glob("plugins/modules/*.py"), *REPO_ROOT.glob("plugins/*/*.yml"), REPO_ROOT / "README.md"]
    for folder in ("docs", "roles", "playbooks", "examples"):
        texts += [p for p in (REPO_ROOT / folder).rglob("*") if p.suffix in (".md", ".yml", ".yaml", ".j2")]
    offenders = [p.relative_to(REPO_ROOT) for p in texts if FACT_AS_VARIABLE.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
