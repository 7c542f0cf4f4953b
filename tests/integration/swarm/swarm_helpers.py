"""Shared helpers of the Swarm integration tests: independent reads and writes through the Docker SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playbook_runner import PlaybookRun, run_playbook
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
