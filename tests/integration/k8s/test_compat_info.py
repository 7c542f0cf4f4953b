"""k8s_compat_info on a mixed-build cluster: workloads its selectors misplace and pods with real Windows errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from k8s_helpers import RunModule
from kube import KubeCluster
from kube_objects import create_workload, ensure_namespace, workload_body, workload_path

pytestmark = pytest.mark.kube

NS = "diag"
BUILD = "node.kubernetes.io/windows-build"
CASES = Path(__file__).resolve().parents[2] / "unit" / "fixtures" / "container_errors" / "cases.yml"
WORKLOADS: list[tuple[str, list[str], dict[str, str]]] = [
    ("any-windows", ["mcr.microsoft.com/windows/servercore:ltsc2019"], {"kubernetes.io/os": "windows"}),
    ("newer-image", ["mcr.microsoft.com/windows/servercore:ltsc2022"], {BUILD: "10.0.17763"}),
    ("pinned-right", ["mcr.microsoft.com/windows/servercore:ltsc2025"], {BUILD: "10.0.26100"}),
    ("no-node", ["mcr.microsoft.com/windows/nanoserver:ltsc2022"], {BUILD: "10.0.25398"}),
    ("linux", ["nginx:1.25"], {"kubernetes.io/os": "linux"}),
]


def case(name: str) -> dict[str, Any]:
    """A recorded real error text (with its source) from the container error fixtures."""
    for entry in yaml.safe_load(CASES.read_text()):
        if entry["name"] == name:
            return dict(entry)
    raise KeyError(name)


MISMATCH = case("docker run on a 1709 insider host, HCS error code present")
MANIFEST = case("kubelet event on a Windows Server 2019 node pulling an ltsc2022 image through containerd")
EXITED = case("hcsshim Start() on Windows Server 1803, older message wording")


def make_pod(cluster: KubeCluster, name: str, node: str, image: str, status: dict[str, Any] | None) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": image}]},
    }
    cluster.call("POST", f"/api/v1/namespaces/{NS}/pods", body)
    if status is not None:
        cluster.call(
            "PATCH", f"/api/v1/namespaces/{NS}/pods/{name}/status", {"status": status}, "application/merge-patch+json"
        )


def container_status(image: str, state: dict[str, Any], last: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "phase": "Running",
        "containerStatuses": [
            {
                "name": "app",
                "image": image,
                "imageID": "",
                "ready": False,
                "restartCount": 4,
                "state": state,
                "lastState": last or {},
            }
        ],
    }


@pytest.fixture
def diag(kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict]) -> Iterator[dict[str, str]]:
    ensure_namespace(kube_apiserver, NS)
    by_fixture = {f["name"]: n for n, f in recorded_nodes.items()}
    node_2019, node_2022 = by_fixture["worker-win-2"], by_fixture["akspoolws000000"]
    for name, images, selector in WORKLOADS:
        create_workload(kube_apiserver, NS, workload_body("Deployment", name, images, selector))
    # CrashLoopBackOff whose last termination carries 0xc0370101 (ContainerCannotRun), as dockershim reported it.
    image_1709 = "mcr.microsoft.com/windows/servercore:1709"
    make_pod(
        kube_apiserver,
        "crashloop",
        node_2019,
        image_1709,
        container_status(
            image_1709,
            {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}},
            {"terminated": {"reason": "ContainerCannotRun", "message": MISMATCH["text"], "exitCode": 128}},
        ),
    )
    # Image pull failure reported only as a kubelet event.
    image_2022 = "mcr.microsoft.com/windows/servercore:ltsc2022"
    make_pod(kube_apiserver, "pullfail", node_2019, image_2022, None)
    pod = kube_apiserver.call("GET", f"/api/v1/namespaces/{NS}/pods/pullfail")
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "pullfail.1"},
        "involvedObject": {"kind": "Pod", "namespace": NS, "name": "pullfail", "uid": pod["metadata"]["uid"]},
        "reason": "Failed",
        "message": MANIFEST["text"],
        "type": "Warning",
        "source": {"component": "kubelet", "host": node_2019},
        "count": 3,
    }
    kube_apiserver.call("POST", f"/api/v1/namespaces/{NS}/events", event)
    make_pod(
        kube_apiserver,
        "exited",
        node_2022,
        image_2022,
        container_status(image_2022, {"terminated": {"reason": "Error", "message": EXITED["text"], "exitCode": 1}}),
    )
    make_pod(
        kube_apiserver,
        "healthy",
        node_2022,
        image_2022,
        container_status(image_2022, {"running": {"startedAt": "2024-01-01T00:00:00Z"}}),
    )
    try:
        yield {"node_2019": node_2019, "node_2022": node_2022}
    finally:
        for name, *_rest in WORKLOADS:
            kube_apiserver.call("DELETE", workload_path("Deployment", NS, name))
        for pod_name in ("crashloop", "pullfail", "exited", "healthy"):
            kube_apiserver.call("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod_name}", {"gracePeriodSeconds": 0})
        kube_apiserver.call("DELETE", f"/api/v1/namespaces/{NS}/events/pullfail.1")


def test_report_classifies_misplaced_workloads_and_failing_pods(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], diag: dict[str, str], run_module: RunModule
) -> None:
    run = run_module("k8s_compat_info", {"namespace": NS}, user="reader")

    assert run.returncode == 0, run.explain()
    result = run.result("module")
    assert result["changed"] is False
    by_subject: dict[str, set[str]] = {}
    for item in result["findings"]:
        by_subject.setdefault(item["subject"], set()).add(item["check"])
    assert by_subject[f"deployment {NS}/any-windows"] == {"selector_allows_incompatible_nodes"}
    assert by_subject[f"deployment {NS}/newer-image"] == {"image_build_mismatch"}
    assert by_subject[f"deployment {NS}/no-node"] == {"no_matching_windows_node"}
    assert f"deployment {NS}/pinned-right" not in by_subject
    assert f"deployment {NS}/linux" not in by_subject
    workloads = {w["name"]: w for w in result["workloads"]}
    assert "linux" not in workloads
    ws2019 = {n for n, f in recorded_nodes.items() if f["expect"]["build"] == 17763}
    assert set(workloads["any-windows"]["runnable_nodes"]) == ws2019
    assert workloads["pinned-right"]["runnable_nodes"] == [
        n for n, f in recorded_nodes.items() if f["expect"]["build"] == 26100
    ]
    critical = next(f for f in result["findings"] if f["check"] == "image_build_mismatch")
    assert critical["severity"] == "critical"
    assert "ltsc2019" in critical["fix"] or BUILD in critical["fix"]

    pods = {p["name"]: p for p in result["pods"]}
    assert set(pods) == {"crashloop", "pullfail", "exited"}
    assert [e["class"] for e in pods["crashloop"]["errors"]] == [MISMATCH["expect"]["class"]]
    assert pods["crashloop"]["errors"][0]["hresult"] == "0xc0370101"
    assert pods["crashloop"]["node"] == diag["node_2019"]
    assert [e["class"] for e in pods["pullfail"]["errors"]] == [MANIFEST["expect"]["class"]]
    assert pods["pullfail"]["errors"][0]["origin"] == "event"
    assert [e["class"] for e in pods["exited"]["errors"]] == [EXITED["expect"]["class"]]
    pod_checks = {(f["subject"], f["check"]) for f in result["findings"] if f["subject"].startswith("pod ")}
    assert (f"pod {NS}/crashloop", "pod_os_mismatch") in pod_checks
    assert all(f["fix"] for f in result["findings"])

    nodes = {n["name"]: n for n in result["nodes"] if n["name"] in recorded_nodes}
    assert {n["release"] for n in nodes.values()} == {f["expect"]["release"] for f in recorded_nodes.values()}
    assert not any(n["labels_up_to_date"] for n in nodes.values())
