"""swarm_service_placement with registry_image_info's answer, through real ansible-playbook runs.

A single Windows image of build 20348 whose tag names no build (``2024.11.3``) is pushed to the real registry
(Debian's docker-registry); a service of the real 3-node swarm runs it. Without the registry's answer the service is
skipped (its tag tells nothing); with it, the service gets ``OsVersion==10.0.20348`` from the image config, its
foreign constraint is kept, the result says the build came from the registry, and a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from registry import Registry
from swarm import SwarmCluster
from swarm_helpers import play, service_constraints, service_of_registry_image

pytestmark = pytest.mark.swarm

NODE_LABELS = {
    "wccnode1": {"OS": "windows", "OsVersion": "10.0.17763"},
    "wccnode2": {"OS": "windows", "OsVersion": "10.0.20348"},
    "wccnode3": {"OS": "windows", "OsVersion": "10.0.26100"},
}
FOREIGN = "node.labels.team!=blocked"
PLACED = [FOREIGN, "node.labels.OS==windows", "node.labels.OsVersion==10.0.20348"]


@pytest.fixture
def app(swarm_cluster: SwarmCluster, registry_http: Registry) -> Iterator[dict[str, str]]:
    """The image in the registry (its digest) and a service running it with a foreign constraint."""
    with service_of_registry_image(swarm_cluster, registry_http, "placement/app", NODE_LABELS, FOREIGN) as found:
        yield found


def test_a_single_manifest_gets_its_build_from_the_registry(app: dict[str, str], swarm_cluster: SwarmCluster) -> None:
    host = swarm_cluster.manager.docker_host
    guessed = play("placement.yml", host, services=[{"name": "app"}])
    assert guessed.returncode == 0, guessed.explain()
    assert "names no Windows build" in guessed.result("Place services")["skipped_services"]["app"]
    assert service_constraints(swarm_cluster, "app") == [FOREIGN]

    variables = {"images": [app["image"]], "insecure_registries": [app["host"]], "services": [{"name": "app"}]}
    check = play("placement_registry.yml", host, check=True, **variables)
    assert check.returncode == 0, check.explain()
    assert check.result("Place services")["changed"] is True
    assert service_constraints(swarm_cluster, "app") == [FOREIGN]

    run = play("placement_registry.yml", host, **variables)
    assert run.returncode == 0, run.explain()
    result = run.result("Place services")
    assert service_constraints(swarm_cluster, "app") == [
        FOREIGN,
        "node.labels.OS==windows",
        "node.labels.OsVersion==10.0.20348",
    ]
    (entry,) = result["services"]
    assert (entry["image_version"], entry["image_source"], entry["image_digest"], entry["image_build_guess"]) == (
        "10.0.20348.2966",
        "registry",
        app["digest"],
        False,
    )
    assert (entry["outcome"], result["skipped_services"]) == ("updated", {})

    again = play("placement_registry.yml", host, **variables)
    assert again.returncode == 0, again.explain()
    assert again.result("Place services")["changed"] is False
    assert service_constraints(swarm_cluster, "app") == [
        FOREIGN,
        "node.labels.OS==windows",
        "node.labels.OsVersion==10.0.20348",
    ]
