"""swarm_node_labels when a node is removed from the swarm between the module's list and its update.

A swarm of its own (a manager and three workers), since the test removes nodes for good. The removal happens
through the Docker API at the exact moment the module's update of that node reaches the proxy; every result
is confirmed by reading the labels back from the manager.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from docker_proxy import DockerProxy
from swarm import SwarmCluster, start_swarm
from swarm_helpers import labels_by_host, play

pytestmark = pytest.mark.swarm
TASK = "Set node labels"


@pytest.fixture(scope="module")
def small_swarm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwarmCluster]:
    cluster = start_swarm(tmp_path_factory.mktemp("swarmdel"), count=4, managers=1, prefix="wccdel", import_image=False)
    try:
        yield cluster
    finally:
        cluster.stop()


def remove_node(cluster: SwarmCluster, hostname: str, node_id: str) -> None:
    """The worker leaves the swarm and the manager forgets it (``docker node rm --force``)."""
    worker = cluster.engine(hostname).client()
    try:
        worker.swarm.leave(force=True)
    finally:
        worker.close()
    manager = cluster.client()
    try:
        manager.nodes.get(node_id).remove(force=True)
    finally:
        manager.close()


def run_removing(cluster: SwarmCluster, tmp_path: Path, victim: str, nodes: list[dict], **variables: object) -> tuple:
    """Run the module through a proxy that removes VICTIM just before its update is forwarded."""
    victim_id = cluster.node_ids()[victim]
    removed = threading.Event()

    def remove_on_update(method: str, path: str) -> None:
        if method == "POST" and f"/nodes/{victim_id}/update" in path and not removed.is_set():
            removed.set()
            remove_node(cluster, victim, victim_id)

    with DockerProxy(cluster.manager.socket, tmp_path / f"proxy-{victim}.sock") as proxy:
        proxy.before = remove_on_update
        run = play("labels.yml", proxy.docker_host, nodes=nodes, **variables)
        updates = [p.split("?")[0].rsplit("/", 2)[-2] for m, p in proxy.requests if m == "POST"]
    assert removed.is_set(), "the victim's update was sent"
    return run, updates


def check_failed_run(run: object, victim: str, others: list[str]) -> dict:
    result = run.result(TASK)  # type: ignore[attr-defined]
    assert run.returncode != 0, "the task fails, after every node was tried"  # type: ignore[attr-defined]
    assert result["changed"] is True
    assert victim in result["msg"] and "404" in result["msg"]
    outcomes = {r["name"]: (r["outcome"], r["changed"]) for r in result["results"]}
    assert outcomes == {victim: ("failed", False), **{host: ("updated", True) for host in others}}
    entry = next(n for n in result["nodes"] if n["hostname"] == victim)
    assert entry["outcome"] == "failed" and entry["changed"] is False and entry["attempts"] == 1
    return result


def test_a_node_removed_mid_run_fails_alone_and_the_others_converge(small_swarm: SwarmCluster, tmp_path: Path) -> None:
    hosts = ["wccdel1", "wccdel2", "wccdel3", "wccdel4"]
    nodes = [{"node": host, "version": "ltsc2022"} for host in hosts]
    run, updates = run_removing(small_swarm, tmp_path, "wccdel2", nodes)
    check_failed_run(run, "wccdel2", ["wccdel1", "wccdel3", "wccdel4"])
    assert len(updates) == 4
    labels = labels_by_host(small_swarm)
    assert "wccdel2" not in labels
    assert {host: labels[host] for host in ("wccdel1", "wccdel3", "wccdel4")} == {
        host: {"OS": "windows", "OsVersion": "10.0.20348"} for host in ("wccdel1", "wccdel3", "wccdel4")
    }

    # One update at a time: the node after the removed one is still tried and updated.
    nodes = [{"node": host, "version": "ltsc2019"} for host in ("wccdel1", "wccdel3", "wccdel4")]
    run, updates = run_removing(small_swarm, tmp_path, "wccdel3", nodes, parallel=1)
    check_failed_run(run, "wccdel3", ["wccdel1", "wccdel4"])
    ids = [small_swarm.node_ids().get(host) for host in ("wccdel1", "wccdel4")]
    assert updates[-1] == ids[-1], "wccdel4, after the removed node, was updated last"
    labels = labels_by_host(small_swarm)
    assert sorted(labels) == ["wccdel1", "wccdel4"]
    assert all(labels[host] == {"OS": "windows", "OsVersion": "10.0.17763"} for host in labels)
