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
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError
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


# ------------------------------------------------------------------------------ node labels, one answer


def compliance_labels(
    kind: str, state: dict[str, Any], hosts: dict[str, Any], policy: c.Policy
) -> set[tuple[str, str]]:
    """(node, label) of compliance's own label findings (not those the recorded info module reported)."""
    report = c.evaluate(hosts, **{kind: {"recorded": state}}, policy=policy)
    return {
        (item["subject"].split(" ", 1)[1], item["label"])
        for item in report["findings"]
        if item["check"] == f"{kind}_node_labels" and "source" not in item
    }


def host_versions(nodes: list[dict[str, Any]], hosts: dict[str, Any], id_key: str) -> dict[int, Any]:
    """Position -> the version of the host matched to the node, for the nodes that have host facts."""
    views = {name: c.host_view(name, facts) for name, facts in hosts.items()}
    matched = c.match_hosts(nodes, views, id_key)
    return {position: c.safe_version(view.version) for position, view in matched.items() if view.version}


def swarm_info_labels(state: dict[str, Any], hosts: dict[str, Any], version_format: str) -> set[tuple[str, str]]:
    """The same question answered as swarm_compat_info answers it (``label_findings`` over its fleet)."""
    planned = [c.swarm_node(node)[0] for node in state["nodes"]]
    real = host_versions(state["nodes"], hosts, "id")
    fleet = swarm.Fleet(planned, {planned[position].id: (version, "host_facts") for position, version in real.items()})
    found = swarm.label_findings(fleet, "OsVersion", version_format)
    return {(item["subject"].split(" ", 1)[1], item["label"]) for item in found}


def k8s_info_labels(state: dict[str, Any], hosts: dict[str, Any]) -> set[tuple[str, str]]:
    """The same question answered as k8s_compat_info answers it (``plan_node``: the owned labels it would change
    and kubelet's label), for the labels the node carries."""
    found = set()
    for position, version in host_versions(state["nodes"], hosts, "uid").items():
        entry = state["nodes"][position]
        labels = c.node_labels(entry)
        info = {"kernelVersion": version.version}  # the node reports what its host runs, as the facts say
        node = {"metadata": {"name": c.node_name(entry), "labels": labels}, "status": {"nodeInfo": info}}
        plan = k8s.plan_node(node, k8s.LabelOptions(), version.version)
        wrong = [key for key in plan.changes if key in labels]
        wrong += [k8s.WINDOWS_BUILD_LABEL for item in plan.findings if item["check"] == "windows_build_label_mismatch"]
        found.update((plan.name, key) for key in wrong)
    return found


def reported_hosts(state: dict[str, Any]) -> dict[str, Any]:
    """Host facts named after each node, with the version its orchestrator reports."""
    hosts = {}
    for node in state["nodes"]:
        reported = c.safe_version(node.get("kernel_version") or node.get("version"))
        if reported is not None:
            hosts[c.node_name(node).lower()] = {"version": {"version": reported.version}}
    return hosts


# Every recorded state; a Swarm state once per label format swarm_node_labels writes.
LABELLED = [
    (kind, file, state, version_format)
    for kind, file, state in STATES
    for version_format in (swarm.VERSION_FORMATS if kind == "swarm" else ("major.minor.build",))
]


@pytest.mark.parametrize(
    ("kind", "file", "state", "version_format"), LABELLED, ids=[f"{file}-{fmt}" for _k, file, _s, fmt in LABELLED]
)
@pytest.mark.parametrize("facts_of", ["example hosts", "reported versions"])
def test_compliance_and_the_planners_flag_the_same_node_labels(
    kind: str, file: str, state: dict[str, Any], version_format: str, facts_of: str
) -> None:
    hosts = example_hosts() if facts_of == "example hosts" else reported_hosts(state)
    policy = c.Policy(today=TODAY, swarm_version_format=version_format)
    info = swarm_info_labels(state, hosts, version_format) if kind == "swarm" else k8s_info_labels(state, hosts)
    assert compliance_labels(kind, state, hosts, policy) == info
    if file.startswith("examples/") and facts_of == "example hosts":
        assert info, "the example fleet has wrong node labels"


SWARM_2019 = {"win2019-02": {"version": {"version": "10.0.17763.6775"}, "docker": {"swarm": {"node_id": "n19"}}}}


def one_swarm_node(label: str) -> dict[str, Any]:
    node = {"id": "n19", "hostname": "WIN2019-02", "os": "windows", "labels": {"OsVersion": label}}
    return {"nodes": [node], "services": [], "findings": []}


@pytest.mark.parametrize(
    ("label", "version_format", "flagged"),
    [
        ("10.0.17763", "major.minor.build", False),
        # compliance passed these before (they name the host's build); node.labels.OsVersion==10.0.17763 does not
        # match them, because Swarm constraints compare strings
        ("10.0.17763.6775", "major.minor.build", True),
        ("17763", "major.minor.build", True),
        ("ltsc2019", "major.minor.build", True),
        ("10.0.17763", "build", True),
        ("10.0.17763", "version", True),
        # both answers agreed
        ("17763", "build", False),
        ("10.0.17763.6775", "version", False),
        ("10.0.17763.6659", "version", True),  # a revision before the last update
        ("10.0.20348", "major.minor.build", True),
    ],
)
def test_where_the_old_label_answers_differed_compliance_now_answers_as_the_swarm_planner(
    label: str, version_format: str, flagged: bool
) -> None:
    state = one_swarm_node(label)
    policy = c.Policy(today=TODAY, swarm_version_format=version_format)
    found = compliance_labels("swarm", state, SWARM_2019, policy)
    assert found == ({("WIN2019-02", "OsVersion")} if flagged else set())
    assert found == swarm_info_labels(state, SWARM_2019, version_format)


def test_a_swarm_label_finding_names_the_value_swarm_node_labels_writes() -> None:
    policy = c.Policy(today=TODAY, swarm_version_format="build")
    report = c.evaluate(SWARM_2019, swarm={"prod": one_swarm_node("10.0.17763")}, policy=policy)
    (item,) = report["findings"]
    assert (item["severity"], item["host"], item["subject"]) == ("high", "win2019-02", "node WIN2019-02")
    assert item["message"] == "label OsVersion=10.0.17763, expected 17763; the node runs 10.0.17763.6775 (host_facts)"
    assert item["fix"].startswith("set OsVersion=17763 with wincontainers.compat.swarm_node_labels")


def test_a_label_finding_swarm_compat_info_recorded_is_reported_once() -> None:
    state = one_swarm_node("10.0.20348")
    fleet = swarm.Fleet(
        [c.swarm_node(state["nodes"][0])[0]], {"n19": (c.safe_version("10.0.17763.6775"), "host_facts")}
    )
    state["findings"] = swarm.label_findings(fleet, "OsVersion")
    report = c.evaluate(SWARM_2019, swarm={"prod": state}, policy=c.Policy(today=TODAY))
    assert [(f["check"], f["host"]) for f in report["findings"]] == [("swarm_node_labels", "win2019-02")]


def one_k8s_node(version: str, **labels: str) -> tuple[dict[str, Any], dict[str, Any]]:
    node = {"name": "k1", "os": "windows", "labels": {"kubernetes.io/os": "windows", **labels}}
    return {"nodes": [node], "workloads": [], "runtime_classes": [], "findings": []}, {
        "k1": {"version": {"version": version}}
    }


WINDOWS_BUILD, OSBUILD, RELEASE = k8s.DEFAULT_VERSION_LABELS


@pytest.mark.parametrize(
    ("version", "key", "label", "flagged"),
    [
        ("10.0.17763.6659", WINDOWS_BUILD, "10.0.17763", False),
        ("10.0.17763.6659", OSBUILD, "17763", False),
        ("10.0.14393.7606", OSBUILD, "14393.7606", False),
        ("10.0.17763.6659", RELEASE, "ltsc2019", False),
        # compliance passed these before (they name the host's build); kubelet and k8s_node_labels write another
        # string, and nodeSelectors and RuntimeClasses compare strings
        ("10.0.17763.6659", WINDOWS_BUILD, "10.0.17763.6659", True),
        ("10.0.17763.6659", WINDOWS_BUILD, "17763", True),
        ("10.0.17763.6659", OSBUILD, "10.0.17763", True),
        ("10.0.17763.6659", OSBUILD, "17763.6659", True),
        ("10.0.14393.7606", OSBUILD, "14393", True),  # 2016 needs the revision: osbuild_format auto writes it
        ("10.0.17763.6659", RELEASE, "1809", True),
        ("10.0.17763.6659", RELEASE, "10.0.17763", True),
        # compliance flagged this right label before: 23h2 names no build it could read
        ("10.0.25398.1189", RELEASE, "23h2", False),
        # both answers agreed
        ("10.0.20348.3091", RELEASE, "ltsc2025", True),
        ("10.0.20348.3091", WINDOWS_BUILD, "10.0.26100", True),
    ],
)
def test_where_the_old_label_answers_differed_compliance_now_answers_as_the_k8s_planner(
    version: str, key: str, label: str, flagged: bool
) -> None:
    state, hosts = one_k8s_node(version, **{key: label})
    found = compliance_labels("k8s", state, hosts, c.Policy(today=TODAY))
    assert found == ({("k1", key)} if flagged else set())
    assert found == k8s_info_labels(state, hosts)


@pytest.mark.parametrize(
    ("label", "flagged"),
    [
        ("17763", False),
        ("17763.6659", False),
        ("10.0.17763", False),
        ("10.0.17763.6659", False),
        ("ltsc2019", False),
        ("1809", True),  # compliance passed it before; k8s_node_labels writes no such value
        ("17763.6000", True),  # another revision
        ("20348", True),
    ],
)
def test_a_label_neither_kubelet_nor_k8s_node_labels_sets_holds_a_value_k8s_node_labels_can_write(
    label: str, flagged: bool
) -> None:
    state, hosts = one_k8s_node("10.0.17763.6659", **{"contoso.com/build": label})
    policy = c.Policy(today=TODAY, k8s_version_labels=("contoso.com/build",))
    assert compliance_labels("k8s", state, hosts, policy) == ({("k1", "contoso.com/build")} if flagged else set())


@pytest.mark.parametrize(
    ("osbuild_format", "label", "flagged"),
    [
        ("auto", "17763", False),
        ("auto", "17763.6659", True),
        ("build.revision", "17763.6659", False),
        ("build.revision", "17763", True),
        ("version", "10.0.17763.6659", False),
        ("major.minor.build", "10.0.17763", False),
        ("major.minor.build", "17763", True),
    ],
)
def test_the_osbuild_label_is_judged_in_the_format_the_nodes_are_labelled_with(
    osbuild_format: str, label: str, flagged: bool
) -> None:
    state, hosts = one_k8s_node("10.0.17763.6659", **{OSBUILD: label})
    policy = c.make_policy({"today": TODAY.isoformat(), "k8s_osbuild_format": osbuild_format})
    assert compliance_labels("k8s", state, hosts, policy) == ({("k1", OSBUILD)} if flagged else set())
    expected = k8s.desired_node_labels(
        c.safe_version("10.0.17763.6659"), k8s.LabelOptions(osbuild_format=osbuild_format)
    )[0][OSBUILD]
    assert (label != expected) is flagged  # the value k8s_node_labels writes in that format is the only right one


def test_k8s_osbuild_format_is_validated_and_reported() -> None:
    assert c.make_policy({"k8s_osbuild_format": "version"}).as_dict()["k8s_osbuild_format"] == "version"
    with pytest.raises(OptionError, match=r"k8s_osbuild_format must be one of auto, build, build\.revision"):
        c.make_policy({"k8s_osbuild_format": "10.0"})


def test_a_wrong_kubelet_label_is_fixed_by_kubelet() -> None:
    state, hosts = one_k8s_node("10.0.17763.6659", **{WINDOWS_BUILD: "17763", RELEASE: "ltsc2022"})
    report = c.evaluate(hosts, k8s={"aks": state}, policy=c.Policy(today=TODAY))
    fixes = {item["label"]: (item["message"], item["fix"]) for item in report["findings"]}
    assert fixes[WINDOWS_BUILD] == (
        f"label {WINDOWS_BUILD}=17763, expected 10.0.17763; the host runs 10.0.17763.6659",
        k8s.KUBELET_LABEL_FIX,
    )
    assert fixes[RELEASE][0] == f"label {RELEASE}=ltsc2022, expected ltsc2019; the host runs 10.0.17763.6659"
    assert "wincontainers.compat.k8s_node_labels" in fixes[RELEASE][1]


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
