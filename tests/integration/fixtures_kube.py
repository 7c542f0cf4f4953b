"""Session fixtures for a real kube-apiserver (built once from Debian's source, then cached)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kube import KubeCluster, start_cluster

__all__ = ["kube_apiserver"]


@pytest.fixture(scope="session")
def kube_apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    """etcd + kube-apiserver on 127.0.0.1 with an admin and a read-only user; stopped at session end."""
    workdir: Path = tmp_path_factory.mktemp("kube")
    cluster = start_cluster(workdir)
    try:
        yield cluster
    finally:
        cluster.stop()
