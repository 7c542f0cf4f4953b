"""playbooks/patch_hosts.yml, rehearsed with recorded facts (--skip-tags windows) against the real 3-node swarm.

The Windows steps (facts, update search, install, reboot) need Windows hosts and are skipped by tag; every
other step runs for real: the prediction, drain and undrain of the swarm node, its relabelling, the reports.
The swarm state is read back through the Docker API, and the node's update events prove the drain.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from compliance_fleet import EXAMPLE, node_specs, restore_node_specs
from kube_objects import create_node, delete_nodes, node_body, node_fixture
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from swarm import SwarmCluster

PLAYBOOK = REPO_ROOT / "playbooks" / "patch_hosts.yml"
ROLE_TASKS = REPO_ROOT / "roles" / "patch_host" / "tasks" / "main.yml"
WORKERS = ("wccnode2", "wccnode3")
STEPS = ("facts_before", "predict", "plan", "drain", "patch", "reboot", "facts_after", "relabel", "undrain", "report")


def recorded(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLE / "state" / "hosts" / f"{name}.json").read_text())


def rehearsal(tmp: Path, cluster: SwarmCluster, sources: dict[str, str]) -> Path:
    """Facts of the example fleet given to the swarm's workers (matched by their real node ids)."""
    ids = cluster.node_ids()
    (tmp / "hosts").mkdir(parents=True)
    for worker, source in sources.items():
        document = recorded(source)
        document["ansible_facts"]["wincontainers_host"]["docker"]["swarm"]["node_id"] = ids[worker]
        (tmp / "hosts" / f"{worker}.json").write_text(json.dumps(document))
    inventory = tmp / "inventory.json"
    inventory.write_text(json.dumps({"all": {"children": {"windows": {"hosts": {w: {} for w in sources}}}}}))
    return inventory


def patch(
    inventory: Path, tmp: Path, cluster: SwarmCluster, *, check: bool = False, skip: str = "", **extra: Any
) -> PlaybookRun:
    return run_playbook(
        PLAYBOOK,
        inventory=inventory,
        extra_vars={
            "patch_facts_dir": str(inventory.parent),
            "patch_swarm": {"docker_host": cluster.manager.docker_host},
            "patch_report_dir": str(tmp / "reports"),
            **extra,
        },
        tags=None,
        check=check,
        env={"ANSIBLE_SKIP_TAGS": ",".join(["windows", *filter(None, [skip])])},
    )


def node_state(cluster: SwarmCluster) -> dict[str, tuple[str, dict[str, str], int]]:
    client = cluster.client()
    try:
        return {
            node.attrs["Description"]["Hostname"]: (
                node.attrs["Spec"].get("Availability"),
                dict(node.attrs["Spec"].get("Labels") or {}),
                node.attrs["Version"]["Index"],
            )
            for node in client.nodes.list()
        }
    finally:
        client.close()


def availability_changes(cluster: SwarmCluster, since: float, node_id: str) -> list[str]:
    """The availability values a node went through, from the manager's event stream."""
    client = cluster.client()
    try:
        events = client.events(since=int(since), until=int(time.time()) + 1, decode=True, filters={"type": "node"})
        return [
            e["Actor"]["Attributes"].get("availability.new", "")
            for e in events
            if e["Actor"]["ID"] == node_id and "availability.new" in e["Actor"]["Attributes"]
        ]
    finally:
        client.close()


@pytest.fixture
def clean_workers(swarm_cluster: SwarmCluster) -> Iterator[SwarmCluster]:
    """Workers active and without the OS/OsVersion labels, other labels kept; every node restored afterwards."""
    saved = node_specs(swarm_cluster)
    client = swarm_cluster.client()
    try:
        for node in client.nodes.list():
            if node.attrs["Description"]["Hostname"] in WORKERS:
                spec = dict(node.attrs["Spec"])
                labels = {k: v for k, v in (spec.get("Labels") or {}).items() if k not in ("OS", "OsVersion")}
                spec.update(Availability="active", Labels={**labels, "team": "payments"})
                node.update(spec)
    finally:
        client.close()
    try:
        yield swarm_cluster
    finally:
        restore_node_specs(swarm_cluster, saved)


@pytest.mark.swarm
def test_check_mode_shows_the_plan_and_changes_nothing(clean_workers: SwarmCluster, tmp_path: Path) -> None:
    inventory = rehearsal(tmp_path / "facts", clean_workers, {"wccnode2": "win2019-01", "wccnode3": "win2022-01"})
    before = node_state(clean_workers)
    run = patch(inventory, tmp_path, clean_workers, check=True)
    assert run.returncode == 0, run.explain()
    plan = run.result("Show the plan for this host", "wccnode2")["msg"]
    assert plan[0].startswith("wccnode2: 10.0.17763.6659 ->") and "swarm node" in plan[3]
    assert run.result("Drain the Swarm node", "wccnode2")["changed"] is True  # predicted, not done
    assert node_state(clean_workers) == before
    assert not (tmp_path / "reports").exists()


@pytest.mark.swarm
def test_rehearsal_drains_relabels_and_undrains_each_node(clean_workers: SwarmCluster, tmp_path: Path) -> None:
    inventory = rehearsal(tmp_path / "facts", clean_workers, {"wccnode2": "win2019-01", "wccnode3": "win2022-01"})
    ids = clean_workers.node_ids()
    start = time.time() - 1
    run = patch(inventory, tmp_path, clean_workers)
    assert run.returncode == 0, run.explain()
    state = node_state(clean_workers)
    assert state["wccnode2"][:2] == ("active", {"team": "payments", "OS": "windows", "OsVersion": "10.0.17763"})
    assert state["wccnode3"][:2] == ("active", {"team": "payments", "OS": "windows", "OsVersion": "10.0.20348"})
    for worker in WORKERS:
        assert availability_changes(clean_workers, start, ids[worker]) == ["drain", "active"], worker
    rows = json.loads((tmp_path / "reports" / "patch-before-after.json").read_text())
    assert [(r["host"], r["before"], r["after"]) for r in rows] == [
        ("wccnode2", "10.0.17763.6659", "10.0.17763.6659"),
        ("wccnode3", "10.0.20348.2966", "10.0.20348.2966"),
    ]
    after = json.loads((tmp_path / "reports" / "patch-after.json").read_text())
    assert after["summary"]["hosts"] == 2
    # win2019-01's process-isolated image newer than the host is reported after patching too
    assert {f["check"] for f in after["findings"]} >= {"image_revision"}


@pytest.mark.swarm
def test_predicted_breakage_stops_before_draining(clean_workers: SwarmCluster, tmp_path: Path) -> None:
    """A Server 2016 host whose update changes the revision: process-isolated containers would not start."""
    inventory = rehearsal(tmp_path / "facts", clean_workers, {"wccnode2": "win2016-01", "wccnode3": "win2022-01"})
    before = node_state(clean_workers)
    run = patch(
        inventory, tmp_path, clean_workers, patch_on_breakage="stop", wincontainers_target_version="10.0.14393.7699"
    )
    assert run.returncode != 0
    prediction = run.result("Predict what the updates do to the running containers", "wccnode2")
    assert prediction["failed"] and prediction["breaks"]
    assert [f["subject"] for f in prediction["findings"]] == ["container legacy-api"]
    after = node_state(clean_workers)
    assert after["wccnode2"] == before["wccnode2"], "a host predicted to break must not be drained"
    assert after["wccnode3"] == before["wccnode3"], "serial batches stop at the first failed host"


@pytest.mark.swarm
def test_warn_only_predicts_and_carries_on(clean_workers: SwarmCluster, tmp_path: Path) -> None:
    inventory = rehearsal(tmp_path / "facts", clean_workers, {"wccnode2": "win2016-01"})
    run = patch(inventory, tmp_path, clean_workers, wincontainers_target_version="10.0.14393.7699")
    assert run.returncode == 0, run.explain()
    prediction = run.result("Predict what the updates do to the running containers", "wccnode2")
    assert prediction["breaks"] and any("legacy-api" in w for w in prediction.get("warnings", []))
    assert node_state(clean_workers)["wccnode2"][:2] == (
        "active",
        {"team": "payments", "OS": "windows", "OsVersion": "10.0.14393"},
    )


@pytest.fixture
def kube_patch_node(kube_apiserver: Any, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A Windows Node recorded from a real 2019 cluster, and the rehearsal inventory of its host's facts."""
    name = "wccpatch-2019"
    create_node(kube_apiserver, node_body(node_fixture("worker-win-2"), name=name))
    try:
        (tmp_path / "facts" / "hosts").mkdir(parents=True)
        document = recorded("win2019-01")
        host = document["ansible_facts"]["wincontainers_host"]
        host["version"] = {"major": 10, "minor": 0, "build": 17763, "revision": 1397, "version": "10.0.17763.1397"}
        (tmp_path / "facts" / "hosts" / f"{name}.json").write_text(json.dumps(document))
        inventory = tmp_path / "facts" / "inventory.json"
        inventory.write_text(json.dumps({"all": {"children": {"windows": {"hosts": {name: {}}}}}}))
        yield name, inventory
    finally:
        delete_nodes(kube_apiserver, [name])


def patch_k8s(kube_apiserver: Any, inventory: Path, tmp: Path, *, check: bool = False) -> PlaybookRun:
    return run_playbook(
        PLAYBOOK,
        inventory=inventory,
        extra_vars={
            "patch_facts_dir": str(inventory.parent),
            "patch_k8s": {"kubeconfig": str(kube_apiserver.kubeconfig("admin")), "namespace": "default"},
            "patch_report_dir": str(tmp / "reports"),
        },
        check=check,
        env={"ANSIBLE_SKIP_TAGS": "windows"},
    )


@pytest.mark.kube
def test_rehearsal_cordons_relabels_and_uncordons_a_kubernetes_node(
    kube_apiserver: Any, kube_patch_node: tuple[str, Path], tmp_path: Path
) -> None:
    """kubernetes.core.k8s_drain and k8s_node_labels on the recorded Windows Node, for real."""
    name, inventory = kube_patch_node
    run = patch_k8s(kube_apiserver, inventory, tmp_path)
    assert run.returncode == 0, run.explain()
    assert run.result("Cordon and drain the Kubernetes node", name)["changed"] is True
    assert run.result("Uncordon the Kubernetes node", name)["changed"] is True
    node = kube_apiserver.call("GET", f"/api/v1/nodes/{name}")
    assert not node["spec"].get("unschedulable")
    assert node["metadata"]["labels"]["wincontainers.compat/release"] == "ltsc2019"
    assert [r["host"] for r in json.loads((tmp_path / "reports" / "patch-before-after.json").read_text())] == [name]


@pytest.mark.kube
def test_check_mode_on_kubernetes_predicts_and_writes_nothing(
    kube_apiserver: Any, kube_patch_node: tuple[str, Path], tmp_path: Path
) -> None:
    """The plan against a real API server: cordon and relabel predicted, the Node object left as it was."""
    name, inventory = kube_patch_node
    before = kube_apiserver.call("GET", f"/api/v1/nodes/{name}")
    run = patch_k8s(kube_apiserver, inventory, tmp_path, check=True)
    assert run.returncode == 0, run.explain()
    assert "kubernetes node " + name in run.result("Show the plan for this host", name)["msg"][3]
    assert run.result("Cordon and drain the Kubernetes node", name)["changed"] is True
    assert run.result("Label the Kubernetes node with its build and release", name)["changed"] is True
    after = kube_apiserver.call("GET", f"/api/v1/nodes/{name}")
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert not after["spec"].get("unschedulable")
    assert "wincontainers.compat/release" not in after["metadata"]["labels"]
    assert not (tmp_path / "reports").exists()


def _steps_of_the_playbook() -> list[dict[str, Any]]:
    """The playbook's own tasks and those of the patch_host role it runs."""
    plays = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    role_tasks = yaml.safe_load(ROLE_TASKS.read_text(encoding="utf-8"))
    roles = [role["role"] for play in plays for role in play.get("roles", [])]
    assert roles == ["wincontainers.compat.patch_host"]
    return [task for play in plays for task in play.get("tasks", [])] + role_tasks


def test_the_documented_tags_are_the_steps_of_the_playbook() -> None:
    tasks = _steps_of_the_playbook()
    tags = {tag for task in tasks for tag in task.get("tags", [])}
    assert tags - {"always", "windows"} == set(STEPS)
    assert all(task.get("tags") for task in tasks), "an untagged task"
    header = PLAYBOOK.read_text(encoding="utf-8").split("\n- name:", 1)[0]
    assert all(step in header for step in STEPS)


@pytest.mark.swarm
@pytest.mark.parametrize("step", STEPS)
def test_each_step_is_skippable_by_tag(step: str, clean_workers: SwarmCluster, tmp_path: Path) -> None:
    """Skipping one step leaves the others working: bookkeeping does not hang on a step's tag."""
    inventory = rehearsal(tmp_path / "facts", clean_workers, {"wccnode2": "win2019-01"})
    node_id = clean_workers.node_ids()["wccnode2"]
    time.sleep(1.01 - time.time() % 1)  # events have whole seconds: none of the fixture's in the window
    start = time.time()
    run = patch(inventory, tmp_path, clean_workers, skip=step)
    availability, labels, _index = node_state(clean_workers)["wccnode2"]
    changes = availability_changes(clean_workers, start, node_id)
    if step == "facts_before":  # nothing to drain or label without facts: stop before touching the node
        assert (
            run.returncode != 0
            and "run the facts_before step"
            in run.result("Stop when there are no facts from before patching", "wccnode2")["msg"]
        )
        assert changes == [] and labels == {"team": "payments"}
        return
    assert run.returncode == 0, run.explain()
    expected_changes = {"drain": [], "undrain": ["drain"]}.get(step, ["drain", "active"])
    assert changes == expected_changes
    assert availability == ("drain" if step == "undrain" else "active")
    relabelled = {"OS": "windows", "OsVersion": "10.0.17763"}
    assert labels == {"team": "payments", **({} if step == "relabel" else relabelled)}
    assert (tmp_path / "reports" / "patch-before-after.json").is_file() is (step != "report")
