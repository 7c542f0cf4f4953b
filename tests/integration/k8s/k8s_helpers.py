"""Shared helpers of the Kubernetes integration tests."""

from __future__ import annotations

from collections.abc import Callable

from kube import KubeCluster
from playbook_runner import PlaybookRun

RunModule = Callable[..., PlaybookRun]


def selector_of(nodes: dict[str, dict], kube_apiserver: KubeCluster) -> str:
    """The label selector of a ``recorded_nodes`` set."""
    name = next(iter(nodes))
    labels = kube_apiserver.call("GET", f"/api/v1/nodes/{name}")["metadata"]["labels"]
    return f"wcc-suite={labels['wcc-suite']}"
