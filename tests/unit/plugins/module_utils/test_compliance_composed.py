"""Compliance is composed from the planners: the same placement answers as the info modules, the same reports."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from ansible_collections.wincontainers.compat.plugins.action.compliance_report import load_offline
from ansible_collections.wincontainers.compat.plugins.module_utils import compliance as c
from ansible_collections.wincontainers.compat.plugins.module_utils import k8s, swarm
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import all_releases
from ansible_collections.wincontainers.compat.plugins.module_utils.reports import render_html, render_json, render_junit

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE_STATE = ROOT / "examples" / "fleet" / "state"
FIXTURES = ROOT / "tests" / "unit" / "fixtures"
GOLDEN = FIXTURES / "golden"
TODAY = datetime.date(2026, 11, 28)


# ------------------------------------------------------------------------------ recorded cluster states


def recorded_states() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, file, state) of every recorded Swarm or Kubernetes state under examples/fleet/state and the fixtures."""
    for path in sorted([*EXAMPLE_STATE.rglob("*.json"), *FIXTURES.rglob("*.json")]):
        state = json.loads(path.read_text())
        if isinstance(state, dict) and isinstance(state.get("nodes"), list):
            if "services" in state:
                yield "swarm", str(path.relative_to(ROOT)), state
            elif "workloads" in state:
                yield "k8s", str(path.relative_to(ROOT)), state
            elif all("nodeInfo" in node for node in state["nodes"]):
                yield "k8s", str(path.relative_to(ROOT)), k8s_state_of_real_nodes(state["nodes"])


def k8s_state_of_real_nodes(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The real nodeInfo of tests/unit/fixtures/k8s_nodes as k8s_compat_info records them, with one workload per
    release the catalog has a servercore tag for, selecting only Windows nodes (so every node is allowed)."""
    recorded = [
        {"name": node["name"], "os": "windows", "kernel_version": node["nodeInfo"]["kernelVersion"],
         "os_image": node["nodeInfo"]["osImage"], "labels": node.get("labels") or {}}
        for node in nodes
    ]  # fmt: skip
    workloads = [
        {
            "kind": "Deployment",
            "namespace": "apps",
            "name": f"app-{release['build']}",
            "node_selector": {"kubernetes.io/os": "windows"},
            "containers": [{"name": "app", "image": f"contoso/app:1.0-{release['tags']['servercore'][0]}"}],
        }
        for release in all_releases()
        if (release.get("tags") or {}).get("servercore")
    ]
    return {"nodes": recorded, "workloads": workloads, "runtime_classes": [], "findings": []}


def example_hosts() -> dict[str, Any]:
    return {
        path.stem: json.loads(path.read_text())["ansible_facts"]["wincontainers_host"]
        for path in sorted((EXAMPLE_STATE / "hosts").glob("*.json"))
    }


def real_versions(nodes: list[dict[str, Any]], hosts: dict[str, Any], id_key: str) -> dict[int, Any]:
    """Position -> what the node really runs (its host's facts first), the input both answers start from."""
    views = {name: c.host_view(name, facts) for name, facts in hosts.items()}
    matched = c.match_hosts(nodes, views, id_key)
    return {position: c.real_version(node, matched.get(position)) for position, node in enumerate(nodes)}


def compliance_placement(kind: str, state: dict[str, Any], hosts: dict[str, Any]) -> dict[str, set[str]]:
    """Subject -> the nodes compliance says the subject can be placed on although its image cannot run there."""
    report = c.evaluate(hosts, **{kind: {"recorded": state}}, policy=c.Policy(today=TODAY))
    found: dict[str, set[str]] = {}
    for item in report["findings"]:
        if item["check"] == f"{kind}_placement":
            found.setdefault(item["subject"].split(" ", 1)[1], set()).update(c.short_name(h) for h in item["hosts"])
    return found


def swarm_info_placement(state: dict[str, Any], hosts: dict[str, Any]) -> dict[str, set[str]]:
    """The same question answered as swarm_compat_info answers it (``placement_findings`` over its fleet)."""
    nodes = state["nodes"]
    real = real_versions(nodes, hosts, "id")
    planned = [c.swarm_node(node)[0] for node in nodes]
    fleet = swarm.Fleet(planned, {node.id: (real[position], "host_facts") for position, node in enumerate(planned)})
    found: dict[str, set[str]] = {}
    for service in state["services"]:
        view = swarm.ServiceView(
            id=str(service.get("id", "")),
            name=service["name"],
            image=service["image"],
            version_index=0,
            constraints=list(service.get("constraints") or []),
            isolation=str(service.get("isolation") or "default"),
            mode=str(service.get("mode") or "replicated"),
            replicas=service.get("replicas"),
        )
        version = swarm.image_version(view.image, service.get("image_version"))
        if version is None:
            continue
        for item in swarm.placement_findings(view, version, fleet, "OsVersion"):
            found.setdefault(service["name"], set()).update(c.short_name(h) for h in item["hosts"])
    return found


def k8s_info_placement(state: dict[str, Any], hosts: dict[str, Any]) -> dict[str, set[str]]:
    """The same question answered as k8s_compat_info answers it (``workload_report``'s blocked nodes)."""
    nodes = state["nodes"]
    real = real_versions(nodes, hosts, "uid")
    windows = [k8s.WindowsNode(c.node_name(n), c.node_labels(n), real[p]) for p, n in enumerate(nodes)]
    classes = c.k8s_runtime_classes(state.get("runtime_classes") or [])
    found: dict[str, set[str]] = {}
    for workload in state["workloads"]:
        pod_spec: dict[str, Any] = {"nodeSelector": workload.get("node_selector") or {}}
        pod_spec["containers"] = workload.get("containers") or []
        if workload.get("runtime_class"):
            pod_spec["runtimeClassName"] = workload["runtime_class"]
        obj = {"metadata": {"namespace": workload["namespace"], "name": workload["name"]}}
        obj.update(k8s.nest(k8s.pod_spec_path(workload["kind"]), pod_spec))
        report, _findings = k8s.workload_report(obj, workload["kind"], windows, classes, {})
        if report and report["blocked_nodes"]:
            found[f"{workload['namespace']}/{workload['name']}"] = {c.short_name(n) for n in report["blocked_nodes"]}
    return found


STATES = list(recorded_states())


def test_every_recorded_state_is_found() -> None:
    files = {file for _kind, file, _state in STATES}
    assert "examples/fleet/state/swarm/prod-swarm.json" in files
    assert "examples/fleet/state/k8s/prod-aks.json" in files
    assert "tests/unit/fixtures/k8s_nodes/windows_nodes.json" in files


@pytest.mark.parametrize(("kind", "file", "state"), STATES, ids=[file for _k, file, _s in STATES])
@pytest.mark.parametrize("with_facts", [True, False], ids=["host facts", "orchestrator only"])
def test_compliance_and_the_info_modules_report_the_same_placement(
    kind: str, file: str, state: dict[str, Any], with_facts: bool
) -> None:
    hosts = example_hosts() if with_facts else {}
    info = swarm_info_placement(state, hosts) if kind == "swarm" else k8s_info_placement(state, hosts)
    assert compliance_placement(kind, state, hosts) == info
    if file.startswith("examples/") and with_facts:
        assert info, "the example fleet has misplaced services and workloads"


# ------------------------------------------------------------------------------ where the two old answers differed


def one_service(constraints: list[str], isolation: str = "default", **node: Any) -> dict[str, Any]:
    entry = {"id": "n22", "hostname": "WIN2022-01", "os": "windows", "labels": {"OsVersion": "10.0.20348"}, **node}
    service = {"name": "web", "image": "contoso/web:1-ltsc2019", "constraints": constraints, "isolation": isolation}
    return {"nodes": [{**entry, "version": "10.0.20348.2966"}], "services": [service], "findings": []}


@pytest.mark.parametrize(
    ("state", "misplaced"),
    [
        # the service runs with Hyper-V isolation: a 2019 image runs on a 2022 node (compliance used the host's default)
        (one_service([], "hyperv"), False),
        (one_service([], "process"), True),
        (one_service([], "default"), True),
        # swarmkit compares node.platform.arch (compliance could not rule a node out on it)
        (one_service(["node.platform.arch==aarch64"], architecture="x86_64"), False),
        (one_service(["node.platform.arch==x86_64"], architecture="x86_64"), True),
        # a label key outside [\w.-/] is still a label key (compliance skipped the constraint)
        (one_service(["node.labels.team:x==a"]), False),
        # engine labels the recorded entry carries are compared; when it carries none they cannot rule it out
        (one_service(["engine.labels.tier==gold"], engine_labels={"tier": "silver"}), False),
        (one_service(["engine.labels.tier==gold"]), True),
    ],
)
def test_where_the_old_answers_differed_compliance_now_answers_as_the_swarm_planner(
    state: dict[str, Any], misplaced: bool
) -> None:
    assert bool(compliance_placement("swarm", state, {})) is misplaced
    if "engine_labels" in state["nodes"][0] or not any("engine" in c for c in state["services"][0]["constraints"]):
        assert compliance_placement("swarm", state, {}) == swarm_info_placement(state, {})


# ------------------------------------------------------------------------------ the demo's reports, unchanged


def test_the_demo_reports_match_the_golden_copies() -> None:
    """The reports scripts/demo writes (same inputs as examples/fleet/inventory.yml), byte for byte."""
    golden = json.loads((GOLDEN / "compliance.json").read_text(encoding="utf-8"))
    offline = load_offline(str(EXAMPLE_STATE))
    report = c.evaluate(
        offline["hosts"],
        swarm=offline["swarm"],
        k8s=offline["k8s"],
        targets={"win2016-01": "10.0.14393.7699"},
        policy=c.make_policy({"isolation": "auto", "today": golden["as_of"]}),
        registry={"images": offline["registry"], "tag_lists": offline["tag_lists"]},
    )
    assert render_json(report) == (GOLDEN / "compliance.json").read_text(encoding="utf-8")
    assert render_junit(report) == (GOLDEN / "compliance.xml").read_text(encoding="utf-8")
    assert render_html(report, title="Windows container compliance") == (GOLDEN / "compliance.html").read_text(
        encoding="utf-8"
    )


# ------------------------------------------------------------------------------ unverified images


def test_an_unverified_image_is_its_own_medium_finding_with_the_revision_to_pin() -> None:
    """The core answers ``unverified`` for a 2016 image on a 2016 host with process isolation and unknown
    revisions; compliance reports it as ``image_unverified``, not as a container that cannot run."""
    facts = {
        "version": {"version": "10.0.14393.7606"},
        "host_kind": "server",
        "docker": {"installed": True, "running": True, "default_isolation": "process"},
        "containers": [
            {
                "name": "legacy",
                "image": "contoso/legacy:1-ltsc2016",
                "image_os_version": "10.0.14393",
                "isolation": "process",
            }
        ],
    }

    def verdict(image: str, host: str, isolation: str, kind: str) -> dict[str, Any]:
        if isolation == "process":
            return {"status": "unverified", "reason": "the image's update revision is unknown; 2016 needs the same"}
        return {"status": "supported", "reason": "Hyper-V isolation"}

    report = c.evaluate({"win2016-01": facts}, policy=c.Policy(today=TODAY), compat=verdict)
    found = [f for f in report["findings"] if f["subject"] == "container legacy"]
    assert [(f["check"], f["severity"]) for f in found] == [("image_unverified", "medium")]
    assert "pin the exact revision tag 10.0.14393.7606" in found[0]["fix"]
    assert "the image's update revision is unknown" in found[0]["message"]
    cell = report["matrix"][0]["cells"][0]
    assert (cell["process"], cell["status"], cell["caveats"]) == ("unverified", "unverified", {})  # not running-ok


def test_an_unverified_image_on_a_host_without_a_revision_names_the_revision_to_find() -> None:
    facts = {
        "version": {"version": "10.0.14393"},
        "host_kind": "server",
        "docker": {"installed": True, "running": True, "default_isolation": "process"},
        "containers": [{"name": "a", "image": "contoso/a:1", "image_os_version": "10.0.14393", "isolation": "process"}],
    }
    report = c.evaluate(
        {"h": copy.deepcopy(facts)},
        policy=c.Policy(today=TODAY),
        compat=lambda *_args: {"status": "unverified", "reason": "revisions unknown"},
    )
    (item,) = [f for f in report["findings"] if f["check"] == "image_unverified"]
    assert "pin the exact revision tag 10.0.14393.R" in item["fix"]
