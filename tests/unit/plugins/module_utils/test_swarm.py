"""Pure planning of the Swarm modules: nodes, label diffs, constraints, placement, diagnostics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils import swarm as sw
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version

CASES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "container_errors" / "cases.yml"


def raw_node(
    node_id: str,
    hostname: str,
    labels: dict[str, str] | None = None,
    *,
    state: str = "ready",
    availability: str = "active",
    index: int = 10,
    engine_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Node JSON as ``GET /nodes`` returns it (Engine API 1.41)."""
    return {
        "ID": node_id,
        "Version": {"Index": index},
        "Spec": {"Labels": dict(labels or {}), "Role": "worker", "Availability": availability},
        "Description": {
            "Hostname": hostname,
            "Platform": {"Architecture": "x86_64", "OS": "windows"},
            "Engine": {"EngineVersion": "20.10.24", "Labels": dict(engine_labels or {})},
        },
        "Status": {"State": state, "Addr": "10.0.0.1"},
    }


NODES = [
    sw.parse_node(raw_node("id1", "win2019-01", {"team": "ops"})),
    sw.parse_node(raw_node("id2", "win2022-01", {"OS": "windows", "OsVersion": "10.0.20348"})),
    sw.parse_node(raw_node("id3", "dup")),
    sw.parse_node(raw_node("id4", "dup")),
]


# --- nodes ---------------------------------------------------------------------------------------------------
def test_parse_node_reads_the_engine_api_fields() -> None:
    node = sw.parse_node(raw_node("abc", "h1", {"a": "b"}, state="down", availability="drain", index=42))
    assert (node.id, node.hostname, node.version_index, node.labels) == ("abc", "h1", 42, {"a": "b"})
    assert (node.state, node.availability, node.os, node.role) == ("down", "drain", "windows", "worker")
    assert sw.unavailable_reason(node) == "down"


@pytest.mark.parametrize(
    ("state", "availability", "reason"),
    [("ready", "active", None), ("ready", "pause", None), ("ready", "drain", "drained"), ("down", "active", "down"),
     ("unknown", "active", "unknown"), ("disconnected", "drain", "disconnected")],
)  # fmt: skip
def test_unavailable_reason(state: str, availability: str, reason: str | None) -> None:
    node = sw.parse_node(raw_node("x", "h", state=state, availability=availability))
    assert sw.unavailable_reason(node) == reason


@pytest.mark.parametrize(
    ("ref", "expected"), [("id1", "id1"), ("win2019-01", "id1"), ("WIN2022-01", "id2"), ("id4", "id4")]
)
def test_resolve_node_by_id_or_unique_hostname(ref: str, expected: str) -> None:
    assert sw.resolve_node(ref, NODES).id == expected


def test_resolve_node_refuses_an_ambiguous_hostname() -> None:
    with pytest.raises(sw.SwarmPlanError, match=r"node 'dup' is ambiguous: 2 nodes have that hostname \(id3, id4\)"):
        sw.resolve_node("dup", NODES)


def test_resolve_node_names_the_unknown_reference() -> None:
    with pytest.raises(sw.SwarmPlanError, match=r"'nope' is neither a node id nor a hostname.*win2019-01"):
        sw.resolve_node("nope", NODES)


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [("10.0.17763.5458", "major.minor.build", "10.0.17763"), ("10.0.17763.5458", "build", "17763"),
     ("10.0.17763.5458", "version", "10.0.17763.5458"), ("ltsc2022", "version", "10.0.20348"),
     ("Windows Server 2025", "major.minor.build", "10.0.26100")],
)  # fmt: skip
def test_format_version(value: str, fmt: str, expected: str) -> None:
    assert sw.format_version(parse_windows_version(value), fmt) == expected


def test_format_version_rejects_an_unknown_format() -> None:
    with pytest.raises(OptionError, match="version_format must be one of"):
        sw.format_version(parse_windows_version("17763"), "short")


def test_match_facts_by_swarm_node_id_and_reasons_for_the_rest() -> None:
    facts = {
        "a": {"wincontainers_host": {"version": {"version": "10.0.17763.1"}, "docker": {"swarm": {"node_id": "id1"}}}},
        "b": {"ansible_facts": {"wincontainers_host": {"version": "10.0.20348",
                                                       "docker": {"swarm": {"node_id": "id2"}}}}},
        "c": {"version": "10.0.20348", "docker": {"swarm": {"node_id": "zzz"}}},
        "d": {"version": "10.0.20348", "docker": {"swarm": {}}},
        "e": {"version": "nonsense", "docker": {"swarm": {"node_id": "id3"}}},
    }  # fmt: skip
    matched = sw.match_facts(facts, NODES)
    assert {k: (h, v.version) for k, (h, v) in matched.versions.items()} == {
        "id1": ("a", "10.0.17763.1"),
        "id2": ("b", "10.0.20348"),
    }
    assert set(matched.unmatched) == {"c", "d", "e"}
    assert "not a node of this swarm" in matched.unmatched["c"]
    assert "not a swarm node" in matched.unmatched["d"]
    assert "no Windows version" in matched.unmatched["e"]


def test_reported_version_prefers_engine_labels_over_node_labels() -> None:
    node = sw.parse_node(raw_node("x", "h", {"OsVersion": "10.0.17763"}, engine_labels={"OsVersion": "10.0.20348"}))
    version, source = sw.reported_version(node)
    assert (version.version if version else None, source) == ("10.0.20348", "engine_labels")
    bare = sw.parse_node(raw_node("y", "h"))
    assert sw.reported_version(bare) == (None, "unknown")


# --- label plans ---------------------------------------------------------------------------------------------
def test_label_diff_keeps_foreign_labels_and_removes_only_what_is_named() -> None:
    current = {"team": "ops", "OsVersion": "10.0.14393", "old": "1"}
    want = sw.Want(labels={"OS": "windows", "OsVersion": "10.0.17763"}, remove={"old", "absent"})
    after, diff = sw.label_diff(current, want)
    assert after == {"team": "ops", "OsVersion": "10.0.17763", "OS": "windows"}
    assert diff.added == {"OS": "windows"}
    assert diff.changed == {"OsVersion": ("10.0.14393", "10.0.17763")}
    assert diff.removed == {"old": "1"}
    _same, nothing = sw.label_diff(after, sw.Want(labels={"OS": "windows"}, remove={"absent"}))
    assert nothing.empty


def test_merge_want_refuses_contradictions() -> None:
    wants: dict[str, sw.Want] = {}
    sw.merge_want(wants, "id1", {"OS": "windows"}, (), "facts")
    sw.merge_want(wants, "id1", {"OS": "windows", "rack": "1"}, (), "input")
    assert wants["id1"].labels == {"OS": "windows", "rack": "1"} and wants["id1"].source == "facts+input"
    with pytest.raises(sw.SwarmPlanError, match="label OS is wanted as both 'windows' and 'linux'"):
        sw.merge_want(wants, "id1", {"OS": "linux"}, (), "input")
    with pytest.raises(sw.SwarmPlanError, match=r"labels \['rack'\] are both set and in labels_to_remove"):
        sw.merge_want(wants, "id1", {}, ["rack"], "labels_to_remove")


@pytest.mark.parametrize(
    ("state", "availability", "mode", "skipped", "needs_update"),
    [("ready", "active", "skip", None, True), ("down", "active", "skip", "node is down", False),
     ("ready", "drain", "skip", "node is drained", False), ("down", "active", "update", None, True)],
)  # fmt: skip
def test_plan_node_skips_unavailable_nodes(
    state: str, availability: str, mode: str, skipped: str | None, needs_update: bool
) -> None:
    node = sw.parse_node(raw_node("x", "h", state=state, availability=availability))
    plan = sw.plan_node(node, sw.Want(labels={"OS": "windows"}), mode)
    assert (plan.skipped, plan.needs_update) == (skipped, needs_update)
    result = plan.result(changed=False)
    assert result["skipped"] is (skipped is not None) and result["added"] == {"OS": "windows"}


def test_plan_node_fail_mode_names_the_node() -> None:
    node = sw.parse_node(raw_node("x", "win-07", state="down"))
    with pytest.raises(sw.SwarmPlanError, match=r"node win-07 \(x\) is down"):
        sw.plan_node(node, sw.Want(labels={"OS": "windows"}), "fail")
    unchanged = sw.plan_node(node, sw.Want(labels={}), "fail")
    assert unchanged.skipped is None and not unchanged.needs_update


def test_updated_spec_changes_only_labels() -> None:
    node = sw.parse_node(raw_node("x", "h", {"a": "1"}, availability="pause"))
    spec = sw.updated_spec(node, {"a": "1", "b": "2"})
    assert spec == {"Labels": {"a": "1", "b": "2"}, "Role": "worker", "Availability": "pause"}
    assert node.spec["Labels"] == {"a": "1"}


def test_windows_labels_and_option_keys() -> None:
    version = parse_windows_version("10.0.17763.5458")
    assert sw.windows_labels(version) == {"OS": "windows", "OsVersion": "10.0.17763"}
    assert sw.windows_labels(version, os_label="", version_label="build", version_format="build") == {"build": "17763"}
    with pytest.raises(OptionError, match="must differ"):
        sw.check_option_keys("OS", "OS")
    with pytest.raises(sw.SwarmPlanError, match="label key 'a b' is not valid"):
        sw.check_option_keys("a b", "OsVersion")


# --- constraints ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        ([], {"node.labels.OS": "windows"}, ["node.labels.OS==windows"]),
        (["node.role==worker", "node.labels.OsVersion==10.0.14393", "node.labels.team!=x"],
         {"node.labels.OS": "windows", "node.labels.OsVersion": "10.0.17763"},
         ["node.role==worker", "node.labels.OsVersion==10.0.17763", "node.labels.team!=x", "node.labels.OS==windows"]),
        (["node.labels.OsVersion == 10.0.17763", "node.labels.OsVersion!=1"], {"node.labels.OsVersion": "10.0.17763"},
         ["node.labels.OsVersion == 10.0.17763"]),
        (["node.platform.os==windows", "node.labels.OsVersion==10.0.17763"], {"node.labels.OsVersion": None},
         ["node.platform.os==windows"]),
        (["engine.labels.OsVersion==1", "garbage"], {"node.labels.OS": "windows"},
         ["engine.labels.OsVersion==1", "garbage", "node.labels.OS==windows"]),
    ],
)  # fmt: skip
def test_rewrite_constraints_keeps_foreign_ones(
    current: list[str], wanted: dict[str, str | None], expected: list[str]
) -> None:
    assert sw.rewrite_constraints(current, wanted) == expected


def test_constraints_allow() -> None:
    node = NODES[1]
    assert sw.constraints_allow(["node.labels.os==WINDOWS", "node.labels.OsVersion==10.0.20348"], NODES[1]) is False
    assert sw.constraints_allow(["node.labels.OS==WINDOWS", "node.hostname!=x", "node.platform.os==windows"], node)
    assert not sw.constraints_allow(["node.labels.OsVersion==10.0.17763"], node)
    assert not sw.constraints_allow(["node.labels.missing==1"], node)
    assert sw.constraints_allow(["node.labels.missing!=1"], node)


def service(image: str, constraints: list[str] | None = None, isolation: str | None = None) -> sw.ServiceView:
    spec: dict[str, Any] = {
        "Name": "web",
        "Labels": {"x": "y"},
        "TaskTemplate": {
            "ContainerSpec": {"Image": image, "Args": ["a"], **({"Isolation": isolation} if isolation else {})},
            "Placement": {"Constraints": constraints or [], "Preferences": [{"Spread": {"SpreadDescriptor": "a"}}]},
            "RestartPolicy": {"Condition": "any"},
        },
        "Mode": {"Replicated": {"Replicas": 2}},
        "EndpointSpec": {"Mode": "dnsrr"},
    }
    return sw.parse_service({"ID": "s1", "Version": {"Index": 5}, "Spec": spec})


V = parse_windows_version


def test_image_version_from_tag_or_given() -> None:
    assert sw.image_version("contoso/web:2.3-ltsc2019@sha256:" + "a" * 64) == V("10.0.17763")
    assert sw.image_version("mcr.microsoft.com/windows/servercore:10.0.20348.2340") == V("10.0.20348.2340")
    assert sw.image_version("contoso/web:latest") is None
    assert sw.image_version("registry:5000/web") is None
    assert sw.image_version("contoso/web:latest", "ltsc2022") == V("10.0.20348")
    with pytest.raises(WinCompatError):
        sw.image_version("contoso/web:latest", "not a version")


def test_plan_placement_process_isolation_pins_the_build() -> None:
    svc = service("contoso/web:1-ltsc2019", ["node.role==worker", "node.labels.OsVersion==10.0.14393"])
    plan = sw.plan_placement(svc, V("10.0.17763"), [V("10.0.17763"), V("10.0.20348")])
    assert plan.isolation == "default"
    assert plan.constraints == ["node.role==worker", "node.labels.OsVersion==10.0.17763", "node.labels.OS==windows"]
    spec = sw.updated_service_spec(svc, plan)
    assert spec["TaskTemplate"]["Placement"]["Constraints"] == plan.constraints
    assert spec["TaskTemplate"]["Placement"]["Preferences"] == [{"Spread": {"SpreadDescriptor": "a"}}]
    assert "Isolation" not in spec["TaskTemplate"]["ContainerSpec"]
    assert {k: v for k, v in spec.items() if k != "TaskTemplate"} == {
        k: v for k, v in svc.spec.items() if k != "TaskTemplate"
    }
    assert svc.spec["TaskTemplate"]["Placement"]["Constraints"][1] == "node.labels.OsVersion==10.0.14393"


def test_plan_placement_picks_hyperv_for_an_image_older_than_every_node() -> None:
    svc = service("contoso/web:1-ltsc2019", ["node.labels.OsVersion==10.0.17763", "node.labels.team==a"])
    plan = sw.plan_placement(svc, V("10.0.17763"), [V("10.0.20348"), V("10.0.26100")])
    assert plan.isolation == "hyperv"
    assert plan.constraints == ["node.labels.team==a", "node.labels.OS==windows"]
    spec = sw.updated_service_spec(svc, plan)
    assert spec["TaskTemplate"]["ContainerSpec"]["Isolation"] == "hyperv"
    assert "older than every node" in plan.reason


@pytest.mark.parametrize(
    ("requested", "nodes", "expected"),
    [("auto", ["10.0.17763", "10.0.20348"], "default"), ("auto", [], "default"), ("keep", ["10.0.20348"], "default"),
     ("process", ["10.0.20348"], "process"), ("hyperv", ["10.0.17763"], "hyperv"),
     ("auto", ["10.0.14393"], "default")],  # a newer image cannot use Hyper-V on an older node: left alone
)  # fmt: skip
def test_choose_isolation(requested: str, nodes: list[str], expected: str) -> None:
    assert sw.choose_isolation(V("10.0.17763"), [V(n) for n in nodes], requested, "default") == expected


# --- diagnostics ---------------------------------------------------------------------------------------------
def recorded_errors() -> dict[str, dict[str, Any]]:
    """Real error texts (each with its public source) recorded in the container_error fixtures."""
    return {case["source"]: case for case in yaml.safe_load(CASES.read_text(encoding="utf-8"))}


def task(task_id: str, node_id: str, state: str, err: str = "", desired: str = "shutdown") -> dict[str, Any]:
    return {
        "ID": task_id,
        "ServiceID": "s1",
        "NodeID": node_id,
        "Slot": 1,
        "DesiredState": desired,
        "Status": {"State": state, "Err": err, "Message": "started", "Timestamp": f"2024-01-01T00:00:0{task_id[-1]}Z"},
    }


FLEET_RAW = [
    raw_node("n19", "win2019-01", {"OS": "windows", "OsVersion": "10.0.17763"}),
    raw_node("n22", "win2022-01", {"OS": "windows", "OsVersion": "10.0.20348"}),
]


@pytest.mark.parametrize(
    "source",
    ["https://github.com/moby/moby/issues/35462", "https://github.com/microsoft/Windows-Containers/issues/399",
     "https://github.com/moby/swarmkit/issues/2843"],
)  # fmt: skip
def test_failing_windows_tasks_are_classified_with_a_fix(source: str) -> None:
    case = recorded_errors()[source]
    fleet = sw.fleet_versions([sw.parse_node(n) for n in FLEET_RAW])
    svc = service("contoso/web:1-ltsc2022", ["node.labels.OS==windows"])
    tasks = [task("t1", "n19", "rejected", case["text"]), task("t2", "n22", "running", desired="running")]
    report, findings = sw.service_report(svc, tasks, fleet)
    assert (report["desired"], report["running"]) == (2, 1)
    assert [t["class"] for t in report["failing_tasks"]] == [case["expect"]["class"]]
    assert report["failing_tasks"][0]["hostname"] == "win2019-01"
    failed = [f for f in findings if f["check"] == "task_failed"]
    assert len(failed) == 1 and failed[0]["host"] == "win2019-01" and failed[0]["severity"] == "critical"
    assert "rebuild on mcr.microsoft.com/windows/servercore:ltsc2019" in failed[0]["fix"]
    assert "constrain to nodes with node.labels.OsVersion==10.0.20348 (win2022-01)" in failed[0]["fix"]
    assert "Hyper-V" not in failed[0]["fix"]  # a 20348 image cannot run on a 17763 host, not even with Hyper-V
    mismatch = [f for f in findings if f["check"] == "image_build_mismatch"]
    assert mismatch and mismatch[0]["hosts"] == ["win2019-01"]
    assert {f["check"] for f in findings} >= {"task_failed", "service_not_converged", "image_build_mismatch"}


def test_hyperv_fix_for_an_older_image() -> None:
    case = recorded_errors()["https://github.com/moby/moby/issues/35462"]
    fleet = sw.fleet_versions([sw.parse_node(n) for n in FLEET_RAW])
    svc = service("contoso/web:1-ltsc2019")
    _report, findings = sw.service_report(svc, [task("t1", "n22", "failed", case["text"])], fleet)
    fix = next(f["fix"] for f in findings if f["check"] == "task_failed")
    assert "rebuild on mcr.microsoft.com/windows/servercore:ltsc2022" in fix
    assert "constrain to nodes with node.labels.OsVersion==10.0.17763 (win2019-01)" in fix
    assert "use Hyper-V isolation" in fix


def test_a_linux_failure_is_found_but_not_blamed_on_versions() -> None:
    err = (
        'starting container failed: OCI runtime create failed: container_linux.go:380: starting container process '
        'caused: exec: "nosuchcmd": executable file not found in $PATH: unknown'
    )  # fmt: skip
    fleet = sw.fleet_versions([sw.parse_node(n) for n in FLEET_RAW])
    report, findings = sw.service_report(service("busybox:1"), [task("t1", "n19", "failed", err)], fleet)
    assert report["failing_tasks"][0]["class"] == "unknown" and report["image_version"] is None
    assert findings[0]["check"] == "task_failed" and findings[0]["severity"] == "high"
    assert "docker service ps --no-trunc" in findings[0]["fix"]
    assert findings[1] == {**findings[1], "check": "service_not_converged", "severity": "critical"}


def test_label_findings_compare_labels_with_what_the_host_runs() -> None:
    nodes = [sw.parse_node(n) for n in FLEET_RAW] + [sw.parse_node(raw_node("n3", "win-new"))]
    facts = sw.match_facts(
        {
            "win2019-01": {"version": "10.0.17763.5458", "docker": {"swarm": {"node_id": "n19"}}},
            "win2022-01": {"version": "10.0.26100.1", "docker": {"swarm": {"node_id": "n22"}}},
            "win-new": {"version": "10.0.20348.1", "docker": {"swarm": {"node_id": "n3"}}},
        },
        nodes,
    )
    found = sw.label_findings(sw.fleet_versions(nodes, facts), "OsVersion")
    assert [(f["host"], f["severity"]) for f in found] == [("win2022-01", "high"), ("win-new", "medium")]
    assert found[0]["fix"] == "set OsVersion=10.0.26100 with wincontainers.compat.swarm_node_labels"
