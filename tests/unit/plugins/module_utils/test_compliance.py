"""Compliance checks: each check table-driven on small facts, then the whole example fleet and its fixed twin."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any, Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import compliance as c
from ansible_collections.wincontainers.compat.plugins.module_utils import swarm
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    image_result,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import image_windows_version
from registry_samples import D, platform

ROOT = Path(__file__).resolve().parents[4]
STATE = ROOT / "examples" / "fleet" / "state"
TODAY = datetime.date(2026, 11, 28)


def facts(
    version: str,
    *,
    kind: str = "server",
    isolation: Optional[str] = "process",
    containers: tuple[tuple[str, str, str], ...] = (),
    node_id: Optional[str] = None,
) -> dict[str, Any]:
    """Minimal ``wincontainers_host`` facts: version, kind, engine, running containers (name, image@os, isolation)."""
    return {
        "version": {"version": version},
        "host_kind": kind,
        "docker": {
            "installed": isolation is not None,
            "running": isolation is not None,
            "default_isolation": isolation,
            "swarm": {"node_id": node_id},
        },
        "containers": [
            {"name": name, "image": image.split("@")[0], "image_os_version": image.split("@")[1], "isolation": iso}
            for name, image, iso in containers
        ],
    }


def checks_of(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((f["check"], f["severity"], f.get("host") or "-") for f in findings)


def run(hosts: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    policy = kwargs.pop("policy", None) or c.Policy(today=TODAY)
    return c.evaluate(hosts, policy=policy, **kwargs)


# ------------------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("ref", "build"),
    [
        ("mcr.microsoft.com/windows/servercore:ltsc2022", 20348),
        ("mcr.microsoft.com/windows/nanoserver:1809", 17763),
        ("contoso/web:2.3-ltsc2019", 17763),
        ("mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019", 17763),
        ("registry.local:5000/app:10.0.20348.2966", 20348),
        ("contoso/agent:latest", None),
        ("contoso/agent", None),
        ("registry.local:5000/app", None),
    ],
)
def test_reference_version(ref: str, build: Optional[int]) -> None:
    found = image_windows_version(ref)  # the one owner of the question, beside parse_image_reference
    assert (found.build if found else None) == build


@pytest.mark.parametrize(
    ("ref", "unpinned"),
    [
        ("contoso/agent:latest", True),
        ("contoso/agent:LATEST", True),
        ("contoso/agent", True),
        ("registry.local:5000/agent", True),
        ("registry.local:5000/agent:1.2", False),
        ("contoso/agent@sha256:" + "a" * 64, False),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", False),
    ],
)
def test_is_unpinned(ref: str, unpinned: bool) -> None:
    assert c.is_unpinned(ref, ("latest",)) is unpinned


@pytest.mark.parametrize(
    ("constraints", "allowed"),
    [
        ([], True),
        (["node.platform.os==windows"], True),
        (["node.platform.os==linux"], False),
        (["node.labels.OsVersion==10.0.17763"], True),
        (["node.labels.OsVersion == 10.0.17763"], True),
        (["node.labels.OsVersion!=10.0.17763"], False),
        (["node.labels.osversion==10.0.17763"], False),  # label keys are case-sensitive
        (["node.labels.team==PAYMENTS"], True),  # values compare without case, as Swarm does
        (["node.labels.missing==x"], False),
        (["node.labels.missing!=x"], True),
        (["node.role==manager"], False),
        (["engine.labels.whatever==1"], True),  # not in the node entry: cannot rule the node out
    ],
)
def test_swarm_constraint_allows(constraints: list[str], allowed: bool) -> None:
    """Compliance evaluates a recorded node entry with the Swarm planner's ``constraints_allow``."""
    node = {
        "id": "n1",
        "hostname": "WIN2019-01",
        "role": "worker",
        "os": "windows",
        "labels": {"OsVersion": "10.0.17763", "team": "payments"},
    }
    planned, unknown = c.swarm_node(node)
    assert swarm.constraints_allow(constraints, planned, unknown) is allowed


def test_make_policy_validates_and_names_the_option() -> None:
    assert c.make_policy({"isolation": "auto", "today": "2026-11-28"}).today == TODAY
    with pytest.raises(OptionError, match="isolation must be one of"):
        c.make_policy({"isolation": "sometimes"})
    assert c.make_policy({"swarm_version_format": "build"}).swarm_version_format == "build"
    with pytest.raises(OptionError, match=r"swarm_version_format must be one of major\.minor\.build, build, version"):
        c.make_policy({"swarm_version_format": "10.0"})
    with pytest.raises(OptionError, match="today must be a date"):
        c.make_policy({"today": "tomorrow"})
    with pytest.raises(OptionError, match="severity must be one of"):
        c.at_or_above([], "urgent")


def test_at_or_above() -> None:
    items = [{"severity": s} for s in c.SEVERITIES]
    assert [f["severity"] for f in c.at_or_above(items, "high")] == ["critical", "high"]
    assert c.at_or_above(items, None) == []
    assert len(c.at_or_above(items, "info")) == 5


# ------------------------------------------------------------------------------------------- host checks


@pytest.mark.parametrize(
    ("host", "container", "expected"),
    [
        # process isolation needs the same build
        ("10.0.17763.6659", ("web", "contoso/web:1-ltsc2019@10.0.17763.6659", "process"), []),
        ("10.0.17763.6659", ("api", "contoso/api:1-ltsc2022@10.0.20348.2966", "process"), ["container_compat"]),
        ("10.0.20348.2966", ("web", "contoso/web:1-ltsc2019@10.0.17763.6659", "process"), ["container_compat"]),
        # Hyper-V isolation runs same or older builds, not newer ones
        ("10.0.20348.2966", ("web", "contoso/web:1-ltsc2019@10.0.17763.6659", "hyperv"), []),
        ("10.0.17763.6659", ("api", "contoso/api:1-ltsc2022@10.0.20348.2966", "hyperv"), ["container_compat"]),
        # Windows Server 2016: process isolation needs the same update revision
        ("10.0.14393.7606", ("iis", "iis:ltsc2016@10.0.14393.7515", "process"), ["container_compat"]),
        ("10.0.14393.7606", ("api", "api:3-ltsc2016@10.0.14393.7606", "process"), []),
        # a newer revision than the host, same build, process isolation
        ("10.0.17763.6659", ("r", "servercore:ltsc2019@10.0.17763.6775", "process"), ["image_revision"]),
        ("10.0.17763.6659", ("r", "servercore:ltsc2019@10.0.17763.6775", "hyperv"), []),
        ("10.0.17763.6775", ("r", "servercore:ltsc2019@10.0.17763.6659", "process"), []),
    ],
)
def test_container_checks(host: str, container: tuple[str, str, str], expected: list[str]) -> None:
    report = run({"h": facts(host, containers=(container,))})
    found = [f["check"] for f in report["findings"] if f["check"] in ("container_compat", "image_revision")]
    assert found == expected
    for item in report["findings"]:
        assert item["host"] == "h" and item["fix"] and item["message"]


@pytest.mark.parametrize(
    ("host", "image", "base", "alternative"),
    [
        ("10.0.17763.6659", "contoso/api:1-ltsc2022@10.0.20348.2966", "servercore:ltsc2019", "a host of its own build"),
        (
            "10.0.20348.2966",
            "contoso/web:1-ltsc2019@10.0.17763.6659",
            "servercore:ltsc2022",
            "--isolation=hyperv on this",
        ),
        ("10.0.14393.7606", "iis:ltsc2016@10.0.14393.7515", "servercore:10.0.14393.7606", "--isolation=hyperv on this"),
    ],
)
def test_container_compat_is_critical_and_names_the_fix(host: str, image: str, base: str, alternative: str) -> None:
    report = run({"h": facts(host, containers=(("app", image, "process"),))})
    item = next(f for f in report["findings"] if f["check"] == "container_compat")
    assert item["severity"] == "critical" and item["subject"] == "container app"
    assert base in item["fix"] and alternative in item["fix"]


@pytest.mark.parametrize(
    ("host", "target", "container", "breaks"),
    [
        ("10.0.14393.7606", "10.0.14393.7699", ("a", "a:1@10.0.14393.7606", "process"), True),
        ("10.0.17763.6659", "10.0.17763.6775", ("a", "a:1@10.0.17763.6659", "process"), False),
        ("10.0.17763.6659", "10.0.20348", ("a", "a:1@10.0.17763.6659", "process"), True),  # in-place upgrade
        ("10.0.17763.6659", "10.0.20348", ("a", "a:1@10.0.17763.6659", "hyperv"), False),
        ("10.0.14393.7606", "10.0.14393.7699", ("a", "a:1@10.0.14393.7515", "process"), False),  # already broken
    ],
)
def test_update_impact(host: str, target: str, container: tuple[str, str, str], breaks: bool) -> None:
    report = run({"h": facts(host, containers=(container,))}, targets={"h": target})
    impact = [f for f in report["findings"] if f["check"] == "update_impact"]
    assert bool(impact) is breaks
    if breaks:
        assert impact[0]["severity"] == "high" and target in impact[0]["message"]
    assert {"suite": "hosts", "subject": "h", "check": "update_impact"} in report["checks"]


@pytest.mark.parametrize(
    ("policy", "isolation", "containers", "finding"),
    [
        ("any", "hyperv", (), False),
        ("process", "process", (), False),
        ("process", "hyperv", (), True),
        ("hyperv", "process", (), True),
        ("auto", "process", (("a", "a:1@10.0.17763.6659", "process"),), False),
        ("auto", "process", (("a", "a:1@10.0.14393.7606", "hyperv"),), True),
        ("auto", "hyperv", (("a", "a:1@10.0.17763.6659", "process"),), True),
    ],
)
def test_daemon_isolation(policy: str, isolation: str, containers: tuple, finding: bool) -> None:
    report = run(
        {"h": facts("10.0.17763.6659", isolation=isolation, containers=containers)},
        policy=c.Policy(today=TODAY, isolation=policy),
    )
    assert any(f["check"] == "daemon_isolation" for f in report["findings"]) is finding


@pytest.mark.parametrize(
    ("host", "kind", "image", "wanted"),
    [
        ("10.0.14393.7606", "server", "10.0.14393.7515", "hyperv"),  # same build, another 2016 revision
        ("10.0.14393.7606", "server", "10.0.14393.7606", "process"),
        ("10.0.22631.4602", "client", "10.0.20348.2966", "hyperv"),  # preview on Windows 11
        ("10.0.26100.2605", "server", "10.0.20348.2966", "process"),  # previous LTSC on Windows Server 2025
    ],
)
def test_auto_wants_what_the_core_rule_of_the_role_decides(host: str, kind: str, image: str, wanted: str) -> None:
    """Not "another build": the core's auto_isolation, which the role daemon_isolation applies too."""
    other = "process" if wanted == "hyperv" else "hyperv"
    host_facts = facts(host, kind=kind, isolation=other, containers=(("a", f"a:1@{image}", wanted),))
    report = run({"h": host_facts}, policy=c.Policy(today=TODAY, isolation="auto"))
    (item,) = [f for f in report["findings"] if f["check"] == "daemon_isolation"]
    assert f"wants {wanted}" in item["message"] and "daemon_isolation_mode: auto" in item["fix"]
    host_facts["docker"]["default_isolation"] = wanted
    report = run({"h": host_facts}, policy=c.Policy(today=TODAY, isolation="auto"))
    assert not [f for f in report["findings"] if f["check"] == "daemon_isolation"]


def test_unpinned_and_out_of_support_images() -> None:
    containers = (
        ("agent", "contoso/agent:latest@10.0.20348.2966", "hyperv"),
        ("old", "mcr.microsoft.com/windows/servercore:20H2@10.0.19042.1889", "hyperv"),
    )
    report = run({"h": facts("10.0.26100.2605", isolation="hyperv", containers=containers)})
    assert checks_of(report["findings"]) == [("image_support", "medium", "h"), ("image_tag_pinned", "medium", "h")]
    support = next(f for f in report["findings"] if f["check"] == "image_support")
    assert "2022-08-09" in support["message"]


@pytest.mark.parametrize(
    ("version", "kind", "today", "out"),
    [
        ("10.0.22631.4602", "client", datetime.date(2026, 11, 28), True),
        ("10.0.22631.4602", "client", datetime.date(2025, 1, 15), False),
        ("10.0.14393.7606", "server", datetime.date(2026, 11, 28), False),
        ("10.0.14393.7606", "server", datetime.date(2027, 1, 13), True),
        ("10.0.25398.1308", "server", datetime.date(2026, 11, 28), True),
    ],
)
def test_host_support(version: str, kind: str, today: datetime.date, out: bool) -> None:
    report = run({"h": facts(version, kind=kind, isolation=None)}, policy=c.Policy(today=today))
    assert any(f["check"] == "host_support" for f in report["findings"]) is out
    assert report["hosts"][0]["in_support"] is (not out)


@pytest.mark.parametrize(
    ("version", "kind", "today", "fix"),
    [
        # a Windows 11 client moves to a feature update still serviced, not to Windows Server
        (
            "10.0.22631.4602",
            "client",
            datetime.date(2026, 11, 28),
            "feature update to Windows 11, version 24H2 or later",
        ),
        (
            "10.0.14393.7606",
            "server",
            datetime.date(2027, 1, 13),
            "upgrade the host to Windows Server 2022 or Windows ",
        ),
        ("10.0.25398.1308", "server", datetime.date(2026, 11, 28), "to Windows Server 2025 and rebuild"),
        ("10.0.20348.1", "server", datetime.date(2036, 1, 1), "to a supported Windows Server release"),
    ],
)
def test_host_support_fix_names_releases_the_host_can_move_to(
    version: str, kind: str, today: datetime.date, fix: str
) -> None:
    report = run({"h": facts(version, kind=kind, isolation=None)}, policy=c.Policy(today=today))
    (found,) = [f for f in report["findings"] if f["check"] == "host_support"]
    assert fix in found["fix"]
    assert ("Windows Server" in found["fix"]) is (kind == "server")


@pytest.mark.parametrize(
    ("product_name", "edition_id", "out", "eos"),
    [
        ("Windows 10 Pro", "Professional", True, "2020-11-10"),
        ("Windows 10 Enterprise", "Enterprise", True, "2021-05-11"),
        ("Windows 10 Enterprise LTSC 2019", "EnterpriseS", False, "2029-01-09"),
        (None, None, False, "2029-01-09"),  # edition unknown: in support while any client product of 1809 is
    ],
)
def test_client_host_support_follows_its_edition_and_names_the_client_release(
    product_name: Optional[str], edition_id: Optional[str], out: bool, eos: str
) -> None:
    """A Windows 10 1809 desktop is not called Windows Server 2019, and its edition decides its support end."""
    host = {**facts("10.0.17763.6659", kind="client", isolation=None), "product_name": product_name}
    report = run({"h": {**host, "edition_id": edition_id}})
    found = [f for f in report["findings"] if f["check"] == "host_support"]
    row = report["hosts"][0]
    assert row["release"] == "Windows 10, version 1809"
    assert (row["in_support"], row["end_of_support"]) == (not out, eos)
    assert bool(found) is out
    if out:
        assert found[0]["message"] == f"Windows 10, version 1809 (client) is out of support since {eos}"


def test_matrix_marks_a_newer_image_revision_as_a_caveat_where_it_applies() -> None:
    newer = ("runner", "contoso/runner:1@10.0.17763.6775", "process")
    report = run({"old": facts("10.0.17763.6659", containers=(newer,)), "same": facts("10.0.17763.6775")})
    cells = {row["host"]: row["cells"][0] for row in report["matrix"]}
    assert cells["old"]["status"] == "supported" and cells["old"]["running"]
    assert list(cells["old"]["caveats"]) == ["process"] and "0xc0370106" in cells["old"]["caveats"]["process"][0]
    assert cells["same"]["caveats"] == {}
    assert [f["check"] for f in report["findings"]] == ["image_revision"]


def test_orchestrator_findings_count_for_the_inventory_host_they_name() -> None:
    swarm = {
        "nodes": [],
        "services": [],
        "findings": [c.finding("task_failed", "critical", "service a", "H1.corp", "x", "y")],
    }
    report = run({"h1": facts("10.0.20348.2966")}, swarm={"prod": swarm})
    assert [(f["host"], f["suite"]) for f in report["findings"]] == [("h1", "swarm prod")]
    assert report["hosts"][0]["findings"] == 1 and report["hosts"][0]["worst"] == "critical"


def test_hosts_without_facts_are_reported_not_skipped() -> None:
    report = run({"gone": None, "h": facts("10.0.20348.2966")})
    assert checks_of(report["findings"]) == [("facts_present", "high", "gone")]
    assert [row["host"] for row in report["matrix"]] == ["h"]
    assert report["summary"]["hosts"] == 2 and report["summary"]["hosts_with_findings"] == 1


def test_verdicts_are_computed_once_per_distinct_input() -> None:
    calls: list[tuple[str, str, str, str]] = []

    def counting(image: str, host: str, isolation: str, kind: str) -> dict[str, Any]:
        calls.append((image, host, isolation, kind))
        return {"status": "supported", "reason": "same build"}

    same = facts("10.0.17763.6659", containers=(("w", "contoso/web:1-ltsc2019@10.0.17763.6659", "process"),))
    c.evaluate({f"h{i}": copy.deepcopy(same) for i in range(50)}, policy=c.Policy(today=TODAY), compat=counting)
    assert len(calls) == len(set(calls)) <= 3


# ------------------------------------------------------------------------------------------- orchestrators


def swarm_state(os_version_label: str) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": "n19", "hostname": "WIN2019-02", "os": "windows", "labels": {"OsVersion": os_version_label}},
            {"id": "n22", "hostname": "win2022-01", "os": "windows", "labels": {"OsVersion": "10.0.20348"}},
            {"id": "lx", "hostname": "linux-01", "os": "linux", "labels": {}},
        ],
        "services": [
            {
                "name": "billing",
                "image": "contoso/billing:1.8-ltsc2022",
                "constraints": ["node.labels.OsVersion==10.0.20348"],
            }
        ],
        "findings": [],
    }


def test_swarm_wrong_label_gives_label_and_placement_findings() -> None:
    hosts = {"win2019-02": facts("10.0.17763.6775", node_id="n19"), "win2022-01": facts("10.0.20348.2966")}
    report = run(hosts, swarm={"prod": swarm_state("10.0.20348")})
    assert checks_of(report["findings"]) == [
        ("swarm_node_labels", "high", "win2019-02"),
        ("swarm_placement", "critical", "win2019-02"),
    ]
    placement = next(f for f in report["findings"] if f["check"] == "swarm_placement")
    assert placement["hosts"] == ["win2019-02"] and placement["suite"] == "swarm prod"
    assert placement["subject"] == "service billing"


def test_swarm_right_labels_are_clean() -> None:
    hosts = {"win2019-02": facts("10.0.17763.6775", node_id="n19"), "win2022-01": facts("10.0.20348.2966")}
    report = run(hosts, swarm={"prod": swarm_state("10.0.17763")})
    assert report["findings"] == []
    assert {"suite": "swarm prod", "subject": "service billing", "check": "swarm_placement"} in report["checks"]
    assert {"suite": "swarm prod", "subject": "node win2022-01", "check": "swarm_node_labels"} in report["checks"]


def test_swarm_missing_version_label_is_reported() -> None:
    state = swarm_state("10.0.17763")
    del state["nodes"][0]["labels"]["OsVersion"]
    report = run({"win2019-02": facts("10.0.17763.6775", node_id="n19")}, swarm={"prod": state})
    assert checks_of(report["findings"]) == [("swarm_node_labels", "medium", "win2019-02")]


def k8s_state(k22_release: str, image: str = "contoso/catalog:2.0-ltsc2025", **workload: Any) -> dict[str, Any]:
    return {
        "nodes": [
            {"name": "k22", "labels": {"kubernetes.io/os": "windows", "wincontainers.compat/release": k22_release}},
            {"name": "k25", "labels": {"kubernetes.io/os": "windows", "wincontainers.compat/release": "ltsc2025"}},
        ],
        "workloads": [
            {
                "kind": "Deployment",
                "namespace": "shop",
                "name": "catalog",
                "node_selector": {"kubernetes.io/os": "windows", "wincontainers.compat/release": "ltsc2025"},
                "containers": [{"name": "catalog", "image": image}],
                **workload,
            }
        ],
        "runtime_classes": [
            {"name": "hv", "handler": "runhcs-wcow-hypervisor", "node_selector": {"kubernetes.io/os": "windows"}},
        ],
        "findings": [
            {
                "check": "pod_error",
                "severity": "high",
                "subject": "pod shop/x",
                "host": "k22",
                "message": "m",
                "fix": "f",
            }
        ],
    }


K8S_HOSTS = {"k22": facts("10.0.20348.3091", isolation=None), "k25": facts("10.0.26100.2605", isolation=None)}


def test_k8s_wrong_label_gives_label_placement_and_passed_through_findings() -> None:
    report = run(copy.deepcopy(K8S_HOSTS), k8s={"aks": k8s_state("ltsc2025")})
    assert checks_of(report["findings"]) == [
        ("k8s_node_labels", "high", "k22"),
        ("k8s_placement", "critical", "k22"),
        ("pod_error", "high", "k22"),
    ]
    passed = next(f for f in report["findings"] if f["check"] == "pod_error")
    assert passed["source"] == "k8s aks" and passed["suite"] == "k8s aks"


def test_k8s_right_labels_are_clean() -> None:
    report = run(copy.deepcopy(K8S_HOSTS), k8s={"aks": k8s_state("ltsc2022")})
    assert [f["check"] for f in report["findings"]] == ["pod_error"]


@pytest.mark.parametrize(("runtime_class", "bad"), [(None, ["k22", "k25"]), ("hv", [])])
def test_k8s_hyperv_runtime_class_runs_older_images(runtime_class: Optional[str], bad: list[str]) -> None:
    extra = {"node_selector": {"kubernetes.io/os": "windows"}}
    if runtime_class:
        extra["runtime_class"] = runtime_class
    state = k8s_state("ltsc2022", image="contoso/legacy:1-ltsc2019", **extra)
    report = run(copy.deepcopy(K8S_HOSTS), k8s={"aks": state})
    assert [f.get("hosts") for f in report["findings"] if f["check"] == "k8s_placement"] == ([bad] if bad else [])


def test_k8s_nodes_without_host_facts_use_the_reported_version() -> None:
    state = k8s_state("ltsc2025")
    state["nodes"][0]["kernel_version"] = "10.0.20348.3091"
    report = run({}, k8s={"aks": state})
    assert [(f["check"], f["hosts"]) for f in report["findings"] if "hosts" in f] == [("k8s_placement", ["k22"])]


# ------------------------------------------------------------------------------------------- the example fleet


def load_state(root: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    hosts = {
        path.stem: json.loads(path.read_text())["ansible_facts"]["wincontainers_host"]
        for path in sorted((root / "hosts").glob("*.json"))
    }
    swarm = {path.stem: json.loads(path.read_text()) for path in (root / "swarm").glob("*.json")}
    k8s = {path.stem: json.loads(path.read_text()) for path in (root / "k8s").glob("*.json")}
    return hosts, swarm, k8s


EXPECTED_EXAMPLE_FINDINGS = [
    ("container_compat", "critical", "win2016-01"),
    ("k8s_placement", "critical", "-"),
    ("k8s_placement", "critical", "win2022-k8s-01"),
    ("swarm_placement", "critical", "win2019-02"),
    ("host_support", "high", "dev-win11"),
    ("image_revision", "high", "win2019-01"),
    ("k8s_node_labels", "high", "win2022-k8s-01"),
    ("swarm_node_labels", "high", "win2019-02"),
    ("update_impact", "high", "win2016-01"),
    ("daemon_isolation", "medium", "win2016-01"),  # runs an image of another 2016 revision: auto wants hyperv
    ("daemon_isolation", "medium", "win2019-02"),
    ("image_support", "medium", "dev-win11"),
    ("image_support", "medium", "-"),
    ("image_tag_pinned", "medium", "win2019-01"),
    ("image_tag_pinned", "medium", "-"),
]


def test_example_fleet_findings() -> None:
    hosts, swarm, k8s = load_state(STATE)
    report = run(
        hosts,
        swarm=swarm,
        k8s=k8s,
        targets={"win2016-01": "10.0.14393.7699"},
        policy=c.Policy(today=TODAY, isolation="auto"),
    )
    assert checks_of(report["findings"]) == sorted(EXPECTED_EXAMPLE_FINDINGS)
    assert [f["severity"] for f in report["findings"]] == sorted(
        (f["severity"] for f in report["findings"]), key=c.SEVERITIES.index
    )
    assert report["summary"]["hosts"] == 7 and report["summary"]["worst"] == "critical"
    assert len(report["matrix"]) == 7 and all(len(row["cells"]) == len(report["images"]) for row in report["matrix"])
    per_host = {row["name"]: (row["findings"], row["worst"]) for row in report["hosts"]}
    assert per_host["win2019-02"] == (3, "critical") and set(per_host) == set(hosts)
    assert per_host["win2025-k8s-01"] == (0, None)  # only named by the CronJob's finding, which is the cluster's
    for row in report["hosts"]:
        assert row["findings"] == sum(1 for f in report["findings"] if f["host"] == row["name"]), row["name"]
    assert report["summary"]["hosts_with_findings"] == len({f["host"] for f in report["findings"] if f["host"]})
    billing = next(f for f in report["findings"] if f["subject"] == "service billing")
    assert billing["check"] == "swarm_placement" and [e["check"] for e in billing["evidence"]] == [
        "task_failed",
        "service_not_converged",
    ]
    assert "0xc0370101" in billing["message"]
    assert "node.labels.OsVersion==10.0.20348 " in billing["fix"]  # the value swarm_node_labels writes
    export = next(f for f in report["findings"] if f["subject"] == "cronjob batch/legacy-export")
    assert export["host"] is None and "select nodes of build 19042" not in export["fix"]
    assert "servercore:ltsc2025 or mcr.microsoft.com/windows/servercore:ltsc2022" in export["fix"]


def fix_fleet(hosts: dict[str, Any], swarm: dict[str, Any], k8s: dict[str, Any]) -> None:
    """Apply every fix the example's findings name, the way an operator would."""
    win16 = hosts["win2016-01"]
    win16["containers"] = [x for x in win16["containers"] if x["name"] == "legacy-api"]
    win16["containers"][0]["image_os_version"] = "10.0.14393.7699"  # rebuilt for the patch
    win16["version"] = {"version": "10.0.14393.7699"}  # patched
    win19 = hosts["win2019-01"]
    win19["containers"] = [x for x in win19["containers"] if x["name"].startswith("web")]
    hosts["win2019-02"]["docker"]["default_isolation"] = "process"
    hosts["win2019-02"]["containers"][0]["isolation"] = "process"
    hosts["dev-win11"]["version"] = {"version": "10.0.26100.2605"}  # upgraded to Windows 11 24H2
    hosts["dev-win11"]["containers"] = [x for x in hosts["dev-win11"]["containers"] if x["name"] == "sql-dev"]
    prod = swarm["prod-swarm"]
    next(n for n in prod["nodes"] if n["hostname"] == "WIN2019-02")["labels"]["OsVersion"] = "10.0.17763"
    prod["services"] = [s for s in prod["services"] if s["name"] != "monitor"]
    prod["findings"] = []
    aks = k8s["prod-aks"]
    next(n for n in aks["nodes"] if n["name"] == "win2022-k8s-01")["labels"]["wincontainers.compat/release"] = (
        "ltsc2022"
    )
    aks["workloads"] = [w for w in aks["workloads"] if w["name"] != "legacy-export"]


def test_fixed_example_fleet_is_clean() -> None:
    hosts, swarm, k8s = load_state(STATE)
    fix_fleet(hosts, swarm, k8s)
    report = run(
        hosts,
        swarm=swarm,
        k8s=k8s,
        targets={"win2016-01": "10.0.14393.7699"},
        policy=c.Policy(today=TODAY, isolation="auto"),
    )
    assert report["findings"] == [], json.dumps(report["findings"], indent=1)
    assert report["summary"]["worst"] is None and report["summary"]["hosts_with_findings"] == 0


def test_swarm_constraints_on_node_names_are_evaluated_per_node() -> None:
    state = swarm_state("10.0.20348")  # win2019-02 wrongly labelled
    state["nodes"].append(
        {"id": "n19b", "hostname": "win2019-03", "os": "windows", "labels": {"OsVersion": "10.0.20348"}}
    )
    state["services"][0]["constraints"] = ["node.labels.OsVersion==10.0.20348", "node.hostname!=win2019-03"]
    hosts = {
        "win2019-02": facts("10.0.17763.6775", node_id="n19"),
        "win2019-03": facts("10.0.17763.6775", node_id="n19b"),
        "win2022-01": facts("10.0.20348.2966"),
    }
    report = run(hosts, swarm={"prod": state})
    placement = next(f for f in report["findings"] if f["check"] == "swarm_placement")
    assert placement["hosts"] == ["win2019-02"]


def test_placement_message_names_a_few_nodes_and_counts_the_rest() -> None:
    state = swarm_state("10.0.20348")
    state["nodes"] = [
        {"id": f"n{i}", "hostname": f"w{i}", "os": "windows", "labels": {"OsVersion": "10.0.20348"}} for i in range(8)
    ]
    report = run({f"w{i}": facts("10.0.17763.6775", node_id=f"n{i}") for i in range(8)}, swarm={"prod": state})
    placement = next(f for f in report["findings"] if f["check"] == "swarm_placement")
    assert len(placement["hosts"]) == 8 and placement["message"].endswith("and 3 more")


def test_k8s_compat_info_allowed_nodes_and_isolation_are_used() -> None:
    """The shape k8s_compat_info returns: images with versions, isolation and allowed_nodes resolved already."""
    state = k8s_state("ltsc2022")
    state["workloads"] = [
        {
            "kind": "Deployment",
            "namespace": "shop",
            "name": "web",
            "isolation": "process",
            "images": [{"image": "mcr.microsoft.com/windows/servercore:ltsc2019", "version": "10.0.17763"}],
            "node_selector": {"kubernetes.io/os": "windows"},
            "runtime_class": None,
            "allowed_nodes": ["k25"],
        }
    ]
    report = run(copy.deepcopy(K8S_HOSTS), k8s={"aks": state})
    assert [f.get("hosts") for f in report["findings"] if f["check"] == "k8s_placement"] == [["k25"]]
    state["workloads"][0]["isolation"] = "hyperv"
    report = run(copy.deepcopy(K8S_HOSTS), k8s={"aks": state})
    assert [f for f in report["findings"] if f["check"] == "k8s_placement"] == []


@pytest.mark.parametrize(
    ("host", "target", "pending", "container", "expected"),
    [
        # a revision change on Windows Server 2016, with and without a known target
        ("10.0.14393.7606", "10.0.14393.7699", False, ("a", "a:1@10.0.14393.7606", "process"), ["update_impact"]),
        ("10.0.14393.7606", None, True, ("a", "a:1@10.0.14393.7606", "process"), ["update_impact"]),
        ("10.0.14393.7606", None, False, ("a", "a:1@10.0.14393.7606", "process"), []),
        ("10.0.14393.7606", None, True, ("a", "a:1@10.0.14393.7606", "hyperv"), []),
        # a revision change elsewhere is harmless; a build change (in-place upgrade) is not
        ("10.0.17763.6659", None, True, ("a", "a:1@10.0.17763.6659", "process"), []),
        ("10.0.17763.6659", "10.0.20348.2966", False, ("a", "a:1@10.0.17763.6659", "process"), ["update_impact"]),
        # an image newer than the host: fixed by an update that reaches its revision, not by an older one
        ("10.0.17763.6532", "10.0.17763.6775", False, ("a", "a:1@10.0.17763.6775", "process"), []),
        ("10.0.17763.6532", "10.0.17763.6659", False, ("a", "a:1@10.0.17763.6775", "process"), ["image_revision"]),
    ],
)
def test_patch_impact(
    host: str, target: Optional[str], pending: bool, container: tuple[str, str, str], expected: list[str]
) -> None:
    impact = c.patch_impact("h", facts(host, containers=(container,)), target=target, updates_pending=pending)
    assert [f["check"] for f in impact["findings"]] == expected
    assert impact["breaks"] is bool(expected)
    assert impact["host_version"] == host and impact["target_version"] == target and impact["containers"] == 1


def test_an_unpinned_deployed_image_is_fixed_with_the_orchestrators_own_placement() -> None:
    swarm = swarm_state("10.0.17763")
    swarm["services"][0]["image"] = "contoso/billing:latest"
    k8s = k8s_state("ltsc2022", image="contoso/catalog:latest")
    report = run({}, swarm={"prod": swarm}, k8s={"aks": k8s})
    fixes = {f["suite"]: f["fix"] for f in report["findings"] if f["check"] == "image_tag_pinned"}
    assert fixes["swarm prod"].endswith("with a matching placement constraint")
    assert fixes["k8s aks"].endswith("with a matching nodeSelector")


@pytest.mark.parametrize("target", ["KB5049993", "garbage"])
def test_an_unreadable_target_version_fails_naming_the_option(target: str) -> None:
    host = facts("10.0.14393.7606", containers=(("a", "a:1@10.0.14393.7606", "process"),))
    with pytest.raises(OptionError, match=rf"^target_version: cannot read a Windows version from '{target}'"):
        c.patch_impact("h", host, target=target)
    with pytest.raises(OptionError, match=rf"^the target version of h: cannot read a Windows version from '{target}'"):
        run({"h": host}, targets={"h": target})


def test_an_empty_target_version_means_none() -> None:
    host = facts("10.0.14393.7606", containers=(("a", "a:1@10.0.14393.7606", "process"),))
    assert c.patch_impact("h", host, target="")["target_version"] is None
    assert run({"h": host}, targets={"h": None})["hosts"][0]["target_version"] is None


def test_a_failed_task_of_a_misplaced_service_is_evidence_of_the_placement_not_a_second_finding() -> None:
    state = swarm_state("10.0.20348")
    failed = c.finding("task_failed", "critical", "service billing", "WIN2019-02", "task billing.2 rejected: x", "y")
    unrelated = c.finding("task_failed", "high", "service other", "WIN2019-02", "task other.1 failed: z", "y")
    short = c.finding("service_not_converged", "critical", "service billing", None, "1/2 replicas running", "y")
    state["findings"] = [failed, unrelated, short]
    hosts = {"win2019-02": facts("10.0.17763.6775", node_id="n19"), "win2022-01": facts("10.0.20348.2966")}
    report = run(hosts, swarm={"prod": state})
    assert sorted((f["check"], f["subject"]) for f in report["findings"]) == [
        ("swarm_node_labels", "node WIN2019-02"),
        ("swarm_placement", "service billing"),
        ("task_failed", "service other"),
    ]
    placement = next(f for f in report["findings"] if f["check"] == "swarm_placement")
    assert [e["check"] for e in placement["evidence"]] == ["task_failed", "service_not_converged"]
    assert "swarm prod reports it: task billing.2 rejected: x" in placement["message"]


@pytest.mark.parametrize(
    ("rules", "hyperv"),
    [
        ("documented", "Hyper-V RuntimeClass (handler runhcs-wcow-hypervisor) on nodes of build 26100 or 20348"),
        ("containerd", None),
    ],
)
def test_k8s_placement_of_an_image_no_node_runs_says_to_rebuild(rules: str, hyperv: Optional[str]) -> None:
    state = k8s_state("ltsc2022", image="mcr.microsoft.com/windows/servercore:20H2")
    state["workloads"][0]["node_selector"] = {"kubernetes.io/os": "windows"}
    report = run(copy.deepcopy(K8S_HOSTS), k8s={"aks": state}, policy=c.Policy(today=TODAY, rules=rules))
    (placement,) = [f for f in report["findings"] if f["check"] == "k8s_placement"]
    assert placement["fix"].startswith(
        "no Windows node runs build 19042 (the cluster's builds: 26100, 20348): rebuild it as "
        "mcr.microsoft.com/windows/servercore:ltsc2025 or mcr.microsoft.com/windows/servercore:ltsc2022"
    )
    assert (hyperv in placement["fix"]) if hyperv else ("Hyper-V" not in placement["fix"])


def test_swarm_placement_of_an_image_no_node_runs_says_to_rebuild() -> None:
    state = swarm_state("10.0.17763")
    state["services"][0].update(image="contoso/billing:1.8-ltsc2016", constraints=["node.platform.os==windows"])
    hosts = {"win2019-02": facts("10.0.17763.6775", node_id="n19"), "win2022-01": facts("10.0.20348.2966")}
    report = run(hosts, swarm={"prod": state})
    (placement,) = [f for f in report["findings"] if f["check"] == "swarm_placement"]
    assert placement["fix"] == (
        "no Windows node runs build 14393 (the cluster's builds: 20348, 17763): rebuild it as "
        "contoso/billing:1.8-ltsc2022 or contoso/billing:1.8-ltsc2019 and select the nodes of that build, "
        "or run the service with --isolation=hyperv on nodes of build 20348 or 17763"
    )


def test_patch_impact_says_what_a_fresh_pull_gives_on_the_target() -> None:
    listed = image_result(
        D["a"], DOCKER_LIST, [platform(v, D[d]) for v, d in (("10.0.17763.6659", "b"), ("10.0.20348.2966", "c"))]
    )
    host = facts("10.0.17763.6659", containers=(("a", "contoso/orders:2024.11.3@10.0.17763.6659", "process"),))
    registry = {"images": {"contoso/orders:2024.11.3": listed}}
    upgrade = c.patch_impact("h", host, target="10.0.20348.3091", registry=registry)["findings"]
    assert [f["check"] for f in upgrade] == ["update_impact"] and upgrade[0]["image_source"] == "host"
    assert upgrade[0]["after_pull"]["digest"] == D["c"]
    assert upgrade[0]["fix"].startswith(
        "pull contoso/orders:2024.11.3 again after the update: the registry serves 10.0.20348.2966"
    )
    # Docker's puller takes the first entry not newer than the host: the 2019 one, which does not run on 2025
    to_2025 = c.patch_impact("h", host, target="10.0.26100.2894", registry=registry)["findings"]
    assert to_2025[0]["after_pull"]["version"] == "10.0.17763.6659" and not to_2025[0]["fix"].startswith("pull")
    # containerd pulls no entry of a list that has no build from 20348 up for a 20348 host
    only_2019 = {"images": {"contoso/orders:2024.11.3": {**listed, "platforms": listed["platforms"][:1]}}}
    containerd = c.make_policy({"rules": "containerd"})
    to_2022 = c.patch_impact("h", host, target="10.0.20348.3091", registry=only_2019, policy=containerd)["findings"]
    assert "no matching manifest" in to_2022[0]["after_pull"]["no_matching_manifest"]
    assert not to_2022[0]["fix"].startswith("pull")
    assert "after_pull" not in c.patch_impact("h", host, target="10.0.20348.3091")["findings"][0]


def test_a_manifest_list_is_judged_per_node_before_deploying() -> None:
    """The registry's list has no 17763 entry: the node labelled 2022 that really runs 2019 gets no image."""
    listed = image_result(
        D["a"], OCI_INDEX, [platform(v, D[d]) for v, d in (("10.0.20348.2966", "b"), ("10.0.26100.2605", "c"))]
    )
    hosts = {"win2019-02": facts("10.0.17763.6775", node_id="n19"), "win2022-01": facts("10.0.20348.2966")}
    state = swarm_state("10.0.20348")
    state["services"][0]["image"] = "contoso/billing:2024.11.3"
    report = run(hosts, swarm={"prod": state}, registry={"contoso/billing:2024.11.3": listed})
    missing = [f for f in report["findings"] if f["check"] == "no_matching_manifest"]
    assert [(f["hosts"], f["image_source"], f["image_digest"]) for f in missing] == [
        (["win2019-02"], "registry", D["a"])
    ]
    assert "no matching manifest for windows/amd64 10.0.17763" in missing[0]["message"]
    assert not [f for f in report["findings"] if f["check"] == "swarm_placement"]
    without = run(hosts, swarm={"prod": state})  # the tag names no build: nothing to judge placement by
    assert not [f for f in without["findings"] if f["check"] in ("no_matching_manifest", "swarm_placement")]


@pytest.mark.parametrize(
    ("image", "explicit"),
    [
        ("contoso/billing:2024.11.3", None),  # the tag names no build
        ("contoso/billing:1.8-ltsc2019", "10.0.17763"),  # the tag (and the info module's guess) names another
    ],
)
def test_a_single_image_is_placed_by_the_build_its_registry_serves(image: str, explicit: Optional[str]) -> None:
    """The registry serves one 20348 image; the service may land on the node that really runs 2019."""
    digest = D["e"]
    single = image_result(digest, DOCKER_MANIFEST, [platform("10.0.20348.2966", digest)])
    hosts = {"win2019-02": facts("10.0.17763.6775", node_id="n19"), "win2022-01": facts("10.0.20348.2966")}
    state = swarm_state("10.0.17763")
    state["services"][0].update(image=image, image_version=explicit, constraints=["node.platform.os==windows"])
    report = run(hosts, swarm={"prod": state}, registry={"images": {image: single}})
    placements = [f for f in report["findings"] if f["check"] == "swarm_placement"]
    assert [(f["hosts"], f["image_source"], f["image_digest"]) for f in placements] == [
        (["win2019-02"], "registry", digest)
    ]
    assert f"image {image} (10.0.20348.2966)" in placements[0]["message"]
    without = [f["hosts"] for f in run(hosts, swarm={"prod": state})["findings"] if f["check"] == "swarm_placement"]
    assert without == ([] if explicit is None else [["win2022-01"]])
