"""Pure planning of the Kubernetes modules, on nodes recorded from real clusters."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import k8s
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import OCI_INDEX, image_result
from ansible_collections.wincontainers.compat.plugins.module_utils.version import WindowsVersion, parse_windows_version
from registry_samples import D, platform

FIXTURES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "k8s_nodes" / "windows_nodes.json"
RECORDED = json.loads(FIXTURES.read_text())["nodes"]


def node(fixture: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metadata": {
            "name": fixture["name"],
            "labels": {**fixture["labels"], **(labels or {})},
            "resourceVersion": "7",
        },
        "status": {"nodeInfo": copy.deepcopy(fixture["nodeInfo"])},
    }


@pytest.mark.parametrize("fixture", RECORDED, ids=[f["name"] for f in RECORDED])
def test_node_version_from_recorded_node_info(fixture: dict[str, Any]) -> None:
    found = k8s.node_version(node(fixture))
    assert found.version is not None
    assert (found.version.build, found.version.revision) == (fixture["expect"]["build"], fixture["expect"]["revision"])
    assert found.source == "nodeInfo"
    assert k8s.release_label_value(found.version.build) == fixture["expect"]["release"]
    assert k8s.is_windows_node(node(fixture))


def test_every_node_info_field_is_recorded() -> None:
    fields = {
        "architecture",
        "bootID",
        "containerRuntimeVersion",
        "kernelVersion",
        "kubeProxyVersion",
        "kubeletVersion",
        "machineID",
        "operatingSystem",
        "osImage",
        "systemUUID",
    }
    for fixture in RECORDED:
        assert set(fixture["nodeInfo"]) == fields, fixture["name"]
        assert fixture["source"].startswith(("http", "kernelVersion")), fixture["name"]


@pytest.mark.parametrize(
    ("version", "fmt", "expected"),
    [
        (WindowsVersion(10, 0, 14393, 1715), "auto", "14393.1715"),
        (WindowsVersion(10, 0, 14393), "auto", None),
        (WindowsVersion(10, 0, 17763, 1397), "auto", "17763"),
        (WindowsVersion(10, 0, 17763, 1397), "build", "17763"),
        (WindowsVersion(10, 0, 17763, 1397), "build.revision", "17763.1397"),
        (WindowsVersion(10, 0, 17763), "build.revision", None),
        (WindowsVersion(10, 0, 20348, 825), "major.minor.build", "10.0.20348"),
        (WindowsVersion(10, 0, 20348, 825), "version", "10.0.20348.825"),
    ],
)
def test_osbuild_value(version: WindowsVersion, fmt: str, expected: str | None) -> None:
    assert k8s.osbuild_value(version, fmt) == expected


def test_osbuild_value_rejects_unknown_format() -> None:
    with pytest.raises(OptionError, match="osbuild_format must be one of"):
        k8s.osbuild_value(WindowsVersion(10, 0, 17763), "kb")


def test_plan_sets_only_owned_labels_and_is_idempotent() -> None:
    fixture = next(f for f in RECORDED if f["name"] == "worker-win-2")
    current = node(fixture, {"team": "blue", k8s.DEFAULT_OSBUILD_LABEL: "14393.1715"})
    plan = k8s.plan_node(current, k8s.LabelOptions())
    assert plan.changes == {k8s.DEFAULT_OSBUILD_LABEL: "17763", k8s.DEFAULT_RELEASE_LABEL: "ltsc2019"}
    assert plan.diff()["before"] == {k8s.DEFAULT_OSBUILD_LABEL: "14393.1715"}
    assert k8s.merge_patch_labels(plan.changes, plan.resource_version) == {
        "metadata": {"labels": plan.changes, "resourceVersion": "7"}
    }
    current["metadata"]["labels"].update(plan.changes)
    again = k8s.plan_node(current, k8s.LabelOptions())
    assert again.changes == {}
    assert current["metadata"]["labels"]["team"] == "blue"


def test_plan_reports_missing_revision_and_leaves_label_alone() -> None:
    fixture = next(f for f in RECORDED if f["name"] == "win2016-buildlab")
    plan = k8s.plan_node(node(fixture, {k8s.DEFAULT_OSBUILD_LABEL: "14393.1000"}), k8s.LabelOptions())
    assert k8s.DEFAULT_OSBUILD_LABEL not in plan.changes
    assert plan.changes == {k8s.DEFAULT_RELEASE_LABEL: "ltsc2016"}
    assert {f["check"] for f in plan.findings} == {"node_revision_unknown", "windows_build_label_missing"}


@pytest.mark.parametrize(
    ("facts", "source", "revision", "problem"),
    [
        ({"wincontainers_host": {"version": "10.0.14393.1715"}}, "host_facts", 1715, False),
        ({"version": {"major": 10, "minor": 0, "build": 14393, "revision": 2214}}, "host_facts", 2214, False),
        ("10.0.14393.1770", "host_facts", 1770, False),
        ("10.0.17763.1397", "nodeInfo", None, True),
        ("not a version", "nodeInfo", None, True),
    ],
)
def test_host_facts_supply_the_revision(facts: Any, source: str, revision: int | None, problem: bool) -> None:
    fixture = next(f for f in RECORDED if f["name"] == "win2016-k19")
    found = k8s.node_version(node(fixture), facts)
    assert (found.source, found.version.revision if found.version else None) == (source, revision)
    assert bool(found.problem) is problem


def test_node_reported_revision_beats_facts_with_another_revision() -> None:
    fixture = next(f for f in RECORDED if f["name"] == "worker-win-2")
    found = k8s.node_version(node(fixture), "10.0.17763.1000")
    assert (found.version, found.source) == (WindowsVersion(10, 0, 17763, 1397), "nodeInfo")


def test_kubelet_label_mismatch_is_reported() -> None:
    fixture = next(f for f in RECORDED if f["name"] == "worker-win-2")
    plan = k8s.plan_node(node(fixture, {k8s.WINDOWS_BUILD_LABEL: "10.0.20348"}), k8s.LabelOptions())
    assert [f["check"] for f in plan.findings] == ["windows_build_label_mismatch"]
    assert plan.findings[0]["severity"] == "high"


def test_wrong_version_labels_are_those_kubelet_or_k8s_node_labels_would_not_set() -> None:
    labels = {
        k8s.WINDOWS_BUILD_LABEL: "10.0.14393",
        k8s.DEFAULT_OSBUILD_LABEL: "14393",
        k8s.DEFAULT_RELEASE_LABEL: "ltsc2016",
        "contoso.com/build": "1607",
    }
    keys = [*labels, "contoso.com/absent"]
    wrong = k8s.wrong_version_labels(labels, parse_windows_version("10.0.14393.7606"), keys)
    assert [(w.key, w.expected) for w in wrong] == [
        (k8s.DEFAULT_OSBUILD_LABEL, ("14393.7606",)),  # osbuild_format auto: 2016 containers need the revision
        ("contoso.com/build", ("14393", "14393.7606", "10.0.14393", "10.0.14393.7606", "ltsc2016")),
    ]
    # without the revision the owned osbuild label cannot be computed, so it is not judged
    unknown_revision = k8s.wrong_version_labels(labels, parse_windows_version("10.0.14393"), keys)
    assert [w.key for w in unknown_revision] == ["contoso.com/build"]


@pytest.mark.parametrize("key", ["", "a/", "-x", "UPPER_/x", "a" * 64, "bad prefix/x"])
def test_label_keys_are_validated(key: str) -> None:
    with pytest.raises(OptionError, match="label key"):
        k8s.check_label_key(key)


def deployment(images: list[str], selector: dict[str, str] | None = None, kind: str = "Deployment") -> dict:
    spec: dict[str, Any] = {"containers": [{"name": f"c{i}", "image": im} for i, im in enumerate(images)]}
    if selector is not None:
        spec["nodeSelector"] = selector
    template = {"spec": spec}
    body: dict[str, Any] = {"metadata": {"namespace": "apps", "name": "web"}}
    body["spec"] = {"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" else {"template": template}
    return body


def test_workload_selector_keeps_other_keys() -> None:
    obj = deployment(["mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019"], {"pool": "win"})
    plan = k8s.plan_workload(obj, "Deployment", k8s.SelectorOptions(), {})
    wanted = {"kubernetes.io/os": "windows", k8s.WINDOWS_BUILD_LABEL: "10.0.17763"}
    assert plan.patch == {"spec": {"template": {"spec": {"nodeSelector": wanted}}}}
    assert plan.after["nodeSelector"] == {
        "pool": "win",
        "kubernetes.io/os": "windows",
        k8s.WINDOWS_BUILD_LABEL: "10.0.17763",
    }


def test_workload_selector_on_cronjob_and_osbuild_label_needs_revision_on_2016() -> None:
    options = k8s.SelectorOptions(selector_label=k8s.DEFAULT_OSBUILD_LABEL)
    ok = k8s.plan_workload(
        deployment(["mcr.microsoft.com/windows/servercore:10.0.14393.1715"], kind="CronJob"), "CronJob", options, {}
    )
    assert ok.patch is not None
    assert ok.patch["spec"]["jobTemplate"]["spec"]["template"]["spec"]["nodeSelector"] == {
        "kubernetes.io/os": "windows",
        k8s.DEFAULT_OSBUILD_LABEL: "14393.1715",
    }
    obj = deployment(["mcr.microsoft.com/windows/servercore:ltsc2016"])
    unknown = k8s.plan_workload(obj, "Deployment", options, {})
    assert unknown.patch is None
    assert [f["check"] for f in unknown.findings] == ["image_revision_unknown"]


def test_mixed_builds_are_reported_not_changed() -> None:
    obj = deployment(["mcr.microsoft.com/windows/nanoserver:1809", "mcr.microsoft.com/windows/servercore:ltsc2022"])
    plan = k8s.plan_workload(obj, "Deployment", k8s.SelectorOptions(), {})
    assert plan.patch is None
    assert plan.findings[0]["check"] == "mixed_image_builds"
    assert plan.findings[0]["severity"] == "critical"


def test_given_builds_and_unknown_images() -> None:
    obj = deployment(["registry.example.com/shop/web:2.4.1"])
    linux = k8s.plan_workload(obj, "Deployment", k8s.SelectorOptions(), {})
    assert (linux.windows, linux.patch, linux.findings) == (False, None, [])
    windows_obj = deployment(["registry.example.com/shop/web:2.4.1"], {"kubernetes.io/os": "windows"})
    unknown = k8s.plan_workload(windows_obj, "Deployment", k8s.SelectorOptions(), {})
    assert unknown.windows and unknown.patch is None
    assert unknown.findings[0]["check"] == "image_build_unknown"
    given = k8s.plan_workload(obj, "Deployment", k8s.SelectorOptions(), {"registry.example.com/shop/web": "ltsc2022"})
    assert given.patch is not None
    assert given.after["nodeSelector"][k8s.WINDOWS_BUILD_LABEL] == "10.0.20348"


def test_runtime_class_mode_sets_class_name_only() -> None:
    obj = deployment(["mcr.microsoft.com/windows/servercore:ltsc2025"], {"pool": "win"})
    plan = k8s.plan_workload(obj, "Deployment", k8s.SelectorOptions(mode="runtime_class"), {})
    assert plan.patch == {"spec": {"template": {"spec": {"runtimeClassName": "windows-ltsc2025"}}}}


def test_runtime_classes_per_build_and_hyperv_pairs() -> None:
    wanted = k8s.desired_runtime_classes([17763, 20348, 17763], hyperv_image_builds=[17763])
    assert sorted(wanted) == [
        "windows-ltsc2019",
        "windows-ltsc2019-hyperv-ltsc2019",
        "windows-ltsc2019-hyperv-ltsc2022",
        "windows-ltsc2022",
    ]
    rc = wanted["windows-ltsc2022"]
    assert rc["handler"] == "runhcs-wcow-process"
    assert rc["scheduling"]["nodeSelector"] == {"kubernetes.io/os": "windows", k8s.WINDOWS_BUILD_LABEL: "10.0.20348"}
    assert rc["scheduling"]["tolerations"] == [k8s.WINDOWS_TOLERATION]
    assert wanted["windows-ltsc2019-hyperv-ltsc2022"]["handler"] == "runhcs-wcow-hypervisor-17763"
    assert k8s.runtime_class_action(None, rc) == "create"
    assert k8s.runtime_class_action(rc, rc) is None
    assert k8s.runtime_class_action({**rc, "handler": "other"}, rc) == "replace"
    assert k8s.runtime_class_action({**rc, "scheduling": {}}, rc) == "patch"


@pytest.mark.parametrize(
    ("spec", "labels", "allowed"),
    [
        ({"nodeSelector": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"nodeSelector": {"a": "1"}}, {"a": "2"}, False),
        ({"runtimeClassName": "rc"}, {"os": "w"}, True),
        ({"runtimeClassName": "rc"}, {"os": "l"}, False),
        (
            {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {"matchExpressions": [{"key": "b", "operator": "In", "values": ["x"]}]},
                                {"matchExpressions": [{"key": "c", "operator": "Exists"}]},
                            ]
                        }
                    }
                }
            },
            {"c": ""},
            True,
        ),
        (
            {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {"matchExpressions": [{"key": "b", "operator": "NotIn", "values": ["x"]}]},
                            ]
                        }
                    }
                }
            },
            {"b": "x"},
            False,
        ),
    ],
)
def test_node_allowed(spec: dict, labels: dict, allowed: bool) -> None:
    classes = {"rc": {"scheduling": {"nodeSelector": {"os": "w"}}}}
    assert k8s.node_allowed(spec, labels, classes) is allowed


def test_pod_report_classifies_real_kubelet_event() -> None:
    # Recorded kubelet event: https://github.com/microsoft/Windows-Containers/issues/223
    cases = {c["name"]: c for c in _error_cases()}
    event = cases["kubelet event on a Windows Server 2019 node pulling an ltsc2022 image through containerd"]
    pod = {"metadata": {"namespace": "apps", "name": "web-1"}, "spec": {"nodeName": "n1"}, "status": {}}
    report, findings = k8s.pod_report(pod, [{"reason": "Failed", "message": event["text"]}])
    assert report is not None
    assert report["errors"][0]["class"] == event["expect"]["class"]
    assert findings[0]["check"] == f"pod_{event['expect']['class']}"
    assert findings[0]["host"] == "n1"


def test_pod_report_ignores_unrelated_failures() -> None:
    pod = {
        "metadata": {"namespace": "a", "name": "p"},
        "spec": {},
        "status": {
            "containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "ErrImagePull", "message": "x"}}}]
        },
    }
    assert k8s.pod_report(pod) == (None, [])


def _error_cases() -> list[dict[str, Any]]:
    import yaml

    path = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "container_errors" / "cases.yml"
    return list(yaml.safe_load(path.read_text()))


def test_extra_labels_and_kubelet_label_for_old_kubelets() -> None:
    fixture = next(f for f in RECORDED if f["name"] == "win2019-docker")  # kubelet v1.12: no windows-build label
    options = k8s.LabelOptions(
        osbuild_label=None, release_label=None, windows_build_label=k8s.WINDOWS_BUILD_LABEL, extra_labels={"tier": "w"}
    )
    plan = k8s.plan_node(node(fixture), options)
    assert plan.changes == {k8s.WINDOWS_BUILD_LABEL: "10.0.17763", "tier": "w"}
    with pytest.raises(OptionError, match="not a valid label value"):
        k8s.plan_node(node(fixture), k8s.LabelOptions(extra_labels={"tier": "bad value"}))


def test_linux_nodes_are_not_windows() -> None:
    linux = {"metadata": {"name": "l", "labels": {"kubernetes.io/os": "linux"}}, "status": {"nodeInfo": {}}}
    assert not k8s.is_windows_node(linux)
    assert k8s.windows_nodes([linux]) == []


def test_workload_report_hyperv_runtime_class_runs_older_images() -> None:
    nodes = k8s.windows_nodes([node(f) for f in RECORDED])
    classes = k8s.desired_runtime_classes([20348], hyperv_image_builds=[17763])
    obj = deployment(["mcr.microsoft.com/windows/servercore:ltsc2019"])
    obj["spec"]["template"]["spec"]["runtimeClassName"] = "windows-ltsc2019-hyperv-ltsc2022"
    report, findings = k8s.workload_report(obj, "Deployment", nodes, classes, {})
    assert report is not None
    assert report["isolation"] == "hyperv"
    ws2022 = sorted(f["name"] for f in RECORDED if f["expect"]["build"] == 20348)
    assert sorted(report["allowed_nodes"]) == ws2022
    assert sorted(report["runnable_nodes"]) == ws2022
    assert findings == []
    obj["spec"]["template"]["spec"]["runtimeClassName"] = "windows-ltsc2022"  # process isolation on 2022 hosts
    classes.update(k8s.desired_runtime_classes([20348]))
    report, findings = k8s.workload_report(obj, "Deployment", nodes, classes, {})
    assert report is not None and report["runnable_nodes"] == []
    assert [f["check"] for f in findings] == ["image_build_mismatch"]
    assert "ltsc2022" in findings[0]["fix"]


def _windows_node(name: str, version: str) -> k8s.WindowsNode:
    return k8s.WindowsNode(name, {"kubernetes.io/os": "windows"}, parse_windows_version(version))


def test_workload_report_predicts_the_entry_containerd_pulls_per_node() -> None:
    listed = image_result(
        D["a"], OCI_INDEX, [platform(v, D[d]) for v, d in (("10.0.20348.2966", "b"), ("10.0.26100.2605", "c"))]
    )
    nodes = [
        _windows_node(n, v)
        for n, v in (("w19", "10.0.17763.6659"), ("w22", "10.0.20348.3091"), ("w25", "10.0.26100.2894"))
    ]
    obj = deployment(["contoso/orders:2024.11.3"], {"kubernetes.io/os": "windows"})
    report, findings = k8s.workload_report(
        obj, "Deployment", nodes, {}, {}, registry={"images": {"contoso/orders:2024.11.3": listed}}
    )
    assert report is not None
    pulled = {p["node"]: (p["os_version"], p["digest"]) for p in report["pulls"]}
    assert pulled == {
        "w19": (None, None),
        "w22": ("10.0.20348.2966", D["b"]),
        "w25": ("10.0.26100.2605", D["c"]),
    }
    assert report["runnable_nodes"] == ["w22", "w25"] and list(report["blocked_nodes"]) == ["w19"]
    missing = [f for f in findings if f["check"] == "no_matching_manifest"]
    assert [f["host"] for f in missing] == ["w19"] and "ltsc2019" in missing[0]["fix"]
    assert {f["image_source"] for f in findings} == {"registry"}
    assert findings[0]["image_digest"] == D["a"] and findings[0]["image_build_guess"] is False
    assert report["images"][0]["source"] == "registry"


def test_workload_findings_mark_a_tag_build_as_a_guess() -> None:
    nodes = [_windows_node("w22", "10.0.20348.3091")]
    obj = deployment(["contoso/web:1-ltsc2019"], {"kubernetes.io/os": "windows"})
    report, findings = k8s.workload_report(obj, "Deployment", nodes, {}, {})
    assert report is not None and report["images"][0]["guess"] is True
    assert findings and all(f["image_source"] == "tag" and f["image_build_guess"] for f in findings)
    assert findings[0]["image_source_label"] == "tag (guess)"


@pytest.mark.parametrize("kind", ["Deployment", "CronJob"])
def test_workload_images_are_every_container_image_unless_pinned_to_linux(kind: str) -> None:
    obj = deployment(["contoso.azurecr.io/app:2024.11.3", "mcr.microsoft.com/windows/servercore:ltsc2022"], kind=kind)
    obj_spec = k8s.pod_spec_of(obj, kind)
    obj_spec["initContainers"] = [{"name": "init", "image": "contoso.azurecr.io/init:1"}, {"name": "noimage"}]
    obj = k8s.nest(k8s.pod_spec_path(kind), obj_spec)
    assert k8s.workload_images(obj, kind) == [
        "contoso.azurecr.io/init:1",
        "contoso.azurecr.io/app:2024.11.3",
        "mcr.microsoft.com/windows/servercore:ltsc2022",
    ]
    for label in (k8s.OS_LABEL, k8s.BETA_OS_LABEL):
        pinned = deployment(["nginx:1.27"], {label: "linux"}, kind=kind)
        assert k8s.workload_images(pinned, kind) == []
    assert k8s.workload_images(deployment(["nginx:1.27"], {k8s.OS_LABEL: "windows"}, kind=kind), kind) == ["nginx:1.27"]
