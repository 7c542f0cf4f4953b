"""Shared helpers of the Swarm integration tests: independent reads and writes through the Docker SDK."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playbook_runner import PlaybookRun, run_playbook
from registry import Platform, Registry, push_windows_image
from swarm import SwarmCluster

HERE = Path(__file__).resolve().parent


def nodes_by_host(cluster: SwarmCluster) -> dict[str, dict[str, Any]]:
    """Hostname -> node JSON, read from the manager (not through the modules)."""
    client = cluster.client()
    try:
        return {n.attrs["Description"]["Hostname"]: n.attrs for n in client.nodes.list()}
    finally:
        client.close()


def labels_by_host(cluster: SwarmCluster) -> dict[str, dict[str, str]]:
    return {host: dict(node["Spec"].get("Labels") or {}) for host, node in nodes_by_host(cluster).items()}


def versions_by_host(cluster: SwarmCluster) -> dict[str, int]:
    return {host: int(node["Version"]["Index"]) for host, node in nodes_by_host(cluster).items()}


def set_labels(cluster: SwarmCluster, labels: dict[str, dict[str, str]]) -> None:
    """Replace the labels of the named nodes (another client's write, with the Docker SDK)."""
    client = cluster.client()
    try:
        for node in client.nodes.list():
            host = node.attrs["Description"]["Hostname"]
            if host in labels:
                spec = dict(node.attrs["Spec"])
                spec["Labels"] = dict(labels[host])
                node.update(spec)
    finally:
        client.close()


def play(name: str, docker_host: str, check: bool = False, diff: bool = False, **variables: Any) -> PlaybookRun:
    """Run HERE/NAME against DOCKER_HOST with ``wcc_*`` extra vars."""
    extra = {"docker_host": docker_host, **{f"wcc_{k}": v for k, v in variables.items()}}
    return run_playbook(HERE / name, extra_vars=extra, check=check, diff=diff)


def service_constraints(cluster: SwarmCluster, name: str) -> list[str]:
    """A service's placement constraints, read back through the Docker API."""
    client = cluster.client()
    try:
        placement = client.services.get(name).attrs["Spec"]["TaskTemplate"].get("Placement") or {}
        return list(placement.get("Constraints") or [])
    finally:
        client.close()


@contextlib.contextmanager
def service_of_registry_image(
    cluster: SwarmCluster, registry: Registry, repository: str, labels: dict[str, dict[str, str]], constraint: str
) -> Iterator[dict[str, str]]:
    """A service ``app`` (no replicas, constrained by ``constraint``) running a single Windows image of build 20348
    whose tag names no build (``<registry>/<repository>:2024.11.3``), pushed to ``registry``; the nodes labelled
    ``labels``. Yields the image, its digest and the registry host; removes every service afterwards."""
    image = f"{registry.host}/{repository}:2024.11.3"
    digest = push_windows_image(
        registry.client(), repository, "2024.11.3", [Platform(os_version="10.0.20348.2966")], single=True
    )
    cluster.wait_ready()
    set_labels(cluster, labels)
    client = cluster.client()
    try:
        client.services.create(
            image, name="app", command=["sleep", "300"], constraints=[constraint], mode={"Replicated": {"Replicas": 0}}
        )
        yield {"image": image, "digest": digest, "host": registry.host}
    finally:
        for service in client.services.list():
            service.remove()
        client.close()
