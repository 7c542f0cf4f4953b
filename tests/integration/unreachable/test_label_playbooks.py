"""playbooks/swarm_labels.yml and k8s_labels.yml against closed local ports: facts groups and environment fallbacks.

The roles leave unset connection variables out, so the modules read ``DOCKER_*`` and ``K8S_AUTH_*``; the error of
the first module call shows which settings it used. Needs no engine and no API server.
"""

from __future__ import annotations

import sys

import pytest
import yaml
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook

SWARM_ROLE = "wincontainers.compat.swarm_labels : "
K8S_ROLE = "wincontainers.compat.k8s_labels : "
WARN = "Warn about Windows hosts whose facts are missing"
EXTRA = {"ansible_python_interpreter": sys.executable}


def swarm_play(**env: str) -> PlaybookRun:
    return run_playbook(REPO_ROOT / "playbooks" / "swarm_labels.yml", extra_vars=EXTRA, env=env)


@pytest.mark.parametrize(("verify", "pool"), [("0", "HTTPConnectionPool"), ("1", "HTTPSConnectionPool")])
def test_swarm_roles_connection_follows_docker_environment(verify: str, pool: str) -> None:
    run = swarm_play(DOCKER_HOST="tcp://127.0.0.1:2", DOCKER_TLS_VERIFY=verify, DOCKER_API_VERSION="1.41")
    result = run.result(SWARM_ROLE + "Predict the node labels (check mode, read-only)")
    assert result["failed"], run.explain()
    assert "cannot talk to the Docker Engine at tcp://127.0.0.1:2" in result["msg"]
    assert pool in result["msg"] and "/v1.41/" in result["msg"], result["msg"]


def test_swarm_playbook_warns_when_no_facts_group() -> None:
    run = swarm_play(DOCKER_HOST="tcp://127.0.0.1:2")
    message = run.result(WARN)["msg"]
    assert "the inventory group swarm_windows is empty or missing" in message
    assert "swarm_labels_nodes" in message


def test_k8s_playbook_warns_when_no_facts_group() -> None:
    run = run_playbook(
        REPO_ROOT / "playbooks" / "k8s_labels.yml",
        extra_vars=EXTRA,
        env={"K8S_AUTH_HOST": "https://127.0.0.1:1"},
    )
    assert "the inventory group k8s_windows is empty or missing" in run.result(WARN)["msg"]
    failed = run.result(K8S_ROLE + "Predict the node labels (check mode, read-only)")
    assert "cannot reach the API server at https://127.0.0.1:1" in failed["msg"]


def groups_of(groups: dict) -> dict[str, set[str]]:
    """Every group of a YAML inventory with the hosts it holds, its children's included."""
    found: dict[str, set[str]] = {}
    for name, group in (groups or {}).items():
        children = (group or {}).get("children") or {}
        found.update(groups_of(children))
        found[name] = set((group or {}).get("hosts") or {}).union(*(found[child] for child in children))
    return found


@pytest.mark.parametrize("playbook", ["swarm_labels.yml", "k8s_labels.yml"])
def test_example_inventory_has_the_hosts_whose_facts_the_playbook_gathers(playbook: str) -> None:
    plays = yaml.safe_load((REPO_ROOT / "playbooks" / playbook).read_text(encoding="utf-8"))
    groups = groups_of(yaml.safe_load((REPO_ROOT / "examples" / "fleet" / "inventory.yml").read_text()))
    assert groups.get(plays[0]["hosts"]), f"{plays[0]['hosts']} has no hosts in examples/fleet/inventory.yml"
