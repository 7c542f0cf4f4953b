"""One module_defaults entry for the collection's action groups connects community.docker and kubernetes.core too.

Every endpoint is a closed local port: each task fails at once with an error that names the endpoint it got,
which shows where its connection options came from. Needs no engine and no API server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playbook_runner import PlaybookRun, run_playbook

HERE = Path(__file__).resolve().parent
pytest.importorskip("ansible_collections.kubernetes.core", reason="kubernetes.core is not installed")
pytest.importorskip("ansible_collections.community.docker", reason="community.docker is not installed")


@pytest.fixture(scope="module")
def run() -> PlaybookRun:
    result = run_playbook(
        HERE / "module_defaults.yml", extra_vars={"ansible_python_interpreter": sys.executable}, cwd=HERE
    )
    assert result.returncode == 0, result.explain()
    return result


@pytest.mark.parametrize(
    ("task", "endpoint"),
    [
        ("Collection module", "127.0.0.1:2"),
        ("Kubernetes.core module", "port=2"),
        ("Swarm collection module", "tcp://127.0.0.1:2"),
        ("Community.docker module", "port=2"),
    ],
)
def test_group_entry_reaches_both_collections(run: PlaybookRun, task: str, endpoint: str) -> None:
    result = run.result(task)
    assert result["failed"], result
    assert endpoint in result["msg"], result["msg"]


def test_kubernetes_core_group_entry_does_not_reach_the_collection(run: PlaybookRun) -> None:
    result = run.result("Collection module outside its group")
    assert result["failed"], result
    assert "/nonexistent/kubeconfig" in result["msg"] and "127.0.0.1:3" not in result["msg"]
