"""k8s_node_labels against a real kube-apiserver with Windows nodes recorded from real clusters."""

from __future__ import annotations

from typing import Any

import pytest
from k8s_helpers import RunModule, selector_of
from kube import KubeCluster
from kube_objects import get_node

pytestmark = pytest.mark.kube

OSBUILD = "beta.kubernetes.io/osbuild"
RELEASE = "wincontainers.compat/release"


def labels(cluster: KubeCluster, name: str) -> dict[str, str]:
    return dict(get_node(cluster, name)["metadata"]["labels"])


def all_labels(cluster: KubeCluster, names: Any) -> dict[str, dict[str, str]]:
    return {name: labels(cluster, name) for name in names}


def expected_osbuild(expect: dict[str, Any]) -> str | None:
    if expect["build"] == 14393:
        return None if expect["revision"] is None else f"14393.{expect['revision']}"
    return str(expect["build"])


def test_check_mode_predicts_with_read_only_user_and_writes_nothing(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], run_module: RunModule
) -> None:
    selector = selector_of(recorded_nodes, kube_apiserver)
    before = all_labels(kube_apiserver, recorded_nodes)

    run = run_module("k8s_node_labels", {"label_selector": selector}, user="reader", check=True, diff=True)

    assert run.returncode == 0, run.explain()
    result = run.result("module")
    assert result["changed"] is True
    assert sorted(result["patched"]) == sorted(recorded_nodes)
    assert result["api_requests"] == 1
    assert all_labels(kube_apiserver, recorded_nodes) == before
    predicted = {node["name"]: node["changes"] for node in result["nodes"]}
    for name, fixture in recorded_nodes.items():
        assert predicted[name].get(RELEASE) == fixture["expect"]["release"]
        assert predicted[name].get(OSBUILD) == expected_osbuild(fixture["expect"])
    assert len(result["diff"]) == len(recorded_nodes)


def test_real_run_is_refused_for_the_read_only_user(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], run_module: RunModule
) -> None:
    selector = selector_of(recorded_nodes, kube_apiserver)
    before = all_labels(kube_apiserver, recorded_nodes)

    run = run_module("k8s_node_labels", {"label_selector": selector}, user="reader")

    assert run.returncode != 0
    result = run.result("module")
    assert result["failed"] is True
    assert "403" in result["msg"] and "forbidden" in result["msg"].lower()
    assert all_labels(kube_apiserver, recorded_nodes) == before


def test_labels_land_foreign_labels_survive_and_rerun_is_a_no_op(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], run_module: RunModule
) -> None:
    selector = selector_of(recorded_nodes, kube_apiserver)
    names = list(recorded_nodes)
    stale = next(n for n in names if n.endswith("worker-win-2"))
    kube_apiserver.call(
        "PATCH",
        f"/api/v1/nodes/{stale}",
        {"metadata": {"labels": {OSBUILD: "14393.1715", "team": "blue"}}},
        "application/merge-patch+json",
    )
    before = all_labels(kube_apiserver, names)

    first = run_module("k8s_node_labels", {"label_selector": selector})

    assert first.returncode == 0, first.explain()
    assert first.result("module")["changed"] is True
    after = all_labels(kube_apiserver, names)
    for name, fixture in recorded_nodes.items():
        expect = fixture["expect"]
        assert after[name].get(RELEASE) == expect["release"], name
        assert after[name].get(OSBUILD) == expected_osbuild(expect), name
        foreign = {k: v for k, v in before[name].items() if k not in (OSBUILD, RELEASE)}
        assert {k: after[name][k] for k in foreign} == foreign, f"{name} lost or changed a label it does not own"
    assert after[stale][OSBUILD] == "17763"
    assert after[stale]["team"] == "blue"

    second = run_module("k8s_node_labels", {"label_selector": selector})
    assert second.returncode == 0, second.explain()
    result = second.result("module")
    assert result["changed"] is False
    assert result["patched"] == []
    assert result["api_requests"] == 1
    assert all_labels(kube_apiserver, names) == after

    check = run_module("k8s_node_labels", {"label_selector": selector}, user="reader", check=True)
    assert check.returncode == 0, check.explain()
    assert check.result("module")["changed"] is False


def test_host_facts_supply_the_revision_old_kubelets_do_not_report(
    kube_apiserver: KubeCluster, recorded_nodes: dict[str, dict], run_module: RunModule
) -> None:
    selector = selector_of(recorded_nodes, kube_apiserver)
    old = [name for name, f in recorded_nodes.items() if f["expect"]["build"] == 14393]
    assert len(old) == 2
    facts = {
        old[0]: {"wincontainers_host": {"version": {"major": 10, "minor": 0, "build": 14393, "revision": 1715}}},
        old[1]: "10.0.17763.1397",  # stale facts of another build: ignored and reported
    }

    run = run_module("k8s_node_labels", {"label_selector": selector, "host_facts": facts})

    assert run.returncode == 0, run.explain()
    result = run.result("module")
    assert labels(kube_apiserver, old[0])[OSBUILD] == "14393.1715"
    assert OSBUILD not in labels(kube_apiserver, old[1])
    checks = {(f["check"], f["host"]) for f in result["findings"]}
    assert ("host_facts_mismatch", old[1]) in checks
    assert ("node_revision_unknown", old[1]) in checks
    assert ("node_revision_unknown", old[0]) not in checks
    missing_label = {host for check, host in checks if check == "windows_build_label_missing"}
    no_label = {n for n, f in recorded_nodes.items() if "node.kubernetes.io/windows-build" not in f["labels"]}
    assert missing_label == no_label
