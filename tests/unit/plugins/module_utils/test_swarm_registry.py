"""swarm_compat_info's planning with registry facts: the entry each node pulls, and where every build came from."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import swarm as sw
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import OCI_INDEX, image_result
from registry_samples import THREE_BUILDS, D, platform

ORDERS = "contoso/orders:2024.11.3"


TWO_BUILDS = image_result(D["e"], OCI_INDEX, [platform("10.0.20348.2966", D["c"]), platform("10.0.26100.2605", D["d"])])


def raw_node(node_id: str, hostname: str, version: str) -> dict[str, Any]:
    return {
        "ID": node_id,
        "Version": {"Index": 1},
        "Spec": {"Labels": {"OS": "windows", "OsVersion": version}, "Role": "worker", "Availability": "active"},
        "Description": {"Hostname": hostname, "Platform": {"OS": "windows", "Architecture": "x86_64"}},
        "Status": {"State": "ready"},
    }


FLEET = sw.fleet_versions(
    [
        sw.parse_node(raw_node("n19", "win2019-01", "10.0.17763")),
        sw.parse_node(raw_node("n22", "win2022-01", "10.0.20348")),
        sw.parse_node(raw_node("n25", "win2025-01", "10.0.26100")),
    ]
)


def service(image: str) -> sw.ServiceView:
    spec = {
        "Name": "orders",
        "TaskTemplate": {"ContainerSpec": {"Image": image}, "Placement": {"Constraints": ["node.labels.OS==windows"]}},
        "Mode": {"Replicated": {"Replicas": 3}},
    }
    return sw.parse_service({"ID": "s1", "Version": {"Index": 5}, "Spec": spec})


def test_each_node_pulls_its_own_build_of_a_three_build_list() -> None:
    report, findings = sw.service_report(service(ORDERS), [], FLEET, registry={"images": {ORDERS: THREE_BUILDS}})
    pulled = {p["hostname"]: (p["os_version"], p["digest"]) for p in report["pulls"]}
    assert pulled == {
        "win2019-01": ("10.0.17763.6659", D["b"]),
        "win2022-01": ("10.0.20348.2966", D["c"]),
        "win2025-01": ("10.0.26100.2605", D["d"]),
    }
    assert (report["image_source"], report["image_digest"], report["image_build_guess"]) == ("registry", D["a"], False)
    assert [f["check"] for f in findings] == ["service_not_converged"]
    assert findings[0]["image_source"] == "registry" and findings[0]["image_digest"] == D["a"]


def test_no_matching_manifest_is_predicted_before_deploying() -> None:
    image = f"{ORDERS}@{D['e']}"  # as Swarm pins a service image
    report, findings = sw.service_report(service(image), [], FLEET, registry={"images": {ORDERS: TWO_BUILDS}})
    missing = [f for f in findings if f["check"] == "no_matching_manifest"]
    assert [f["host"] for f in missing] == ["win2019-01"]
    assert "no matching manifest for windows/amd64 10.0.17763" in missing[0]["message"]
    assert "ltsc2019" in missing[0]["fix"] and missing[0]["image_source_label"] == f"registry {D['e']}"
    assert [p["no_matching_manifest"] is not None for p in report["pulls"]] == [True, False, False]


def test_a_registry_build_replaces_the_tag_guess() -> None:
    single = image_result(D["c"], "application/vnd.oci.image.manifest.v1+json", [platform("10.0.20348.2966", D["c"])])
    image = "contoso/web:1-ltsc2019"  # the tag says 2019, the registry says the image is a 2022 build
    guessed, guessed_findings = sw.service_report(service(image), [], FLEET)
    read, read_findings = sw.service_report(service(image), [], FLEET, registry={"images": {image: single}})
    assert (guessed["image_version"], guessed["image_source"], guessed["image_build_guess"]) == (
        "10.0.17763",
        "tag",
        True,
    )
    assert (read["image_version"], read["image_source"], read["image_digest"]) == (
        "10.0.20348.2966",
        "registry",
        D["c"],
    )
    assert guessed_findings[0]["image_source_label"] == "tag (guess)"
    mismatch = next(f for f in read_findings if f["check"] == "image_build_mismatch")
    assert "win2019-01" in mismatch["hosts"] and "win2022-01" not in mismatch["hosts"]


# --- swarm_service_placement: a manifest-list image is placed by the builds its entries serve ---------------
NODES = [sw.parse_windows_version(v) for v in ("10.0.14393", "10.0.17763", "10.0.20348", "10.0.26100")]
PARAMS = {"isolation": "auto", "os_label": "OS", "version_label": "OsVersion", "version_format": "major.minor.build"}


def placed(image: str, registry: Any, isolation: str = "", given: Any = None, **params: Any) -> sw.PlacementPlan:
    svc = service(image)
    svc.constraints = ["node.labels.OsVersion==10.0.17763", "node.labels.zone==eu"]
    target = sw.Placement(svc, given, isolation)
    return sw.plan_target(target, NODES, {**PARAMS, "registry": registry, **params})


@pytest.mark.parametrize(
    ("listed", "excluded", "served"),
    [
        (THREE_BUILDS, ["10.0.14393"], "10.0.17763, 10.0.20348, 10.0.26100"),
        (TWO_BUILDS, ["10.0.14393", "10.0.17763"], "10.0.20348, 10.0.26100"),
    ],
)
def test_a_manifest_list_is_placed_by_the_builds_its_entries_serve(
    listed: dict[str, Any], excluded: list[str], served: str
) -> None:
    plan = placed(ORDERS, {"images": {ORDERS: listed}})
    assert plan.constraints == [
        "node.labels.zone==eu",  # not ours: kept
        "node.labels.OS==windows",
        *(f"node.labels.OsVersion!={build}" for build in excluded),
    ]
    assert plan.isolation == "process"
    assert plan.reason.startswith(f"manifest list: process isolation on nodes with OsVersion {served} (no entry runs")


@pytest.mark.parametrize(
    ("registry", "isolation", "given", "expected"),
    [
        (
            None,
            "",
            "ltsc2022",
            ["node.labels.OsVersion==10.0.20348", "node.labels.zone==eu", "node.labels.OS==windows"],
        ),
        ({"images": {ORDERS: THREE_BUILDS}}, "", "ltsc2022", None),  # a given build wins over the list
        ({"images": {ORDERS: THREE_BUILDS}}, "hyperv", None, "skipped"),  # Hyper-V: not placed by the list
    ],
)
def test_the_list_is_used_only_without_a_given_build_or_hyperv(
    registry: Any, isolation: str, given: Any, expected: Any
) -> None:
    params = {
        **PARAMS,
        "registry": registry,
        "services": [{"name": "orders", "image_version": given, "isolation": isolation or None}],
    }
    svc = service(ORDERS)
    svc.constraints = ["node.labels.OsVersion==10.0.17763", "node.labels.zone==eu"]
    kept, skipped = sw.placement_targets(params, [svc])
    if expected == "skipped":
        assert list(skipped) == ["orders"] and kept == []
        return
    plan = sw.plan_target(kept[0], NODES, params)
    if expected is None:
        assert plan.constraints[0] == "node.labels.OsVersion==10.0.20348"
        return
    assert plan.constraints == expected


def test_a_tag_naming_no_build_is_placed_when_the_registry_has_its_list() -> None:
    params = {**PARAMS, "services": [], "registry": {"images": {ORDERS: THREE_BUILDS}}}
    kept, skipped = sw.placement_targets(params, [service(ORDERS)])
    assert (len(kept), skipped) == (1, {})
    without, skipped = sw.placement_targets({**params, "registry": None}, [service(ORDERS)])
    assert without == [] and "names no Windows build" in skipped["orders"]


def test_a_single_manifest_is_placed_by_the_build_of_its_config() -> None:
    app = "registry.example/app:2024.11.3"  # the tag names no build; the image config says 10.0.20348.2966
    single = image_result(D["c"], "application/vnd.oci.image.manifest.v1+json", [platform("10.0.20348.2966", D["c"])])
    params = {**PARAMS, "services": [], "registry": {"images": {app: single}}}
    kept, skipped = sw.placement_targets(params, [service(app)])
    assert (len(kept), skipped) == (1, {})
    plan = sw.plan_target(kept[0], NODES, params)
    assert plan.constraints == ["node.labels.OS==windows", "node.labels.OsVersion==10.0.20348"]
    assert sw.service_image_source(app, None, params["registry"])["source"] == "registry"
    tagged = "registry.example/app:1.0-ltsc2019"  # a tag that guesses wrong loses to the registry
    plan = sw.plan_target(sw.Placement(service(tagged), None, "auto"), NODES, {**params, "registry": {tagged: single}})
    assert "node.labels.OsVersion==10.0.20348" in plan.constraints
    _kept, skipped = sw.placement_targets({**params, "registry": None}, [service(app)])
    assert "names no Windows build" in skipped["orders"]


def test_a_list_under_hyperv_is_skipped_naming_its_builds() -> None:
    params = {**PARAMS, "services": [{"name": "orders", "isolation": "hyperv"}], "registry": {ORDERS: THREE_BUILDS}}
    _kept, skipped = sw.placement_targets(params, [service(ORDERS)])
    assert "manifest list (10.0.17763.6659, 10.0.20348.2966, 10.0.26100.2605)" in skipped["orders"]
