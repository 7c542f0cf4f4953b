"""swarm_compat_info's planning with registry facts: the entry each node pulls, and where every build came from."""

from __future__ import annotations

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils import swarm as sw
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import OCI_INDEX, image_result

D = {name: "sha256:" + name * 64 for name in "abcde"}
ORDERS = "contoso/orders:2024.11.3"


def platform(version: str, digest: str) -> dict[str, Any]:
    return {"os": "windows", "architecture": "amd64", "variant": None, "os_version": version, "digest": digest}


THREE_BUILDS = image_result(
    D["a"],
    OCI_INDEX,
    [platform("10.0.17763.6659", D["b"]), platform("10.0.20348.2966", D["c"]), platform("10.0.26100.2605", D["d"])],
)
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
