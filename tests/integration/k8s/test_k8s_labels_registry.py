"""playbooks/k8s_labels.yml places workloads by the builds their registry serves, on a real kube-apiserver.

A single Windows image of build 20348 whose tag names no build (``app:2024.11.3``) is pushed to a real registry
over HTTPS with the harness's own CA (Debian's docker-registry). The role lists the workload images with
k8s_compat_info, reads them with registry_image_info (``k8s_labels_registry_ca_path``) and pins ``app`` to 10.0.20348.
``web``'s tag names ltsc2019 but is not in the registry: the registry's error only means its tag is used. ``tool`` is
pinned to Linux, so its image is never read. With ``k8s_labels_registry: false`` the role guesses from the tags and
leaves ``app`` alone; a second run with the registry changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from k8s_helpers import selector_of
from kube import KubeCluster
from kube_objects import create_workload, ensure_namespace, workload_body, workload_path
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from registry import Platform, Registry, push_windows_image

pytestmark = pytest.mark.kube

NS = "labelsreg"
BUILD = "node.kubernetes.io/windows-build"
PLAYBOOK = REPO_ROOT / "playbooks" / "k8s_labels.yml"
ROLE = "wincontainers.compat.k8s_labels : "
NAMES = ("app", "web", "tool")


@pytest.fixture
def fleet(kube_apiserver: KubeCluster, registry_tls: Registry) -> Iterator[dict[str, str]]:
    """app (its build only in the registry), web (a tag naming ltsc2019, not pushed), tool (pinned to Linux)."""
    digest = push_windows_image(
        registry_tls.client(), "labels/app", "2024.11.3", [Platform(os_version="10.0.20348.2966")], single=True
    )
    tags = {"app": "2024.11.3", "web": "ltsc2019", "tool": "1"}
    refs = {name: f"{registry_tls.host}/labels/{name}:{tag}" for name, tag in tags.items()}
    ensure_namespace(kube_apiserver, NS)
    for name in NAMES:
        pinned = {"kubernetes.io/os": "linux"} if name == "tool" else None
        create_workload(kube_apiserver, NS, workload_body("Deployment", name, [refs[name]], pinned))
    try:
        yield {**refs, "digest": digest}
    finally:
        for name in NAMES:
            kube_apiserver.call("DELETE", workload_path("Deployment", NS, name), {"propagationPolicy": "Background"})


def selectors(cluster: KubeCluster) -> dict[str, Any]:
    """The nodeSelector of each workload, read back from the API server."""
    return {
        name: cluster.call("GET", workload_path("Deployment", NS, name))["spec"]["template"]["spec"].get("nodeSelector")
        for name in NAMES
    }


def play(cluster: KubeCluster, selector: str, registry: Registry, **variables: Any) -> PlaybookRun:
    extra = {
        "k8s_labels_kubeconfig": str(cluster.kubeconfig("admin")),
        "k8s_labels_node_selector": selector,
        "k8s_labels_namespace": NS,
        "k8s_labels_registry_ca_path": str(registry.ca_file),
        "ansible_python_interpreter": sys.executable,
        **variables,
    }
    return run_playbook(PLAYBOOK, inventory="localhost,", extra_vars=extra)


def test_role_places_a_workload_by_its_registry_build(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], registry_tls: Registry, fleet: dict[str, str]
) -> None:
    selector = selector_of(recorded_nodes, kube_apiserver)
    guessed = play(kube_apiserver, selector, registry_tls, k8s_labels_registry=False)
    assert guessed.returncode == 0, guessed.explain()
    assert guessed.result(ROLE + "Read the workload images from their registries").get("skipped") is True
    assert selectors(kube_apiserver)["app"] is None
    assert selectors(kube_apiserver)["web"] == {"kubernetes.io/os": "windows", BUILD: "10.0.17763"}

    run = play(kube_apiserver, selector, registry_tls)
    assert run.returncode == 0, run.explain()
    listed = run.result(ROLE + "Read the images of the workloads")["workload_images"]
    assert fleet["tool"] not in listed and {fleet["app"], fleet["web"]} <= set(listed)
    read = run.result(ROLE + "Read the workload images from their registries")["images"]
    assert read[fleet["app"]]["digest"] == fleet["digest"] and read[fleet["app"]]["error"] is None
    assert "not found" in read[fleet["web"]]["error"]
    assert selectors(kube_apiserver) == {
        "app": {"kubernetes.io/os": "windows", BUILD: "10.0.20348"},
        "web": {"kubernetes.io/os": "windows", BUILD: "10.0.17763"},
        "tool": {"kubernetes.io/os": "linux"},
    }
    report = {w["name"]: w for w in run.result(ROLE + "Report what still cannot run where it is sent")["workloads"]}
    assert [(i["source"], i["digest"]) for i in report["app"]["images"]] == [("registry", fleet["digest"])]
    assert [i["source"] for i in report["web"]["images"]] == ["tag"]
    assert report["app"]["runnable_nodes"] and not report["app"]["blocked_nodes"]

    again = play(kube_apiserver, selector, registry_tls)
    assert again.returncode == 0, again.explain()
    assert again.changed == 0, again.explain()
    assert again.result(ROLE + "Pin the Windows workloads to the build of their images").get("skipped") is True
