"""Pure planning for the Docker Swarm fleet modules: node versions, label diffs, constraints, findings.

Everything here works on plain dicts shaped like the Docker Engine API's JSON (``ID``, ``Version``,
``Spec``, ``Description``, ``Status``); nothing talks to an engine. The modules list nodes, services and
tasks once, call these functions and send only the updates they return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.container_error import container_error
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    WinCompatError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import finding
from ansible_collections.wincontainers.compat.plugins.module_utils.image_source import (
    image_source,
    list_serves,
    source_label,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    base_image_tag,
    image_repository,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
    safe_version,
)

DEFAULT_OS_LABEL = "OS"
DEFAULT_VERSION_LABEL = "OsVersion"
WINDOWS = "windows"
ENGINE_RULES = "docker"  # a Swarm node's Docker Engine picks manifest-list entries by moby's rules
VERSION_FORMATS = ("major.minor.build", "build", "version")
UNAVAILABLE_CHOICES = ("skip", "fail", "update")
ISOLATION_CHOICES = ("auto", "process", "hyperv", "keep")
_CONSTRAINT = re.compile(r"^\s*(?P<key>[^=!\s]+)\s*(?P<op>==|!=)\s*(?P<value>.*?)\s*$")
_LABEL_KEY = re.compile(r"^[^\s=]+$")


class SwarmPlanError(WinCompatError):
    """A Swarm module input names no node, an ambiguous node, or an unusable label or constraint."""


# --- nodes -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """The fields of a Swarm node the modules use, read from the Engine API's node JSON."""

    id: str
    hostname: str
    version_index: int
    labels: dict[str, str]
    role: str
    availability: str
    state: str
    os: str
    architecture: str
    engine_version: str
    engine_labels: dict[str, str]
    addr: str
    spec: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


def parse_node(raw: Mapping[str, Any]) -> Node:
    """A :class:`Node` from ``GET /nodes`` JSON."""
    spec = dict(raw.get("Spec") or {})
    desc = raw.get("Description") or {}
    platform = desc.get("Platform") or {}
    engine = desc.get("Engine") or {}
    status = raw.get("Status") or {}
    return Node(
        id=str(raw.get("ID", "")),
        hostname=str(desc.get("Hostname", "")),
        version_index=int((raw.get("Version") or {}).get("Index", 0)),
        labels={str(k): str(v) for k, v in (spec.get("Labels") or {}).items()},
        role=str(spec.get("Role", "")),
        availability=str(spec.get("Availability", "")),
        state=str(status.get("State", "")),
        os=str(platform.get("OS", "")).lower(),
        architecture=str(platform.get("Architecture", "")),
        engine_version=str(engine.get("EngineVersion", "")),
        engine_labels={str(k): str(v) for k, v in (engine.get("Labels") or {}).items()},
        addr=str(status.get("Addr", "")),
        spec=spec,
    )


def unavailable_reason(node: Node) -> Optional[str]:
    """Why a node should not be patched now (``down``, ``drained``...), or None when it is ready and active."""
    if node.state != "ready":
        return node.state or "unknown state"
    if node.availability == "drain":
        return "drained"
    return None


def is_windows_node(node: Node, os_label: str = DEFAULT_OS_LABEL) -> bool:
    """A Windows node: its platform says so, or it carries OS_LABEL=windows."""
    return node.os == WINDOWS or bool(os_label and node.labels.get(os_label, "").lower() == WINDOWS)


def resolve_node(ref: str, nodes: Sequence[Node]) -> Node:
    """The node whose id or (unique) hostname is REF; an unknown or ambiguous REF is an error."""
    for node in nodes:
        if node.id == ref:
            return node
    named = [node for node in nodes if node.hostname == ref]
    if not named:
        named = [node for node in nodes if node.hostname.lower() == ref.lower()]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(sorted(node.id for node in named))
        raise SwarmPlanError(f"node {ref!r} is ambiguous: {len(named)} nodes have that hostname ({ids}); use the id")
    known = ", ".join(sorted(node.hostname for node in nodes)) or "none"
    raise SwarmPlanError(f"node {ref!r} is neither a node id nor a hostname of this swarm (hostnames: {known})")


def format_version(version: WindowsVersion, version_format: str = "major.minor.build") -> str:
    """The label value of VERSION: ``10.0.17763`` (default), ``17763``, or ``10.0.17763.5458``."""
    check_choice("version_format", version_format, VERSION_FORMATS)
    if version_format == "build":
        return str(version.build)
    if version_format == "version":
        return version.version
    return f"{version.major}.{version.minor}.{version.build}"


def facts_of(value: Any) -> Mapping[str, Any]:
    """The ``wincontainers_host`` facts inside a host's vars, its ``ansible_facts``, or the facts themselves."""
    if not isinstance(value, Mapping):
        return {}
    for path in (("wincontainers_host",), ("ansible_facts", "wincontainers_host")):
        inner: Any = value
        for key in path:
            inner = inner.get(key) if isinstance(inner, Mapping) else None
        if isinstance(inner, Mapping):
            return inner
    return value


def _facts_node_id(facts: Mapping[str, Any]) -> Optional[str]:
    """The Swarm node id recorded in host facts (``docker.swarm.node_id``)."""
    node_id = ((facts.get("docker") or {}).get("swarm") or {}).get("node_id")
    return str(node_id) if node_id else None


@dataclass(frozen=True)
class FactsMatch:
    """Host facts matched to swarm nodes: node id -> (inventory host, version), and the hosts left over."""

    versions: dict[str, tuple[str, WindowsVersion]]
    unmatched: dict[str, str]


def match_facts(from_facts: Mapping[str, Any], nodes: Sequence[Node]) -> FactsMatch:
    """Match every host's facts to a node by ``docker.swarm.node_id``; say why the others do not match."""
    by_id = {node.id: node for node in nodes}
    versions: dict[str, tuple[str, WindowsVersion]] = {}
    unmatched: dict[str, str] = {}
    for host, raw in from_facts.items():
        facts = facts_of(raw)
        node_id = _facts_node_id(facts)
        version = safe_version(facts.get("version"))
        if node_id is None:
            unmatched[str(host)] = "no docker.swarm.node_id in its facts (not a swarm node)"
        elif node_id not in by_id:
            unmatched[str(host)] = f"node id {node_id} is not a node of this swarm"
        elif version is None:
            unmatched[str(host)] = f"no Windows version in its facts ({describe(facts.get('version'))})"
        else:
            versions[node_id] = (str(host), version)
    return FactsMatch(versions, unmatched)


def reported_version(node: Node, version_label: str = DEFAULT_VERSION_LABEL) -> tuple[Optional[WindowsVersion], str]:
    """What the node's engine says it runs (engine label VERSION_LABEL), else its node label; and the source."""
    for source, labels in (("engine_labels", node.engine_labels), ("node_labels", node.labels)):
        version = safe_version(labels.get(version_label))
        if version is not None:
            return version, source
    return None, "unknown"


# --- label plans -----------------------------------------------------------------------------------------------
def check_label_key(key: object, where: str) -> str:
    """A label key must be a non-empty string without spaces or ``=``."""
    if not isinstance(key, str) or not _LABEL_KEY.match(key):
        raise SwarmPlanError(f"{where}: label key {describe(key)} is not valid (expected text without spaces or '=')")
    return key


def windows_labels(
    version: WindowsVersion,
    os_label: str = DEFAULT_OS_LABEL,
    version_label: str = DEFAULT_VERSION_LABEL,
    version_format: str = "major.minor.build",
) -> dict[str, str]:
    """The collection's own labels for a Windows node: ``{OS: windows, OsVersion: 10.0.17763}``."""
    labels = {}
    if os_label:
        labels[os_label] = WINDOWS
    if version_label:
        labels[version_label] = format_version(version, version_format)
    return labels


@dataclass
class Want:
    """What one node should get: labels to set and label keys to remove."""

    labels: dict[str, str] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)
    source: str = "input"


def merge_want(
    wants: dict[str, Want], node_id: str, labels: Mapping[str, str], remove: Iterable[str], src: str
) -> None:
    """Add LABELS and REMOVE to the want of NODE_ID; a key both set and removed is an error."""
    want = wants.setdefault(node_id, Want(source=src))
    if want.source != src and src not in want.source.split("+"):
        want.source = f"{want.source}+{src}"
    for key, value in labels.items():
        old = want.labels.get(key)
        if old is not None and old != value:
            raise SwarmPlanError(f"node {node_id}: label {key} is wanted as both {old!r} and {value!r}")
        want.labels[key] = value
    want.remove.update(remove)
    both = want.remove & set(want.labels)
    if both:
        raise SwarmPlanError(f"node {node_id}: labels {sorted(both)} are both set and in labels_to_remove")


@dataclass(frozen=True)
class LabelDiff:
    """The label change of one node: keys added, changed (old, new) and removed (old value)."""

    added: dict[str, str]
    changed: dict[str, tuple[str, str]]
    removed: dict[str, str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def label_diff(current: Mapping[str, str], want: Want) -> tuple[dict[str, str], LabelDiff]:
    """The labels after applying WANT to CURRENT (every other label kept) and the difference."""
    after = dict(current)
    added: dict[str, str] = {}
    changed: dict[str, tuple[str, str]] = {}
    removed: dict[str, str] = {}
    for key, value in want.labels.items():
        if key not in current:
            added[key] = value
        elif current[key] != value:
            changed[key] = (current[key], value)
        after[key] = value
    for key in sorted(want.remove):
        if key in after:
            removed[key] = after.pop(key)
    return after, LabelDiff(added, changed, removed)


@dataclass
class NodePlan:
    """The outcome for one node: its labels before and after, the diff, and whether it is skipped."""

    node: Node
    before: dict[str, str]
    after: dict[str, str]
    diff: LabelDiff
    source: str
    skipped: Optional[str] = None

    @property
    def needs_update(self) -> bool:
        return self.skipped is None and not self.diff.empty

    def result(self, changed: bool, attempts: int = 0) -> dict[str, Any]:
        """The per-node entry of the module result; for a skipped node the diff is what is pending."""
        return {
            "id": self.node.id,
            "hostname": self.node.hostname,
            "state": self.node.state,
            "availability": self.node.availability,
            "source": self.source,
            "changed": changed,
            "skipped": self.skipped is not None,
            "skip_reason": self.skipped,
            "added": dict(self.diff.added),
            "updated": {k: {"before": old, "after": new} for k, (old, new) in self.diff.changed.items()},
            "removed": dict(self.diff.removed),
            "labels": dict(self.before if self.skipped else self.after),
            "attempts": attempts,
        }


def plan_node(node: Node, want: Want, unavailable: str = "skip") -> NodePlan:
    """Plan one node; a down or drained node with changes is skipped (``skip``), fatal (``fail``) or patched."""
    check_choice("unavailable", unavailable, UNAVAILABLE_CHOICES)
    after, diff = label_diff(node.labels, want)
    plan = NodePlan(node, dict(node.labels), after, diff, want.source)
    reason = unavailable_reason(node)
    if reason and not diff.empty and unavailable != "update":
        if unavailable == "fail":
            raise SwarmPlanError(f"node {node.hostname} ({node.id}) is {reason}; its labels would change: {diff}")
        plan.skipped = f"node is {reason}"
    return plan


def updated_spec(node: Node, labels: Mapping[str, str]) -> dict[str, Any]:
    """The node's full spec with LABELS; role, availability and every other field unchanged."""
    spec = dict(node.spec)
    spec["Labels"] = dict(labels)
    return spec


# --- constraints and placement ---------------------------------------------------------------------------------
def _parse_constraint(text: str) -> Optional[tuple[str, str, str]]:
    """``(key, op, value)`` of a placement constraint such as ``node.labels.OS==windows``, or None."""
    match = _CONSTRAINT.match(str(text))
    if not match:
        return None
    return match["key"], match["op"], match["value"]


def rewrite_constraints(current: Sequence[str], wanted: Mapping[str, Optional[str]]) -> list[str]:
    """CURRENT with the constraints on WANTED's keys set to ``key==value`` (None removes the key).

    A managed constraint keeps its position; other constraints are kept untouched and in order;
    missing ones are appended in WANTED's order.
    """
    out: list[str] = []
    placed: set[str] = set()
    for text in current:
        parsed = _parse_constraint(text)
        key = parsed[0] if parsed else None
        if key is None or key not in wanted:
            out.append(text)
            continue
        value = wanted[key]
        if key in placed or value is None:
            continue
        out.append(text if parsed == (key, "==", value) else f"{key}=={value}")
        placed.add(key)
    for key, value in wanted.items():
        if key not in placed and value is not None:
            out.append(f"{key}=={value}")
    return out


def _node_attribute(key: str, node: Node) -> Optional[str]:
    """The value Swarm compares for constraint KEY on NODE (None when the node does not have it)."""
    if key.startswith("node.labels."):
        return node.labels.get(key[len("node.labels.") :])
    if key.startswith("engine.labels."):
        return node.engine_labels.get(key[len("engine.labels.") :])
    return {
        "node.id": node.id,
        "node.hostname": node.hostname,
        "node.role": node.role,
        "node.platform.os": node.os,
        "node.platform.arch": node.architecture,
    }.get(key)


def constraints_allow(constraints: Iterable[str], node: Node, unknown: Iterable[str] = ()) -> bool:
    """Evaluate Swarm placement constraints on NODE (case-insensitive values, as swarmkit compares them).

    UNKNOWN names the attributes a recorded node entry does not carry (a constraint key, or a prefix such as
    ``engine.labels.``): a constraint on one of them cannot rule the node out.
    """
    blind = tuple(unknown)
    for text in constraints:
        parsed = _parse_constraint(text)
        if parsed is None:
            continue
        key, op, value = parsed
        if blind and any(key == name or (name.endswith(".") and key.startswith(name)) for name in blind):
            continue
        actual = _node_attribute(key, node)
        equal = actual is not None and actual.casefold() == value.casefold()
        if (op == "==") != equal:
            return False
    return True


def verdict(image: WindowsVersion, host: WindowsVersion, isolation: str) -> str:
    """``supported``/``unsupported``/``preview`` of an image build on a host build (the core's documented rules)."""
    return str(container_compat(image.version, host.version, isolation=isolation)["status"])


def runs(image: WindowsVersion, host: WindowsVersion, isolation: str) -> bool:
    return verdict(image, host, isolation) in ("supported", "preview")


@dataclass
class ServiceView:
    """The fields of a Swarm service the modules use."""

    id: str
    name: str
    image: str
    version_index: int
    constraints: list[str]
    isolation: str
    mode: str
    replicas: Optional[int]
    spec: dict[str, Any] = field(repr=False, default_factory=dict)


def parse_service(raw: Mapping[str, Any]) -> ServiceView:
    """A :class:`ServiceView` from ``GET /services`` JSON."""
    spec = dict(raw.get("Spec") or {})
    template = spec.get("TaskTemplate") or {}
    container = template.get("ContainerSpec") or {}
    mode = spec.get("Mode") or {}
    mode_name = next(iter(mode), "replicated").lower()
    replicas = (mode.get("Replicated") or {}).get("Replicas") if "Replicated" in mode else None
    return ServiceView(
        id=str(raw.get("ID", "")),
        name=str(spec.get("Name", "")),
        image=str(container.get("Image", "")),
        version_index=int((raw.get("Version") or {}).get("Index", 0)),
        constraints=[str(c) for c in ((template.get("Placement") or {}).get("Constraints") or [])],
        isolation=str(container.get("Isolation") or "default"),
        mode=mode_name,
        replicas=None if replicas is None else int(replicas),
        spec=spec,
    )


def _image_name(image: str) -> str:
    """IMAGE without its ``@sha256:`` digest (the form Swarm pins after resolving a tag)."""
    return image.split("@", 1)[0]


def image_version(image: str, given: object = None, registry: object = None) -> Optional[WindowsVersion]:
    """The Windows build of a service image: GIVEN when set, else REGISTRY's (``registry_image_info``'s result: a
    single manifest's config, the only build of a list), else the build its tag names (``...-ltsc2019``)."""
    return safe_version(service_image_source(image, given, registry)["version"])


@dataclass(frozen=True)
class PlacementPlan:
    """New constraints and isolation of one service, and why."""

    constraints: list[str]
    isolation: str
    reason: str


def choose_isolation(
    image: WindowsVersion, node_versions: Sequence[WindowsVersion], requested: str, current: str
) -> str:
    """``auto``: Hyper-V when the image cannot run with process isolation on any node but runs on every node
    with Hyper-V (an image older than every node); else the current isolation."""
    check_choice("isolation", requested, ISOLATION_CHOICES)
    if requested in ("process", "hyperv"):
        return requested
    if requested == "keep" or not node_versions:
        return current
    if not any(runs(image, host, "process") for host in node_versions) and all(
        runs(image, host, "hyperv") for host in node_versions
    ):
        return "hyperv"
    return current


def plan_placement(
    service: ServiceView,
    version: WindowsVersion,
    node_versions: Sequence[WindowsVersion],
    *,
    isolation: str = "auto",
    os_label: str = DEFAULT_OS_LABEL,
    version_label: str = DEFAULT_VERSION_LABEL,
    version_format: str = "major.minor.build",
) -> PlacementPlan:
    """Constraints ``node.labels.OS==windows`` and, under process isolation, ``node.labels.OsVersion==<build>``.

    A service that runs with Hyper-V isolation can run on every node of the same or a newer build, which a
    Swarm equality constraint cannot express: its version constraint is removed instead.
    """
    chosen = choose_isolation(version, node_versions, isolation, service.isolation)
    wanted: dict[str, Optional[str]] = {}
    if os_label:
        wanted[f"node.labels.{os_label}"] = WINDOWS
    if version_label:
        pinned = None if chosen == "hyperv" else format_version(version, version_format)
        wanted[f"node.labels.{version_label}"] = pinned
    constraints = rewrite_constraints(service.constraints, wanted)
    if chosen == "hyperv" and service.isolation != "hyperv":
        reason = f"image {version.version} is older than every node: Hyper-V isolation"
    elif chosen == "hyperv":
        reason = "Hyper-V isolation: no build constraint"
    else:
        reason = f"process isolation: nodes with {version_label} {format_version(version, version_format)}"
    return PlacementPlan(constraints, chosen, reason)


def updated_service_spec(service: ServiceView, plan: PlacementPlan) -> dict[str, Any]:
    """The service's full spec with PLAN's constraints and isolation; every other field untouched."""
    spec = _copy(service.spec)
    template = spec.setdefault("TaskTemplate", {})
    placement = template.setdefault("Placement", {})
    if plan.constraints:
        placement["Constraints"] = list(plan.constraints)
    else:
        placement.pop("Constraints", None)
    if plan.isolation in ("process", "hyperv") and plan.isolation != service.isolation:
        template.setdefault("ContainerSpec", {})["Isolation"] = plan.isolation
    return spec


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --- what the fleet modules act on ------------------------------------------------------------------------------
def build_wants(params: Mapping[str, Any], nodes: Sequence[Node]) -> tuple[dict[str, Want], dict[str, str]]:
    """Wanted labels per node id from O(nodes), O(from_facts) and O(labels_to_remove); unmatched hosts."""
    os_label, version_label, fmt = params["os_label"], params["version_label"], params["version_format"]
    check_option_keys(os_label, version_label)
    wants: dict[str, Want] = {}
    unmatched: dict[str, str] = {}
    if params.get("from_facts"):
        matched = match_facts(params["from_facts"], nodes)
        unmatched = matched.unmatched
        for node_id, (_host, version) in matched.versions.items():
            merge_want(wants, node_id, windows_labels(version, os_label, version_label, fmt), (), "facts")
    for position, entry in enumerate(params.get("nodes") or []):
        where = f"nodes[{position}]"
        node = resolve_node(str(entry["node"]), nodes)
        given = entry.get("labels") or {}
        labels = {check_label_key(k, where): "" if v is None else str(v) for k, v in given.items()}
        if entry.get("version") not in (None, ""):
            labels.update(windows_labels(parse_windows_version(entry["version"]), os_label, version_label, fmt))
        remove = [check_label_key(k, where) for k in entry.get("labels_to_remove") or []]
        merge_want(wants, node.id, labels, remove, "input")
    remove_all = [check_label_key(k, "labels_to_remove") for k in params.get("labels_to_remove") or []]
    if remove_all:
        targets = list(wants) if (params.get("nodes") or params.get("from_facts")) else [n.id for n in nodes]
        for node_id in targets:
            merge_want(wants, node_id, {}, remove_all, "labels_to_remove")
    return wants, unmatched


def windows_node_versions(nodes: Iterable[Node], os_label: str, version_label: str) -> list[WindowsVersion]:
    """Builds of the Windows nodes (platform Windows, or labelled OS_LABEL=windows) that tell their build."""
    versions = []
    for node in nodes:
        if is_windows_node(node, os_label):
            version, _source = reported_version(node, version_label)
            if version is not None:
                versions.append(version)
    return versions


def _resolve_service(ref: str, services: Sequence[ServiceView]) -> ServiceView:
    """The service whose name or id is REF."""
    for svc in services:
        if ref in (svc.name, svc.id):
            return svc
    known = ", ".join(sorted(s.name for s in services)) or "none"
    raise SwarmPlanError(f"service {ref!r} is neither a service name nor an id of this swarm (services: {known})")


@dataclass(frozen=True)
class Placement:
    """One service to place: the service as last read, the image version given for it and the isolation asked."""

    service: ServiceView
    given: Any
    isolation: str


def _plan_list_placement(
    service: ServiceView,
    served: Mapping[WindowsVersion, bool],
    *,
    isolation: str = "process",
    os_label: str = DEFAULT_OS_LABEL,
    version_label: str = DEFAULT_VERSION_LABEL,
    version_format: str = "major.minor.build",
) -> PlacementPlan:
    """A manifest-list image under process isolation: ``OS==windows``, no build pinned, and
    ``<version_label>!=<build>`` for each Windows node build whose pulled entry cannot run there."""
    wanted: dict[str, Optional[str]] = {f"node.labels.{os_label}": WINDOWS} if os_label else {}
    if version_label:
        wanted[f"node.labels.{version_label}"] = None
    constraints = rewrite_constraints(service.constraints, wanted)
    unserved = sorted({format_version(node, version_format) for node, ok in served.items() if not ok})
    if version_label:
        constraints += [f"node.labels.{version_label}!={label}" for label in unserved]
    served_labels = sorted({format_version(node, version_format) for node, ok in served.items() if ok})
    reason = f"manifest list: {isolation} isolation on nodes with {version_label} {', '.join(served_labels) or 'none'}"
    if unserved:
        reason += f" (no entry runs on {', '.join(unserved)})"
    return PlacementPlan(constraints, isolation, reason)


def placement_targets(
    params: Mapping[str, Any], services: Sequence[ServiceView]
) -> tuple[list[Placement], dict[str, str]]:
    """The services to place (O(services), else every service) and those skipped, with the reason."""
    if params["services"]:
        chosen = [
            Placement(_resolve_service(str(e["name"]), services), e.get("image_version"), e.get("isolation") or "")
            for e in params["services"]
        ]
    else:
        chosen = [Placement(svc, None, "") for svc in services]
    kept: list[Placement] = []
    skipped: dict[str, str] = {}
    for target in chosen:
        version = image_version(target.service.image, target.given, params.get("registry"))
        if version is None and not _is_list(target, params):
            skipped[target.service.name] = _unknown_build_reason(target.service.image, params.get("registry"))
        else:
            kept.append(Placement(target.service, target.given, target.isolation or params["isolation"]))
    return kept, skipped


def _unknown_build_reason(image: str, registry: object) -> str:
    """Why the build of IMAGE is unknown: its tag names none, or it is a manifest list placed with Hyper-V."""
    builds = image_source(image, registry, rules=ENGINE_RULES).get("builds")
    if builds is not None:
        listed = ", ".join(builds) or "no Windows build"
        return (
            f"{image} is a manifest list ({listed}) and the service runs with Hyper-V isolation, where no one build "
            "is pinned by the list; give services[].image_version"
        )
    return f"the tag of {image} names no Windows build; give services[].image_version or its registry answer"


def _is_list(target: Placement, params: Mapping[str, Any]) -> bool:
    """Whether TARGET is placed by its registry manifest list: no build given, a list in O(registry), not Hyper-V."""
    isolation = target.isolation or params["isolation"]
    kept = target.service.isolation if isolation == "keep" else ""
    if target.given not in (None, "") or "hyperv" in (isolation, kept):
        return False
    return list_serves(target.service.image, params.get("registry"), [], ENGINE_RULES) is not None


def plan_target(target: Placement, node_versions: Sequence[WindowsVersion], params: Mapping[str, Any]) -> PlacementPlan:
    """The placement plan of TARGET over the Windows node builds, with the label options of PARAMS.

    A manifest-list image of O(registry) (no build given, not Hyper-V) is placed by the builds its entries serve; a
    single-manifest image by the build of its config there, else by the build its tag names.
    """
    labels = {key: params[key] for key in ("os_label", "version_label", "version_format")}
    if _is_list(target, params):
        served = list_serves(target.service.image, params.get("registry"), node_versions, ENGINE_RULES)
        keep = (target.isolation or params["isolation"]) == "keep"
        isolation = target.service.isolation if keep else "process"
        return _plan_list_placement(target.service, served or {}, isolation=isolation, **labels)
    version = image_version(target.service.image, target.given, params.get("registry"))
    if version is None:  # pragma: no cover - filtered by placement_targets()
        raise SwarmPlanError(f"service {target.service.name}: no Windows build")
    return plan_placement(
        target.service,
        version,
        node_versions,
        isolation=target.isolation,
        os_label=params["os_label"],
        version_label=params["version_label"],
        version_format=params["version_format"],
    )


def placement_differs(service: ServiceView, plan: PlacementPlan) -> bool:
    """Whether PLAN changes the constraints or the isolation of SERVICE."""
    return plan.constraints != service.constraints or plan.isolation != service.isolation


# --- diagnostics -----------------------------------------------------------------------------------------------
FAILED_STATES = frozenset({"failed", "rejected"})


def _tag_hint(version: Optional[WindowsVersion], repo: str = "servercore") -> str:
    """``mcr.microsoft.com/windows/servercore:ltsc2019``: the base image to rebuild on for a host build."""
    if version is None:
        return "the host's Windows build"
    try:
        return f"{image_repository(repo)}:{base_image_tag(version.version, repo=repo)}"
    except WinCompatError:
        return f"a {repo} image of build {version.build}"


def _task_error(task: Mapping[str, Any]) -> str:
    """The error text Swarm records for a task (``Status.Err``, else its message when it failed)."""
    status = task.get("Status") or {}
    return str(status.get("Err") or (status.get("Message") if status.get("State") in FAILED_STATES else "") or "")


def node_summary(node: Node, version: Optional[WindowsVersion], source: str) -> dict[str, Any]:
    """One node of the report (the shape the compliance role reads offline)."""
    return {
        "id": node.id,
        "hostname": node.hostname,
        "role": node.role,
        "availability": node.availability,
        "state": node.state,
        "os": node.os,
        "architecture": node.architecture,
        "engine_version": node.engine_version,
        "labels": dict(node.labels),
        "version": version.version if version else None,
        "build": version.build if version else None,
        "version_source": source,
    }


def _classify_task(task: Mapping[str, Any], hostname: Optional[str]) -> dict[str, Any]:
    """A failing task with its error classified by the core's ``container_error``."""
    status = task.get("Status") or {}
    text = _task_error(task)
    classified = container_error(text)
    return {
        "id": task.get("ID"),
        "slot": task.get("Slot"),
        "node_id": task.get("NodeID"),
        "hostname": hostname,
        "state": status.get("State"),
        "desired_state": task.get("DesiredState"),
        "timestamp": status.get("Timestamp"),
        "error": text,
        "class": classified["class"],
        "hresult": classified.get("hresult"),
        "advice": classified.get("advice"),
    }


@dataclass
class Fleet:
    """Nodes with their versions, as a report sees them."""

    nodes: list[Node]
    versions: dict[str, tuple[Optional[WindowsVersion], str]]

    def version(self, node_id: str) -> Optional[WindowsVersion]:
        return self.versions.get(node_id, (None, "unknown"))[0]

    def hostname(self, node_id: Optional[str]) -> Optional[str]:
        return next((n.hostname for n in self.nodes if n.id == node_id), None)


def fleet_versions(
    nodes: Sequence[Node], facts: Optional[FactsMatch] = None, version_label: str = DEFAULT_VERSION_LABEL
) -> Fleet:
    """Each node's version: host facts first, then its engine labels, then its node label."""
    versions: dict[str, tuple[Optional[WindowsVersion], str]] = {}
    for node in nodes:
        if facts is not None and node.id in facts.versions:
            versions[node.id] = (facts.versions[node.id][1], "host_facts")
        else:
            versions[node.id] = reported_version(node, version_label)
    return Fleet(list(nodes), versions)


def _fix_for(
    cls: str, image: Optional[WindowsVersion], host: Optional[WindowsVersion], fleet: Fleet, version_label: str
) -> str:
    if cls not in ("os_mismatch", "image_newer_than_host", "no_matching_manifest"):
        return "inspect the task error (docker service ps --no-trunc) and the service's command and image"
    fixes = [f"rebuild on {_tag_hint(host)}"]
    if image is not None:
        targets = [n.hostname for n in fleet.nodes if (v := fleet.version(n.id)) and runs(image, v, "process")]
        if targets:
            wanted = f"node.labels.{version_label}=={format_version(image)}"
            fixes.append(f"constrain to nodes with {wanted} ({', '.join(sorted(targets))})")
        if host is not None and runs(image, host, "hyperv"):
            fixes.append("use Hyper-V isolation (--isolation=hyperv)")
    return "; or ".join(fixes)


def service_image_source(image: str, given: object = None, registry: object = None) -> dict[str, Any]:
    """Where a service image's build comes from (``image_source``); a build GIVEN for the service wins."""
    if given not in (None, ""):
        return {"version": parse_windows_version(given).version, "source": "given", "digest": None, "guess": False}
    return image_source(image, registry, rules=ENGINE_RULES)


def _node_pulls(service: ServiceView, fleet: Fleet, registry: object, os_label: str) -> dict[str, dict[str, Any]]:
    """Per Windows node the constraints allow: the manifest-list entry its engine pulls, or ``no_matching_manifest``.

    Empty unless the registry answered for the image (a tag or a host store names one build for every node).
    """
    pulls: dict[str, dict[str, Any]] = {}
    for node in fleet.nodes:
        host = fleet.version(node.id)
        if host is None or not is_windows_node(node, os_label) or not constraints_allow(service.constraints, node):
            continue
        answer = image_source(service.image, registry, node=host.version, rules=ENGINE_RULES)
        if answer["source"] != "registry":
            return {}
        pulls[node.id] = {"hostname": node.hostname, "node_version": host.version, **answer}
    return pulls


def _with_source(found: list[dict[str, Any]], source: Mapping[str, Any]) -> list[dict[str, Any]]:
    """FOUND with where the image's build came from: ``image_source``, ``image_digest``, ``image_build_guess``."""
    extra = {
        "image_source": source.get("source"),
        "image_digest": source.get("digest") or source.get("list_digest"),
        "image_build_guess": bool(source.get("guess")),
        "image_source_label": source_label(source),
    }
    return [{**item, **extra} for item in found]


def _failure_findings(
    service: ServiceView,
    failing: Sequence[Mapping[str, Any]],
    version: Optional[WindowsVersion],
    fleet: Fleet,
    version_label: str,
) -> list[dict[str, Any]]:
    """One ``task_failed`` finding per node and error class of a service's failing tasks, newest first."""
    subject = f"service {service.name}"
    found: list[dict[str, Any]] = []
    seen: set[tuple[Optional[str], str]] = set()
    for task in failing:
        key = (task["node_id"], task["class"])
        if key in seen:
            continue
        seen.add(key)
        host = fleet.version(str(task["node_id"])) if task["node_id"] else None
        found.append(
            finding(
                "task_failed",
                "critical" if task["class"] != "unknown" else "high",
                subject,
                task["hostname"],
                f"task {service.name}.{task['slot']} {task['state']}: {task['error']}",
                _fix_for(task["class"], version, host, fleet, version_label),
                error_class=task["class"],
                hresult=task["hresult"],
            )
        )
    return found


def _not_converged_finding(service: ServiceView, running: int, desired: int) -> dict[str, Any]:
    """The finding for a service that runs fewer replicas than it wants."""
    return finding(
        "service_not_converged",
        "critical" if running == 0 else "high",
        f"service {service.name}",
        None,
        f"{running}/{desired} replicas running",
        "see the task_failed findings of this service; placement constraints may leave no eligible node",
    )


def service_report(
    service: ServiceView,
    tasks: Sequence[Mapping[str, Any]],
    fleet: Fleet,
    given_version: object = None,
    version_label: str = DEFAULT_VERSION_LABEL,
    os_label: str = DEFAULT_OS_LABEL,
    registry: object = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One service of the report (desired vs running, failing tasks, the entry each node pulls) and its findings.

    With REGISTRY (the ``registry_image_info`` result) the image's build is read from the registry, per node for a
    manifest list; every image finding says where the build came from.
    """
    source = service_image_source(service.image, given_version, registry)
    pulls = _node_pulls(service, fleet, registry, os_label) if source["source"] == "registry" else {}
    version = safe_version(source["version"])
    own = [t for t in tasks if t.get("ServiceID") == service.id]
    running = sum(1 for t in own if (t.get("Status") or {}).get("State") == "running")
    desired = (
        service.replicas if service.replicas is not None else sum(1 for t in own if t.get("DesiredState") == "running")
    )
    failing = [_classify_task(t, fleet.hostname(t.get("NodeID"))) for t in own if _task_error(t)]
    failing.sort(key=lambda t: str(t.get("timestamp") or ""), reverse=True)
    converged = not desired or running >= desired
    found: list[dict[str, Any]] = []
    if not converged:  # past failures of a converged service are history, not findings
        found += _failure_findings(service, failing, version, fleet, version_label)
        found.append(_not_converged_finding(service, running, desired))
    if pulls:
        found += _pulled_entry_findings(service, pulls, fleet, version_label)
    elif version is not None:
        found += placement_findings(service, version, fleet, version_label, os_label)
    report = {
        "id": service.id,
        "name": service.name,
        "image": service.image,
        "image_version": version.version if version else None,
        "image_source": source["source"],
        "image_digest": source.get("digest") or source.get("list_digest"),
        "image_build_guess": bool(source.get("guess")),
        "pulls": [_pull_summary(pull) for pull in pulls.values()],
        "mode": service.mode,
        "replicas": service.replicas,
        "desired": desired,
        "running": running,
        "constraints": list(service.constraints),
        "isolation": service.isolation,
        "failing_tasks": failing,
    }
    return report, _with_source(found, source)


def _pull_summary(pull: Mapping[str, Any]) -> dict[str, Any]:
    """One node's prediction as the report shows it."""
    return {
        "hostname": pull["hostname"],
        "node_version": pull["node_version"],
        "digest": pull.get("digest"),
        "os_version": pull.get("version"),
        "no_matching_manifest": pull.get("no_matching_manifest"),
    }


def _pulled_entry_findings(
    service: ServiceView, pulls: Mapping[str, Mapping[str, Any]], fleet: Fleet, version_label: str
) -> list[dict[str, Any]]:
    """Nodes where no entry of the image's manifest list fits, and nodes whose pulled entry cannot run there."""
    isolation = "hyperv" if service.isolation == "hyperv" else "process"
    subject = f"service {service.name}"
    found = []
    for pull in pulls.values():
        host = parse_windows_version(pull["node_version"])
        if pull.get("no_matching_manifest"):
            found.append(
                finding(
                    "no_matching_manifest",
                    "critical",
                    subject,
                    pull["hostname"],
                    f"{service.image} has no entry for {pull['hostname']} ({host.version}): "
                    f"{pull['no_matching_manifest']}",
                    f"add a build for {_tag_hint(host)} to the image's manifest list, or constrain the service away "
                    f"from node.labels.{version_label}=={format_version(host)}",
                    hosts=[pull["hostname"]],
                )
            )
            continue
        pulled = safe_version(pull.get("version"))
        if pulled is not None and not runs(pulled, host, isolation):
            found.append(
                finding(
                    "image_build_mismatch",
                    "critical",
                    subject,
                    pull["hostname"],
                    f"{pull['hostname']} ({host.version}) pulls the entry {pull.get('digest')} of build "
                    f"{pulled.version}, which cannot run there ({isolation} isolation)",
                    f"rebuild that entry on {_tag_hint(host)}, or use Hyper-V isolation",
                    hosts=[pull["hostname"]],
                )
            )
    return found


def placement_findings(
    service: ServiceView, version: WindowsVersion, fleet: Fleet, version_label: str, os_label: str = DEFAULT_OS_LABEL
) -> list[dict[str, Any]]:
    """Nodes the constraints allow where the image cannot run; no eligible node at all."""
    isolation = "hyperv" if service.isolation == "hyperv" else "process"
    allowed = [n for n in fleet.nodes if is_windows_node(n, os_label) and constraints_allow(service.constraints, n)]
    bad = [(n.hostname, v) for n in allowed if (v := fleet.version(n.id)) and not runs(version, v, isolation)]
    subject = f"service {service.name}"
    found = []
    if bad:
        where = ", ".join(f"{h} ({v.version})" for h, v in bad)
        found.append(
            finding(
                "image_build_mismatch",
                "critical",
                subject,
                bad[0][0] if len(bad) == 1 else None,
                f"image {version.version} can be placed on nodes where it cannot run ({isolation} isolation): {where}",
                f"constrain to node.labels.{version_label}=={version.major}.{version.minor}.{version.build} "
                "(wincontainers.compat.swarm_service_placement), rebuild on "
                f"{_tag_hint(bad[0][1])}, or use Hyper-V isolation",
                hosts=[h for h, _v in bad],
            )
        )
    return found


def label_findings(fleet: Fleet, version_label: str, version_format: str = "major.minor.build") -> list[dict]:
    """Nodes whose version label is missing or differs from the version their host facts or engine report."""
    found = []
    for node in fleet.nodes:
        version, source = fleet.versions.get(node.id, (None, "unknown"))
        if version is None or source == "node_labels":
            continue
        found += node_label_findings(node, version, source, version_label, version_format)
    return found


def node_label_findings(
    node: Node, version: WindowsVersion, source: str, version_label: str, version_format: str = "major.minor.build"
) -> list[dict]:
    """The node's version label against the exact value ``swarm_node_labels`` writes for ``version``: constraints
    compare strings, so ``10.0.17763.1039`` does not match ``node.labels.OsVersion==10.0.17763``."""
    want = format_version(version, version_format)
    have = node.labels.get(version_label)
    if have == want:
        return []
    message = f"label {version_label} is missing" if have is None else f"label {version_label}={have}, expected {want}"
    return [
        finding(
            "swarm_node_labels",
            "medium" if have is None else "high",
            f"node {node.hostname}",
            node.hostname,
            f"{message}; the node runs {version.version} ({source})",
            f"set {version_label}={want} with wincontainers.compat.swarm_node_labels",
            label=version_label,
        )
    ]


def check_option_keys(os_label: str, version_label: str) -> None:
    """The managed label keys must be valid and distinct."""
    for name, key in (("os_label", os_label), ("version_label", version_label)):
        if key:
            check_label_key(key, name)
    if os_label and os_label == version_label:
        raise OptionError(f"os_label and version_label must differ; both are {os_label!r}")
