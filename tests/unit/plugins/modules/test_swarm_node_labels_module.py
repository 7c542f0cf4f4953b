"""swarm_node_labels' update loop with a fake Engine API: version conflicts are re-read, re-planned and retried."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from ansible_collections.wincontainers.compat.plugins.module_utils import swarm as sw
from ansible_collections.wincontainers.compat.plugins.module_utils import swarm_runner as mod
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_client import APIError


def raw(labels: dict[str, str], index: int, state: str = "ready") -> dict[str, Any]:
    return {
        "ID": "n1",
        "Version": {"Index": index},
        "Spec": {"Labels": dict(labels), "Role": "worker", "Availability": "active"},
        "Description": {"Hostname": "win-01", "Platform": {"OS": "windows"}, "Engine": {}},
        "Status": {"State": state},
    }


class FakeApi:
    """Holds one node; ``edits`` are other clients' writes applied just before each of our updates."""

    def __init__(self, labels: dict[str, str], edits: list[dict[str, str]]) -> None:
        self.node = raw(labels, 10)
        self.edits = list(edits)
        self.updates: list[tuple[int, dict[str, str]]] = []

    def inspect_node(self, node_id: str) -> dict[str, Any]:
        return self.node

    def update_node(self, node_id: str, version: int, spec: dict[str, Any]) -> None:
        if self.edits:  # another client wins the race
            edit = self.edits.pop(0)
            self.node = raw({**self.node["Spec"]["Labels"], **edit}, self.node["Version"]["Index"] + 1)
        self.updates.append((version, dict(spec["Labels"])))
        if version != self.node["Version"]["Index"]:
            raise engine_error(500, "rpc error: code = Unknown desc = update out of sequence")
        self.node = raw(spec["Labels"], version + 1)


def engine_error(status: int, message: str) -> APIError:
    """An APIError as the Docker SDK raises it for an Engine answer of STATUS with {"message": MESSAGE}."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"message": message}).encode()
    return APIError(f"{status} Server Error", response=response, explanation=message)


def plan_for(api: FakeApi, want: sw.Want) -> sw.NodePlan:
    return sw.plan_node(sw.parse_node(api.node), want)


def test_conflict_rereads_and_keeps_the_other_clients_label() -> None:
    api = FakeApi({"team": "ops"}, edits=[{"edited": "yes"}])
    want = sw.Want(labels={"OS": "windows"})
    plan, attempts, conflicts = mod.apply_plan(api, plan_for(api, want), want, "skip", retries=5)
    assert (attempts, conflicts) == (2, 1)
    assert api.updates == [
        (10, {"team": "ops", "OS": "windows"}),
        (11, {"team": "ops", "edited": "yes", "OS": "windows"}),
    ]
    assert api.node["Spec"]["Labels"] == {"team": "ops", "edited": "yes", "OS": "windows"}
    assert plan.needs_update


def test_conflict_where_the_other_client_already_set_our_label_ends_unchanged() -> None:
    api = FakeApi({}, edits=[{"OS": "windows"}])
    want = sw.Want(labels={"OS": "windows"})
    plan, attempts, conflicts = mod.apply_plan(api, plan_for(api, want), want, "skip", retries=5)
    assert (attempts, conflicts, plan.needs_update) == (1, 1, False)
    assert len(api.updates) == 1


def test_conflicts_beyond_the_retries_fail() -> None:
    api = FakeApi({}, edits=[{"a": str(i)} for i in range(5)])
    want = sw.Want(labels={"OS": "windows"})
    with pytest.raises(APIError, match="500"):
        mod.apply_plan(api, plan_for(api, want), want, "skip", retries=2)
    assert len(api.updates) == 3


def test_other_api_errors_are_not_retried() -> None:
    class Broken(FakeApi):
        def update_node(self, node_id: str, version: int, spec: dict[str, Any]) -> None:
            self.updates.append((version, {}))
            raise engine_error(404, "node n1 not found")

    api = Broken({}, edits=[])
    want = sw.Want(labels={"OS": "windows"})
    with pytest.raises(APIError):
        mod.apply_plan(api, plan_for(api, want), want, "skip", retries=5)
    assert len(api.updates) == 1
