"""playbooks/swarm_labels.yml on the real swarm: check first, then labels -> constraints -> report, idempotent."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from dockerd import import_test_image
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from swarm import SwarmCluster
from swarm_helpers import labels_by_host, service_constraints, set_labels

pytestmark = pytest.mark.swarm

PLAYBOOK = REPO_ROOT / "playbooks" / "swarm_labels.yml"
FOREIGN = {"wccnode1": {"team": "ops"}, "wccnode2": {}, "wccnode3": {"rack": "r3"}}


@pytest.fixture
def fleet(swarm_cluster: SwarmCluster) -> Iterator[SwarmCluster]:
    for engine in swarm_cluster.engines:
        if not engine.is_up():
            swarm_cluster.start_node(engine.name)
        import_test_image(engine, "wcc-test/web:1.0-ltsc2019")
    swarm_cluster.wait_ready()
    set_labels(swarm_cluster, FOREIGN)
    client = swarm_cluster.client()
    try:
        client.services.create(
            "wcc-test/web:1.0-ltsc2019",
            ["sleep", "300"],
            name="web",
            constraints=["node.labels.team!=blocked"],
            endpoint_spec={"Mode": "dnsrr"},
        )
        yield swarm_cluster
    finally:
        for svc in client.services.list():
            svc.remove()
        client.close()


def run(cluster: SwarmCluster, check: bool = False) -> PlaybookRun:
    ids = cluster.node_ids()
    variables: dict[str, Any] = {
        "ansible_python_interpreter": sys.executable,
        "swarm_labels_docker_host": cluster.manager.docker_host,
        # what win_container_host_facts gathers on two Windows hosts (their swarm node ids and builds)
        "swarm_labels_host_facts": {
            "win2019-01": {
                "version": {"version": "10.0.17763.5458"},
                "docker": {"swarm": {"node_id": ids["wccnode1"]}},
            },
            "win2022-01": {
                "version": {"version": "10.0.20348.2340"},
                "docker": {"swarm": {"node_id": ids["wccnode2"]}},
            },
        },
        "swarm_labels_nodes": [{"node": "wccnode3", "version": "10.0.20348"}],
    }
    return run_playbook(PLAYBOOK, extra_vars=variables, check=check, diff=check)


def result(run: PlaybookRun, name: str) -> dict[str, Any]:
    """The localhost result of the role task NAME (the callback prefixes it with the role name)."""
    for play in run.output.get("plays", []):
        for task in play.get("tasks", []):
            if task["task"]["name"].split(" : ")[-1] == name:
                return dict(task["hosts"]["localhost"])
    raise KeyError(f"no task {name!r}:\n{run.explain()}")


def test_playbook_labels_constrains_and_reports_idempotently(fleet: SwarmCluster) -> None:
    check = run(fleet, check=True)
    assert check.returncode == 0, check.explain()
    assert labels_by_host(fleet) == FOREIGN, "check mode must change nothing"
    assert service_constraints(fleet, "web") == ["node.labels.team!=blocked"]
    plan = result(check, "Predict the node labels (check mode, read-only)")
    assert sorted(n["hostname"] for n in plan["nodes"] if n["changed"]) == ["wccnode1", "wccnode2", "wccnode3"]

    real = run(fleet)
    assert real.returncode == 0, real.explain()
    assert labels_by_host(fleet) == {
        "wccnode1": {"team": "ops", "OS": "windows", "OsVersion": "10.0.17763"},
        "wccnode2": {"OS": "windows", "OsVersion": "10.0.20348"},
        "wccnode3": {"rack": "r3", "OS": "windows", "OsVersion": "10.0.20348"},
    }
    assert service_constraints(fleet, "web") == [
        "node.labels.team!=blocked",
        "node.labels.OS==windows",
        "node.labels.OsVersion==10.0.17763",
    ]
    report = result(real, "Report what still cannot run where it is sent")
    assert {n["hostname"]: n["version"] for n in report["nodes"]} == {
        "wccnode1": "10.0.17763.5458",
        "wccnode2": "10.0.20348.2340",
        "wccnode3": "10.0.20348",
    }
    assert not [f for f in report["findings"] if f["check"] in ("swarm_node_labels", "image_build_mismatch")]

    again = run(fleet)
    assert again.returncode == 0, again.explain()
    assert again.changed == 0, again.explain()
    assert result(again, "Label the nodes").get("skipped") is True
    assert result(again, "Constrain the services to the nodes of their image's build").get("skipped") is True
