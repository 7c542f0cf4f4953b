"""swarm_node_labels against a real 3-node swarm: check -> real -> idempotent -> idempotent check.

Linux nodes stand in for Windows hosts: the module gets the Windows versions through its inputs, and
every result is confirmed through the Docker API (labels and node version indexes), not only ``changed``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from docker_proxy import DockerProxy
from swarm import SwarmCluster
from swarm_helpers import labels_by_host, nodes_by_host, play, set_labels, versions_by_host

pytestmark = pytest.mark.swarm

FOREIGN = {"wccnode1": {"team": "ops"}, "wccnode2": {"team": "payments", "OsVersion": "10.0.14393"}, "wccnode3": {}}
TASK = "Set node labels"


@pytest.fixture
def swarm(swarm_cluster: SwarmCluster) -> Iterator[SwarmCluster]:
    """The session swarm with every node up and only the FOREIGN labels."""
    for engine in swarm_cluster.engines:
        if not engine.is_up():
            swarm_cluster.start_node(engine.name)
    swarm_cluster.wait_ready()
    set_labels(swarm_cluster, FOREIGN)
    yield swarm_cluster


def wanted(cluster: SwarmCluster) -> list[dict[str, object]]:
    ids = cluster.node_ids()
    return [
        {"node": "wccnode1", "version": "10.0.20348.2340"},
        {"node": "wccnode2", "version": "ltsc2019", "labels": {"rack": "r2"}},
        {"node": ids["wccnode3"], "version": "Windows Server 2022"},  # by node id
    ]


EXPECTED = {
    "wccnode1": {"team": "ops", "OS": "windows", "OsVersion": "10.0.20348"},
    "wccnode2": {"team": "payments", "OS": "windows", "OsVersion": "10.0.17763", "rack": "r2"},
    "wccnode3": {"OS": "windows", "OsVersion": "10.0.20348"},
}


def test_check_real_idempotent_idempotent_check(swarm: SwarmCluster) -> None:
    host = swarm.manager.docker_host
    nodes = wanted(swarm)
    before = versions_by_host(swarm)

    check = play("labels.yml", host, check=True, diff=True, nodes=nodes)
    assert check.returncode == 0, check.explain()
    predicted = check.result(TASK)
    assert predicted["changed"] is True
    assert labels_by_host(swarm) == FOREIGN, "check mode must not write"
    assert versions_by_host(swarm) == before
    assert {n["hostname"]: n["labels"] for n in predicted["nodes"]} == EXPECTED
    by_host = {n["hostname"]: n for n in predicted["nodes"]}
    assert by_host["wccnode2"]["updated"] == {"OsVersion": {"before": "10.0.14393", "after": "10.0.17763"}}
    assert by_host["wccnode2"]["added"] == {"OS": "windows", "rack": "r2"}
    assert predicted["diff"]["before"]["wccnode1"] == {"team": "ops"}

    real = play("labels.yml", host, diff=True, nodes=nodes)
    assert real.returncode == 0, real.explain()
    result = real.result(TASK)
    assert result["changed"] is True
    assert labels_by_host(swarm) == EXPECTED
    # check mode predicted exactly what the real run did
    strip = ("attempts",)
    assert [{k: v for k, v in n.items() if k not in strip} for n in result["nodes"]] == [
        {k: v for k, v in n.items() if k not in strip} for n in predicted["nodes"]
    ]
    assert all(n["attempts"] == 1 for n in result["nodes"])

    after = versions_by_host(swarm)
    again = play("labels.yml", host, nodes=nodes)
    assert again.returncode == 0, again.explain()
    assert again.result(TASK)["changed"] is False
    assert versions_by_host(swarm) == after, "an idempotent run must send no update"

    again_check = play("labels.yml", host, check=True, nodes=nodes)
    assert again_check.result(TASK)["changed"] is False
    assert labels_by_host(swarm) == EXPECTED


def test_from_facts_matches_nodes_by_swarm_node_id(swarm: SwarmCluster) -> None:
    ids = swarm.node_ids()
    facts = {
        "win2019-01": {"wincontainers_host": {"version": {"version": "10.0.17763.5458"},
                                              "docker": {"swarm": {"node_id": ids["wccnode2"]}}}},
        "win2022-01": {"version": "10.0.20348.1", "docker": {"swarm": {"node_id": ids["wccnode3"]}}},
        "linux-01": {"docker": {"installed": True}},
    }  # fmt: skip
    run = play("labels.yml", swarm.manager.docker_host, from_facts=facts, version_format="build")
    assert run.returncode == 0, run.explain()
    result = run.result(TASK)
    assert result["changed"] is True
    assert sorted(result["unmatched_hosts"]) == ["linux-01"]
    labels = labels_by_host(swarm)
    assert labels["wccnode1"] == FOREIGN["wccnode1"], "a node no host matches is not touched"
    assert labels["wccnode2"] == {"team": "payments", "OS": "windows", "OsVersion": "17763"}
    assert labels["wccnode3"] == {"OS": "windows", "OsVersion": "20348"}


def test_labels_to_remove_removes_only_what_is_named(swarm: SwarmCluster) -> None:
    set_labels(swarm, {h: {**v, "old": "x", "keep": "y"} for h, v in FOREIGN.items()})
    run = play("labels.yml", swarm.manager.docker_host, labels_to_remove=["old", "absent"])
    assert run.returncode == 0, run.explain()
    assert run.result(TASK)["changed"] is True
    assert labels_by_host(swarm) == {h: {**v, "keep": "y"} for h, v in FOREIGN.items()}
    again = play("labels.yml", swarm.manager.docker_host, labels_to_remove=["old", "absent"])
    assert again.result(TASK)["changed"] is False


def test_unknown_node_fails_naming_it(swarm: SwarmCluster) -> None:
    run = play("labels.yml", swarm.manager.docker_host, nodes=[{"node": "nosuchnode", "version": "ltsc2019"}])
    assert run.returncode != 0
    assert "'nosuchnode' is neither a node id nor a hostname" in run.result(TASK)["msg"]
    assert labels_by_host(swarm) == FOREIGN


def test_label_edited_between_list_and_update_is_kept(swarm: SwarmCluster, tmp_path: Path) -> None:
    """Another client writes a label after the module listed the nodes and before its first update."""
    edited = threading.Event()
    node1 = swarm.node_ids()["wccnode1"]

    def concurrent_edit(method: str, path: str) -> None:
        if method == "POST" and f"/nodes/{node1}/update" in path and not edited.is_set():
            edited.set()
            set_labels(swarm, {"wccnode1": {**FOREIGN["wccnode1"], "edited": "concurrently"}})

    with DockerProxy(swarm.manager.socket, tmp_path / "proxy.sock") as proxy:
        proxy.before = concurrent_edit
        run = play("labels.yml", proxy.docker_host, nodes=wanted(swarm))
    assert run.returncode == 0, run.explain()
    assert edited.is_set()
    result = run.result(TASK)
    assert result["conflicts"] == 1
    assert {n["hostname"]: n["attempts"] for n in result["nodes"]} == {"wccnode1": 2, "wccnode2": 1, "wccnode3": 1}
    labels = labels_by_host(swarm)
    assert labels["wccnode1"] == {**EXPECTED["wccnode1"], "edited": "concurrently"}
    assert labels["wccnode2"] == EXPECTED["wccnode2"]
    assert labels["wccnode3"] == EXPECTED["wccnode3"]


def test_one_node_list_and_updates_only_for_nodes_that_differ(swarm: SwarmCluster, tmp_path: Path) -> None:
    set_labels(swarm, {"wccnode1": EXPECTED["wccnode1"]})  # already right: must get no update
    ids = swarm.node_ids()
    with DockerProxy(swarm.manager.socket, tmp_path / "proxy.sock") as proxy:
        run = play("labels.yml", proxy.docker_host, nodes=wanted(swarm))
        assert run.returncode == 0, run.explain()
        listed = [p for m, p in proxy.requests if m == "GET" and p.split("?")[0].endswith("/nodes")]
        updated = sorted(p for m, p in proxy.requests if m == "POST")
        proxy.reset()
        again = play("labels.yml", proxy.docker_host, nodes=wanted(swarm))
        assert again.result(TASK)["changed"] is False
        assert proxy.count("POST") == 0 and proxy.count("GET", "/nodes/") == 0
    assert len(listed) == 1, f"one node list call: {proxy.requests}"
    assert [p.split("?")[0].rsplit("/", 2)[-2] for p in updated] == sorted([ids["wccnode2"], ids["wccnode3"]])
    assert {n["hostname"]: n["changed"] for n in run.result(TASK)["nodes"]} == {
        "wccnode1": False, "wccnode2": True, "wccnode3": True,
    }  # fmt: skip
    assert labels_by_host(swarm) == EXPECTED


def test_stopped_worker_is_reported_and_skipped(swarm: SwarmCluster) -> None:
    swarm.stop_node("wccnode3")
    try:
        assert nodes_by_host(swarm)["wccnode3"]["Status"]["State"] == "down"
        strict = play("labels.yml", swarm.manager.docker_host, nodes=wanted(swarm), unavailable="fail")
        assert strict.returncode != 0
        assert "wccnode3" in strict.result(TASK)["msg"] and "down" in strict.result(TASK)["msg"]
        assert labels_by_host(swarm) == FOREIGN, "unavailable=fail fails before any update"

        run = play("labels.yml", swarm.manager.docker_host, nodes=wanted(swarm))
        assert run.returncode == 0, run.explain()
        result = run.result(TASK)
        assert result["changed"] is True
        assert result["skipped_nodes"] == ["wccnode3"]
        node3 = next(n for n in result["nodes"] if n["hostname"] == "wccnode3")
        assert node3["skip_reason"] == "node is down" and node3["changed"] is False
        assert node3["added"] == {"OS": "windows", "OsVersion": "10.0.20348"}  # pending
        labels = labels_by_host(swarm)
        assert labels["wccnode1"] == EXPECTED["wccnode1"]
        assert labels["wccnode2"] == EXPECTED["wccnode2"]
        assert labels["wccnode3"] == FOREIGN["wccnode3"]
    finally:
        swarm.start_node("wccnode3")
