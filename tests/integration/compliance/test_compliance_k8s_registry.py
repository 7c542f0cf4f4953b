"""The compliance role judges a Kubernetes workload whose tag names no build by the build its registry serves.

A single Windows image of build 20348 is pushed to a real registry (Debian's docker-registry) as
``compliance/orders:2024.11.3``; a Deployment on the real kube-apiserver runs it with a nodeSelector that admits two
Windows nodes recorded from real clusters, one of build 17763 and one of build 20348. The first read of the cluster
cannot tell the image's build and leaves the workload out; the role reads the registry over the cluster's
``workload_images`` and the cluster again with the registry's answers, so the report holds the critical
``k8s_placement`` finding on the 17763 node, its build from the registry. Without the registry (``compliance_registry:
false``, or the registry's tag left out) the workload is not judged and nothing is said about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compliance_fleet import TODAY
from kube import KubeCluster
from kube_objects import (
    create_node,
    create_workload,
    delete_nodes,
    ensure_namespace,
    node_body,
    node_fixture,
    workload_body,
    workload_path,
)
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from registry import Platform, Registry, push_windows_image

pytestmark = pytest.mark.kube

PLAYBOOK = REPO_ROOT / "playbooks" / "compliance.yml"
ROLE = "wincontainers.compat.compliance : "
NAMESPACE = "wcc-compreg"
POOL = {"wcc-pool": "orders"}
NODES = {"wcccr-2019": "worker-win-2", "wcccr-2022": "akspoolws000000"}  # builds 17763 and 20348
SUBJECT = f"deployment {NAMESPACE}/orders"


@pytest.fixture
def orders(kube_apiserver: KubeCluster, registry_http: Registry) -> Iterator[dict[str, str]]:
    """The pushed image, its digest, and the Deployment that runs it on the two nodes of the pool."""
    digest = push_windows_image(
        registry_http.client(), "compliance/orders", "2024.11.3", [Platform(os_version="10.0.20348.2966")], single=True
    )
    image = f"{registry_http.host}/compliance/orders:2024.11.3"
    ensure_namespace(kube_apiserver, NAMESPACE)
    for name, fixture in NODES.items():
        create_node(kube_apiserver, node_body(node_fixture(fixture), name=name, labels=POOL))
    selector = {"kubernetes.io/os": "windows", **POOL}
    create_workload(kube_apiserver, NAMESPACE, workload_body("Deployment", "orders", [image], selector))
    try:
        yield {"image": image, "digest": digest}
    finally:
        delete_nodes(kube_apiserver, NODES)
        path = workload_path("Deployment", NAMESPACE, "orders")
        kube_apiserver.call("DELETE", path, {"propagationPolicy": "Background"})


def compliance(
    cluster: KubeCluster, registry: Registry, reports: Path, tags: list[str] | None = None, **extra: Any
) -> PlaybookRun:
    variables = {
        "compliance_k8s_clusters": [
            {"name": "test", "kubeconfig": str(cluster.kubeconfig("admin")), "namespace": NAMESPACE}
        ],
        "compliance_registry_options": {"insecure_registries": [registry.host]},
        "compliance_report_dir": str(reports),
        "compliance_today": TODAY,
        "ansible_connection": "local",
        **extra,
    }
    run = run_playbook(PLAYBOOK, inventory="localhost,", extra_vars=variables, tags=tags)
    assert run.returncode == 0, run.explain()
    return run


def about_orders(reports: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The written report's findings and checks on the orders Deployment (k8s_compat_info names its kind in lower
    case)."""
    report = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    found = [f for f in report["findings"] if f["subject"].lower() == SUBJECT.lower()]
    return found, [c for c in report["checks"] if c["subject"] == SUBJECT]


def test_a_workload_whose_tag_names_no_build_is_judged_by_its_registry_build(
    kube_apiserver: KubeCluster, registry_http: Registry, orders: dict[str, str], tmp_path: Path
) -> None:
    run = compliance(kube_apiserver, registry_http, tmp_path / "registry")
    read = run.result(ROLE + "Read the running and deployed images from their registries")
    assert read["images"][orders["image"]]["digest"] == orders["digest"]
    found, checks = about_orders(tmp_path / "registry")
    (placement,) = [f for f in found if f["check"] == "k8s_placement"]
    assert (placement["severity"], placement["hosts"]) == ("critical", ["wcccr-2019"])
    assert (placement["image_source"], placement["image_digest"], placement["image_build_guess"]) == (
        "registry",
        orders["digest"],
        False,
    )
    assert f"image {orders['image']} (10.0.20348.2966)" in placement["message"]
    assert {"suite": "k8s test", "subject": SUBJECT, "check": "k8s_placement"} in checks
    # k8s_compat_info's own finding on the workload (read with the registry's answers) is the same cause: it is
    # the placement finding's evidence, quoted in its message, not a finding of its own
    assert [e["check"] for e in placement["evidence"]] == ["selector_allows_incompatible_nodes"]
    assert "k8s test reports it: " in placement["message"]
    assert [f for f in found if f.get("source") == "k8s test"] == []

    plain = compliance(kube_apiserver, registry_http, tmp_path / "plain", compliance_registry=False)
    assert plain.result(ROLE + "Read the Kubernetes clusters again with the builds their registries serve").get(
        "skipped"
    )
    assert about_orders(tmp_path / "plain") == ([], [])

    compliance(
        kube_apiserver, registry_http, tmp_path / "untagged", tags=["compliance_orchestrators", "compliance_report"]
    )
    assert about_orders(tmp_path / "untagged") == ([], [])
