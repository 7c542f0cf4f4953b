"""Pure planning for the Kubernetes fleet modules: node builds, labels, selectors, RuntimeClasses, findings.

Everything here works on plain dicts shaped like the Kubernetes API's JSON (``metadata``, ``spec``,
``status``); nothing talks to a cluster. The modules list objects once, call these functions and send
only the merge patches they return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.container_error import container_error
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, WinCompatError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import finding
from ansible_collections.wincontainers.compat.plugins.module_utils.image_source import (
    image_source,
    list_serves,
    registry_entry,
    source_label,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import retarget_image
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
    safe_version,
)

OS_LABEL = "kubernetes.io/os"
BETA_OS_LABEL = "beta.kubernetes.io/os"
WINDOWS_BUILD_LABEL = "node.kubernetes.io/windows-build"
DEFAULT_OSBUILD_LABEL = "beta.kubernetes.io/osbuild"
DEFAULT_RELEASE_LABEL = "wincontainers.compat/release"
# The node labels that name a node's Windows build, as compliance checks them by default.
DEFAULT_VERSION_LABELS: tuple[str, ...] = (WINDOWS_BUILD_LABEL, DEFAULT_OSBUILD_LABEL, DEFAULT_RELEASE_LABEL)
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "wincontainers.compat"
OSBUILD_FORMATS = ("auto", "build", "build.revision", "major.minor.build", "version")
# The toleration Kubernetes documents for Windows nodes tainted os=windows:NoSchedule.
WINDOWS_TOLERATION = {"key": "os", "operator": "Equal", "value": "windows", "effect": "NoSchedule"}
KUBELET_LABEL_FIX = "restart kubelet on the node so that it re-registers its labels"
_LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")


# --- nodes ---------------------------------------------------------------------------------------------------
def _labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    """The labels of an API object (empty when it has none)."""
    return dict((obj.get("metadata") or {}).get("labels") or {})


def name_of(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _node_info(node: Mapping[str, Any]) -> dict[str, Any]:
    return dict((node.get("status") or {}).get("nodeInfo") or {})


def is_windows_node(node: Mapping[str, Any]) -> bool:
    """True when kubelet labelled the node Windows or its nodeInfo says so."""
    labels = _labels_of(node)
    if labels.get(OS_LABEL) == "windows" or labels.get(BETA_OS_LABEL) == "windows":
        return True
    return str(_node_info(node).get("operatingSystem", "")).lower() == "windows"


@dataclass(frozen=True)
class NodeVersion:
    """The Windows version of one node and where it was read from (``nodeInfo``, ``host_facts`` or none)."""

    version: Optional[WindowsVersion]
    source: Optional[str]
    problem: Optional[str] = None


def _facts_version(facts: Any) -> WindowsVersion:
    """Read a version from gathered host facts: the ``wincontainers_host`` dict, its ``version``, or a string."""
    if isinstance(facts, Mapping):
        inner = facts.get("wincontainers_host", facts)
        if isinstance(inner, Mapping) and "version" in inner:
            return parse_windows_version(inner["version"])
    return parse_windows_version(facts)


def node_version(node: Mapping[str, Any], facts: Any = None) -> NodeVersion:
    """Build and revision of a node from ``status.nodeInfo`` (kernelVersion, then osImage), or host facts.

    Host facts win when they name the same build and carry a revision the node does not report; facts
    naming another build than the node reports are ignored as stale, and the problem is said.
    """
    info = _node_info(node)
    reported: Optional[WindowsVersion] = None
    for key in ("kernelVersion", "osImage"):
        value = info.get(key)
        if not value:
            continue
        try:
            candidate = parse_windows_version(value)
        except WinCompatError:
            continue
        if reported is None or (reported.revision is None and candidate.revision is not None):
            reported = candidate
        if reported.revision is not None:
            break
    if reported is None:
        label = _labels_of(node).get(WINDOWS_BUILD_LABEL)
        if label:
            try:
                reported = parse_windows_version(label)
            except WinCompatError:
                reported = None
    if facts is None:
        if reported is None:
            return NodeVersion(None, None, f"no Windows version in nodeInfo ({info.get('kernelVersion')!r})")
        return NodeVersion(reported, "nodeInfo")
    try:
        gathered = _facts_version(facts)
    except WinCompatError as exc:
        return NodeVersion(reported, "nodeInfo" if reported else None, f"host facts unreadable: {exc}")
    if reported is not None and (reported.major, reported.minor, reported.build) != (
        gathered.major,
        gathered.minor,
        gathered.build,
    ):
        return NodeVersion(
            reported, "nodeInfo", f"host facts say {gathered.version} but the node reports {reported.version}"
        )
    if reported is not None and reported.revision is not None and gathered.revision != reported.revision:
        return NodeVersion(reported, "nodeInfo")
    return NodeVersion(gathered, "host_facts")


def release_label_value(build: int) -> str:
    """The collection's release label value of a build: its first servercore tag (``ltsc2022``), else its
    release version (``23h2``), else the build number for builds the catalog does not know."""
    entry = windows_release(build)
    for repo in ("servercore", "nanoserver", "server", "windows"):
        tags = (entry.get("tags") or {}).get(repo) or []
        if tags:
            return str(tags[0])
    if entry.get("known") and entry.get("version"):
        return str(entry["version"]).lower()
    return str(build)


def osbuild_value(version: WindowsVersion, fmt: str = "auto") -> Optional[str]:
    """The osbuild label value: ``auto`` gives ``build.revision`` where containers need the host's revision
    (the catalog's ``same_revision`` builds: 14393) and ``build`` elsewhere.

    Returns None when the format needs a revision the version does not carry.
    """
    if fmt not in OSBUILD_FORMATS:
        raise OptionError(f"osbuild_format must be one of {', '.join(OSBUILD_FORMATS)}; got {describe(fmt)}")
    if fmt == "auto":
        fmt = "build.revision" if catalog.same_revision_required(version.build) else "build"
    if fmt == "build":
        return str(version.build)
    if fmt == "major.minor.build":
        return f"{version.major}.{version.minor}.{version.build}"
    if version.revision is None:
        return None
    if fmt == "build.revision":
        return f"{version.build}.{version.revision}"
    return version.version


def _windows_build_value(version: WindowsVersion) -> str:
    """The value kubelet sets on ``node.kubernetes.io/windows-build``: ``10.0.17763`` (no revision)."""
    return f"{version.major}.{version.minor}.{version.build}"


@dataclass(frozen=True)
class LabelOptions:
    """Which labels the node module manages; a key of None disables that label."""

    osbuild_label: Optional[str] = DEFAULT_OSBUILD_LABEL
    osbuild_format: str = "auto"
    release_label: Optional[str] = DEFAULT_RELEASE_LABEL
    windows_build_label: Optional[str] = None  # set kubelet's label too (normally kubelet owns it)
    extra_labels: Mapping[str, str] = field(default_factory=dict)

    def owned_keys(self) -> list[str]:
        keys = [self.osbuild_label, self.release_label, self.windows_build_label, *self.extra_labels]
        return [key for key in keys if key]


def check_label_key(key: str) -> str:
    """Validate a label key (``prefix/name``), raising :class:`OptionError` naming it."""
    prefix, _sep, name = key.rpartition("/")
    if not _LABEL_NAME.match(name) or (prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix))):
        raise OptionError(
            f"label key {describe(key)} is not valid; expected [prefix/]name with name of up to 63 characters "
            "[A-Za-z0-9_.-] starting and ending alphanumeric, and a DNS subdomain prefix"
        )
    return key


def _check_label_value(key: str, value: str) -> str:
    if not _LABEL_VALUE.match(value):
        raise OptionError(f"value {describe(value)} of label {key} is not a valid label value")
    return value


def desired_node_labels(version: WindowsVersion, options: LabelOptions) -> tuple[dict[str, str], list[str]]:
    """The owned labels a node of ``version`` should carry, and the labels that cannot be computed."""
    wanted: dict[str, str] = {}
    missing: list[str] = []
    if options.osbuild_label:
        value = osbuild_value(version, options.osbuild_format)
        if value is None:
            missing.append(options.osbuild_label)
        else:
            wanted[options.osbuild_label] = value
    if options.release_label:
        wanted[options.release_label] = release_label_value(version.build)
    if options.windows_build_label:
        wanted[options.windows_build_label] = _windows_build_value(version)
    for key, value in options.extra_labels.items():
        wanted[key] = _check_label_value(key, str(value))
    return wanted, missing


def _label_changes(current: Mapping[str, str], wanted: Mapping[str, str]) -> dict[str, str]:
    """The labels of ``wanted`` whose value differs from ``current`` (never a removal)."""
    return {key: value for key, value in wanted.items() if current.get(key) != value}


def merge_patch_labels(changes: Mapping[str, str], resource_version: Optional[str] = None) -> dict[str, Any]:
    """A JSON merge patch that sets only ``changes``; with ``resource_version`` it is conditional (409 if stale)."""
    metadata: dict[str, Any] = {"labels": dict(changes)}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    return {"metadata": metadata}


@dataclass
class NodePlan:
    """What the node module found and would change on one node."""

    name: str
    version: Optional[WindowsVersion]
    source: Optional[str]
    before: dict[str, str]
    after: dict[str, str]
    changes: dict[str, str]
    resource_version: Optional[str]
    findings: list[dict[str, Any]]

    def result(self) -> dict[str, Any]:
        version = self.version
        return {
            "name": self.name,
            "version": version.version if version else None,
            "build": version.build if version else None,
            "revision": version.revision if version else None,
            "release": release_label_value(version.build) if version else None,
            "source": self.source,
            "labels": dict(self.after),
            "changes": dict(self.changes),
            "changed": bool(self.changes),
        }

    def diff(self) -> dict[str, Any]:
        keys = sorted(set(self.before) | set(self.after))
        return {
            "before_header": f"node/{self.name} labels",
            "after_header": f"node/{self.name} labels",
            "before": {key: self.before[key] for key in keys if key in self.before},
            "after": {key: self.after[key] for key in keys if key in self.after},
        }


def plan_node(
    node: Mapping[str, Any], options: LabelOptions, facts: Any = None, check_kubelet_label: bool = True
) -> NodePlan:
    """Plan the owned labels of one Windows node and collect what is wrong with it."""
    name = name_of(node)
    labels = _labels_of(node)
    owned = options.owned_keys()
    before = {key: labels[key] for key in owned if key in labels}
    found = node_version(node, facts)
    findings: list[dict[str, Any]] = []
    rv = (node.get("metadata") or {}).get("resourceVersion")
    if found.problem:
        findings.append(
            finding(
                "node_version_unknown" if found.version is None else "host_facts_mismatch",
                "high" if found.version is None else "medium",
                f"node {name}",
                name,
                found.problem,
                "gather wincontainers_host facts from the node and pass them in host_facts",
            )
        )
    if found.version is None:
        return NodePlan(name, None, None, before, dict(before), {}, rv, findings)
    wanted, missing = desired_node_labels(found.version, options)
    for key in missing:
        findings.append(
            finding(
                "node_revision_unknown",
                "high",
                f"node {name}",
                name,
                f"label {key} needs the update revision of build {found.version.build}, which the node does not "
                f"report ({_node_info(node).get('kernelVersion')!r}); the label is left as it is",
                "pass the node's gathered wincontainers_host facts in host_facts, or choose osbuild_format=build",
            )
        )
    if check_kubelet_label:
        findings.extend(_kubelet_label_findings(name, labels, found.version))
    changes = _label_changes(labels, wanted)
    after = dict(before)
    after.update(wanted)
    return NodePlan(name, found.version, found.source, before, after, changes, rv, findings)


def _kubelet_label_findings(name: str, labels: Mapping[str, str], version: WindowsVersion) -> list[dict[str, Any]]:
    """Check kubelet's ``node.kubernetes.io/windows-build`` label against the node's build, as compliance does
    (``wrong_version_labels``)."""
    actual = labels.get(WINDOWS_BUILD_LABEL)
    if actual is not None and not wrong_version_labels(labels, version, [WINDOWS_BUILD_LABEL]):
        return []
    if actual is None:
        return [
            finding(
                "windows_build_label_missing",
                "low",
                f"node {name}",
                name,
                f"the node has no {WINDOWS_BUILD_LABEL} label (kubelet sets it from v1.17); "
                "RuntimeClasses and selectors on it will not match this node",
                f"upgrade kubelet, or run k8s_node_labels with windows_build_label={WINDOWS_BUILD_LABEL}",
            )
        ]
    return [
        finding(
            "windows_build_label_mismatch",
            "high",
            f"node {name}",
            name,
            f"{WINDOWS_BUILD_LABEL}={actual} but the node reports build {version.version}",
            KUBELET_LABEL_FIX,
        )
    ]


@dataclass(frozen=True)
class WrongLabel:
    """A version label whose value is none of the values it should have (``expected``)."""

    key: str
    value: str
    expected: tuple[str, ...]


def _node_label_values(version: WindowsVersion, options: LabelOptions) -> dict[str, str]:
    """The version labels kubelet (``node.kubernetes.io/windows-build``) and ``k8s_node_labels`` (``options``) set on
    a node of ``version``; an owned label whose format needs a revision ``version`` lacks is absent."""
    owned, _missing = desired_node_labels(version, options)
    return {WINDOWS_BUILD_LABEL: _windows_build_value(version), **owned}


def _build_label_values(version: WindowsVersion) -> tuple[str, ...]:
    """Every value ``k8s_node_labels`` can write for ``version``'s build: each ``osbuild_format``'s, and the release."""
    values = [osbuild_value(version, fmt) for fmt in OSBUILD_FORMATS if fmt != "auto"]
    return tuple(dict.fromkeys([*(value for value in values if value), release_label_value(version.build)]))


def wrong_version_labels(
    labels: Mapping[str, str], version: WindowsVersion, keys: Iterable[str], options: LabelOptions = LabelOptions()
) -> list[WrongLabel]:
    """The labels of ``keys`` a node of ``version`` carries with another value than kubelet or ``k8s_node_labels``
    sets (selectors compare strings); a key neither sets must hold a value of ``_build_label_values``.

    A missing label is not judged, nor an owned label whose format needs a revision ``version`` lacks.
    """
    exact = _node_label_values(version, options)
    wrong = []
    for key in keys:
        value = labels.get(key)
        if value is None or (key not in exact and key in options.owned_keys()):
            continue
        expected = (exact[key],) if key in exact else _build_label_values(version)
        if value not in expected:
            wrong.append(WrongLabel(key, value, expected))
    return wrong


# --- workloads -----------------------------------------------------------------------------------------------
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def workload_subject(kind: str, namespace: object, name: object) -> str:
    """How findings and results name a workload: ``deployment shop/web`` (the kind in lower case)."""
    return f"{kind.lower()} {namespace}/{name}"


def pod_spec_path(kind: str) -> tuple[str, ...]:
    """Where the pod spec sits in an object of ``kind``."""
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    if kind == "Pod":
        return ("spec",)
    return ("spec", "template", "spec")


def pod_spec_of(obj: Mapping[str, Any], kind: str) -> dict[str, Any]:
    current: Any = obj
    for key in pod_spec_path(kind):
        current = (current or {}).get(key) if isinstance(current, Mapping) else None
    return dict(current or {})


def nest(path: Sequence[str], value: Any) -> dict[str, Any]:
    """``nest(("a", "b"), v)`` → ``{"a": {"b": v}}``."""
    result: Any = value
    for key in reversed(path):
        result = {key: result}
    return dict(result)


def containers_of(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Init containers then containers (ephemeral containers are not scheduled with the pod)."""
    return [dict(c) for c in (pod_spec.get("initContainers") or [])] + [
        dict(c) for c in (pod_spec.get("containers") or [])
    ]


def workload_images(obj: Mapping[str, Any], kind: str) -> list[str]:
    """The container images of a workload not pinned to Linux nodes (``nodeSelector`` ``kubernetes.io/os=linux``):
    the images a registry can tell the Windows build of, whatever their tags say."""
    spec = pod_spec_of(obj, kind)
    selector = spec.get("nodeSelector") or {}
    if "linux" in (selector.get(OS_LABEL), selector.get(BETA_OS_LABEL)):
        return []
    return [str(c["image"]) for c in containers_of(spec) if c.get("image")]


@dataclass(frozen=True)
class ImageBuild:
    image: str
    version: Optional[WindowsVersion]
    source: Optional[str]  # "given", "registry", "tag" or None
    digest: Optional[str] = None
    listed: Optional[Mapping[str, Any]] = None  # the registry's manifest list: the build depends on the node

    @property
    def known(self) -> bool:
        """Whether the build is known, for every node (a version) or per node (a manifest list)."""
        return self.version is not None or self.listed is not None

    def on(self, node: WindowsVersion) -> dict[str, Any]:
        """The entry containerd pulls on NODE as ``image_source`` answers: ``version``, ``digest``, a no-match text."""
        if self.listed is None:
            return {"version": self.version.version if self.version else None, "digest": self.digest}
        return image_source(self.image, self.listed, node=node, rules=ENGINE_RULES)

    def text(self) -> str:
        """``image (10.0.20348)``, or for a manifest list ``image (list of 10.0.17763.1, 10.0.20348.2)``."""
        if self.version is not None:
            return f"{self.image} ({self.version.version})"
        builds = ", ".join(str(b) for b in (self.listed or {}).get("builds") or []) or "no Windows build"
        return f"{self.image} (list of {builds})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "version": self.version.version if self.version else None,
            "source": self.source,
            "digest": self.digest,
            "guess": self.source == "tag",
        }


ENGINE_RULES = "containerd"  # a Kubernetes node's containerd picks manifest-list entries by containerd's rules


def image_build(image: str, given: Mapping[str, Any], registry: object = None) -> ImageBuild:
    """The Windows version of an image: from ``given`` (by full reference or repository), else ``image_source``.

    With REGISTRY (``registry_image_info``'s result) a single-manifest image has its config's build and a manifest
    list a build per node (:meth:`ImageBuild.on`); else the host stores are unknown here and the tag is read.
    """
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: len(repo) - len(last)] + last.split(":", 1)[0]
    for key in (image, repo):
        if key in given:
            return ImageBuild(image, parse_windows_version(given[key]), "given")
    answer = image_source(image, registry, rules=ENGINE_RULES)
    version = safe_version(answer["version"])
    digest = answer.get("digest")
    if answer["source"] == "registry" and "builds" in answer:
        entry = registry_entry(image, registry)
        listed = {**entry, "builds": answer["builds"]} if entry is not None else None
        return ImageBuild(image, None, "registry", digest, listed)
    return ImageBuild(image, version, answer["source"] if version is not None else None, digest)


def runtime_class_name(build: int, prefix: str = "windows") -> str:
    return f"{prefix}-{release_label_value(build)}".lower()


def _hyperv_runtime_class_name(image_build: int, host_build: int, prefix: str = "windows") -> str:
    return f"{prefix}-{release_label_value(image_build)}-hyperv-{release_label_value(host_build)}".lower()


@dataclass(frozen=True)
class SelectorOptions:
    mode: str = "node_selector"  # node_selector | runtime_class
    selector_label: str = WINDOWS_BUILD_LABEL
    osbuild_format: str = "auto"
    set_os_label: bool = True
    runtime_class_prefix: str = "windows"


def _selector_value(version: WindowsVersion, options: SelectorOptions) -> Optional[str]:
    """The value of the selector label for a node that runs images of ``version`` with process isolation."""
    if options.selector_label == WINDOWS_BUILD_LABEL:
        return _windows_build_value(version)
    if options.selector_label == DEFAULT_RELEASE_LABEL:
        return release_label_value(version.build)
    return osbuild_value(version, options.osbuild_format)


@dataclass
class WorkloadPlan:
    kind: str
    namespace: str
    name: str
    images: list[ImageBuild]
    patch: Optional[dict[str, Any]]
    before: dict[str, Any]
    after: dict[str, Any]
    findings: list[dict[str, Any]]
    build: Optional[int] = None
    windows: bool = True
    builds: list[int] = field(default_factory=list)
    skipped: Optional[str] = None  # why the workload is left alone although it is a Windows workload

    @property
    def subject(self) -> str:
        return workload_subject(self.kind, self.namespace, self.name)

    def result(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "build": self.build,
            "builds": list(self.builds),
            "images": [i.as_dict() for i in self.images],
            "before": self.before,
            "after": self.after,
            "changed": self.patch is not None,
        }

    def diff(self) -> dict[str, Any]:
        header = f"{self.kind.lower()}/{self.namespace}/{self.name} scheduling"
        return {"before_header": header, "after_header": header, "before": self.before, "after": self.after}


# --- required node affinity on the build label ----------------------------------------------------------------
AFFINITY_PATH = ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")


def required_terms(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``nodeSelectorTerms`` of the pod spec's required node affinity (empty when it has none)."""
    current: Any = pod_spec
    for key in AFFINITY_PATH:
        current = current.get(key) if isinstance(current, Mapping) else None
    terms = current.get("nodeSelectorTerms") if isinstance(current, Mapping) else None
    return [dict(term) for term in terms or [] if isinstance(term, Mapping)]


def with_build_expression(terms: Sequence[Mapping[str, Any]], key: str, values: Sequence[str]) -> list[dict[str, Any]]:
    """TERMS with ``KEY In VALUES`` in every term (terms are ORed, expressions ANDed), or one term of it alone.

    An expression on KEY is replaced where it stands; every other expression, ``matchFields`` and term is kept.
    """
    ours = {"key": key, "operator": "In", "values": list(values)}
    if not terms:
        return [{"matchExpressions": [ours]}]
    result = []
    for term in terms:
        expressions: list[dict[str, Any]] = []
        for expression in term.get("matchExpressions") or []:
            if expression.get("key") != key:
                expressions.append(dict(expression))
            elif ours not in expressions:
                expressions.append(ours)
        if ours not in expressions:
            expressions.append(ours)
        result.append({**term, "matchExpressions": expressions})
    return result


def without_build_expression(terms: Sequence[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """TERMS without the expressions on KEY; a term that held only such expressions is dropped.

    Dropping it changes nothing else: what is left of it would be an empty term, which matches no node, and terms
    are ORed. Terms without an expression on KEY are kept as they are.
    """
    result = []
    for term in terms:
        expressions = list(term.get("matchExpressions") or [])
        kept = [dict(e) for e in expressions if e.get("key") != key]
        if len(kept) == len(expressions):
            result.append(dict(term))
            continue
        rest = {name: value for name, value in term.items() if name != "matchExpressions"}
        if kept:
            rest["matchExpressions"] = kept
        if rest:
            result.append(rest)
    return result


def _scheduling(spec: Mapping[str, Any]) -> dict[str, Any]:
    """What the selector module manages of a pod spec: nodeSelector, required node affinity terms, RuntimeClass."""
    return {
        "nodeSelector": dict(spec.get("nodeSelector") or {}),
        "nodeSelectorTerms": required_terms(spec),
        "runtimeClassName": spec.get("runtimeClassName"),
    }


def plan_workload(
    obj: Mapping[str, Any],
    kind: str,
    options: SelectorOptions,
    given: Mapping[str, Any],
    registry: object = None,
    nodes: Sequence[WindowsNode] = (),
) -> WorkloadPlan:
    """Plan the nodeSelector, required node affinity (or runtimeClassName) of one workload from its images' builds.

    With REGISTRY (``registry_image_info``'s result) a single-manifest image has its config's build, and a manifest
    list runs on the builds of NODES (the cluster's Windows nodes) where containerd pulls an entry that runs there.
    One label value is set in the nodeSelector; several (a list serving several builds) in a required node affinity
    ``In`` expression, since a nodeSelector cannot say "A or B". Only the owned keys and expression change; every
    other nodeSelector key, term and expression is kept. Workloads whose images need different builds, or whose
    list runs on no node of the cluster, are reported, not changed.
    """
    meta = obj.get("metadata") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    spec = pod_spec_of(obj, kind)
    images = [image_build(str(c.get("image", "")), given, registry) for c in containers_of(spec)]
    before = _scheduling(spec)
    plan = WorkloadPlan(kind, namespace, name, images, None, before, dict(before), [])
    unknown = [i.image for i in images if not i.known]
    known = [i for i in images if i.known]
    selector = before["nodeSelector"]
    plan.windows = bool(known) or selector.get(OS_LABEL) == "windows" or selector.get(BETA_OS_LABEL) == "windows"
    if not plan.windows:
        return plan  # a Linux workload: none of its images is a Windows image we know of
    if unknown:
        plan.findings.append(_unknown_build_finding(plan.subject, unknown, bool(known)))
    fixed = [i for i in known if i.version is not None]
    if len({i.version.build for i in fixed if i.version}) > 1:
        plan.findings.append(_mixed_builds_finding(plan.subject, fixed))
        return plan
    if not known or unknown:
        return plan
    targets = _target_versions(plan, known, nodes)
    if not targets:
        return plan
    plan.builds = sorted({v.build for v in targets})
    plan.build = plan.builds[0] if len(plan.builds) == 1 else None
    if options.mode == "runtime_class":
        _plan_runtime_class(plan, spec, kind, options)
    else:
        _plan_node_scheduling(plan, spec, kind, targets, options)
    return plan


def _target_versions(
    plan: WorkloadPlan, known: Sequence[ImageBuild], nodes: Sequence[WindowsNode]
) -> list[WindowsVersion]:
    """The versions the selector values are made of: the images' one build, or the builds of the nodes every
    manifest list of them serves (skips PLAN, with a finding, when there are none)."""
    fixed = [i for i in known if i.version is not None]
    lists = [i for i in known if i.listed is not None]
    if not lists:
        return [_pinned_version(fixed)]
    hosts = sorted({n.version for n in nodes if n.version is not None}, key=lambda v: v.sort_key)
    served = [list_serves(i.image, i.listed, hosts, ENGINE_RULES) or {} for i in lists]
    runnable = [host for host in hosts if all(serves.get(host) for serves in served)]
    if fixed:
        pinned = _pinned_version(fixed)
        runnable = [pinned] if any(host.build == pinned.build for host in runnable) else []
    if not runnable:
        plan.skipped = _no_node_reason(known, hosts)
        plan.findings.append(_no_node_finding(plan.subject, plan.skipped, known, hosts))
    return runnable


def _no_node_reason(known: Sequence[ImageBuild], hosts: Sequence[WindowsVersion]) -> str:
    builds = ", ".join(sorted({str(h.build) for h in hosts})) or "none"
    return (
        f"no Windows node build of the cluster ({builds}) runs {', '.join(i.text() for i in known)} with process "
        "isolation: containerd pulls no entry there, or the entry it pulls does not run there; not changed"
    )


def _no_node_finding(
    subject: str, reason: str, known: Sequence[ImageBuild], hosts: Sequence[WindowsVersion]
) -> dict[str, Any]:
    releases = ", ".join(sorted({release_label_value(h.build) for h in hosts})) or "the nodes' builds"
    return finding(
        "no_node_runs_image",
        "high",
        subject,
        None,
        reason,
        f"add a build of {releases} to the image's manifest list, or add Windows nodes of a build it serves",
        image=known[0].image,
    )


def _unknown_build_finding(subject: str, unknown: Sequence[str], some_known: bool) -> dict[str, Any]:
    """The finding for images whose Windows build no tag, option or registry answer tells."""
    return finding(
        "image_build_unknown",
        "medium" if some_known else "high",
        subject,
        None,
        f"cannot tell the Windows build of {', '.join(unknown)} from its tag",
        "give the image's build in the images option (image or repository: version), or its registry_image_info "
        "answer in the registry option",
    )


def _mixed_builds_finding(subject: str, known: Sequence[ImageBuild]) -> dict[str, Any]:
    """The finding for a pod whose images need different Windows builds."""
    detail = ", ".join(f"{i.image} ({i.version.version})" for i in known if i.version)
    return finding(
        "mixed_image_builds",
        "critical",
        subject,
        None,
        f"the pod's images need different Windows builds: {detail}; no node runs them all with process isolation",
        "rebuild every image of the pod on the same base image release, or use a Hyper-V RuntimeClass",
    )


def _pinned_version(known: Sequence[ImageBuild]) -> WindowsVersion:
    """The lowest version of the images, with their revision when they all agree on one."""
    version = min((i.version for i in known if i.version), key=lambda v: v.sort_key)
    revisions = {i.version.revision for i in known if i.version and i.version.revision is not None}
    if len(revisions) == 1:
        version = WindowsVersion(version.major, version.minor, version.build, revisions.pop())
    return version


def _plan_runtime_class(plan: WorkloadPlan, spec: Mapping[str, Any], kind: str, options: SelectorOptions) -> None:
    """Fill PLAN's ``after`` and patch for runtime_class mode: the RuntimeClass of its one build."""
    if len(plan.builds) > 1:
        plan.skipped = (
            f"its images run on builds {', '.join(map(str, plan.builds))} and a RuntimeClass selects one build; "
            "use mode=node_selector (required node affinity); not changed"
        )
        return
    wanted_class = runtime_class_name(plan.builds[0], options.runtime_class_prefix)
    plan.after = {**plan.before, "runtimeClassName": wanted_class}
    if spec.get("runtimeClassName") != wanted_class:
        plan.patch = nest(pod_spec_path(kind), {"runtimeClassName": wanted_class})


def _plan_node_scheduling(
    plan: WorkloadPlan, spec: Mapping[str, Any], kind: str, targets: Sequence[WindowsVersion], options: SelectorOptions
) -> None:
    """Fill PLAN's ``after`` and patch for selector mode: one value in the nodeSelector, several in a required node
    affinity ``In`` expression (our key leaves the other); a finding when a value needs an unknown revision."""
    values = [_selector_value(version, options) for version in targets]
    if None in values:
        build = next(v.build for v, value in zip(targets, values) if value is None)
        plan.findings.append(_revision_finding(plan.subject, options.selector_label, build))
        return
    chosen = sorted({str(value) for value in values})
    key, selector, terms = options.selector_label, plan.before["nodeSelector"], plan.before["nodeSelectorTerms"]
    wanted: dict[str, Optional[str]] = {OS_LABEL: "windows"} if options.set_os_label else {}
    if len(chosen) == 1:
        wanted[key] = chosen[0]
        terms_after = without_build_expression(terms, key)
    else:
        terms_after = with_build_expression(terms, key, chosen)
        if key in selector:
            wanted[key] = None
    changes = {k: v for k, v in wanted.items() if selector.get(k) != v}
    selector_after = {k: v for k, v in {**selector, **wanted}.items() if v is not None}
    plan.after = {**plan.before, "nodeSelector": selector_after, "nodeSelectorTerms": terms_after}
    patch: dict[str, Any] = {"nodeSelector": changes} if changes else {}
    if terms_after != terms:
        patch["affinity"] = nest(AFFINITY_PATH[1:], {"nodeSelectorTerms": terms_after} if terms_after else None)
    if patch:
        plan.patch = nest(pod_spec_path(kind), patch)


def _revision_finding(subject: str, label: str, build: int) -> dict[str, Any]:
    return finding(
        "image_revision_unknown",
        "high",
        subject,
        None,
        f"{label} needs the revision of build {build}, which the image tags do not carry",
        f"tag the image with its full version (10.0.{build}.NNNN) or give it in the images option",
    )


# --- RuntimeClasses -------------------------------------------------------------------------------------------
def runtime_class(
    name: str, handler: str, selector: Mapping[str, str], tolerations: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A node.k8s.io/v1 RuntimeClass that schedules onto nodes matching ``selector``."""
    return {
        "apiVersion": "node.k8s.io/v1",
        "kind": "RuntimeClass",
        "metadata": {"name": name, "labels": {MANAGED_BY_LABEL: MANAGED_BY}},
        "handler": handler,
        "scheduling": {"nodeSelector": dict(selector), "tolerations": [dict(t) for t in tolerations]},
    }


def desired_runtime_classes(
    builds: Iterable[int],
    handler: str = "runhcs-wcow-process",
    prefix: str = "windows",
    tolerations: Optional[Sequence[Mapping[str, Any]]] = None,
    hyperv_image_builds: Iterable[int] = (),
    hyperv_handler: str = "runhcs-wcow-hypervisor-{image_build}",
) -> dict[str, dict[str, Any]]:
    """One RuntimeClass per Windows build present, plus Hyper-V classes for older image builds.

    A Hyper-V class exists for each (image build, host build) pair with image build ≤ host build, since a
    RuntimeClass selects nodes by equality only; its handler is ``hyperv_handler`` formatted with
    ``image_build`` and ``host_build``.
    """
    tolerations = [WINDOWS_TOLERATION] if tolerations is None else list(tolerations)
    wanted: dict[str, dict[str, Any]] = {}
    hosts = sorted(set(builds))
    for build in hosts:
        version = WindowsVersion(10, 0, build)
        selector = {OS_LABEL: "windows", WINDOWS_BUILD_LABEL: _windows_build_value(version)}
        name = runtime_class_name(build, prefix)
        wanted[name] = runtime_class(name, handler, selector, tolerations)
        for image in sorted(set(hyperv_image_builds)):
            if image > build:
                continue
            hv_name = _hyperv_runtime_class_name(image, build, prefix)
            hv_handler = hyperv_handler.format(image_build=image, host_build=build)
            wanted[hv_name] = runtime_class(hv_name, hv_handler, selector, tolerations)
    return wanted


def runtime_class_action(current: Optional[Mapping[str, Any]], wanted: Mapping[str, Any]) -> Optional[str]:
    """``create``, ``replace`` (the handler is immutable), ``patch`` or None when ``current`` matches."""
    if current is None:
        return "create"
    if current.get("handler") != wanted.get("handler"):
        return "replace"
    cur_sched = current.get("scheduling") or {}
    want_sched = wanted.get("scheduling") or {}
    same_selector = (cur_sched.get("nodeSelector") or {}) == want_sched.get("nodeSelector")
    same_tolerations = (cur_sched.get("tolerations") or []) == want_sched.get("tolerations")
    same_labels = _labels_of(current).get(MANAGED_BY_LABEL) == MANAGED_BY
    return None if same_selector and same_tolerations and same_labels else "patch"


# --- scheduling and diagnostics ------------------------------------------------------------------------------
def _expression_matches(labels: Mapping[str, str], expr: Mapping[str, Any]) -> bool:
    key, operator, values = expr.get("key"), expr.get("operator"), list(expr.get("values") or [])
    present = key in labels
    if operator == "In":
        return present and labels[str(key)] in values
    if operator == "NotIn":
        return not present or labels[str(key)] not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt") and present and values:
        try:
            actual, bound = int(labels[str(key)]), int(values[0])
        except ValueError:
            return False
        return actual > bound if operator == "Gt" else actual < bound
    return False


def node_allowed(pod_spec: Mapping[str, Any], labels: Mapping[str, str], runtime_classes: Mapping[str, Any]) -> bool:
    """Whether the pod spec's nodeSelector, RuntimeClass scheduling and required node affinity admit a node."""
    selector = dict(pod_spec.get("nodeSelector") or {})
    rc_name = pod_spec.get("runtimeClassName")
    if rc_name and rc_name in runtime_classes:
        selector.update(((runtime_classes[rc_name].get("scheduling") or {}).get("nodeSelector")) or {})
    if any(labels.get(key) != value for key, value in selector.items()):
        return False
    affinity = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = affinity.get("nodeSelectorTerms") or []
    if not terms:
        return True
    return any(
        all(_expression_matches(labels, expr) for expr in (term.get("matchExpressions") or []))
        for term in terms
        if term.get("matchExpressions")
    )


def isolation_of(pod_spec: Mapping[str, Any], runtime_classes: Mapping[str, Any]) -> str:
    """``hyperv`` when the pod's RuntimeClass handler is a Hyper-V one, else ``process``."""
    rc_name = pod_spec.get("runtimeClassName")
    handler = str((runtime_classes.get(rc_name) or {}).get("handler", "")) if rc_name else ""
    return "hyperv" if "hypervisor" in handler.lower() or "hyperv" in handler.lower() else "process"


@dataclass(frozen=True)
class WindowsNode:
    """A Windows node as the diagnostics see it: name, labels and version (None when unknown)."""

    name: str
    labels: Mapping[str, str]
    version: Optional[WindowsVersion]


def windows_nodes(nodes: Iterable[Mapping[str, Any]], facts: Optional[Mapping[str, Any]] = None) -> list[WindowsNode]:
    """The Windows nodes of a node list with their versions (host facts by node name when given)."""
    facts = facts or {}
    result = []
    for node in nodes:
        if is_windows_node(node):
            name = name_of(node)
            result.append(WindowsNode(name, _labels_of(node), node_version(node, facts.get(name)).version))
    return result


def _compat_status(image: WindowsVersion, host: WindowsVersion, isolation: str, rules: str) -> tuple[str, str]:
    verdict = container_compat(image, host, isolation=isolation, rules=rules)
    return str(verdict["status"]), str(verdict.get("reason", ""))


def _retarget_hint(image: str, host: WindowsVersion) -> str:
    try:
        return f"use {retarget_image(image, host)} on build {host.build}"
    except WinCompatError:
        return f"rebuild {image} on the {release_label_value(host.build)} base image"


def workload_report(
    obj: Mapping[str, Any],
    kind: str,
    nodes: Sequence[WindowsNode],
    runtime_classes: Mapping[str, Any],
    given: Mapping[str, Any],
    rules: str = "documented",
    registry: object = None,
) -> tuple[Optional[dict[str, Any]], list[dict[str, Any]]]:
    """Which Windows nodes a workload's selectors allow and which of them can run its images.

    With REGISTRY (``registry_image_info``'s result) images' builds come from the registry, and for a manifest list
    per node from the entry containerd pulls there (``pulls``); a node no entry fits gets ``no_matching_manifest``.
    Every finding says where the images' builds came from. Returns (None, []) for workloads with no image of a known
    Windows build (Linux workloads).
    """
    meta = obj.get("metadata") or {}
    subject = workload_subject(kind, meta.get("namespace", ""), meta.get("name", ""))
    spec = pod_spec_of(obj, kind)
    images = [image_build(str(c.get("image", "")), given, registry) for c in containers_of(spec)]
    known = [i for i in images if i.known]
    if not known:
        return None, []
    isolation = isolation_of(spec, runtime_classes)
    allowed = [n for n in nodes if node_allowed(spec, n.labels, runtime_classes)]
    runnable, blocked, pulls = _judge_nodes(known, allowed, isolation, rules)
    report = {
        "kind": kind,
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "isolation": isolation,
        "images": [i.as_dict() for i in known],
        "pulls": pulls,
        "node_selector": dict(spec.get("nodeSelector") or {}),
        "runtime_class": spec.get("runtimeClassName"),
        "allowed_nodes": [n.name for n in allowed],
        "runnable_nodes": runnable,
        "blocked_nodes": blocked,
    }
    findings: list[dict[str, Any]] = _no_match_findings(subject, pulls)
    findings += _placement_findings(subject, known, allowed, runnable, blocked, isolation)
    return report, with_image_sources(findings, known)


def _judge_nodes(
    known: Sequence[ImageBuild], allowed: Sequence[WindowsNode], isolation: str, rules: str
) -> tuple[list[str], dict[str, list[str]], list[dict[str, Any]]]:
    """(runnable node names, blocked node name -> reasons, pulls) over the allowed nodes of known version."""
    runnable: list[str] = []
    blocked: dict[str, list[str]] = {}
    pulls: list[dict[str, Any]] = []
    for node in allowed:
        if node.version is None:
            continue
        reasons = _node_reasons(known, node.name, node.version, isolation, rules, pulls)
        if reasons:
            blocked[node.name] = reasons
        else:
            runnable.append(node.name)
    return runnable, blocked, pulls


def _selector_fix(known: Sequence[ImageBuild]) -> str:
    """The fix that pins a workload to its images' one build, or asks to rebuild them on one release."""
    builds = sorted({i.version.build for i in known if i.version is not None})
    if len(builds) == 1:
        return f"set nodeSelector {WINDOWS_BUILD_LABEL}=10.0.{builds[0]} (wincontainers.compat.k8s_workload_selector)"
    return "rebuild the pod's images on one base image release"


def _placement_findings(
    subject: str,
    known: Sequence[ImageBuild],
    allowed: Sequence[WindowsNode],
    runnable: Sequence[str],
    blocked: Mapping[str, list[str]],
    isolation: str,
) -> list[dict[str, Any]]:
    """At most one finding on where the selectors let the workload go: nowhere, nowhere it runs, or too far."""
    image_text = ", ".join(i.text() for i in known)
    selector_fix = _selector_fix(known)
    if not allowed:
        return [
            finding(
                "no_matching_windows_node",
                "high",
                subject,
                None,
                f"no Windows node matches the selectors of {subject} ({image_text})",
                selector_fix,
            )
        ]
    if not runnable and blocked:
        hosts = sorted({str(n.version.build) for n in allowed if n.version})
        first = next(n for n in allowed if n.name in blocked and n.version)
        return [
            finding(
                "image_build_mismatch",
                "critical",
                subject,
                None,
                f"{image_text} cannot run with {isolation} isolation on any node its selectors allow "
                f"(builds {', '.join(hosts)}): {blocked[first.name][0]}",
                f"{_retarget_hint(known[0].image, first.version)}, or {selector_fix}"
                if first.version
                else selector_fix,
            )
        ]
    if blocked:
        return [
            finding(
                "selector_allows_incompatible_nodes",
                "high",
                subject,
                None,
                f"{image_text} can run on {', '.join(runnable)} but the selectors also allow "
                f"{', '.join(sorted(blocked))}, where it fails with {isolation} isolation",
                selector_fix,
            )
        ]
    return []


def _node_reasons(
    known: Sequence[ImageBuild],
    name: str,
    host: WindowsVersion,
    isolation: str,
    rules: str,
    pulls: list[dict[str, Any]],
) -> list[str]:
    """Why node NAME (build HOST) cannot run the images (none when it can); a list's pulled entry is added to PULLS."""
    reasons = []
    for build in known:
        answer = build.on(host)
        if build.listed is not None:
            pulls.append(
                {
                    "image": build.image,
                    "node": name,
                    "node_version": host.version,
                    "digest": answer.get("digest"),
                    "os_version": answer.get("version"),
                    "no_matching_manifest": answer.get("no_matching_manifest"),
                }
            )
        if answer.get("no_matching_manifest"):
            reasons.append(f"{build.image}: {answer['no_matching_manifest']}")
            continue
        version = safe_version(answer.get("version"))
        if version is None:
            continue
        status, reason = _compat_status(version, host, isolation, rules)
        if status in ("unsupported", "unverified"):
            reasons.append(f"{build.image}: {reason}")
    return reasons


def _no_match_findings(subject: str, pulls: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One ``no_matching_manifest`` finding per (image, node) whose manifest list has no entry for the node."""
    return [
        finding(
            "no_matching_manifest",
            "critical",
            subject,
            pull["node"],
            f"{pull['image']} has no entry for node {pull['node']} ({pull['node_version']}): "
            f"{pull['no_matching_manifest']}",
            f"add a build of {release_label_value(parse_windows_version(pull['node_version']).build)} to the image's "
            f"manifest list, or keep the workload off the node with nodeSelector {WINDOWS_BUILD_LABEL}",
            image=pull["image"],
        )
        for pull in pulls
        if pull.get("no_matching_manifest")
    ]


_CERTAINTY = ("registry", "given", "host", "tag", None)


def with_image_sources(found: Sequence[Mapping[str, Any]], known: Sequence[ImageBuild]) -> list[dict[str, Any]]:
    """FOUND with where the images' builds came from: the least certain source of them (``tag`` is a guess)."""
    weakest = max(known, key=lambda i: _CERTAINTY.index(i.source) if i.source in _CERTAINTY else len(_CERTAINTY))
    answer = {"source": weakest.source, "digest": weakest.digest if len(known) == 1 else None}
    extra = {
        "image_source": weakest.source,
        "image_digest": answer["digest"],
        "image_build_guess": weakest.source == "tag",
        "image_source_label": source_label(answer),
        "image_sources": [i.as_dict() for i in known],
    }
    return [{**item, **extra} for item in found]


def _status_texts(pod: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(container, text) of every waiting/terminated message and reason in the pod's container statuses."""
    status = pod.get("status") or {}
    texts: list[tuple[str, str]] = []
    for key in ("initContainerStatuses", "containerStatuses"):
        for cstatus in status.get(key) or []:
            cname = str(cstatus.get("name", ""))
            for state_key in ("state", "lastState"):
                for phase in ("waiting", "terminated"):
                    state = (cstatus.get(state_key) or {}).get(phase) or {}
                    message = state.get("message")
                    if message:
                        texts.append((cname, f"{state.get('reason', '')}: {message}".strip(": ")))
    if status.get("message"):
        texts.append(("", str(status["message"])))
    return texts


def pod_report(
    pod: Mapping[str, Any], events: Sequence[Mapping[str, Any]] = ()
) -> tuple[Optional[dict[str, Any]], list[dict[str, Any]]]:
    """Classify the Windows version errors a pod's statuses and events carry (None when it has none)."""
    meta = pod.get("metadata") or {}
    subject = f"pod {meta.get('namespace', '')}/{meta.get('name', '')}"
    node = (pod.get("spec") or {}).get("nodeName")
    candidates = [(c, t, "status") for c, t in _status_texts(pod)]
    candidates += [("", f"{e.get('reason', '')}: {e.get('message', '')}", "event") for e in events if e.get("message")]
    errors: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for container, text, origin in candidates:
        verdict = container_error(text)
        if verdict["class"] == "unknown" or (container, verdict["class"]) in seen:
            continue
        seen.add((container, verdict["class"]))
        errors.append({"container": container or None, "origin": origin, "text": text, **verdict})
    if not errors:
        return None, []
    findings = [
        finding(
            f"pod_{error['class']}",
            "critical",
            subject,
            node,
            f"{error['container'] or 'pod'}: {error['text'][:400]}",
            str(error["advice"]),
        )
        for error in errors
    ]
    report = {"namespace": meta.get("namespace"), "name": meta.get("name"), "node": node, "errors": errors}
    return report, findings
