"""playbooks/swarm_labels.yml places services by the builds their registry serves, on the real 3-node swarm.

A single Windows image of build 20348 whose tag names no build (``app:2024.11.3``) is pushed to a real registry
with basic auth (Debian's docker-registry). With ``swarm_labels_registry: false`` the role guesses from the tag and
leaves the service alone. By default it lists the service images with swarm_compat_info, reads them with
registry_image_info (``swarm_labels_registry_auth``, never shown) and constrains ``app`` to 10.0.20348, keeping its
own constraint; a second run changes nothing, and neither does a run given that registry_image_info result.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from registry import Registry
from swarm import SwarmCluster
from swarm_helpers import service_constraints, service_of_registry_image

pytestmark = pytest.mark.swarm

PLAYBOOK = REPO_ROOT / "playbooks" / "swarm_labels.yml"
INFO = Path(__file__).resolve().parents[1] / "registry" / "info.yml"
ROLE = "wincontainers.compat.swarm_labels : "
FOREIGN = "node.labels.team!=blocked"
PLACED = [FOREIGN, "node.labels.OS==windows", "node.labels.OsVersion==10.0.20348"]
VERSIONS = {"wccnode1": "10.0.17763", "wccnode2": "10.0.20348", "wccnode3": "10.0.26100"}


@pytest.fixture
def app(swarm_cluster: SwarmCluster, registry_basic: Registry) -> Iterator[dict[str, str]]:
    """The image in the registry (its digest) and a service running it with a constraint of its own."""
    labels: dict[str, dict[str, str]] = {name: {} for name in VERSIONS}
    with service_of_registry_image(swarm_cluster, registry_basic, "swarmlabels/app", labels, FOREIGN) as found:
        yield found


def play(cluster: SwarmCluster, registry: Registry, **variables: Any) -> PlaybookRun:
    extra = {
        "ansible_python_interpreter": sys.executable,
        "swarm_labels_docker_host": cluster.manager.docker_host,
        "swarm_labels_nodes": [{"node": name, "version": version} for name, version in VERSIONS.items()],
        "swarm_labels_services": [{"name": "app"}],
        "swarm_labels_registry_auth": {registry.host: registry.credentials},
        "swarm_labels_registry_insecure_registries": [registry.host],
        **variables,
    }
    return run_playbook(PLAYBOOK, extra_vars=extra)


def shown(run: PlaybookRun) -> str:
    """Everything the run printed, results and warnings."""
    return json.dumps(run.output) + run.stderr


def test_role_places_a_service_by_its_registry_build(
    swarm_cluster: SwarmCluster, registry_basic: Registry, app: dict[str, str]
) -> None:
    guessed = play(swarm_cluster, registry_basic, swarm_labels_registry=False)
    assert guessed.returncode == 0, guessed.explain()
    assert "names no Windows build" in guessed.result(ROLE + "Predict the service constraints (check mode, read-only)")[
        "skipped_services"
    ].get("app", "")
    assert service_constraints(swarm_cluster, "app") == [FOREIGN]

    run = play(swarm_cluster, registry_basic)
    assert run.returncode == 0, run.explain()
    read = run.result(ROLE + "Read the service images from their registries")
    assert list(read["images"]) == [app["image"]]
    assert (read["images"][app["image"]]["digest"], read["images"][app["image"]]["error"]) == (app["digest"], None)
    assert service_constraints(swarm_cluster, "app") == [
        FOREIGN,
        "node.labels.OS==windows",
        "node.labels.OsVersion==10.0.20348",
    ]
    (placed,) = run.result(ROLE + "Constrain the services to the nodes of their image's build")["services"]
    assert (placed["image_source"], placed["image_digest"], placed["outcome"]) == ("registry", app["digest"], "updated")
    report = {s["name"]: s for s in run.result(ROLE + "Report what still cannot run where it is sent")["services"]}
    assert (report["app"]["image_source"], report["app"]["image_version"]) == ("registry", "10.0.20348.2966")
    assert registry_basic.password not in shown(run)

    again = play(swarm_cluster, registry_basic)
    assert again.returncode == 0, again.explain()
    assert again.changed == 0, again.explain()
    assert service_constraints(swarm_cluster, "app") == [
        FOREIGN,
        "node.labels.OS==windows",
        "node.labels.OsVersion==10.0.20348",
    ]

    given = run_playbook(INFO, extra_vars={"images": [app["image"]], "registry_options": registry_basic.module_args()})
    assert given.returncode == 0, given.explain()
    reused = play(swarm_cluster, registry_basic, swarm_labels_registry=given.result("Read images"))
    assert reused.returncode == 0, reused.explain()
    assert reused.changed == 0, reused.explain()
    assert reused.result(ROLE + "Read the service images from their registries").get("skipped") is True
    assert reused.result(ROLE + "Predict the service constraints (check mode, read-only)")["changed"] is False
