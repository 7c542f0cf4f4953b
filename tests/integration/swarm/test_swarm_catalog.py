"""swarm_node_labels against the real test swarm with a catalog file: a release newer than the collection
(Windows Server 2028, examples/catalog/windows-server-2028.yml) labels a node once the file is named, by the
catalog option or by WINCONTAINERS_CATALOG; without it the module refuses the unknown name. Confirmed through
the Docker API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playbook_runner import REPO_ROOT, run_playbook
from swarm import SwarmCluster
from swarm_helpers import HERE, labels_by_host, play, set_labels

pytestmark = pytest.mark.swarm

EXAMPLE = REPO_ROOT / "examples" / "catalog" / "windows-server-2028.yml"
NODES = [{"node": "wccnode1", "version": "ltsc2028"}]
TASK = "Set node labels"


@pytest.fixture
def swarm(swarm_cluster: SwarmCluster) -> Iterator[SwarmCluster]:
    for engine in swarm_cluster.engines:
        if not engine.is_up():
            swarm_cluster.start_node(engine.name)
    swarm_cluster.wait_ready()
    set_labels(swarm_cluster, {"wccnode1": {"team": "ops"}})
    yield swarm_cluster


def test_catalog_option_makes_a_new_release_known(swarm: SwarmCluster) -> None:
    host = swarm.manager.docker_host
    refused = play("labels.yml", host, nodes=NODES)
    assert refused.returncode != 0
    assert "ltsc2028" in refused.result(TASK)["msg"]
    assert labels_by_host(swarm)["wccnode1"] == {"team": "ops"}

    labelled = play("labels.yml", host, nodes=NODES, catalog=str(EXAMPLE))
    assert labelled.returncode == 0, labelled.explain()
    assert labelled.result(TASK)["changed"] is True
    assert labels_by_host(swarm)["wccnode1"] == {"team": "ops", "OS": "windows", "OsVersion": "10.0.30000"}

    again = play("labels.yml", host, nodes=NODES, catalog=str(EXAMPLE))
    assert again.returncode == 0 and again.result(TASK)["changed"] is False


def test_wincontainers_catalog_variable_reaches_the_module(swarm: SwarmCluster) -> None:
    extra = {"docker_host": swarm.manager.docker_host, "wcc_nodes": NODES}
    run = run_playbook(HERE / "labels.yml", extra_vars=extra, env={"WINCONTAINERS_CATALOG": str(EXAMPLE)})
    assert run.returncode == 0, run.explain()
    assert labels_by_host(swarm)["wccnode1"]["OsVersion"] == "10.0.30000"
