"""k8s_compat_info with registry_image_info's answer: the entry containerd pulls on each recorded Windows node.

A two-build list (20348/26100) is pushed to the real registry (Debian's docker-registry) and read by the real
registry_image_info; a Deployment runs it on any Windows node of the real kube-apiserver. Nodes of build 17763 get
"no matching manifest" before anything runs there; the others get the entry containerd's matcher picks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_helpers import RunModule
from kube import KubeCluster
from kube_objects import create_workload, ensure_namespace, workload_body, workload_path
from playbook_runner import run_playbook
from registry import Platform, Registry, docker_manifest_inspect, push_windows_image

pytestmark = pytest.mark.kube

NS = "regfacts"
INFO = Path(__file__).resolve().parents[1] / "registry" / "info.yml"
BUILDS = ("10.0.20348.2966", "10.0.26100.2605")


def test_each_node_gets_the_entry_containerd_pulls(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], run_module: RunModule, registry_http: Registry
) -> None:
    image = f"{registry_http.host}/contoso/orders:2024.11.3"
    listed = push_windows_image(
        registry_http.client(), "contoso/orders", "2024.11.3", [Platform(os_version=b) for b in BUILDS]
    )
    entries = {m["platform"]["os.version"]: m["digest"] for m in docker_manifest_inspect(image)["manifests"]}
    read = run_playbook(
        INFO, extra_vars={"images": [image], "registry_options": {"insecure_registries": [registry_http.host]}}
    )
    assert read.returncode == 0, read.explain()
    registry = read.result("Read images")
    ensure_namespace(kube_apiserver, NS)
    create_workload(kube_apiserver, NS, workload_body("Deployment", "orders", [image], {"kubernetes.io/os": "windows"}))
    try:
        run = run_module(
            "k8s_compat_info", {"namespace": NS, "registry": {"images": registry["images"]}}, user="reader"
        )
    finally:
        kube_apiserver.call("DELETE", workload_path("Deployment", NS, "orders"))
    assert run.returncode == 0, run.explain()
    result = run.result("module")
    workload = next(w for w in result["workloads"] if w["name"] == "orders")
    assert workload["images"] == [
        {"image": image, "version": None, "source": "registry", "digest": listed, "guess": False}
    ]
    pulls = {p["node"]: p for p in workload["pulls"] if p["node"] in recorded_nodes}
    assert set(pulls) == set(recorded_nodes)
    for name, fixture in recorded_nodes.items():
        build = fixture["expect"]["build"]
        if build < 20348:
            assert pulls[name]["digest"] is None and "no matching manifest" in pulls[name]["no_matching_manifest"]
        else:  # containerd takes the highest os.version the host accepts
            wanted = max(b for b in BUILDS if int(b.split(".")[2]) <= build)
            assert (pulls[name]["os_version"], pulls[name]["digest"]) == (wanted, entries[wanted])
    missing = {f["host"] for f in result["findings"] if f["check"] == "no_matching_manifest"}
    assert missing == {n for n, f in recorded_nodes.items() if f["expect"]["build"] < 20348}
    assert all(f["image_source"] == "registry" for f in result["findings"] if f["subject"] == f"deployment {NS}/orders")
