"""swarm_compat_info with registry_image_info's answer, through one real ansible-playbook run.

A three-build manifest list (17763/20348/26100) and a two-build one (20348/26100) are pushed to the real registry
(Debian's docker-registry); the real swarm's nodes carry the labels of hosts of those builds, and the entries'
digests are read back with the real Docker CLI. The report must predict, per node, the entry the node's engine
pulls (its digest), and "no matching manifest" for the 17763 node and the two-build list, before anything runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from registry import Platform, Registry, docker_manifest_inspect, push_windows_image
from swarm import SwarmCluster
from swarm_helpers import play, set_labels

pytestmark = pytest.mark.swarm

NODE_LABELS = {
    "wccnode1": {"OS": "windows", "OsVersion": "10.0.17763"},
    "wccnode2": {"OS": "windows", "OsVersion": "10.0.20348"},
    "wccnode3": {"OS": "windows", "OsVersion": "10.0.26100"},
}
BUILDS = {"wccnode1": "10.0.17763.6659", "wccnode2": "10.0.20348.2966", "wccnode3": "10.0.26100.2605"}


@pytest.fixture
def deployed(swarm_cluster: SwarmCluster, registry_http: Registry) -> Iterator[dict[str, str]]:
    """Two services whose images are manifest lists in the registry; the digests of every entry by build."""
    client = registry_http.client()
    three = push_windows_image(client, "contoso/orders", "2024.11.3")
    two = push_windows_image(
        client,
        "contoso/reports",
        "1.0",
        [Platform(os_version=BUILDS["wccnode2"]), Platform(os_version=BUILDS["wccnode3"])],
    )
    listed = docker_manifest_inspect(f"{registry_http.host}/contoso/orders:2024.11.3")  # the real Docker CLI
    entries = {str(m["platform"]["os.version"]): str(m["digest"]) for m in listed["manifests"]}
    assert sorted(entries) == sorted(BUILDS.values())
    swarm_cluster.wait_ready()
    set_labels(swarm_cluster, NODE_LABELS)
    docker = swarm_cluster.client()
    try:
        common = {"command": ["sleep", "300"], "constraints": ["node.labels.OS==windows"]}
        docker.services.create(f"{registry_http.host}/contoso/orders:2024.11.3", name="orders", **common)
        docker.services.create(f"{registry_http.host}/contoso/reports:1.0", name="reports", **common)
        yield {"three": three, "two": two, **entries}
    finally:
        for svc in docker.services.list():
            svc.remove()
        docker.close()


def test_the_report_predicts_the_entry_each_node_pulls(
    deployed: dict[str, str], swarm_cluster: SwarmCluster, registry_http: Registry
) -> None:
    images = [f"{registry_http.host}/contoso/orders:2024.11.3", f"{registry_http.host}/contoso/reports:1.0"]
    run = play(
        "registry_info.yml",
        swarm_cluster.manager.docker_host,
        images=images,
        insecure_registries=[registry_http.host],
    )
    assert run.returncode == 0, run.explain()
    report = run.result("Report")
    services = {s["name"]: s for s in report["services"]}
    orders = services["orders"]
    assert (orders["image_source"], orders["image_digest"], orders["image_build_guess"]) == (
        "registry",
        deployed["three"],
        False,
    )
    pulled = {p["hostname"]: (p["os_version"], p["digest"]) for p in orders["pulls"]}
    assert pulled == {host: (build, deployed[build]) for host, build in BUILDS.items()}
    reports = {p["hostname"]: p for p in services["reports"]["pulls"]}
    assert reports["wccnode1"]["digest"] is None
    assert "no matching manifest for windows/amd64 10.0.17763" in reports["wccnode1"]["no_matching_manifest"]
    assert [reports[h]["os_version"] for h in ("wccnode2", "wccnode3")] == [BUILDS["wccnode2"], BUILDS["wccnode3"]]
    missing = [f for f in report["findings"] if f["check"] == "no_matching_manifest"]
    assert [(f["subject"], f["host"]) for f in missing] == [("service reports", "wccnode1")]
    assert missing[0]["image_source"] == "registry" and missing[0]["image_digest"] == deployed["two"]
    assert all(f["image_source"] == "registry" for f in report["findings"] if f["subject"].startswith("service "))
