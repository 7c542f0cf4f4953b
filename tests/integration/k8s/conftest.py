"""Helpers for the Kubernetes tests: run one module task through ansible-playbook against the test API server."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from k8s_helpers import RunModule
from kube import KubeCluster
from kube_objects import create_nodes, delete_nodes, node_body, node_fixtures
from playbook_runner import PlaybookRun, run_playbook


@pytest.fixture
def run_module(tmp_path: Path, kube_apiserver: KubeCluster) -> RunModule:
    """Run ``wincontainers.compat.<module>`` once, as the admin or the read-only user, and return the run."""

    def run(
        module: str, args: dict[str, Any], user: str = "admin", check: bool = False, diff: bool = False
    ) -> PlaybookRun:
        task_args = {"kubeconfig": str(kube_apiserver.kubeconfig(user)), **args}
        play = [
            {
                "hosts": "localhost",
                "connection": "local",
                "gather_facts": False,
                "vars": {"ansible_python_interpreter": sys.executable},
                "tasks": [{"name": "module", f"wincontainers.compat.{module}": task_args}],
            }
        ]
        path = tmp_path / f"{module}-{len(list(tmp_path.iterdir()))}.yml"
        path.write_text(json.dumps(play, indent=1))
        return run_playbook(path, inventory="localhost,", check=check, diff=diff)

    return run


@pytest.fixture
def recorded_nodes(kube_apiserver: KubeCluster, request: pytest.FixtureRequest) -> Iterator[dict[str, dict]]:
    """Every recorded Windows node, created under a per-test name prefix with a ``wcc-suite`` label.

    Yields ``{node name: fixture}``; deletes the nodes afterwards.
    """
    suite = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[-40:].strip("-")
    bodies, by_name = [], {}
    for fixture in node_fixtures():
        name = f"{suite[:20]}-{fixture['name']}".lower()[:63]
        bodies.append(node_body(fixture, name, {"wcc-suite": suite}))
        by_name[name] = fixture
    create_nodes(kube_apiserver, bodies)
    try:
        yield by_name
    finally:
        delete_nodes(kube_apiserver, by_name)
