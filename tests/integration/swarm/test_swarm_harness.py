"""The Docker harness itself: a standalone engine and a real 3-node swarm, checked through the Docker API."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from dockerd import Engine
from swarm import SwarmCluster, _join_one, not_ready, stale_nodes, start_swarm


@pytest.mark.docker
def test_standalone_engine_runs_the_test_image(docker_engine: Engine) -> None:
    client = docker_engine.client()
    try:
        out = client.containers.run("wcc-test/busybox:1", ["echo", "ok"], network_mode="none", remove=True)
        assert out.strip() == b"ok"
        assert client.info()["DockerRootDir"] == str(docker_engine.data_root)
    finally:
        client.close()


@pytest.mark.swarm
def test_swarm_has_one_manager_two_workers_all_ready(swarm_cluster: SwarmCluster) -> None:
    client = swarm_cluster.client()
    try:
        nodes = client.nodes.list()
    finally:
        client.close()
    by_host = {n.attrs["Description"]["Hostname"]: n.attrs for n in nodes}
    assert sorted(by_host) == ["wccnode1", "wccnode2", "wccnode3"]
    assert {h: a["Spec"]["Role"] for h, a in by_host.items()} == {
        "wccnode1": "manager",
        "wccnode2": "worker",
        "wccnode3": "worker",
    }
    assert all(a["Status"]["State"] == "ready" for a in by_host.values())
    assert {a["Status"]["Addr"] for a in by_host.values()} == {"10.77.0.1", "10.77.0.2", "10.77.0.3"}


@pytest.mark.swarm
def test_stopped_worker_goes_down_and_comes_back(swarm_cluster: SwarmCluster) -> None:
    worker = swarm_cluster.workers[-1]
    pid = worker.pid
    assert pid is not None
    swarm_cluster.stop_node(worker.name)
    assert worker.pid is None and not worker.is_up()
    swarm_cluster.start_node(worker.name)
    assert worker.pid not in (None, pid)
    swarm_cluster.wait_ready()


@pytest.mark.swarm
def test_service_tasks_run_on_every_node(swarm_cluster: SwarmCluster) -> None:
    client = swarm_cluster.client()
    try:
        service = client.services.create(
            "wcc-test/busybox:1",
            ["sleep", "300"],
            name="wcc-harness-global",
            mode={"Global": {}},
            endpoint_spec={"Mode": "dnsrr"},
        )
        try:
            deadline = time.monotonic() + 60
            running: set[str] = set()
            while time.monotonic() < deadline and len(running) < 3:
                running = {t["NodeID"] for t in service.tasks() if t["Status"]["State"] == "running"}
                time.sleep(0.3)
            assert running == {n.id for n in client.nodes.list()}
        finally:
            service.remove()
    finally:
        client.close()


@pytest.mark.swarm
def test_three_managers_and_a_teardown_that_leaves_nothing(tmp_path: Path) -> None:
    cluster = start_swarm(tmp_path, count=3, managers=3, prefix="wccmgr", import_image=False)
    pids = [engine.pid for engine in cluster.engines]
    namespaces = list(cluster.namespaces)
    try:
        client = cluster.client()
        try:
            roles = {n.attrs["Description"]["Hostname"]: n.attrs["Spec"]["Role"] for n in client.nodes.list()}
        finally:
            client.close()
        assert roles == {"wccmgr1": "manager", "wccmgr2": "manager", "wccmgr3": "manager"}
        assert all(pid is not None for pid in pids)
    finally:
        cluster.stop()
    assert not [pid for pid in pids if pid is not None and Path(f"/proc/{pid}").exists()]
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert not [ns for ns in namespaces if ns in listed.split()]


@pytest.mark.swarm
def test_a_rejoined_node_is_ready_by_its_own_id_and_its_stale_entry_goes(tmp_path: Path) -> None:
    """A node that joins again (as after a failed background join) leaves a down entry with its hostname."""
    cluster = start_swarm(tmp_path, count=2, managers=1, prefix="wccrej", import_image=False)
    try:
        worker = cluster.workers[0]
        old_id = cluster.node_ids()["wccrej2"]
        client = worker.client()
        try:
            client.swarm.leave(force=True)
            tokens = cluster.client().swarm.attrs["JoinTokens"]
            _join_one(client, cluster.manager.address or "", worker.address or "", tokens["Worker"])
        finally:
            client.close()
        new_id = cluster.engine_node_ids()["wccrej2"]
        assert new_id != old_id
        assert old_id in {n["ID"] for n in cluster.listed_nodes()}, "the manager keeps the old entry"

        cluster.wait_ready(timeout=60)

        listed = {n["ID"]: n["Description"]["Hostname"] for n in cluster.listed_nodes()}
        assert old_id not in listed, "the stale entry of the same hostname is removed"
        assert cluster.node_ids() == {"wccrej1": cluster.engine_node_ids()["wccrej1"], "wccrej2": new_id}
    finally:
        cluster.stop()


def test_not_ready_and_stale_nodes_match_by_id() -> None:
    def node(node_id: str, host: str, state: str) -> dict[str, object]:
        return {"ID": node_id, "Description": {"Hostname": host}, "Status": {"State": state}}

    listed = [node("live1", "n1", "ready"), node("old2", "n2", "down"), node("live2", "n2", "ready")]
    assert not_ready(listed, {"n1": "live1", "n2": "live2"}) == {}
    assert not_ready(listed[:2], {"n1": "live1", "n2": "live2"}) == {"n2": "not listed"}
    assert not_ready([node("live2", "n2", "unknown")], {"n2": "live2"}) == {"n2": "unknown"}
    assert stale_nodes(listed, {"live1", "live2"}) == ["old2"]
    assert stale_nodes([node("other", "n9", "down"), *listed], {"live1", "live2"}) == ["old2"]
    assert stale_nodes([node("old1", "n1", "ready"), *listed], {"live1", "live2"}) == ["old1", "old2"]
