"""k8s_workload_selector's planning with registry facts: required node affinity on the builds a manifest list serves.

The nodes are the recorded Windows nodes (builds 14393, 17763, 19041, 20348, 26100); the registry answers are shaped
as registry_image_info returns them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import k8s
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import OCI_INDEX, image_result
from registry_samples import THREE_BUILDS, D, platform

KEY = k8s.WINDOWS_BUILD_LABEL
FIXTURES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "k8s_nodes" / "windows_nodes.json"
NODES = k8s.windows_nodes(
    {"metadata": {"name": f["name"], "labels": f["labels"]}, "status": {"nodeInfo": f["nodeInfo"]}}
    for f in json.loads(FIXTURES.read_text())["nodes"]
)
ORDERS = "registry.example/shop/orders:2024.11.3"
APP = "registry.example/shop/app:2024.11.3"
POOL = {"key": "pool", "operator": "In", "values": ["win"]}
ZONE = {"key": "zone", "operator": "NotIn", "values": ["b"]}
HOSTNAME_FIELD = {"key": "metadata.name", "operator": "NotIn", "values": ["old-node"]}


ONLY_2019 = image_result(D["e"], OCI_INDEX, [platform("10.0.17763.6659", D["b"])])
UNFIT = image_result(D["f"], OCI_INDEX, [platform("10.0.18363.1556", D["c"])])  # 1909: no node of this cluster
SINGLE_2022 = image_result(D["c"], "application/vnd.oci.image.manifest.v1+json", [platform("10.0.20348.2966", D["c"])])
ALL_BUILDS = ["10.0.17763", "10.0.20348", "10.0.26100"]


def ours(values: list[str]) -> dict[str, Any]:
    return {"key": KEY, "operator": "In", "values": values}


# --- the pure merge of our expression ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ([], [{"matchExpressions": [ours(ALL_BUILDS)]}]),
        ([{"matchExpressions": [POOL]}], [{"matchExpressions": [POOL, ours(ALL_BUILDS)]}]),
        (  # ORed terms: each gets our expression, so none of them lets the pod onto another build
            [{"matchExpressions": [POOL]}, {"matchExpressions": [ZONE]}],
            [{"matchExpressions": [POOL, ours(ALL_BUILDS)]}, {"matchExpressions": [ZONE, ours(ALL_BUILDS)]}],
        ),
        (  # an expression on our key is replaced where it stands, the others are kept in their order
            [{"matchExpressions": [ours(["10.0.17763"]), POOL]}],
            [{"matchExpressions": [ours(ALL_BUILDS), POOL]}],
        ),
        (  # any operator on our key is ours; a second one goes
            [{"matchExpressions": [{"key": KEY, "operator": "NotIn", "values": ["x"]}, POOL, ours(["y"])]}],
            [{"matchExpressions": [ours(ALL_BUILDS), POOL]}],
        ),
        (  # matchFields are kept, and a term of matchFields only gets our expression
            [{"matchFields": [HOSTNAME_FIELD]}],
            [{"matchFields": [HOSTNAME_FIELD], "matchExpressions": [ours(ALL_BUILDS)]}],
        ),
    ],
)
def test_with_build_expression(terms: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    original = copy.deepcopy(terms)
    merged = k8s.with_build_expression(terms, KEY, ALL_BUILDS)
    assert merged == expected
    assert terms == original  # the input is not changed
    assert k8s.with_build_expression(merged, KEY, ALL_BUILDS) == merged  # idempotent


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ([], []),
        ([{"matchExpressions": [ours(ALL_BUILDS)]}], []),  # our own term goes, and with it the required affinity
        ([{"matchExpressions": [POOL, ours(ALL_BUILDS)]}], [{"matchExpressions": [POOL]}]),
        (
            [{"matchExpressions": [POOL, ours(ALL_BUILDS)]}, {"matchExpressions": [ours(ALL_BUILDS)]}],
            [{"matchExpressions": [POOL]}],
        ),
        (  # foreign terms are kept as they are, an empty one too
            [{"matchExpressions": [ZONE]}, {}, {"matchFields": [HOSTNAME_FIELD]}],
            [{"matchExpressions": [ZONE]}, {}, {"matchFields": [HOSTNAME_FIELD]}],
        ),
        (
            [{"matchFields": [HOSTNAME_FIELD], "matchExpressions": [ours(ALL_BUILDS)]}],
            [{"matchFields": [HOSTNAME_FIELD]}],
        ),
    ],
)
def test_without_build_expression(terms: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert k8s.without_build_expression(terms, KEY) == expected


@pytest.mark.parametrize("terms", [[], [{"matchExpressions": [POOL]}, {"matchFields": [HOSTNAME_FIELD]}]])
def test_adding_then_removing_our_expression_gives_the_terms_back(terms: list[dict[str, Any]]) -> None:
    assert k8s.without_build_expression(k8s.with_build_expression(terms, KEY, ALL_BUILDS), KEY) == terms


# --- planning ----------------------------------------------------------------------------------------------------
def deployment(images: list[str], spec: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    pod = {"containers": [{"name": f"c{i}", "image": image} for i, image in enumerate(images)], **(spec or {})}
    return {"metadata": {"namespace": "shop", "name": "orders"}, "spec": {"template": {"spec": pod}}}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch, as the API server applies it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def plan(obj: dict[str, Any], registry: Any, options: Optional[k8s.SelectorOptions] = None) -> k8s.WorkloadPlan:
    return k8s.plan_workload(obj, "Deployment", options or k8s.SelectorOptions(), {}, registry, NODES)


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return dict(obj["spec"]["template"]["spec"])


def test_a_three_build_list_gets_an_in_expression_and_keeps_foreign_terms() -> None:
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}
    affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = [
        {"matchExpressions": [POOL, ours(["10.0.17763"])]},
        {"matchExpressions": [ZONE]},
    ]
    obj = deployment([ORDERS], {"nodeSelector": {"disk": "ssd", KEY: "10.0.17763"}, "affinity": affinity})
    first = plan(obj, {"images": {ORDERS: THREE_BUILDS}})
    assert (first.builds, first.build, first.skipped) == ([17763, 20348, 26100], None, None)
    assert first.images[0].as_dict() == {
        "image": ORDERS,
        "version": None,
        "source": "registry",
        "digest": D["a"],
        "guess": False,
    }
    assert first.patch is not None
    patched = merge_patch(obj, first.patch)
    spec = pod_spec(patched)
    assert spec["nodeSelector"] == {"disk": "ssd", "kubernetes.io/os": "windows"}  # our stale key left
    assert k8s.required_terms(spec) == [
        {"matchExpressions": [POOL, ours(ALL_BUILDS)]},
        {"matchExpressions": [ZONE, ours(ALL_BUILDS)]},
    ]
    assert first.after == k8s._scheduling(spec)
    again = plan(patched, {"images": {ORDERS: THREE_BUILDS}})
    assert (again.patch, again.before) == (None, first.after)


def test_the_nodes_the_affinity_admits_are_those_the_list_runs_on() -> None:
    first = plan(deployment([ORDERS]), {"images": {ORDERS: THREE_BUILDS}})
    spec = pod_spec(merge_patch(deployment([ORDERS]), first.patch))
    admitted = {n.version.build for n in NODES if n.version and k8s.node_allowed(spec, {**n.labels}, {})}
    labelled = {n.version.build for n in NODES if n.version and KEY in n.labels}
    assert admitted == {17763, 20348, 26100} & labelled  # 14393 and 19041: containerd pulls nothing that runs


def test_a_list_serving_one_build_goes_back_to_the_node_selector() -> None:
    three = merge_patch(
        deployment([ORDERS], {"affinity": {}}), plan(deployment([ORDERS]), {ORDERS: THREE_BUILDS}).patch
    )
    one = plan(three, {"images": {ORDERS: ONLY_2019}})
    assert (one.builds, one.build) == ([17763], 17763)
    spec = pod_spec(merge_patch(three, one.patch))
    assert spec["nodeSelector"] == {"kubernetes.io/os": "windows", KEY: "10.0.17763"}
    assert k8s.required_terms(spec) == []  # the term was ours alone
    assert spec["affinity"] == {"nodeAffinity": {}}
    assert plan(merge_patch(three, one.patch), {ORDERS: ONLY_2019}).patch is None


def test_a_list_no_node_runs_is_skipped_with_a_finding() -> None:
    skipped = plan(deployment([ORDERS], {"nodeSelector": {KEY: "10.0.17763"}}), {"images": {ORDERS: UNFIT}})
    assert skipped.patch is None and skipped.skipped is not None
    assert "no Windows node build of the cluster (14393, 17763, 19041, 20348, 26100)" in skipped.skipped
    assert [(f["check"], f["severity"], f["image"]) for f in skipped.findings] == [
        ("no_node_runs_image", "high", ORDERS)
    ]
    assert skipped.after == skipped.before


def test_a_single_manifest_gets_the_registry_build_not_the_tag() -> None:
    tagged = "registry.example/shop/app:1.0-ltsc2019"  # the tag says 2019, the registry says 2022
    for image, expected in ((APP, None), (tagged, "10.0.17763")):
        assert plan(deployment([image]), None).after["nodeSelector"].get(KEY) == expected
        read = plan(deployment([image]), {"images": {image: SINGLE_2022}})
        assert read.after["nodeSelector"][KEY] == "10.0.20348"
        assert read.images[0].as_dict() == {
            "image": image,
            "version": "10.0.20348.2966",
            "source": "registry",
            "digest": D["c"],
            "guess": False,
        }


@pytest.mark.parametrize(
    ("single", "builds", "skipped"),
    [(SINGLE_2022, [20348], False), (image_result(D["e"], "x", [platform("10.0.19041.1", D["e"])]), [], True)],
)
def test_a_list_beside_a_single_manifest_needs_a_node_both_run_on(
    single: dict[str, Any], builds: list[int], skipped: bool
) -> None:
    both = plan(deployment([ORDERS, APP]), {"images": {ORDERS: THREE_BUILDS, APP: single}})
    assert (both.builds, both.skipped is not None) == (builds, skipped)
    if builds:
        assert both.after["nodeSelector"][KEY] == "10.0.20348"


def test_a_build_given_for_the_image_wins_over_its_list() -> None:
    given = k8s.plan_workload(
        deployment([ORDERS]), "Deployment", k8s.SelectorOptions(), {ORDERS: "ltsc2022"}, THREE_BUILDS
    )
    assert (given.builds, given.images[0].source) == ([20348], "given")


def test_runtime_class_mode_skips_a_list_of_several_builds() -> None:
    options = k8s.SelectorOptions(mode="runtime_class")
    several = plan(deployment([ORDERS]), {ORDERS: THREE_BUILDS}, options)
    assert several.patch is None and "RuntimeClass selects one build" in str(several.skipped)
    one = plan(deployment([ORDERS]), {ORDERS: ONLY_2019}, options)
    assert one.patch == {"spec": {"template": {"spec": {"runtimeClassName": "windows-ltsc2019"}}}}


def test_release_label_values_in_the_expression() -> None:
    options = k8s.SelectorOptions(selector_label=k8s.DEFAULT_RELEASE_LABEL)
    release = plan(deployment([ORDERS]), {ORDERS: THREE_BUILDS}, options)
    terms = release.after["nodeSelectorTerms"]
    assert terms == [
        {
            "matchExpressions": [
                {"key": k8s.DEFAULT_RELEASE_LABEL, "operator": "In", "values": ["ltsc2019", "ltsc2022", "ltsc2025"]}
            ]
        }
    ]
