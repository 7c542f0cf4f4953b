"""Shared helpers of the Kubernetes integration tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kube import KubeCluster
from playbook_runner import PlaybookRun

RunModule = Callable[..., PlaybookRun]


def selector_of(nodes: dict[str, dict], kube_apiserver: KubeCluster) -> str:
    """The label selector of a ``recorded_nodes`` set."""
    name = next(iter(nodes))
    labels = kube_apiserver.call("GET", f"/api/v1/nodes/{name}")["metadata"]["labels"]
    return f"wcc-suite={labels['wcc-suite']}"


def rehearse_then_apply(
    run_module: RunModule, module: str, args: dict[str, Any], read: Callable[[], Any]
) -> tuple[dict[str, Any], Any, Any]:
    """Run ``module`` in check mode as the read-only user, which must predict a change and write nothing (``read``
    gives the same state before and after), then for real; returns the real run's result and the state before and
    after it."""
    before = read()
    check = run_module(module, args, user="reader", check=True, diff=True)
    assert check.returncode == 0, check.explain()
    assert check.result("module")["changed"] is True
    assert read() == before
    run = run_module(module, args)
    assert run.returncode == 0, run.explain()
    return run.result("module"), before, read()
