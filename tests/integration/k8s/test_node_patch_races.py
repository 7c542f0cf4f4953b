"""Races between the node list and the patches, played for real on the API server."""

from __future__ import annotations

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import LabelOptions, plan_node
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_client import KubeApi, node_path, patch_nodes
from k8s_helpers import selector_of
from kube import KubeCluster
from kube_objects import get_node

pytestmark = pytest.mark.kube
RELEASE = "wincontainers.compat/release"


def plans_for(api: KubeApi, selector: str) -> list:
    return [plan_node(node, LabelOptions()) for node in api.list(node_path(), labelSelector=selector)]


def test_node_deleted_between_list_and_patch_is_reported_not_fatal(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict]
) -> None:
    api = KubeApi(kube_apiserver.auth())
    plans = plans_for(api, selector_of(recorded_nodes, kube_apiserver))
    gone = plans[0].name
    kube_apiserver.call("DELETE", f"/api/v1/nodes/{gone}")

    outcomes = patch_nodes(api, plans, lambda node: plan_node(node, LabelOptions()))

    assert outcomes[gone] == "deleted"
    assert {outcomes[p.name] for p in plans[1:]} == {"patched"}
    for plan in plans[1:]:
        assert get_node(kube_apiserver, plan.name)["metadata"]["labels"][RELEASE] == plan.changes[RELEASE]


def test_conflict_rereads_the_node_and_keeps_the_concurrent_change(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict]
) -> None:
    api = KubeApi(kube_apiserver.auth())
    plans = plans_for(api, selector_of(recorded_nodes, kube_apiserver))
    target = plans[0]
    # Someone else writes the node after our list: our resourceVersion is now stale.
    kube_apiserver.call(
        "PATCH",
        f"/api/v1/nodes/{target.name}",
        {"metadata": {"labels": {"owner": "someone-else"}}},
        "application/merge-patch+json",
    )
    requests_before = api.requests

    outcomes = patch_nodes(api, [target], lambda node: plan_node(node, LabelOptions()))

    assert outcomes == {target.name: "patched"}
    assert api.requests - requests_before == 3  # 409, re-read, patch
    labels = get_node(kube_apiserver, target.name)["metadata"]["labels"]
    assert labels["owner"] == "someone-else"
    assert labels[RELEASE] == target.changes[RELEASE]


def test_conflict_with_nothing_left_to_do_sends_no_second_patch(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict]
) -> None:
    api = KubeApi(kube_apiserver.auth())
    target = plans_for(api, selector_of(recorded_nodes, kube_apiserver))[0]
    kube_apiserver.call(
        "PATCH",
        f"/api/v1/nodes/{target.name}",
        {"metadata": {"labels": dict(target.changes)}},
        "application/merge-patch+json",
    )

    outcomes = patch_nodes(api, [target], lambda node: plan_node(node, LabelOptions()))

    assert outcomes == {target.name: "unchanged"}
