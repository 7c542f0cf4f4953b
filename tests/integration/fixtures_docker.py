"""Session fixtures for real Docker Engines: one standalone engine, and a 3-node swarm in network namespaces."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dockerd import Engine, import_test_image, start_engine
from swarm import SwarmCluster, start_swarm

__all__ = ["docker_engine", "swarm_cluster"]


@pytest.fixture(scope="session")
def docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A standalone dockerd (own data/exec root, socket, pidfile, ``daemon.json``) with the busybox test image."""
    engine = start_engine(tmp_path_factory.mktemp("docker"), "engine")
    try:
        import_test_image(engine)
        yield engine
    finally:
        engine.kill_containers()
        engine.stop()


@pytest.fixture(scope="session")
def swarm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwarmCluster]:
    """One manager and two workers (hostnames ``wccnode1..3``), all Ready, busybox test image on each.

    A test that stops a node must start it again (``swarm_cluster.start_node(name)``) before it ends.
    """
    cluster = start_swarm(tmp_path_factory.mktemp("swarm"), count=3, managers=1)
    try:
        yield cluster
    finally:
        cluster.stop()
