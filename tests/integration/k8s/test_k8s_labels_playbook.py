"""playbooks/k8s_labels.yml makes a mixed-build cluster schedulable (check mode first) and reports the rest."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from k8s_helpers import selector_of
from kube import KubeCluster
from kube_objects import create_workload, ensure_namespace, get_node, workload_body, workload_path
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook

pytestmark = pytest.mark.kube

NS = "fleet"
BUILD = "node.kubernetes.io/windows-build"
PLAYBOOK = REPO_ROOT / "playbooks" / "k8s_labels.yml"
ROLE = "wincontainers.compat.k8s_labels : "
REPORT = ROLE + "Report what still cannot run where it is sent"
WORKLOADS = [
    ("web", ["mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019"], {"pool": "win"}),
    ("api", ["mcr.microsoft.com/windows/servercore:ltsc2022"], None),
    ("mixed", ["mcr.microsoft.com/windows/nanoserver:1809", "mcr.microsoft.com/windows/servercore:ltsc2022"], None),
]


@pytest.fixture
def fleet(kube_apiserver: KubeCluster) -> Iterator[None]:
    ensure_namespace(kube_apiserver, NS)
    for name, images, selector in WORKLOADS:
        create_workload(kube_apiserver, NS, workload_body("Deployment", name, images, selector))
    try:
        yield
    finally:
        for name, *_rest in WORKLOADS:
            kube_apiserver.call("DELETE", workload_path("Deployment", NS, name))


def state(cluster: KubeCluster, nodes: dict[str, dict]) -> dict[str, Any]:
    labels = {name: get_node(cluster, name)["metadata"]["labels"] for name in nodes}
    selectors = {
        name: cluster.call("GET", workload_path("Deployment", NS, name))["spec"]["template"]["spec"].get("nodeSelector")
        for name, *_rest in WORKLOADS
    }
    return {"labels": labels, "selectors": selectors}


def play(cluster: KubeCluster, user: str, selector: str, check: bool = False) -> PlaybookRun:
    extra = {
        "k8s_labels_kubeconfig": str(cluster.kubeconfig(user)),
        "k8s_labels_node_selector": selector,
        "k8s_labels_namespace": NS,
        "ansible_python_interpreter": sys.executable,
    }
    return run_playbook(PLAYBOOK, inventory="localhost,", extra_vars=extra, check=check, diff=check)


def test_playbook_check_first_then_schedulable_then_idempotent(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], fleet: None
) -> None:
    selector = selector_of(recorded_nodes, kube_apiserver)
    for name in [n for n in recorded_nodes if recorded_nodes[n]["expect"]["build"] in (17763, 20348)]:
        # the operator's own pool label, which web's selector also asks for
        kube_apiserver.call(
            "PATCH", f"/api/v1/nodes/{name}", {"metadata": {"labels": {"pool": "win"}}}, "application/merge-patch+json"
        )
    before = state(kube_apiserver, recorded_nodes)

    check = play(kube_apiserver, "reader", selector, check=True)
    assert check.returncode == 0, check.explain()
    assert state(kube_apiserver, recorded_nodes) == before
    predicted = check.result(ROLE + "Predict the node labels (check mode, read-only)")
    assert sorted(predicted["patched"]) == sorted(recorded_nodes)

    refused = play(kube_apiserver, "reader", selector)
    assert refused.returncode != 0
    assert state(kube_apiserver, recorded_nodes) == before

    run = play(kube_apiserver, "admin", selector)
    assert run.returncode == 0, run.explain()
    after = state(kube_apiserver, recorded_nodes)
    for name, fixture in recorded_nodes.items():
        assert after["labels"][name]["wincontainers.compat/release"] == fixture["expect"]["release"]
        assert after["labels"][name]["wcc-suite"] == before["labels"][name]["wcc-suite"]
    assert after["selectors"]["web"] == {"pool": "win", "kubernetes.io/os": "windows", BUILD: "10.0.17763"}
    assert after["selectors"]["api"] == {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert after["selectors"]["mixed"] is None
    report = run.result(REPORT)
    critical = {(f["check"], f["subject"]) for f in report["findings"] if f["severity"] == "critical"}
    assert critical == {("image_build_mismatch", f"deployment {NS}/mixed")}
    assert not any(f["subject"] in (f"deployment {NS}/web", f"deployment {NS}/api") for f in report["findings"])
    workloads = {w["name"]: w for w in report["workloads"]}
    assert workloads["web"]["runnable_nodes"] and not workloads["web"]["blocked_nodes"]
    assert workloads["api"]["runnable_nodes"] and not workloads["api"]["blocked_nodes"]

    again = play(kube_apiserver, "admin", selector)
    assert again.returncode == 0, again.explain()
    assert again.changed == 0
    assert state(kube_apiserver, recorded_nodes) == after
