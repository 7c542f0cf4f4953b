"""playbooks/compliance.yml against the real 3-node swarm and the real kube-apiserver.

Host facts are recorded ones (no Windows host here), given to the swarm's workers and to Windows Node
objects whose nodeInfo was recorded on real Windows nodes. The orchestrators are read live by
swarm_compat_info and k8s_compat_info through the role. A label is set wrong on purpose: the report
must find it and the placement it breaks; once the label is fixed through the API, the report is clean.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compliance_fleet import EXAMPLE, TODAY, node_specs, restore_node_specs
from kube import KubeCluster
from kube_objects import create_node, create_workload, delete_nodes, ensure_namespace, node_body, node_fixture
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from swarm import SwarmCluster

PLAYBOOK = REPO_ROOT / "playbooks" / "compliance.yml"
REPORT_TASK = "wincontainers.compat.compliance : Check the fleet and write the reports"
NAMESPACE = "wcc-compliance"
K8S_NODES = {"wcck8s-2019": "worker-win-2", "wcck8s-2022": "akspoolws000000"}


def recorded_facts(source: str, version: str | None = None) -> dict[str, Any]:
    """Facts of an example host, its containers kept only where they run cleanly, optionally at another version."""
    facts = json.loads((EXAMPLE / "state" / "hosts" / f"{source}.json").read_text())["ansible_facts"]
    host = facts["wincontainers_host"]
    host["containers"] = [c for c in host["containers"] if c["name"].startswith(("web", "billing"))]
    if version:
        build, revision = (int(part) for part in version.split(".")[2:4])
        host["version"] = {"major": 10, "minor": 0, "build": build, "revision": revision, "version": version}
    return copy.deepcopy(facts)


def write_inventory(root: Path, hosts: dict[str, dict[str, Any]]) -> Path:
    (root / "state" / "hosts").mkdir(parents=True)
    for name, facts in hosts.items():
        (root / "state" / "hosts" / f"{name}.json").write_text(json.dumps({"ansible_facts": facts}))
    inventory = root / "inventory.json"
    inventory.write_text(
        json.dumps(
            {
                "all": {
                    "vars": {"compliance_offline_dir": str(root / "state")},
                    "children": {"windows": {"hosts": {name: {} for name in hosts}}},
                }
            }
        )
    )
    return inventory


def compliance(inventory: Path, reports: Path, **extra: Any) -> PlaybookRun:
    run = run_playbook(
        PLAYBOOK,
        inventory=inventory,
        extra_vars={"compliance_report_dir": str(reports), "compliance_today": TODAY, **extra},
    )
    assert run.returncode == 0, run.explain()
    return run


def set_swarm_label(cluster: SwarmCluster, hostname: str, key: str, value: str) -> None:
    client = cluster.client()
    try:
        node = next(n for n in client.nodes.list() if n.attrs["Description"]["Hostname"] == hostname)
        spec = dict(node.attrs["Spec"])
        spec["Labels"] = {**(spec.get("Labels") or {}), key: value}
        node.update(spec)
    finally:
        client.close()


@pytest.mark.swarm
def test_compliance_reads_the_real_swarm(swarm_cluster: SwarmCluster, tmp_path: Path) -> None:
    saved = node_specs(swarm_cluster)
    ids = swarm_cluster.node_ids()
    hosts = {"wccnode2": recorded_facts("win2019-01"), "wccnode3": recorded_facts("win2022-01")}
    for name, facts in hosts.items():
        facts["wincontainers_host"]["docker"]["swarm"]["node_id"] = ids[name]
    inventory = write_inventory(tmp_path, hosts)
    set_swarm_label(swarm_cluster, "wccnode2", "OsVersion", "10.0.20348")  # wrong: the host runs 17763
    set_swarm_label(swarm_cluster, "wccnode3", "OsVersion", "10.0.20348")
    client = swarm_cluster.client()
    service = client.services.create(
        "contoso/billing:1.8-ltsc2022",
        name="wcc-billing",
        constraints=["node.labels.OsVersion==10.0.20348"],
        mode={"Replicated": {"Replicas": 0}},
    )
    client.close()
    clusters = [{"name": "test", "docker_host": swarm_cluster.manager.docker_host}]
    try:
        wrong = compliance(inventory, tmp_path / "wrong", compliance_swarm_clusters=clusters)
        findings = wrong.result(REPORT_TASK)["findings"]
        assert sorted((f["check"], f["host"]) for f in findings if f.get("suite") == "swarm test") == [
            ("swarm_node_labels", "wccnode2"),
            ("swarm_placement", "wccnode2"),
        ]
        placement = next(f for f in findings if f["check"] == "swarm_placement")
        assert placement["subject"] == "service wcc-billing" and placement["hosts"] == ["wccnode2"]

        set_swarm_label(swarm_cluster, "wccnode2", "OsVersion", "10.0.17763")
        fixed = compliance(inventory, tmp_path / "fixed", compliance_swarm_clusters=clusters, compliance_fail_on="info")
        assert fixed.result(REPORT_TASK)["findings"] == []
    finally:
        service.remove()
        restore_node_specs(swarm_cluster, saved)


@pytest.fixture
def windows_nodes(kube_apiserver: KubeCluster) -> Iterator[KubeCluster]:
    """Two Windows nodes recorded from real clusters (2019, 2022); the 2019 one labelled as ltsc2022 on purpose."""
    ensure_namespace(kube_apiserver, NAMESPACE)
    wrong = {"wincontainers.compat/release": "ltsc2022"}
    for name, fixture in K8S_NODES.items():
        create_node(kube_apiserver, node_body(node_fixture(fixture), name=name, labels=wrong))
    try:
        yield kube_apiserver
    finally:
        delete_nodes(kube_apiserver, K8S_NODES)
        kube_apiserver.call("DELETE", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/catalog")


@pytest.mark.kube
def test_compliance_reads_the_real_api_server(windows_nodes: KubeCluster, tmp_path: Path) -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "catalog"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "catalog"}},
            "template": {
                "metadata": {"labels": {"app": "catalog"}},
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "windows", "wincontainers.compat/release": "ltsc2022"},
                    "containers": [{"name": "catalog", "image": "contoso/catalog:2.0-ltsc2022"}],
                },
            },
        },
    }
    create_workload(windows_nodes, NAMESPACE, body)
    hosts = {
        "wcck8s-2019": recorded_facts("win2019-01", "10.0.17763.1397"),
        "wcck8s-2022": recorded_facts("win2022-k8s-01", "10.0.20348.825"),
    }
    inventory = write_inventory(tmp_path, hosts)
    clusters = [{"name": "test", "kubeconfig": str(windows_nodes.kubeconfig("admin")), "namespace": NAMESPACE}]

    def ours(run: PlaybookRun) -> list[tuple[str, str, Any]]:
        findings = run.result(REPORT_TASK)["findings"]
        mine = [
            f
            for f in findings
            if f.get("suite") == "k8s test" and (f.get("host") in K8S_NODES or "catalog" in f["subject"])
        ]
        return sorted((f["check"], f.get("source") or "compliance", f.get("host")) for f in mine)

    wrong = compliance(inventory, tmp_path / "wrong", compliance_k8s_clusters=clusters)
    found = ours(wrong)
    assert ("k8s_node_labels", "compliance", "wcck8s-2019") in found
    assert ("k8s_placement", "compliance", "wcck8s-2019") in found
    assert not [f for f in found if f[2] == "wcck8s-2022" and f[1] == "compliance"]

    # the fix the finding names: k8s_node_labels sets the collection's labels from what the nodes run
    relabel = subprocess.run(
        [
            "ansible",
            "localhost",
            "-m",
            "wincontainers.compat.k8s_node_labels",
            "-a",
            json.dumps({"kubeconfig": str(windows_nodes.kubeconfig("admin")), "names": list(K8S_NODES)}),
            "-e",
            json.dumps({"ansible_python_interpreter": sys.executable}),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg")},
        timeout=300,
        check=False,
    )
    assert relabel.returncode == 0, relabel.stdout + relabel.stderr
    labels = windows_nodes.call("GET", "/api/v1/nodes/wcck8s-2019")["metadata"]["labels"]
    assert labels["wincontainers.compat/release"] == "ltsc2019"
    fixed = compliance(inventory, tmp_path / "fixed", compliance_k8s_clusters=clusters)
    assert ours(fixed) == []
    report = json.loads((tmp_path / "fixed" / "compliance.json").read_text())
    assert {"suite": "k8s test", "subject": f"deployment {NAMESPACE}/catalog", "check": "k8s_placement"} in report[
        "checks"
    ]
