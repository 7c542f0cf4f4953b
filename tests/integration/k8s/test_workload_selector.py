"""k8s_workload_selector and k8s_runtime_classes on a mixed-build cluster in a real kube-apiserver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from k8s_helpers import RunModule, rehearse_then_apply
from kube import KubeCluster
from kube_objects import create_workload, ensure_namespace, workload_body, workload_path

pytestmark = pytest.mark.kube

NS = "shop"
BUILD = "node.kubernetes.io/windows-build"
ASPNET_2019 = "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019"
NANO_1809 = "mcr.microsoft.com/windows/nanoserver:1809"
CORE_2022 = "mcr.microsoft.com/windows/servercore:ltsc2022"
WORKLOADS: list[tuple[str, str, list[str], dict[str, str] | None]] = [
    ("Deployment", "web", [ASPNET_2019], {"pool": "win", "disk": "ssd"}),
    ("StatefulSet", "db", ["mcr.microsoft.com/windows/servercore:ltsc2022"], None),
    ("DaemonSet", "agent", ["mcr.microsoft.com/windows/nanoserver:1809"], {"kubernetes.io/os": "windows"}),
    ("CronJob", "report", ["mcr.microsoft.com/windows/servercore:ltsc2025"], None),
    ("Job", "migrate", ["mcr.microsoft.com/windows/servercore:ltsc2022"], None),
    ("Deployment", "mixed", [NANO_1809, CORE_2022], None),
    ("Deployment", "linux", ["nginx:1.25"], {"kubernetes.io/os": "linux"}),
    ("Deployment", "custom", ["registry.example.com/shop/web:2.4.1"], None),
]


@pytest.fixture
def shop(kube_apiserver: KubeCluster) -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    ensure_namespace(kube_apiserver, NS)
    made = {}
    for kind, name, images, selector in WORKLOADS:
        made[(kind, name)] = create_workload(kube_apiserver, NS, workload_body(kind, name, images, selector))
    try:
        yield made
    finally:
        for kind, name, *_rest in WORKLOADS:
            # Background: without a controller manager an orphaning delete would wait for the garbage collector.
            kube_apiserver.call("DELETE", workload_path(kind, NS, name), {"propagationPolicy": "Background"})


def pod_spec(cluster: KubeCluster, kind: str, name: str) -> dict[str, Any]:
    obj = cluster.call("GET", workload_path(kind, NS, name))
    spec = obj["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else obj["spec"]
    return dict(spec["template"]["spec"])


def selectors(cluster: KubeCluster) -> dict[str, dict[str, str]]:
    return {name: pod_spec(cluster, kind, name).get("nodeSelector") or {} for kind, name, *_rest in WORKLOADS}


def test_selectors_match_image_builds_and_keep_other_keys(
    kube_apiserver: KubeCluster, shop: dict, run_module: RunModule
) -> None:
    args = {"namespace": NS, "images": {"registry.example.com/shop/web": "10.0.20348.2700"}}
    result, before, after = rehearse_then_apply(
        run_module, "k8s_workload_selector", args, lambda: selectors(kube_apiserver)
    )
    assert after["web"] == {"pool": "win", "disk": "ssd", "kubernetes.io/os": "windows", BUILD: "10.0.17763"}
    assert after["db"] == {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert after["agent"] == {"kubernetes.io/os": "windows", BUILD: "10.0.17763"}
    assert after["report"] == {"kubernetes.io/os": "windows", BUILD: "10.0.26100"}
    assert after["custom"] == {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert after["mixed"] == before["mixed"] == {}
    assert after["linux"] == before["linux"]
    # A Job's pod template is immutable on this API server: refused, reported, not fatal.
    assert after["migrate"] == {}
    assert list(result["failed_workloads"]) == [f"job {NS}/migrate"]
    checks = {(f["check"], f["subject"]) for f in result["findings"]}
    assert ("mixed_image_builds", f"deployment {NS}/mixed") in checks
    assert ("workload_not_updated", f"job {NS}/migrate") in checks
    assert not any(w["name"] == "linux" for w in result["workloads"])

    again = run_module("k8s_workload_selector", args)
    assert again.returncode == 0, again.explain()
    outcomes = {w["name"]: w["outcome"] for w in again.result("module")["workloads"]}
    assert outcomes["web"] == outcomes["db"] == outcomes["report"] == "unchanged"
    assert selectors(kube_apiserver) == after


def test_runtime_class_mode(kube_apiserver: KubeCluster, shop: dict, run_module: RunModule) -> None:
    run = run_module("k8s_workload_selector", {"namespace": NS, "mode": "runtime_class", "kinds": ["Deployment"]})
    assert run.returncode == 0, run.explain()
    assert pod_spec(kube_apiserver, "Deployment", "web")["runtimeClassName"] == "windows-ltsc2019"
    assert pod_spec(kube_apiserver, "Deployment", "web")["nodeSelector"] == {"pool": "win", "disk": "ssd"}
    assert "runtimeClassName" not in pod_spec(kube_apiserver, "Deployment", "mixed")


def runtime_classes(cluster: KubeCluster) -> dict[str, dict[str, Any]]:
    items = cluster.call("GET", "/apis/node.k8s.io/v1/runtimeclasses")["items"]
    return {rc["metadata"]["name"]: rc for rc in items}


def test_runtime_classes_for_builds_present(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], run_module: RunModule
) -> None:
    args = {"hyperv_image_builds": ["ltsc2019"], "prune": True}
    check = run_module("k8s_runtime_classes", args, user="reader", check=True)
    assert check.returncode == 0, check.explain()
    assert check.result("module")["changed"] is True
    assert not any(n.startswith("windows-") for n in runtime_classes(kube_apiserver))

    run = run_module("k8s_runtime_classes", args)
    assert run.returncode == 0, run.explain()
    classes = runtime_classes(kube_apiserver)
    assert sorted(n for n in classes if n.startswith("windows-")) == [
        "windows-2004",
        "windows-ltsc2016",
        "windows-ltsc2019",
        "windows-ltsc2019-hyperv-2004",
        "windows-ltsc2019-hyperv-ltsc2019",
        "windows-ltsc2019-hyperv-ltsc2022",
        "windows-ltsc2019-hyperv-ltsc2025",
        "windows-ltsc2022",
        "windows-ltsc2025",
    ]
    rc = classes["windows-ltsc2022"]
    assert rc["handler"] == "runhcs-wcow-process"
    assert rc["scheduling"]["nodeSelector"] == {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert rc["scheduling"]["tolerations"] == [
        {"key": "os", "operator": "Equal", "value": "windows", "effect": "NoSchedule"}
    ]
    hv = classes["windows-ltsc2019-hyperv-ltsc2025"]
    assert hv["handler"] == "runhcs-wcow-hypervisor-17763"
    assert hv["scheduling"]["nodeSelector"][BUILD] == "10.0.26100"

    again = run_module("k8s_runtime_classes", args)
    assert again.result("module")["changed"] is False

    sac = [n for n, f in recorded_nodes.items() if f["expect"]["build"] == 19041]
    for name in sac:
        kube_apiserver.call("DELETE", f"/api/v1/nodes/{name}")
    pruned = run_module("k8s_runtime_classes", args)
    assert pruned.returncode == 0, pruned.explain()
    left = runtime_classes(kube_apiserver)
    assert "windows-2004" not in left and "windows-ltsc2019-hyperv-2004" not in left
    assert "windows-ltsc2022" in left
    for name in [n for n in left if n.startswith("windows-")]:
        kube_apiserver.call("DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")
