"""Fleet compliance: pure checks over host facts and orchestrator state, in one pass.

Inputs are the ``wincontainers_host`` facts of each host (``None`` when a host gave none), the results of
``swarm_compat_info`` and ``k8s_compat_info`` (or their recorded JSON) and a policy. The output is one
report dict: a summary, a host x image matrix, the checks that ran (for JUnit) and the findings in the
shared shape of ``docs/design.md``. Every version decision is the core's (``compat.container_compat``,
``catalog``); the cost is linear in hosts + containers + orchestrator objects, with verdicts cached per
distinct (image, host, isolation, host kind) so a fleet of identical hosts costs one verdict per cell kind.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    all_releases,
    release_for_build,
    release_name,
    same_revision_required,
    support_status,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import auto_isolation, container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    WinCompatError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import base_image_tag, retarget_image
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
)

SCHEMA = "wincontainers.compat/compliance/v1"
SEVERITIES = ("critical", "high", "medium", "low", "info")
ISOLATION_POLICIES = ("any", "process", "hyperv", "auto")
RULE_SETS = ("documented", "containerd", "docker")
RUNNING_OK = ("supported", "preview")
HOSTS_SUITE = "hosts"
MAX_LISTED = 5  # nodes named in a placement finding's message; its ``hosts`` lists them all
HOST_CHECKS = (
    "facts_present",
    "host_support",
    "container_compat",
    "image_revision",
    "update_impact",
    "daemon_isolation",
    "image_tag_pinned",
    "image_support",
)
PLACEMENT_CHECKS = ("swarm_placement", "k8s_placement")
# Checks of swarm_compat_info and k8s_compat_info that report the effect of a wrong placement.
CONSEQUENCES = (
    "task_failed",
    "service_not_converged",
    "image_build_mismatch",
    "selector_allows_incompatible_nodes",
)
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
_CONSTRAINT = re.compile(r"^\s*(?P<key>[\w.\-/]+)\s*(?P<op>==|!=)\s*(?P<value>.*?)\s*$")
_HYPERV_HANDLER = re.compile(r"hyperv|hypervisor", re.IGNORECASE)

CompatFn = Callable[[str, str, str, str], dict]


@dataclass(frozen=True)
class Policy:
    """What the fleet should look like; every field has the default of the ``compliance`` role."""

    isolation: str = "any"
    rules: str = "documented"
    today: datetime.date = field(default_factory=datetime.date.today)
    unpinned_tags: tuple[str, ...] = ("latest",)
    swarm_os_label: str = "OS"
    swarm_version_label: str = "OsVersion"
    k8s_version_labels: tuple[str, ...] = (
        "node.kubernetes.io/windows-build",
        "beta.kubernetes.io/osbuild",
        "wincontainers.compat/release",
    )

    def as_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data, for the report."""
        return {
            "isolation": self.isolation,
            "rules": self.rules,
            "today": self.today.isoformat(),
            "unpinned_tags": list(self.unpinned_tags),
            "swarm_labels": {"os": self.swarm_os_label, "version": self.swarm_version_label},
            "k8s_version_labels": list(self.k8s_version_labels),
        }


def make_policy(options: Optional[Mapping[str, Any]] = None) -> Policy:
    """Build a :class:`Policy` from plain options, validating each one.

    Raises:
        OptionError: an option is out of range (names the option and its choices).
    """
    options = dict(options or {})
    kwargs: dict[str, Any] = {}
    if options.get("isolation") is not None:
        kwargs["isolation"] = check_choice("isolation", options["isolation"], ISOLATION_POLICIES)
    if options.get("rules") is not None:
        kwargs["rules"] = check_choice("rules", options["rules"], RULE_SETS)
    if options.get("today") is not None:
        kwargs["today"] = _date(options["today"])
    if options.get("unpinned_tags") is not None:
        kwargs["unpinned_tags"] = tuple(str(tag).lower() for tag in options["unpinned_tags"])
    for key in ("swarm_os_label", "swarm_version_label"):
        if options.get(key):
            kwargs[key] = str(options[key])
    if options.get("k8s_version_labels") is not None:
        kwargs["k8s_version_labels"] = tuple(str(key) for key in options["k8s_version_labels"])
    return Policy(**kwargs)


def _date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise OptionError(f"today must be a date such as 2026-11-28; got {describe(value)}") from None


def severity_rank(severity: str) -> int:
    """0 for ``critical`` up to 4 for ``info``.

    Raises:
        OptionError: not one of :data:`SEVERITIES`.
    """
    return _RANK[check_choice("severity", severity, SEVERITIES)]


def at_or_above(findings: Iterable[Mapping[str, Any]], threshold: Optional[str]) -> list[Mapping[str, Any]]:
    """The findings whose severity is ``threshold`` or worse; none when ``threshold`` is None."""
    if threshold is None:
        return []
    limit = severity_rank(threshold)
    return [item for item in findings if _RANK.get(item.get("severity", "info"), 4) <= limit]


def finding(
    check: str, severity: str, subject: str, host: Optional[str], message: str, fix: str, **extra: Any
) -> dict[str, Any]:
    """One finding in the shared shape of ``docs/design.md`` (plus optional extra keys)."""
    base = {"check": check, "severity": severity, "subject": subject, "host": host, "message": message, "fix": fix}
    return {**base, **extra}


def safe_version(value: object) -> Optional[WindowsVersion]:
    """The parsed Windows version of ``value``, or None when it carries none."""
    if value in (None, ""):
        return None
    try:
        return parse_windows_version(value)
    except WinCompatError:
        return None


def read_target(value: object, what: str) -> Optional[WindowsVersion]:
    """The version a host moves to, None when none is given.

    Raises:
        OptionError: ``value`` is given but is no Windows version (the message names ``what``).
    """
    if value in (None, ""):
        return None
    try:
        return parse_windows_version(value)
    except WinCompatError as exc:
        raise OptionError(f"{what}: {exc}") from None


def split_reference(ref: str) -> tuple[str, Optional[str]]:
    """``(repository, tag)`` of an image reference; the tag is None when absent (digests are dropped)."""
    name = ref.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :]
    return name, None


def reference_version(ref: str) -> Optional[WindowsVersion]:
    """The Windows version an image reference names by its tag (``ltsc2019``, ``4.8-windowsservercore-1809``)."""
    _repo, tag = split_reference(ref)
    if not tag:
        return None
    found = safe_version(tag)
    if found is not None and found.major == 10:
        return found
    for token in reversed(tag.split("-")):
        found = safe_version(token)
        if found is not None and found.major == 10 and found.build >= 10240:
            return found
    return None


def is_unpinned(ref: str, unpinned_tags: Sequence[str]) -> bool:
    """True when the reference has no tag and no digest, or a floating tag such as ``latest``."""
    if "@" in ref:
        return False
    _repo, tag = split_reference(ref)
    return tag is None or tag.lower() in unpinned_tags


def short_name(name: str) -> str:
    """``win2019-01`` from ``WIN2019-01.corp.example.com`` (host names compare by their first label)."""
    return name.split(".", 1)[0].casefold()


class Verdicts:
    """``container_compat`` with a cache per distinct input; errors become ``status: unknown``."""

    def __init__(self, rules: str, compat: Optional[CompatFn] = None) -> None:
        self.rules = rules
        self._compat = compat or self._core
        self._cache: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def _core(self, image: str, host: str, isolation: str, host_kind: str) -> dict:
        return container_compat(image, host, isolation=isolation, host_kind=host_kind, rules=self.rules)

    def __call__(self, image: str, host: str, isolation: str, host_kind: str) -> dict[str, Any]:
        key = (image, host, isolation, host_kind)
        cached = self._cache.get(key)
        if cached is None:
            try:
                cached = self._compat(image, host, isolation, host_kind)
            except WinCompatError as exc:
                cached = {"status": "unknown", "reason": str(exc)}
            self._cache[key] = cached
        return cached


@dataclass
class HostView:
    """What the checks need to know of one host, read once from its facts."""

    name: str
    facts: Optional[Mapping[str, Any]]
    version: Optional[str] = None
    build: Optional[int] = None
    revision: Optional[int] = None
    kind: str = "server"
    release: Mapping[str, Any] = field(default_factory=dict)
    isolation: str = "process"
    target: Optional[WindowsVersion] = None
    edition: Optional[str] = None

    @property
    def release_name(self) -> Optional[str]:
        """The host's release as its kind names it (Windows 10, version 1809 rather than Windows Server 2019)."""
        known = release_name(self.build, self.kind) if self.build is not None else None
        return known or self.release.get("name")


def host_view(name: str, facts: Optional[Mapping[str, Any]], target: Optional[WindowsVersion] = None) -> HostView:
    """Read the version, kind, release and default isolation of a host from its ``wincontainers_host`` facts."""
    view = HostView(name=name, facts=facts, target=target)
    if not facts:
        return view
    parsed = safe_version((facts.get("version") or {}).get("version") or facts.get("version"))
    if parsed is not None:
        view.version, view.build, view.revision = parsed.version, parsed.build, parsed.revision
        view.release = facts.get("release") or release_for_build(parsed.build)
    view.kind = str(facts.get("host_kind")) if facts.get("host_kind") in ("server", "client") else "server"
    view.edition = " ".join(str(facts[k]) for k in ("product_name", "edition_id") if facts.get(k)) or None
    docker = facts.get("docker") or {}
    isolation = (docker.get("default_isolation") or "").lower()
    view.isolation = isolation if isolation in ("process", "hyperv") else "process"
    return view


def containers_of(view: HostView) -> list[Mapping[str, Any]]:
    """The running containers of a host's facts."""
    return [c for c in (view.facts or {}).get("containers") or [] if c.get("running", True)]


def image_index(views: Iterable[HostView]) -> dict[str, str]:
    """Image reference -> OsVersion, from the images and running containers the hosts reported."""
    index: dict[str, str] = {}
    for view in views:
        facts = view.facts or {}
        for image in facts.get("images") or []:
            if image.get("os_version"):
                for tag in image.get("repo_tags") or []:
                    index.setdefault(tag, image["os_version"])
        for container in facts.get("containers") or []:
            if container.get("image") and container.get("image_os_version"):
                index.setdefault(container["image"], container["image_os_version"])
    return index


def image_version_of(ref: str, index: Mapping[str, str], explicit: object = None) -> Optional[WindowsVersion]:
    """An image's Windows version: given explicitly, recorded by a host, or named by its tag."""
    for candidate in (explicit, index.get(ref)):
        found = safe_version(candidate)
        if found is not None:
            return found
    return reference_version(ref)


def _base_image_hint(view: HostView) -> str:
    """The base image to rebuild on for this host: its exact version on 2016, else the tag it runs."""
    if view.build is not None and same_revision_required(view.build) and view.revision is not None:
        return f"mcr.microsoft.com/windows/servercore:{view.version} (Windows Server 2016 needs the exact revision)"
    compatible = (((view.facts or {}).get("compatible_tags") or {}).get("servercore") or {}).get(view.isolation)
    tags = compatible or (view.release.get("tags") or {}).get("servercore") or []
    if tags:
        return f"mcr.microsoft.com/windows/servercore:{tags[0]}"
    return f"a base image of build {view.build}"


# ---------------------------------------------------------------------------------------------- host checks


def check_host_support(view: HostView, policy: Policy) -> list[dict[str, Any]]:
    """The host's release is out of support on ``policy.today``."""
    if view.build is None:
        return []
    status = support_status(view.build, view.kind, policy.today, view.edition)
    if status.get("in_support") is not False:
        return []
    name = view.release_name or f"build {view.build}"
    return [
        finding(
            "host_support",
            "high",
            view.name,
            view.name,
            f"{name} ({view.kind}) is out of support since {status['end_of_support']}",
            upgrade_fix(view, policy.today),
        )
    ]


def supported_successors(build: int, kind: str, today: datetime.date) -> list[str]:
    """Names of the later releases a ``kind`` host can move to that are serviced on ``today``, oldest first.

    Servers move between LTSC releases; clients between Windows 11 feature updates of the general channel.
    """
    channel = "LTSC" if kind == "server" else "client"
    names = []
    for release in all_releases():
        if release["build"] <= build:
            continue
        for product in release.get("products") or []:
            end = product.get("end_of_support")
            if product["kind"] != kind or product["channel"] != channel or not end:
                continue
            if datetime.date.fromisoformat(end) >= today:
                names.append(release["name"] if kind == "server" else f"Windows 11, version {product['version']}")
                break
    return names


def upgrade_fix(view: HostView, today: datetime.date) -> str:
    """How to bring an out-of-support host back into support, naming the releases it can move to."""
    names = supported_successors(view.build or 0, view.kind, today)
    if view.kind == "client":
        target = f"{names[0]} or later" if names else "a Windows 11 release in support"
        return (
            f"install a feature update to {target}; its containers run with Hyper-V isolation, check their images "
            "in the matrix"
        )
    target = " or ".join(names[-2:]) if names else "a supported Windows Server release"
    return f"upgrade the host to {target} and rebuild its process-isolated images for it"


def check_containers(view: HostView, verdicts: Verdicts) -> list[dict[str, Any]]:
    """Each running container's image against the host's build and the container's isolation."""
    found = []
    for container in containers_of(view):
        image_version = container.get("image_os_version")
        isolation = container.get("isolation") or view.isolation
        if not image_version or view.version is None or isolation not in ("process", "hyperv"):
            continue
        verdict = verdicts(image_version, view.version, isolation, view.kind)
        if verdict["status"] in RUNNING_OK or verdict["status"] == "unknown":
            continue
        label = container.get("name") or container.get("id")
        found.append(
            finding(
                "container_compat",
                "critical",
                f"container {label}",
                view.name,
                f"image {container.get('image')} ({image_version}) is not supported on host {view.version} with "
                f"{isolation} isolation; it runs on borrowed luck and fails at its next start: {verdict['reason']}",
                f"rebuild it on {_base_image_hint(view)}" + _hyperv_hint(view, image_version, isolation, verdicts),
                image=container.get("image"),
            )
        )
    return found


def _hyperv_hint(view: HostView, image_version: str, isolation: str, verdicts: Verdicts) -> str:
    if isolation == "hyperv":
        return ""
    if verdicts(image_version, str(view.version), "hyperv", view.kind)["status"] in RUNNING_OK:
        return ", or run it with --isolation=hyperv on this host"
    return ", or move it to a host of its own build"


def check_image_revision(view: HostView) -> list[dict[str, Any]]:
    """Process-isolated images with a newer update revision (UBR) than the host (error 0xc0370106)."""
    found = []
    for container in containers_of(view):
        image = safe_version(container.get("image_os_version"))
        isolation = container.get("isolation") or view.isolation
        if image is None or isolation != "process" or view.build != image.build:
            continue
        if image.revision is None or view.revision is None or image.revision <= view.revision:
            continue
        label = container.get("name") or container.get("id")
        found.append(
            finding(
                "image_revision",
                "high",
                f"container {label}",
                view.name,
                f"image {container.get('image')} ({image.version}) is newer than host {view.version}: a "
                "process-isolated container of a newer update revision can exit at start (0xc0370106)",
                f"install the cumulative update that brings revision {image.revision} or later on the host, or pin "
                f"the image to a base image of revision {view.revision} or older",
                image=container.get("image"),
            )
        )
    return found


def check_update_impact(view: HostView, verdicts: Verdicts) -> list[dict[str, Any]]:
    """Running containers that run now but not once the host is at its pending target version."""
    if view.target is None or view.version is None:
        return []
    target = view.target.version
    found = []
    for container in containers_of(view):
        image_version = container.get("image_os_version")
        isolation = container.get("isolation") or view.isolation
        if not image_version or isolation not in ("process", "hyperv"):
            continue
        now = verdicts(image_version, view.version, isolation, view.kind)
        after = verdicts(image_version, target, isolation, view.kind)
        if now["status"] not in RUNNING_OK or after["status"] in RUNNING_OK or after["status"] == "unknown":
            continue
        label = container.get("name") or container.get("id")
        found.append(
            finding(
                "update_impact",
                "high",
                f"container {label}",
                view.name,
                f"after the pending update to {target}, image {container.get('image')} ({image_version}) with "
                f"{isolation} isolation will not start: {after['reason']}",
                f"rebuild the image on the base image of {target} before patching, or run it with Hyper-V isolation",
                image=container.get("image"),
                target_version=target,
            )
        )
    return found


def running_image_versions(view: HostView) -> list[str]:
    """The Windows versions of the images the host runs, as the ``daemon_isolation`` role reads them."""
    versions = (safe_version(c.get("image_os_version")) for c in containers_of(view))
    return [version.version for version in versions if version is not None]


def wanted_isolation(view: HostView, policy: Policy) -> Optional[dict[str, Any]]:
    """``{isolation, reason}`` the policy wants as the host's default; None when it checks nothing.

    ``auto`` is the core's :func:`auto_isolation` over the running images, the rule the role
    ``daemon_isolation`` applies, so running the role clears the finding.
    """
    if policy.isolation in ("process", "hyperv"):
        return {"isolation": policy.isolation, "reason": f"the policy is {policy.isolation}"}
    if policy.isolation != "auto" or view.version is None:
        return None
    return auto_isolation(view.version, running_image_versions(view), view.kind, policy.rules)


def check_daemon_isolation(view: HostView, policy: Policy) -> list[dict[str, Any]]:
    """The Docker engine's default isolation against the policy."""
    docker = (view.facts or {}).get("docker") or {}
    wanted = wanted_isolation(view, policy)
    actual = (docker.get("default_isolation") or "").lower() or None
    if wanted is None or not docker.get("running") or actual == wanted["isolation"]:
        return []
    return [
        finding(
            "daemon_isolation",
            "medium",
            view.name,
            view.name,
            f"the Docker engine's default isolation is {actual or 'unknown'}, the policy ({policy.isolation}) "
            f"wants {wanted['isolation']}: {wanted['reason']}",
            f"run the role wincontainers.compat.daemon_isolation with daemon_isolation_mode: {policy.isolation}"
            + (f" and daemon_isolation_rules: {policy.rules}" if policy.isolation == "auto" else ""),
        )
    ]


def check_image_tags(view: HostView, policy: Policy) -> list[dict[str, Any]]:
    """Running containers whose image reference floats (``latest`` or no tag)."""
    found = []
    for container in containers_of(view):
        ref = container.get("image") or ""
        if ref and is_unpinned(ref, policy.unpinned_tags):
            label = container.get("name") or container.get("id")
            found.append(
                finding(
                    "image_tag_pinned",
                    "medium",
                    f"container {label}",
                    view.name,
                    f"image {ref} is not pinned: a floating tag can move to another Windows build",
                    f"pin a release tag, e.g. {_base_image_hint(view)} or your image's own versioned tag",
                    image=ref,
                )
            )
    return found


def check_image_support(view: HostView, policy: Policy, index: Mapping[str, str]) -> list[dict[str, Any]]:
    """Running containers whose image's Windows release is out of support."""
    found = []
    for container in containers_of(view):
        ref = container.get("image") or ""
        version = image_version_of(ref, index, container.get("image_os_version"))
        if version is None:
            continue
        status = support_status(version.build, "server", policy.today)
        if status.get("in_support") is not False:
            continue
        label = container.get("name") or container.get("id")
        found.append(
            finding(
                "image_support",
                "medium",
                f"container {label}",
                view.name,
                f"image {ref} is built on {release_for_build(version.build)['name']} ({version.version}), out of "
                f"support since {status['end_of_support']}: it receives no more security updates",
                f"rebuild it on {_base_image_hint(view)}",
                image=ref,
            )
        )
    return found


def host_findings(view: HostView, policy: Policy, verdicts: Verdicts, index: Mapping[str, str]) -> list[dict]:
    """Every host check over one host."""
    if not view.facts or view.version is None:
        why = "no facts" if not view.facts else "facts without a readable version"
        return [
            finding(
                "facts_present",
                "high",
                view.name,
                view.name,
                f"{why} for this host: it was unreachable or the facts are not in the offline input",
                "check the connection, then gather facts with wincontainers.compat.win_container_host_facts",
            )
        ]
    return [
        *check_host_support(view, policy),
        *check_containers(view, verdicts),
        *check_image_revision(view),
        *check_update_impact(view, verdicts),
        *check_daemon_isolation(view, policy),
        *check_image_tags(view, policy),
        *check_image_support(view, policy, index),
    ]


# ---------------------------------------------------------------------------------------------- orchestrators


def node_labels(node: Mapping[str, Any]) -> dict[str, str]:
    """The labels of a Swarm or Kubernetes node entry, whichever key carries them."""
    labels = node.get("labels")
    if labels is None:
        labels = (node.get("spec") or {}).get("labels") or (node.get("metadata") or {}).get("labels")
    return {str(key): str(value) for key, value in (labels or {}).items()}


def node_version(node: Mapping[str, Any]) -> Optional[WindowsVersion]:
    """The Windows version an orchestrator reports for a node (not its labels)."""
    for key in ("version", "os_version", "kernel_version", "build"):
        value = node.get(key)
        if isinstance(value, Mapping):
            value = value.get("version")
        found = safe_version(value)
        if found is not None:
            return found
    return None


def match_hosts(nodes: Sequence[Mapping[str, Any]], views: Mapping[str, HostView], id_key: str) -> dict[int, HostView]:
    """Index of node position -> host, by Swarm node id (``id_key``) or by host name."""
    by_node_id = {}
    for view in views.values():
        node_id = (((view.facts or {}).get("docker") or {}).get("swarm") or {}).get("node_id")
        if node_id:
            by_node_id[node_id] = view
    by_name = {short_name(name): view for name, view in views.items()}
    matched = {}
    for position, node in enumerate(nodes):
        found = by_node_id.get(str(node.get(id_key) or "")) or by_name.get(short_name(node_name(node)))
        if found is not None:
            matched[position] = found
    return matched


def node_name(node: Mapping[str, Any]) -> str:
    """The host name of a Swarm node entry or the name of a Kubernetes node entry."""
    return str(node.get("hostname") or node.get("name") or node.get("id") or "")


def real_version(node: Mapping[str, Any], view: Optional[HostView]) -> Optional[WindowsVersion]:
    """What a node really runs: its host's facts first, then what the orchestrator reports."""
    if view is not None and view.version is not None:
        return safe_version(view.version)
    return node_version(node)


def label_mismatch(value: str, real: WindowsVersion) -> bool:
    """A version label is wrong when it names another build, or another revision where it names one."""
    labelled = safe_version(value)
    if labelled is None:
        return True
    if labelled.build != real.build:
        return True
    return labelled.revision is not None and real.revision is not None and labelled.revision != real.revision


def swarm_constraint_allows(constraints: Iterable[str], node: Mapping[str, Any]) -> bool:
    """Evaluate Swarm placement constraints on a node (values compare case-insensitively, as Swarm does).

    Attributes the node entry does not carry cannot rule the node out.
    """
    labels = node_labels(node)
    for constraint in constraints:
        match = _CONSTRAINT.match(str(constraint))
        if not match:
            continue
        key, op, value = match["key"], match["op"], match["value"]
        actual = _swarm_attribute(key, node, labels)
        if actual is _UNKNOWN:
            continue
        equal = actual is not None and str(actual).casefold() == value.casefold()
        if (op == "==") != equal:
            return False
    return True


_UNKNOWN = object()


def _swarm_attribute(key: str, node: Mapping[str, Any], labels: Mapping[str, str]) -> Any:
    if key.startswith("node.labels."):
        return labels.get(key[len("node.labels.") :])
    simple = {
        "node.hostname": node.get("hostname"),
        "node.id": node.get("id"),
        "node.role": node.get("role"),
        "node.platform.os": node.get("os") or (node.get("platform") or {}).get("os"),
    }
    if key in simple and simple[key] is not None:
        return simple[key]
    return _UNKNOWN


def selector_allows(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A Kubernetes nodeSelector matches when every key is present with the same value."""
    return all(labels.get(str(key)) == str(value) for key, value in selector.items())


def _selector_allows_node(selector: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    return selector_allows(selector, node_labels(node))


def _named_in(names: frozenset, node: Mapping[str, Any]) -> bool:
    return node_name(node) in names


def _label_checks(
    check: str, node: Mapping[str, Any], view: HostView, keys: Sequence[str], fix: str, required: Sequence[str] = ()
) -> list[dict[str, Any]]:
    real = safe_version(view.version)
    if real is None:
        return []
    labels = node_labels(node)
    found = []
    for key in keys:
        value = labels.get(key)
        if value is None:
            if key in required:
                found.append(
                    finding(check, "medium", f"node {node_name(node)}", view.name, f"label {key} is missing", fix)
                )
            continue
        if label_mismatch(value, real):
            found.append(
                finding(
                    check,
                    "high",
                    f"node {node_name(node)}",
                    view.name,
                    f"label {key}={value} does not match the host, which runs {real.version}",
                    fix,
                    label=key,
                )
            )
    return found


def _placement_finding(
    check: str, subject: str, image: str, version: WindowsVersion, bad: list[tuple[str, str]], fix: str
) -> dict[str, Any]:
    where = ", ".join(f"{name} ({host_version})" for name, host_version in bad[:MAX_LISTED])
    if len(bad) > MAX_LISTED:
        where += f" and {len(bad) - MAX_LISTED} more"
    return finding(
        check,
        "critical",
        subject,
        bad[0][0] if len(bad) == 1 else None,
        f"image {image} ({version.version}) can be placed on {len(bad)} node(s) where it cannot run: {where}",
        fix,
        image=image,
        hosts=[name for name, _version in bad],
    )


@dataclass
class NodeClass:
    """Windows nodes that placement cannot tell apart: same labels, role, OS, real version and isolation."""

    node: Mapping[str, Any]
    real: Optional[WindowsVersion]
    isolation: str
    kind: str
    members: list[tuple[str, str, Mapping[str, Any]]] = field(default_factory=list)


def node_classes(nodes: Sequence[Mapping[str, Any]], matched: Mapping[int, HostView]) -> list[NodeClass]:
    """Group the Windows nodes of a cluster once, so each service or workload costs one check per class."""
    classes: dict[tuple[Any, ...], NodeClass] = {}
    for position, node in enumerate(nodes):
        host = matched.get(position)
        if not _is_windows(node, host):
            continue
        real = real_version(node, host)
        isolation, kind = (host.isolation, host.kind) if host else ("process", "server")
        labels = tuple(sorted(node_labels(node).items()))
        key = (labels, node.get("role"), node.get("os"), real.version if real else None, isolation, kind)
        group = classes.get(key)
        if group is None:
            group = classes[key] = NodeClass(node=node, real=real, isolation=isolation, kind=kind)
        group.members.append((host.name if host else node_name(node), real.version if real else "?", node))
    return list(classes.values())


def unfit_nodes(
    version: WindowsVersion,
    classes: Iterable[NodeClass],
    allows: Callable[[Mapping[str, Any]], bool],
    verdicts: Verdicts,
    isolation: Optional[str],
    per_node: bool = False,
) -> list[tuple[str, str]]:
    """``(name, real version)`` of the nodes ``allows`` admits where the image does not run.

    ``isolation`` None means each host's default. ``per_node`` evaluates ``allows`` on every node (for
    constraints on node names or ids), else once per class.
    """
    bad: list[tuple[str, str]] = []
    for group in classes:
        if group.real is None:
            continue
        verdict = verdicts(version.version, group.real.version, isolation or group.isolation, group.kind)
        if verdict["status"] in (*RUNNING_OK, "unknown"):
            continue
        if per_node:
            bad += [(name, real) for name, real, node in group.members if allows(node)]
        elif allows(group.node):
            bad += [(name, real) for name, real, _node in group.members]
    return bad


def check_swarm(
    cluster: str,
    state: Mapping[str, Any],
    views: Mapping[str, HostView],
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Swarm node labels against the hosts, and service placement against what the nodes really run."""
    suite = f"swarm {cluster}"
    nodes = list(state.get("nodes") or [])
    matched = match_hosts(nodes, views, "id")
    found: list[dict[str, Any]] = []
    checks: list[tuple[str, str, str]] = []
    label_fix = (
        f"run wincontainers.compat.swarm_node_labels (role wincontainers.compat.swarm_labels) to set "
        f"{policy.swarm_os_label} and {policy.swarm_version_label} from the gathered facts"
    )
    for position, view in matched.items():
        checks.append((suite, f"node {node_name(nodes[position])}", "swarm_node_labels"))
        found += _label_checks(
            "swarm_node_labels",
            nodes[position],
            view,
            [policy.swarm_version_label],
            label_fix,
            required=[policy.swarm_version_label],
        )
    classes = node_classes(nodes, matched)
    for service in state.get("services") or []:
        subject = f"service {service.get('name') or service.get('id')}"
        image = str(service.get("image") or "")
        checks += [(suite, subject, check) for check in ("swarm_placement", *_IMAGE_CHECKS)]
        constraints = service.get("constraints") or service.get("placement_constraints") or []
        placement = Placement(
            check="swarm_placement",
            classes=classes,
            allows=functools.partial(swarm_constraint_allows, constraints),
            isolation=None,
            per_node=any(str(c).strip().startswith(("node.hostname", "node.id")) for c in constraints),
            select=lambda version: (
                f"constrain the service to node.labels.{policy.swarm_version_label}=="
                f"{version.major}.{version.minor}.{version.build} with wincontainers.compat.swarm_service_placement, "
                "after fixing the node labels"
            ),
            hyperv="run the service with --isolation=hyperv",
        )
        explicit = service.get("image_version") or service.get("image_os_version")
        found += deployed_image_findings(subject, image, explicit, placement, policy, verdicts, index)
    return found, checks


_IMAGE_CHECKS = ("image_tag_pinned", "image_support")


@dataclass(frozen=True)
class Placement:
    """Where an orchestrator may start a service or workload, and how to fix a placement on unfit nodes."""

    check: str
    classes: Sequence[NodeClass]
    allows: Callable[[Mapping[str, Any]], bool]
    isolation: Optional[str]
    per_node: bool
    select: Callable[[WindowsVersion], str]
    hyperv: str


def cluster_builds(classes: Iterable[NodeClass]) -> dict[int, NodeClass]:
    """One node class per build the cluster's Windows nodes really run, newest build first."""
    builds: dict[int, NodeClass] = {}
    for group in classes:
        if group.real is not None:
            builds.setdefault(group.real.build, group)
    return dict(sorted(builds.items(), reverse=True))


def rebuilt_image(image: str, host: WindowsVersion) -> str:
    """``image`` rebuilt for ``host``'s release (the core's ``retarget_image``), else the base image to build on."""
    try:
        return retarget_image(image, host.version)
    except WinCompatError:
        pass
    try:
        return f"mcr.microsoft.com/windows/servercore:{base_image_tag(host.version)}"
    except WinCompatError:
        return f"a base image of build {host.build}"


def placement_fix(image: str, version: WindowsVersion, placement: Placement, verdicts: Verdicts) -> str:
    """How to fix a placement on unfit nodes: select the image's build where the cluster has such nodes, else
    rebuild it for a build the cluster has, or run it with Hyper-V isolation where the rules allow it."""
    builds = cluster_builds(placement.classes)
    if version.build in builds:
        return placement.select(version)
    rebuilt = list(dict.fromkeys(rebuilt_image(image, group.real) for group in builds.values() if group.real))
    have = ", ".join(str(build) for build in builds) or "none known"
    fix = f"no Windows node runs build {version.build} (the cluster's builds: {have}): rebuild it as "
    fix += " or ".join(rebuilt) if rebuilt else "an image of a build the cluster runs"
    fix += " and select the nodes of that build"
    hyperv = [
        build
        for build, group in builds.items()
        if group.real and verdicts(version.version, group.real.version, "hyperv", group.kind)["status"] in RUNNING_OK
    ]
    if hyperv:
        fix += f", or {placement.hyperv} on nodes of build {' or '.join(str(build) for build in hyperv)}"
    return fix


def deployed_image_findings(
    subject: str,
    image: str,
    explicit: Any,
    placement: Placement,
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The checks of one image an orchestrator deploys: pinned tag, supported release, nodes it may land on."""
    found = _orchestrator_tag_check(subject, image, policy, placement.check)
    version = image_version_of(image, index, explicit)
    if version is None:
        return found
    found += _orchestrator_image_support(subject, image, version, policy)
    bad = unfit_nodes(version, placement.classes, placement.allows, verdicts, placement.isolation, placement.per_node)
    if bad:
        fix = placement_fix(image, version, placement, verdicts)
        found.append(_placement_finding(placement.check, subject, image, version, bad, fix))
    return found


def _is_windows(node: Mapping[str, Any], view: Optional[HostView]) -> bool:
    if view is not None:
        return True
    os_name = node.get("os") or (node.get("platform") or {}).get("os") or node_labels(node).get("kubernetes.io/os")
    return str(os_name or "windows").lower() == "windows"


def _orchestrator_tag_check(subject: str, image: str, policy: Policy, check: str) -> list[dict[str, Any]]:
    if not image or not is_unpinned(image, policy.unpinned_tags):
        return []
    return [
        finding(
            "image_tag_pinned",
            "medium",
            subject,
            None,
            f"image {image} is not pinned: a floating tag can move to another Windows build",
            "pin a release or version tag (for example ...-ltsc2022) and deploy it with a matching "
            + ("placement constraint" if check == "swarm_placement" else "nodeSelector"),
            image=image,
        )
    ]


def _orchestrator_image_support(
    subject: str, image: str, version: WindowsVersion, policy: Policy
) -> list[dict[str, Any]]:
    status = support_status(version.build, "server", policy.today)
    if status.get("in_support") is not False:
        return []
    return [
        finding(
            "image_support",
            "medium",
            subject,
            None,
            f"image {image} is built on {release_for_build(version.build)['name']} ({version.version}), out of "
            f"support since {status['end_of_support']}: it receives no more security updates",
            "rebuild it on a supported base image (ltsc2019, ltsc2022 or ltsc2025) and select nodes of that build",
            image=image,
        )
    ]


def workload_images(workload: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(image, explicit version)`` of every container of a workload entry."""
    images = []
    for container in workload.get("containers") or []:
        if isinstance(container, Mapping) and container.get("image"):
            images.append((str(container["image"]), container.get("image_version") or container.get("version")))
    for image in workload.get("images") or []:
        if isinstance(image, Mapping):
            images.append((str(image.get("image") or image.get("ref") or ""), image.get("version")))
        elif image:
            images.append((str(image), None))
    return [(ref, version) for ref, version in images if ref]


def check_k8s(
    cluster: str,
    state: Mapping[str, Any],
    views: Mapping[str, HostView],
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Kubernetes node labels against the hosts, and workload selectors/RuntimeClasses against real builds."""
    suite = f"k8s {cluster}"
    nodes = list(state.get("nodes") or [])
    matched = match_hosts(nodes, views, "uid")
    found: list[dict[str, Any]] = []
    checks: list[tuple[str, str, str]] = []
    label_fix = (
        "run wincontainers.compat.k8s_node_labels (role wincontainers.compat.k8s_labels) from the gathered facts"
    )
    for position, view in matched.items():
        checks.append((suite, f"node {node_name(nodes[position])}", "k8s_node_labels"))
        found += _label_checks("k8s_node_labels", nodes[position], view, policy.k8s_version_labels, label_fix)
    runtime_classes = {str(rc.get("name")): rc for rc in state.get("runtime_classes") or [] if rc.get("name")}
    classes = node_classes(nodes, matched)
    for workload in state.get("workloads") or []:
        subject = f"{workload.get('kind', 'workload')} {workload.get('namespace', 'default')}/{workload.get('name')}"
        selector = dict(workload.get("node_selector") or {})
        runtime_class = runtime_classes.get(str(workload.get("runtime_class") or workload.get("runtime_class_name")))
        isolation = workload.get("isolation") if workload.get("isolation") in ("process", "hyperv") else "process"
        if runtime_class is not None:
            selector.update(runtime_class.get("node_selector") or {})
            isolation = "hyperv" if _HYPERV_HANDLER.search(str(runtime_class.get("handler") or "")) else "process"
        allows: Callable[[Mapping[str, Any]], bool] = functools.partial(_selector_allows_node, selector)
        per_node = isinstance(workload.get("allowed_nodes"), list) and runtime_class is None
        if per_node:
            # k8s_compat_info already resolved the selector and the RuntimeClass: trust its node list
            allows = functools.partial(_named_in, frozenset(str(n) for n in workload["allowed_nodes"]))
        checks += [(suite, subject, check) for check in ("k8s_placement", *_IMAGE_CHECKS)]
        placement = Placement(
            check="k8s_placement",
            classes=classes,
            allows=allows,
            isolation=isolation,
            per_node=per_node,
            select=lambda version: (
                f"select nodes of build {version.build} (node.kubernetes.io/windows-build=10.0.{version.build})"
                " with wincontainers.compat.k8s_workload_selector or a RuntimeClass"
            ),
            hyperv="run it with a Hyper-V RuntimeClass (handler runhcs-wcow-hypervisor)",
        )
        for image, explicit in workload_images(workload):
            found += deployed_image_findings(subject, image, explicit, placement, policy, verdicts, index)
    return found, checks


def fold_consequences(own: Sequence[dict[str, Any]], reported: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reported findings that are not a consequence of a placement finding of ``own``.

    A failed task, a service short of replicas or a build mismatch the info module reported for a subject whose
    placement compliance found wrong, on one of the same nodes, is one cause reported twice: it becomes the
    ``evidence`` of the placement finding, whose message quotes it, instead of a finding of its own.
    """
    placements = {item["subject"]: item for item in own if item["check"] in PLACEMENT_CHECKS}
    kept = []
    for item in reported:
        cause = placements.get(item["subject"])
        on_its_nodes = item.get("host") is None or item.get("host") in (cause or {}).get("hosts", ())
        if cause is None or item["check"] not in CONSEQUENCES or not on_its_nodes:
            kept.append(item)
            continue
        cause.setdefault("evidence", []).append({key: item.get(key) for key in ("check", "host", "message")})
        cause["message"] += f"; {item['source']} reports it: {item['message']}"
    return kept


def orchestrator_findings(
    source: str, state: Mapping[str, Any], names: Optional[Iterable[str]] = None
) -> list[dict[str, Any]]:
    """The findings an info module already reported, tagged with their source.

    A node's host name (``WIN2019-02``) becomes the inventory name it matches (``win2019-02``), so the
    finding counts for that host.
    """
    inventory = {short_name(name): name for name in names or ()}
    found = []
    for item in state.get("findings") or []:
        if isinstance(item, Mapping):
            host = item.get("host")
            host = inventory.get(short_name(str(host)), host) if host else host
            found.append(dict(item, host=host, source=source, suite=source))
    return found


# ---------------------------------------------------------------------------------------------- matrix, summary


def image_columns(
    views: Sequence[HostView],
    swarm: Mapping[str, Mapping[str, Any]],
    k8s: Mapping[str, Mapping[str, Any]],
    index: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The images of the matrix: every image a host runs or an orchestrator deploys, oldest build first."""
    refs: dict[str, Any] = {}
    for view in views:
        for container in containers_of(view):
            if container.get("image"):
                refs.setdefault(container["image"], container.get("image_os_version"))
    for state in swarm.values():
        for service in state.get("services") or []:
            if service.get("image"):
                refs.setdefault(str(service["image"]), service.get("image_version") or service.get("image_os_version"))
    for state in k8s.values():
        for workload in state.get("workloads") or []:
            for image, explicit in workload_images(workload):
                refs.setdefault(image, explicit)
    columns = []
    for ref, explicit in refs.items():
        version = image_version_of(ref, index, explicit)
        release = release_for_build(version.build) if version else {}
        columns.append(
            {
                "ref": ref,
                "label": ref.rsplit("/", 1)[-1],
                "version": version.version if version else None,
                "build": version.build if version else None,
                "release": release.get("name"),
            }
        )
    columns.sort(key=lambda c: (c["build"] is None, c["build"] or 0, c["version"] or "", c["ref"]))
    return columns


def matrix_row(view: HostView, columns: Sequence[Mapping[str, Any]], verdicts: Verdicts) -> dict[str, Any]:
    """One host's row: for each image, the verdict under process and Hyper-V isolation.

    ``caveats`` holds, per isolation that runs the image, the core's warnings (such as an image revision newer
    than the host's), so a cell that runs with a known risk does not read as plainly fine.
    """
    running = {c.get("image"): c for c in containers_of(view)}
    cells = []
    for column in columns:
        container = running.get(column["ref"])
        isolation = (container or {}).get("isolation") or view.isolation
        cell: dict[str, Any] = {"image": column["ref"], "running": container is not None, "isolation": isolation}
        if view.version is None or column["version"] is None:
            cell.update(process="unknown", hyperv="unknown", status="unknown", reason="version unknown", caveats={})
        else:
            caveats: dict[str, list[str]] = {}
            for mode in ("process", "hyperv"):
                verdict = verdicts(column["version"], view.version, mode, view.kind)
                cell[mode] = verdict["status"]
                if verdict["status"] in RUNNING_OK and verdict.get("caveats"):
                    caveats[mode] = list(verdict["caveats"])
            effective = verdicts(column["version"], view.version, isolation, view.kind)
            cell.update(status=effective["status"], reason=effective.get("reason"), caveats=caveats)
        cells.append(cell)
    return {"host": view.name, "cells": cells}


def host_row(view: HostView, findings: Sequence[Mapping[str, Any]], policy: Policy) -> dict[str, Any]:
    """The host's line of the report."""
    support = support_status(view.build, view.kind, policy.today, view.edition) if view.build is not None else {}
    worst = min((_RANK[f["severity"]] for f in findings), default=None)
    facts = view.facts or {}
    return {
        "name": view.name,
        "version": view.version,
        "build": view.build,
        "revision": view.revision,
        "release": view.release_name,
        "host_kind": view.kind if view.facts else None,
        "isolation": view.isolation if view.facts else None,
        "engine": "docker"
        if (facts.get("docker") or {}).get("installed")
        else ("containerd" if (facts.get("containerd") or {}).get("installed") else None),
        "containers": len(containers_of(view)),
        "target_version": view.target.version if view.target else None,
        "in_support": support.get("in_support"),
        "end_of_support": support.get("end_of_support"),
        "findings": len(findings),
        "worst": None if worst is None else SEVERITIES[worst],
    }


def summarize(
    hosts: Sequence[Mapping[str, Any]], columns: Sequence[Mapping[str, Any]], findings: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Counts a reader looks at first."""
    by_severity = dict.fromkeys(SEVERITIES, 0)
    by_check: dict[str, int] = {}
    for item in findings:
        by_severity[item["severity"]] = by_severity.get(item["severity"], 0) + 1
        by_check[item["check"]] = by_check.get(item["check"], 0) + 1
    worst = next((name for name in SEVERITIES if by_severity[name]), None)
    return {
        "hosts": len(hosts),
        "hosts_with_findings": sum(1 for host in hosts if host["findings"]),
        "images": len(columns),
        "findings": len(findings),
        "by_severity": by_severity,
        "by_check": dict(sorted(by_check.items())),
        "worst": worst,
    }


def _dedupe(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, unique = set(), []
    for item in findings:
        key = (item["check"], item["subject"], item.get("host"), item.get("message"))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def evaluate(
    hosts: Mapping[str, Optional[Mapping[str, Any]]],
    *,
    swarm: Optional[Mapping[str, Mapping[str, Any]]] = None,
    k8s: Optional[Mapping[str, Mapping[str, Any]]] = None,
    targets: Optional[Mapping[str, Any]] = None,
    policy: Optional[Policy] = None,
    compat: Optional[CompatFn] = None,
) -> dict[str, Any]:
    """Run every check over the fleet and return the report.

    Args:
        hosts: Host name -> its ``wincontainers_host`` facts (None when the host gave none).
        swarm: Cluster name -> ``swarm_compat_info`` result (``nodes``, ``services``, ``findings``).
        k8s: Cluster name -> ``k8s_compat_info`` result (``nodes``, ``workloads``, ``pods``, ``findings``,
            optionally ``runtime_classes``).
        targets: Host name -> the version the host moves to with its pending update or upgrade.
        policy: The policy; defaults of the role when None.
        compat: Replaces the core's ``container_compat(image, host, isolation, host_kind)`` (tests, bench).

    Returns:
        ``{schema, as_of, policy, summary, hosts, images, matrix, checks, findings}``, findings worst first.

    Raises:
        OptionError: a target version cannot be read (the message names the host).
    """
    policy = policy or Policy()
    swarm, k8s, targets = swarm or {}, k8s or {}, targets or {}
    verdicts = Verdicts(policy.rules, compat)
    views = {
        name: host_view(name, facts, read_target(targets.get(name), f"the target version of {name}"))
        for name, facts in sorted(hosts.items())
    }
    index = image_index(views.values())
    per_host = {name: host_findings(view, policy, verdicts, index) for name, view in views.items()}
    for items in per_host.values():
        for item in items:
            item["suite"] = HOSTS_SUITE
    checks = [(HOSTS_SUITE, name, check) for name, view in views.items() for check in _host_checks(view)]
    orchestrated: list[dict[str, Any]] = []
    clusters = [("swarm", name, state, check_swarm) for name, state in sorted(swarm.items())]
    clusters += [("k8s", name, state, check_k8s) for name, state in sorted(k8s.items())]
    for kind, cluster, state, check in clusters:
        suite = f"{kind} {cluster}"
        found, ran = check(cluster, state, views, policy, verdicts, index)
        own = [dict(item, suite=suite) for item in found]
        orchestrated += own + fold_consequences(own, orchestrator_findings(suite, state, views))
        checks += ran
    findings = _dedupe([item for items in per_host.values() for item in items] + orchestrated)
    findings.sort(key=lambda f: (_RANK.get(f["severity"], 4), f.get("host") or "", f["check"], f["subject"]))
    columns = image_columns(list(views.values()), swarm, k8s, index)
    by_host: dict[str, list[Mapping[str, Any]]] = {name: [] for name in views}
    for item in findings:  # a finding counts for the one host it names; a cluster object's for its cluster only
        if item.get("host") in by_host:
            by_host[item["host"]].append(item)
    rows = [host_row(view, by_host.get(name, []), policy) for name, view in views.items()]
    return {
        "schema": SCHEMA,
        "as_of": policy.today.isoformat(),
        "policy": policy.as_dict(),
        "summary": summarize(rows, columns, findings),
        "hosts": rows,
        "images": columns,
        "matrix": [matrix_row(view, columns, verdicts) for view in views.values() if view.version is not None],
        "checks": [{"suite": suite, "subject": subject, "check": check} for suite, subject, check in checks],
        "findings": findings,
    }


def _host_checks(view: HostView) -> tuple[str, ...]:
    if not view.facts or view.version is None:
        return ("facts_present",)
    return tuple(check for check in HOST_CHECKS if check != "update_impact" or view.target is not None)


# ---------------------------------------------------------------------------------------------- patching


def _still_newer_after(view: HostView) -> list[dict[str, Any]]:
    """Process-isolated images whose update revision stays newer than the host's after the update (0xc0370106)."""
    target = view.target
    if target is None or target.revision is None or target.build != view.build:
        return []
    found = []
    for container in containers_of(view):
        image = safe_version(container.get("image_os_version"))
        isolation = container.get("isolation") or view.isolation
        if image is None or isolation != "process" or image.build != target.build or image.revision is None:
            continue
        if image.revision > target.revision:
            label = container.get("name") or container.get("id")
            found.append(
                finding(
                    "image_revision",
                    "high",
                    f"container {label}",
                    view.name,
                    f"image {container.get('image')} ({image.version}) stays newer than the host after the update to "
                    f"{target.version}: a newer process-isolated image can exit at start (0xc0370106)",
                    f"install an update that brings revision {image.revision} or later instead",
                    image=container.get("image"),
                )
            )
    return found


def patch_impact(
    name: str,
    facts: Optional[Mapping[str, Any]],
    *,
    target: object = None,
    updates_pending: bool = False,
    policy: Optional[Policy] = None,
    compat: Optional[CompatFn] = None,
) -> dict[str, Any]:
    """What a pending update (or in-place upgrade) does to the running containers of one host.

    With a ``target`` version, every running container is judged on it. Without one, pending updates
    still change the update revision: on Windows Server 2016 (build 14393) that stops every
    process-isolated container, whose image must carry the host's exact revision.

    Returns:
        ``{host, host_version, target_version, findings, breaks, containers}``; ``breaks`` is True when a
        running container will not start again after the update.

    Raises:
        OptionError: ``target`` is given but is no Windows version.
    """
    policy = policy or Policy()
    view = host_view(name, facts, read_target(target, "target_version"))
    verdicts = Verdicts(policy.rules, compat)
    found = check_update_impact(view, verdicts)
    if view.target is None and updates_pending and view.build is not None and same_revision_required(view.build):
        for container in containers_of(view):
            image = safe_version(container.get("image_os_version"))
            isolation = container.get("isolation") or view.isolation
            if isolation != "process" or image is None or image.build != view.build:
                continue
            label = container.get("name") or container.get("id")
            found.append(
                finding(
                    "update_impact",
                    "high",
                    f"container {label}",
                    name,
                    f"the pending updates change the revision of this Windows Server 2016 host ({view.version}); "
                    f"process-isolated image {container.get('image')} ({image.version}) needs the exact revision",
                    "rebuild the image on the base image of the new revision (pin it with the base_image_tag filter, "
                    "pin='version'), or run it with Hyper-V isolation",
                    image=container.get("image"),
                )
            )
    found += _still_newer_after(view)
    return {
        "host": name,
        "host_version": view.version,
        "target_version": view.target.version if view.target else None,
        "findings": found,
        "breaks": bool(found),
        "containers": len(containers_of(view)),
    }
