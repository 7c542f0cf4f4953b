"""swarm_service_placement and swarm_compat_info against a real 3-node swarm.

The nodes carry the labels of Windows hosts (set through the Docker API, as swarm_node_labels would); the
service images are the busybox test image tagged with Windows release names. Every result is confirmed
through the Docker API: constraints, isolation, every other field of the spec, and where the tasks run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_proxy import DockerProxy
from dockerd import import_test_image
from swarm import SwarmCluster
from swarm_helpers import play, set_labels

pytestmark = pytest.mark.swarm

NODE_LABELS = {
    "wccnode1": {"OS": "windows", "OsVersion": "10.0.17763", "team": "ops"},
    "wccnode2": {"OS": "windows", "OsVersion": "10.0.20348"},
    "wccnode3": {"OS": "windows", "OsVersion": "10.0.20348"},
}
IMAGES = ("wcc-test/web:1.0-ltsc2019", "wcc-test/billing:2-ltsc2022", "wcc-test/legacy:1-ltsc2016")
TASK = "Place services"


@pytest.fixture(scope="module")
def tagged(swarm_cluster: SwarmCluster) -> SwarmCluster:
    """The busybox image under Windows-looking tags on every node (images cannot be pulled here)."""
    for engine in swarm_cluster.engines:
        if not engine.is_up():
            swarm_cluster.start_node(engine.name)
        for tag in IMAGES:
            import_test_image(engine, tag)
    return swarm_cluster


@pytest.fixture
def services(tagged: SwarmCluster) -> Iterator[SwarmCluster]:
    """Labelled nodes and four services with foreign constraints, preferences, labels and env."""
    tagged.wait_ready()
    set_labels(tagged, NODE_LABELS)
    client = tagged.client()
    try:
        common: dict[str, Any] = {
            "command": ["sleep", "300"],
            "endpoint_spec": {"Mode": "dnsrr"},
            "env": ["KEEP=1"],
            "labels": {"owner": "payments"},
            "preferences": [("spread", "node.labels.team")],
        }
        foreign_and_stale = ["node.labels.team!=blocked", "node.labels.OsVersion==10.0.14393"]
        client.services.create(IMAGES[0], name="web", constraints=foreign_and_stale, **common)
        client.services.create(IMAGES[1], name="billing", mode={"Replicated": {"Replicas": 2}}, **common)
        client.services.create(IMAGES[2], name="legacy", mode={"Replicated": {"Replicas": 0}}, **common)
        client.services.create("wcc-test/busybox:1", name="plain", **common)
        yield tagged
    finally:
        for svc in client.services.list():
            svc.remove()
        client.close()


def specs(cluster: SwarmCluster) -> dict[str, dict[str, Any]]:
    client = cluster.client()
    try:
        return {
            s.name: {"spec": s.attrs["Spec"], "version": s.attrs["Version"]["Index"]} for s in client.services.list()
        }
    finally:
        client.close()


def without_placement(spec: dict[str, Any]) -> dict[str, Any]:
    """SPEC minus the two fields the module owns (constraints, isolation)."""
    copy = {**spec, "TaskTemplate": dict(spec["TaskTemplate"])}
    copy["TaskTemplate"]["Placement"] = {
        k: v for k, v in (spec["TaskTemplate"].get("Placement") or {}).items() if k != "Constraints"
    }
    copy["TaskTemplate"]["ContainerSpec"] = {
        k: v for k, v in spec["TaskTemplate"]["ContainerSpec"].items() if k != "Isolation"
    }
    return copy


def running_hosts(cluster: SwarmCluster, name: str, want: int, timeout: float = 60) -> set[str]:
    """Hostnames of the running tasks of service NAME, once WANT of them run."""
    client = cluster.client()
    try:
        hosts = {n.id: n.attrs["Description"]["Hostname"] for n in client.nodes.list()}
        deadline = time.monotonic() + timeout
        found: list[str] = []
        while time.monotonic() < deadline:
            tasks = client.services.get(name).tasks(filters={"desired-state": "running"})
            found = [hosts[t["NodeID"]] for t in tasks if t["Status"]["State"] == "running"]
            if len(found) >= want:
                break
            time.sleep(0.5)
        return set(found)
    finally:
        client.close()


EXPECTED = {
    "web": ["node.labels.team!=blocked", "node.labels.OsVersion==10.0.17763", "node.labels.OS==windows"],
    "billing": ["node.labels.OS==windows", "node.labels.OsVersion==10.0.20348"],
    "legacy": ["node.labels.OS==windows"],
}


def test_placement_check_real_idempotent(services: SwarmCluster, tmp_path: Path) -> None:
    host = services.manager.docker_host
    before = specs(services)

    check = play("placement.yml", host, check=True, diff=True)
    assert check.returncode == 0, check.explain()
    predicted = check.result(TASK)
    assert predicted["changed"] is True
    assert specs(services) == before, "check mode must not write"
    assert {s["name"]: s["constraints"] for s in predicted["services"]} == EXPECTED
    assert {s["name"]: s["isolation"] for s in predicted["services"]} == {
        "billing": "default",
        "legacy": "hyperv",  # a 14393 image is older than every node: Hyper-V, no build constraint
        "web": "default",
    }
    assert set(predicted["skipped_services"]) == {"plain"}

    real = play("placement.yml", host)
    assert real.returncode == 0, real.explain()
    assert real.result(TASK)["changed"] is True
    after = specs(services)
    for name, constraints in EXPECTED.items():
        spec = after[name]["spec"]
        assert spec["TaskTemplate"]["Placement"]["Constraints"] == constraints
        assert without_placement(spec) == without_placement(before[name]["spec"]), f"{name}: other fields changed"
    assert after["legacy"]["spec"]["TaskTemplate"]["ContainerSpec"]["Isolation"] == "hyperv"
    web_isolation = before["web"]["spec"]["TaskTemplate"]["ContainerSpec"].get("Isolation")
    assert after["web"]["spec"]["TaskTemplate"]["ContainerSpec"].get("Isolation") == web_isolation
    assert after["plain"] == before["plain"]
    strip = ("attempts",)
    assert [{k: v for k, v in s.items() if k not in strip} for s in real.result(TASK)["services"]] == [
        {k: v for k, v in s.items() if k not in strip} for s in predicted["services"]
    ]

    with DockerProxy(services.manager.socket, tmp_path / "proxy.sock") as proxy:
        again = play("placement.yml", proxy.docker_host)
    assert again.result(TASK)["changed"] is False
    assert proxy.count("POST") == 0, f"an idempotent run must send no update: {proxy.requests}"
    assert {k: v["spec"] for k, v in specs(services).items()} == {k: v["spec"] for k, v in after.items()}
    assert play("placement.yml", host, check=True).result(TASK)["changed"] is False

    # the constraints really steer the tasks: the 17763 image on the 17763 node, the 20348 image elsewhere
    assert running_hosts(services, "web", 1) == {"wccnode1"}
    assert running_hosts(services, "billing", 2) <= {"wccnode2", "wccnode3"}


def test_placement_by_name_with_given_version_and_unknown_service(services: SwarmCluster) -> None:
    host = services.manager.docker_host
    run = play("placement.yml", host, services=[{"name": "plain", "image_version": "ltsc2022"}], isolation="keep")
    assert run.returncode == 0, run.explain()
    result = run.result(TASK)
    assert [s["name"] for s in result["services"]] == ["plain"]
    assert specs(services)["plain"]["spec"]["TaskTemplate"]["Placement"]["Constraints"] == EXPECTED["billing"]
    assert specs(services)["web"]["spec"]["TaskTemplate"]["Placement"]["Constraints"][1] == (
        "node.labels.OsVersion==10.0.14393"
    ), "services not named are not touched"
    bad = play("placement.yml", host, services=[{"name": "nosuch"}])
    assert bad.returncode != 0 and "service 'nosuch' is neither a service name nor an id" in bad.result(TASK)["msg"]


def test_service_edited_between_list_and_update_keeps_both_changes(services: SwarmCluster, tmp_path: Path) -> None:
    edited = threading.Event()

    def concurrent_edit(method: str, path: str) -> None:
        if method == "POST" and "/services/" in path and "/update" in path and not edited.is_set():
            edited.set()
            client = services.client()
            try:
                svc = client.services.get("billing")
                spec = svc.attrs["Spec"]
                spec["Labels"] = {**spec.get("Labels", {}), "edited": "concurrently"}
                client.api.update_service(svc.id, svc.attrs["Version"]["Index"], **_update_args(spec))
            finally:
                client.close()

    with DockerProxy(services.manager.socket, tmp_path / "proxy.sock") as proxy:
        proxy.before = concurrent_edit
        run = play("placement.yml", proxy.docker_host, services=[{"name": "billing"}])
    assert run.returncode == 0, run.explain()
    result = run.result(TASK)
    assert result["conflicts"] == 1 and result["services"][0]["attempts"] == 2
    spec = specs(services)["billing"]["spec"]
    assert spec["Labels"] == {"owner": "payments", "edited": "concurrently"}
    assert spec["TaskTemplate"]["Placement"]["Constraints"] == EXPECTED["billing"]


def _update_args(spec: dict[str, Any]) -> dict[str, Any]:
    """The docker SDK's update_service arguments that rewrite SPEC as it is."""
    return {
        "task_template": spec["TaskTemplate"],
        "name": spec["Name"],
        "labels": spec["Labels"],
        "mode": spec["Mode"],
        "endpoint_spec": spec.get("EndpointSpec"),
    }


# --- swarm_compat_info ---------------------------------------------------------------------------------------
def test_compat_info_finds_and_classifies_real_failing_tasks(services: SwarmCluster) -> None:
    client = services.client()
    try:
        broken = client.services.create(
            "wcc-test/busybox:1", ["nosuchcmd"], name="broken", endpoint_spec={"Mode": "dnsrr"}
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(t["Status"].get("Err") for t in broken.tasks()):
            time.sleep(0.5)
    finally:
        client.close()
    ids = services.node_ids()
    facts = {"win2016-01": {"version": "10.0.14393.7428", "docker": {"swarm": {"node_id": ids["wccnode1"]}}}}
    run = play("info.yml", services.manager.docker_host, from_facts=facts)
    assert run.returncode == 0, run.explain()
    report = run.result("Report")
    assert report["changed"] is False
    by_name = {s["name"]: s for s in report["services"]}
    failing = by_name["broken"]["failing_tasks"]
    assert failing, "the real failed task must be found"
    assert "nosuchcmd" in failing[0]["error"] and failing[0]["class"] == "unknown"
    assert failing[0]["hostname"] in NODE_LABELS
    assert by_name["broken"]["running"] == 0 and by_name["broken"]["desired"] == 1
    checks = {(f["check"], f["subject"]) for f in report["findings"]}
    assert ("task_failed", "service broken") in checks
    assert ("service_not_converged", "service broken") in checks
    # billing (20348 image) may be placed on wccnode1, which runs 14393 (host facts), until it is constrained
    mismatch = [f for f in report["findings"] if f["check"] == "image_build_mismatch"]
    assert {f["subject"] for f in mismatch} >= {"service billing"}
    assert next(f for f in mismatch if f["subject"] == "service billing")["hosts"] == ["wccnode1"]
    # the host facts say wccnode1 runs 14393 while its label says 17763
    labels = [f for f in report["findings"] if f["check"] == "swarm_node_labels"]
    assert [(f["host"], f["severity"]) for f in labels] == [("wccnode1", "high")]
    assert {n["hostname"]: n["version_source"] for n in report["nodes"]} == {
        "wccnode1": "host_facts",
        "wccnode2": "node_labels",
        "wccnode3": "node_labels",
    }
    assert report["summary"]["failing_tasks"] >= 1
    assert report["findings"][0]["severity"] == "critical"


def test_service_removed_between_list_and_update_fails_only_that_service(
    services: SwarmCluster, tmp_path: Path
) -> None:
    """billing (placed first) is removed by another client just before its update: 404 for it, the rest land."""
    removed = threading.Event()
    billing_id = services.client().services.get("billing").id

    def remove_billing(method: str, path: str) -> None:
        if method == "POST" and f"/services/{billing_id}/update" in path and not removed.is_set():
            removed.set()
            client = services.client()
            try:
                client.services.get(billing_id).remove()
            finally:
                client.close()

    with DockerProxy(services.manager.socket, tmp_path / "proxy.sock") as proxy:
        proxy.before = remove_billing
        run = play("placement.yml", proxy.docker_host)
        updates = [p.split("?")[0] for m, p in proxy.requests if m == "POST" and p.split("?")[0].endswith("/update")]
    assert removed.is_set()
    assert run.returncode != 0, "a service that could not be placed fails the task"
    result = run.result(TASK)
    assert result["changed"] is True
    assert "billing" in result["msg"] and "404" in result["msg"] and "1 of 3 service(s) failed" in result["msg"]
    outcomes = {r["name"]: (r["outcome"], r["changed"]) for r in result["results"]}
    assert outcomes == {"billing": ("failed", False), "legacy": ("updated", True), "web": ("updated", True)}
    billing = next(s for s in result["services"] if s["name"] == "billing")
    assert billing["outcome"] == "failed" and "no longer exists" in billing["error"]
    assert billing["constraints"] == billing["constraints_before"], "nothing was applied to it"
    assert len(updates) == 3, f"every service was tried: {updates}"
    after = specs(services)
    assert "billing" not in after
    assert after["web"]["spec"]["TaskTemplate"]["Placement"]["Constraints"] == EXPECTED["web"]
    assert after["legacy"]["spec"]["TaskTemplate"]["Placement"]["Constraints"] == EXPECTED["legacy"]
