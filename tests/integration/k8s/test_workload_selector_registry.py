"""k8s_workload_selector with registry_image_info's answer, on a real kube-apiserver and a real registry.

Images are pushed to the real registry (Debian's docker-registry) through its API and read by the real
registry_image_info: a three-build index (17763/20348/26100), a single image of build 20348 whose tag names no
build, and an index of a build no node of the cluster runs (18363). The cluster's Windows nodes are the recorded
ones (builds 14393, 17763, 19041, 20348, 26100). The index must land in a required node affinity ``In`` the three
builds containerd serves, added to the workload's own terms; the single image in the nodeSelector with the
registry's build; the unfit index nowhere. Check mode writes nothing, a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from k8s_helpers import RunModule, rehearse_then_apply
from kube import KubeCluster
from kube_objects import create_workload, ensure_namespace, workload_body, workload_path
from playbook_runner import run_playbook
from registry import Platform, Registry, push_windows_image

pytestmark = pytest.mark.kube

NS = "selreg"
BUILD = "node.kubernetes.io/windows-build"
INFO = Path(__file__).resolve().parents[1] / "registry" / "info.yml"
POOL = {"key": "pool", "operator": "In", "values": ["win"]}
ZONE = {"key": "zone", "operator": "NotIn", "values": ["b"]}
# The workload's own terms; the first carries a stale expression on our key, which is replaced where it stands.
FOREIGN_TERMS = [
    {"matchExpressions": [POOL, {"key": BUILD, "operator": "In", "values": ["10.0.17763"]}]},
    {"matchExpressions": [ZONE]},
]


@pytest.fixture
def images(registry_http: Registry) -> dict[str, Any]:
    """The three images in the real registry, and registry_image_info's answer for them."""
    client = registry_http.client()
    digests = {
        "orders": push_windows_image(client, "selector/orders", "2024.11.3"),
        "app": push_windows_image(
            client, "selector/app", "2024.11.3", [Platform(os_version="10.0.20348.2966")], single=True
        ),
        "legacy": push_windows_image(client, "selector/legacy", "1.0", [Platform(os_version="10.0.18363.1556")]),
    }
    refs = {
        "orders": f"{registry_http.host}/selector/orders:2024.11.3",
        "app": f"{registry_http.host}/selector/app:2024.11.3",
        "legacy": f"{registry_http.host}/selector/legacy:1.0",
    }
    read = run_playbook(
        INFO,
        extra_vars={"images": list(refs.values()), "registry_options": {"insecure_registries": [registry_http.host]}},
    )
    assert read.returncode == 0, read.explain()
    return {"refs": refs, "digests": digests, "registry": read.result("Read images")}


@pytest.fixture
def workloads(kube_apiserver: KubeCluster, images: dict[str, Any]) -> Iterator[dict[str, str]]:
    """orders (the index, with a stale key of ours in its nodeSelector and terms of its own), app, legacy."""
    ensure_namespace(kube_apiserver, NS)
    refs = images["refs"]
    orders = workload_body("Deployment", "orders", [refs["orders"]], {"disk": "ssd", BUILD: "10.0.17763"})
    affinity = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": FOREIGN_TERMS}}
    orders["spec"]["template"]["spec"]["affinity"] = {"nodeAffinity": affinity}
    create_workload(kube_apiserver, NS, orders)
    create_workload(kube_apiserver, NS, workload_body("Deployment", "app", [refs["app"]]))
    create_workload(kube_apiserver, NS, workload_body("Deployment", "legacy", [refs["legacy"]]))
    try:
        yield refs
    finally:
        for name in ("orders", "app", "legacy"):
            kube_apiserver.call("DELETE", workload_path("Deployment", NS, name), {"propagationPolicy": "Background"})


def pod_specs(cluster: KubeCluster) -> dict[str, dict[str, Any]]:
    """The pod spec of each workload, read back from the API server."""
    return {
        name: dict(cluster.call("GET", workload_path("Deployment", NS, name))["spec"]["template"]["spec"])
        for name in ("orders", "app", "legacy")
    }


def terms_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    required = (
        (spec.get("affinity") or {}).get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution")
    )
    return list((required or {}).get("nodeSelectorTerms") or [])


def test_registry_builds_place_lists_by_affinity_and_single_images_by_selector(
    kube_apiserver: KubeCluster,
    recorded_nodes: dict[str, dict],
    run_module: RunModule,
    images: dict[str, Any],
    workloads: dict[str, str],
) -> None:
    args = {"namespace": NS, "registry": images["registry"]}
    result, before, after = rehearse_then_apply(
        run_module, "k8s_workload_selector", args, lambda: pod_specs(kube_apiserver)
    )
    served = {"key": BUILD, "operator": "In", "values": ["10.0.17763", "10.0.20348", "10.0.26100"]}
    assert terms_of(after["orders"]) == [{"matchExpressions": [POOL, served]}, {"matchExpressions": [ZONE, served]}]
    assert after["orders"]["nodeSelector"] == {"disk": "ssd", "kubernetes.io/os": "windows"}
    assert after["app"]["nodeSelector"] == {"kubernetes.io/os": "windows", BUILD: "10.0.20348"}
    assert "affinity" not in after["app"]
    assert after["legacy"] == before["legacy"]

    entries = {w["name"]: w for w in result["workloads"]}
    assert entries["orders"]["builds"] == [17763, 20348, 26100] and entries["orders"]["build"] is None
    assert [(i["source"], i["digest"]) for i in entries["orders"]["images"]] == [
        ("registry", images["digests"]["orders"])
    ]
    assert entries["app"]["images"][0]["version"] == "10.0.20348.2966"
    assert [(i["source"], i["digest"]) for i in entries["app"]["images"]] == [("registry", images["digests"]["app"])]
    assert entries["orders"]["after"]["nodeSelectorTerms"] == terms_of(after["orders"])
    outcomes = {r["name"]: (r["outcome"], r["error"]) for r in result["results"]}
    assert outcomes[f"deployment {NS}/orders"] == ("updated", None)
    assert outcomes[f"deployment {NS}/app"] == ("updated", None)
    assert outcomes[f"deployment {NS}/legacy"][0] == "skipped"
    assert "no Windows node build of the cluster" in outcomes[f"deployment {NS}/legacy"][1]
    assert "18363" in outcomes[f"deployment {NS}/legacy"][1]
    checks = {(f["check"], f["subject"]) for f in result["findings"]}
    assert ("no_node_runs_image", f"deployment {NS}/legacy") in checks

    again = run_module("k8s_workload_selector", args)
    assert again.returncode == 0, again.explain()
    assert again.result("module")["changed"] is False
    assert pod_specs(kube_apiserver) == after
    check_again = run_module("k8s_workload_selector", args, user="reader", check=True)
    assert check_again.result("module")["changed"] is False


def test_a_list_narrowed_to_one_build_moves_back_to_the_node_selector(
    kube_apiserver: KubeCluster,
    recorded_nodes: dict[str, dict],
    run_module: RunModule,
    images: dict[str, Any],
    registry_http: Registry,
    workloads: dict[str, str],
) -> None:
    first = run_module("k8s_workload_selector", {"namespace": NS, "names": ["orders"], "registry": images["registry"]})
    assert first.returncode == 0, first.explain()
    assert len(terms_of(pod_specs(kube_apiserver)["orders"])) == 2
    # The tag now names an index of one build: our expression leaves the affinity, the build goes to the selector.
    push_windows_image(registry_http.client(), "selector/orders", "2024.11.3", [Platform(os_version="10.0.17763.6659")])
    read = run_playbook(
        INFO,
        extra_vars={"images": [workloads["orders"]], "registry_options": {"insecure_registries": [registry_http.host]}},
    )
    assert read.returncode == 0, read.explain()
    args = {"namespace": NS, "names": ["orders"], "registry": read.result("Read images")}
    moved = run_module("k8s_workload_selector", args, diff=True)
    assert moved.returncode == 0, moved.explain()
    assert moved.result("module")["changed"] is True
    spec = pod_specs(kube_apiserver)["orders"]
    assert spec["nodeSelector"] == {"disk": "ssd", "kubernetes.io/os": "windows", BUILD: "10.0.17763"}
    assert terms_of(spec) == [{"matchExpressions": [POOL]}, {"matchExpressions": [ZONE]}]  # theirs, without ours
    assert run_module("k8s_workload_selector", args).result("module")["changed"] is False
