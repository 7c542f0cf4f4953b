"""Partial failures on a real kube-apiserver: every workload and RuntimeClass is tried, each outcome reported.

Faults are real answers of the API server: RBAC refusals (403) for an impersonated user, a workload deleted
between the list and the patch (404), an invalid RuntimeClass (422). Every result is confirmed by reading the
objects back as the admin.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import k8s_runner
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_client import KubeApi, auth_argument_spec
from ansible_collections.wincontainers.compat.plugins.modules import k8s_runtime_classes, k8s_workload_selector
from k8s_helpers import RunModule
from kube import HarnessError, KubeCluster
from kube_objects import create_workload, ensure_namespace, workload_body, workload_path

pytestmark = pytest.mark.kube

NS = "parts"
BUILD = "node.kubernetes.io/windows-build"
IMAGE = "mcr.microsoft.com/windows/servercore:ltsc2022"
RC_PATH = "/apis/node.k8s.io/v1/runtimeclasses"
PATCHER = "wcc-deployment-patcher"


@pytest.fixture
def workloads(kube_apiserver: KubeCluster) -> Iterator[list[tuple[str, str]]]:
    ensure_namespace(kube_apiserver, NS)
    made = [("Deployment", "alpha"), ("Deployment", "beta"), ("StatefulSet", "gamma"), ("DaemonSet", "delta")]
    for kind, name in made:
        create_workload(kube_apiserver, NS, workload_body(kind, name, [IMAGE]))
    try:
        yield made
    finally:
        for kind, name in made:
            with contextlib.suppress(HarnessError):  # deleted by the test
                kube_apiserver.call("DELETE", workload_path(kind, NS, name), {"propagationPolicy": "Background"})


def selector(cluster: KubeCluster, kind: str, name: str) -> dict[str, str] | None:
    try:
        obj = cluster.call("GET", workload_path(kind, NS, name))
    except HarnessError:
        return None
    return dict(obj["spec"]["template"]["spec"].get("nodeSelector") or {})


@pytest.fixture
def deployment_patcher(kube_apiserver: KubeCluster) -> Iterator[str]:
    """A user who may read every workload but patch only Deployments."""
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    rules = [
        {"apiGroups": ["apps", "batch"], "resources": ["*"], "verbs": ["get", "list"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]},
    ]
    kube_apiserver.call("POST", f"{rbac}/clusterroles", {"metadata": {"name": PATCHER}, "rules": rules})
    binding = {
        "metadata": {"name": PATCHER},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": PATCHER},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": PATCHER}],
    }
    kube_apiserver.call("POST", f"{rbac}/clusterrolebindings", binding)
    try:
        yield PATCHER
    finally:
        kube_apiserver.call("DELETE", f"{rbac}/clusterrolebindings/{PATCHER}")
        kube_apiserver.call("DELETE", f"{rbac}/clusterroles/{PATCHER}")


def test_refused_workloads_fail_the_task_after_every_workload_was_tried(
    kube_apiserver: KubeCluster, workloads: list, deployment_patcher: str, run_module: RunModule
) -> None:
    run = run_module(
        "k8s_workload_selector",
        {"namespace": NS, "impersonate_user": deployment_patcher, "kinds": ["StatefulSet", "DaemonSet", "Deployment"]},
    )
    assert run.returncode != 0
    result = run.result("module")
    assert result["changed"] is True
    outcomes = {r["name"]: (r["outcome"], r["changed"]) for r in result["results"]}
    assert outcomes == {
        f"statefulset {NS}/gamma": ("failed", False),
        f"daemonset {NS}/delta": ("failed", False),
        f"deployment {NS}/alpha": ("updated", True),
        f"deployment {NS}/beta": ("updated", True),
    }
    assert "2 of 4 workload(s) failed" in result["msg"] and f"statefulset {NS}/gamma" in result["msg"]
    assert all("403" in e for e in result["failed_workloads"].values())
    wanted = {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert selector(kube_apiserver, "Deployment", "alpha") == selector(kube_apiserver, "Deployment", "beta") == wanted
    assert selector(kube_apiserver, "StatefulSet", "gamma") == selector(kube_apiserver, "DaemonSet", "delta") == {}


def module_for(cluster: KubeCluster, spec: dict[str, Any], **params: Any) -> Any:
    """A stand-in for AnsibleModule: the options with their defaults, as the runner reads them."""
    defaults = {key: value.get("default") for key, value in {**auth_argument_spec(), **spec}.items()}
    return SimpleNamespace(params={**defaults, **cluster.auth(), **params}, check_mode=False, _diff=False)


def test_a_workload_deleted_between_list_and_patch_is_skipped_and_the_rest_patched(
    kube_apiserver: KubeCluster, workloads: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_patch = KubeApi.merge_patch

    def delete_beta_first(self: KubeApi, path: str, patch: Any) -> dict[str, Any]:
        if path.endswith("/deployments/beta"):
            kube_apiserver.call("DELETE", workload_path("Deployment", NS, "beta"))
        return real_patch(self, path, patch)

    monkeypatch.setattr(KubeApi, "merge_patch", delete_beta_first)
    module = module_for(kube_apiserver, k8s_workload_selector.argument_spec(), namespace=NS, kinds=["Deployment"])
    result = k8s_runner.run_workload_selector(module)
    assert "failed" not in result
    outcomes = {r["name"]: (r["outcome"], r["error"]) for r in result["results"]}
    assert outcomes == {
        f"deployment {NS}/alpha": ("updated", None),
        f"deployment {NS}/beta": ("skipped", "deleted between the list and the patch"),
    }
    assert selector(kube_apiserver, "Deployment", "alpha") == {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert selector(kube_apiserver, "Deployment", "beta") is None


@pytest.fixture
def managed_class(kube_apiserver: KubeCluster, run_module: RunModule) -> Iterator[dict[str, Any]]:
    run = run_module("k8s_runtime_classes", {"builds": ["ltsc2022"], "prefix": "wccpart"})
    assert run.returncode == 0, run.explain()
    try:
        yield kube_apiserver.call("GET", f"{RC_PATH}/wccpart-ltsc2022")
    finally:
        for rc in kube_apiserver.call("GET", RC_PATH)["items"]:
            if rc["metadata"]["name"].startswith("wccpart-"):
                kube_apiserver.call("DELETE", f"{RC_PATH}/{rc['metadata']['name']}")


def test_a_replacement_the_server_would_refuse_never_deletes_the_class(
    kube_apiserver: KubeCluster, managed_class: dict[str, Any], run_module: RunModule
) -> None:
    args = {
        "builds": ["ltsc2022"],
        "prefix": "wccpart",
        "handler": "Not_A_DNS_Label",
        "hyperv_image_builds": ["ltsc2022"],
    }
    run = run_module("k8s_runtime_classes", args)
    assert run.returncode != 0
    result = run.result("module")
    entries = {e["name"]: e for e in result["runtime_classes"]}
    refused = entries["wccpart-ltsc2022"]
    assert (refused["action"], refused["outcome"]) == ("replace", "failed")
    assert (
        refused["error"].startswith("the new class was refused, the old one is unchanged: ")
        and "422" in refused["error"]
    )
    assert entries["wccpart-ltsc2022-hyperv-ltsc2022"]["outcome"] == "updated", "the other classes are still made"
    assert "wccpart-ltsc2022" in result["msg"]
    current = kube_apiserver.call("GET", f"{RC_PATH}/wccpart-ltsc2022")
    assert current["metadata"]["uid"] == managed_class["metadata"]["uid"]
    assert current["handler"] == "runhcs-wcow-process"
    kube_apiserver.call("GET", f"{RC_PATH}/wccpart-ltsc2022-hyperv-ltsc2022")


def test_a_create_failing_after_the_delete_brings_the_old_class_back(
    kube_apiserver: KubeCluster, managed_class: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = KubeApi.create

    def refuse_the_replacement(self: KubeApi, path: str, body: Any, dry_run: bool = False) -> dict[str, Any]:
        if not dry_run and body.get("handler") == "runhcs-wcow-new":  # the server refuses it for real: 422
            body = {**body, "handler": "Not_A_DNS_Label"}
        return real_create(self, path, body, dry_run)

    monkeypatch.setattr(KubeApi, "create", refuse_the_replacement)
    spec = k8s_runtime_classes.argument_spec()
    module = module_for(kube_apiserver, spec, builds=["ltsc2022"], prefix="wccpart", handler="runhcs-wcow-new")
    result = k8s_runner.run_runtime_classes(module)
    assert result["failed"] is True
    entry = result["runtime_classes"][0]
    assert (entry["action"], entry["outcome"], entry["restored"]) == ("replace", "failed", True)
    assert "422" in entry["error"] and entry["error"].endswith("the previous class was created again")
    current = kube_apiserver.call("GET", f"{RC_PATH}/wccpart-ltsc2022")
    assert current["metadata"]["uid"] != managed_class["metadata"]["uid"], "deleted, then created again"
    assert current["handler"] == "runhcs-wcow-process"
    assert current["scheduling"] == managed_class["scheduling"]
    assert current["metadata"]["labels"] == managed_class["metadata"]["labels"]
