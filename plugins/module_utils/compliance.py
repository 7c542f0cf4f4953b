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
from collections import abc
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, NoReturn, Optional, Sequence, cast

from ansible_collections.wincontainers.compat.plugins.module_utils import k8s, swarm
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    all_releases,
    release_for_build,
    release_name,
    support_status,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    RULE_SETS,
    auto_isolation,
    container_compat,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    WinCompatError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import (
    SEVERITIES,
    at_or_above,
    by_severity,
    counts,
    finding,
    worst,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    base_image_tag,
    image_windows_version,
    reference_tag,
    retarget_image,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
    safe_version,
)

__all__ = ["SEVERITIES", "at_or_above", "finding", "safe_version"]  # the shared vocabulary, re-exported

SCHEMA = "wincontainers.compat/compliance/v1"
ISOLATION_POLICIES = ("any", "process", "hyperv", "auto")
RUNNING_OK = ("supported", "preview")
# The core's status for an image it cannot judge without update revisions (not running-ok, as compatible_with says).
UNVERIFIED = "unverified"
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
    k8s_version_labels: tuple[str, ...] = k8s.DEFAULT_VERSION_LABELS

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


def is_unpinned(ref: str, unpinned_tags: Sequence[str]) -> bool:
    """True when the reference has no tag and no digest, or a floating tag such as ``latest``."""
    if "@" in ref:
        return False
    tag = reference_tag(ref)
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


class FactsError(WinCompatError):
    """Recorded host facts hold a value of the wrong type; the message names the host and the field."""


_TEXT = (str, type(None))
_MAP = (abc.Mapping, type(None))
_LIST = (list, tuple, type(None))
_VERSION = (abc.Mapping, str, int, type(None))
_EXPECTED = {
    _TEXT: "text",
    _MAP: "a mapping",
    _LIST: "a list",
    (str,): "text",
    (abc.Mapping,): "a mapping",
    _VERSION: "a version (text such as 10.0.17763.6659, or a mapping with version)",
}
# The fields the checks read, by section: {field: accepted types}.
_FACT_FIELDS = {
    "": {"release": _MAP, "docker": _MAP, "containerd": _MAP, "compatible_tags": _MAP, "containers": _LIST},
    "docker": {"default_isolation": _TEXT, "swarm": _MAP},
    "docker.swarm": {"node_id": _TEXT},
    "container": {"image": _TEXT, "image_os_version": _TEXT, "isolation": _TEXT, "name": _TEXT, "id": _TEXT},
    "image": {"os_version": _TEXT, "repo_tags": _LIST},
}


def _fail(host: str, value: object, types: tuple[type, ...], *where: object) -> NoReturn:
    path = "".join(str(part) for part in where)
    raise FactsError(f"facts of host {host}: {path} must be {_EXPECTED[types]}; got {describe(value)}")


def _is_map(value: object) -> bool:
    return type(value) is dict or isinstance(value, abc.Mapping)


# The plain type of each accepted kind, checked first (an ABC isinstance check is slow on a fleet).
_PLAIN = {_TEXT: str, _MAP: dict, _LIST: list}


def _need_fields(host: str, section: Mapping[str, Any], kind: str, *where: object) -> None:
    for key, types in _FACT_FIELDS[kind].items():
        value = section.get(key)
        if value is not None and type(value) is not _PLAIN[types] and not isinstance(value, types):
            _fail(host, value, types, *where, key)


def _need_texts(host: str, values: Any, *where: object) -> None:
    if not isinstance(values, _LIST):
        _fail(host, values, _LIST, *where)
    for index, value in enumerate(values or ()):
        if type(value) is not str and not isinstance(value, str):
            _fail(host, value, (str,), *where, f"[{index}]")


def _need_sections(host: str, items: Iterable[Any], kind: str, name: str) -> None:
    fields = tuple(_FACT_FIELDS[kind].items())
    for position, item in enumerate(items):
        if type(item) is not dict and not isinstance(item, abc.Mapping):
            _fail(host, item, (abc.Mapping,), name, f"[{position}]")
        for key, types in fields:
            value = item.get(key)
            if value is not None and type(value) is not _PLAIN[types] and not isinstance(value, types):
                _fail(host, value, types, name, f"[{position}].", key)


def _all_texts(values: Any) -> bool:
    return type(values) is list and all(type(value) is str for value in values)


def check_facts(host: str, facts: object) -> Optional[Mapping[str, Any]]:
    """The ``wincontainers_host`` facts of ``host`` once every field the checks read has its type.

    Raises:
        FactsError: a field holds a value of another type (names the host and the field, such as
            ``containers[0].image``).
    """
    if facts is None:
        return None
    if not _is_map(facts):
        _fail(host, facts, (abc.Mapping,), "the facts")
    facts = cast(Mapping[str, Any], facts)
    if type(facts.get("version")) is not dict and not isinstance(facts.get("version"), _VERSION):
        _fail(host, facts.get("version"), _VERSION, "version")
    _need_fields(host, facts, "")
    docker = facts.get("docker") or {}
    _need_fields(host, docker, "docker", "docker.")
    _need_fields(host, docker.get("swarm") or {}, "docker.swarm", "docker.swarm.")
    _need_sections(host, facts.get("containers") or (), "container", "containers")
    images = facts.get("images")
    if images is not None and type(images) is not list and not isinstance(images, _LIST):
        _fail(host, images, _LIST, "images")
    _need_sections(host, images or (), "image", "images")
    for position, image in enumerate(images or ()):
        tags = image.get("repo_tags")
        if tags and not _all_texts(tags):
            _need_texts(host, tags, "images", f"[{position}].repo_tags")
    servercore = (facts.get("compatible_tags") or {}).get("servercore")  # the base image hints read it
    if servercore is not None and type(servercore) is not dict and not isinstance(servercore, _MAP):
        _fail(host, servercore, _MAP, "compatible_tags.servercore")
    for isolation, listed in (servercore or {}).items():
        if listed and not _all_texts(listed):
            _need_texts(host, listed, "compatible_tags.servercore.", isolation)
    return facts


def host_view(name: str, facts: Optional[Mapping[str, Any]], target: Optional[WindowsVersion] = None) -> HostView:
    """Read the version, kind, release and default isolation of a host from its ``wincontainers_host`` facts
    (checked by :func:`check_facts`)."""
    view = HostView(name=name, facts=facts, target=target)
    if not facts:
        return view
    recorded = facts.get("version")
    parsed = safe_version((recorded.get("version") or recorded) if isinstance(recorded, Mapping) else recorded)
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
    return image_windows_version(ref)


def _base_image_hint(view: HostView) -> str:
    """The base image to rebuild on for this host: its exact version on 2016, else the tag it runs."""
    if view.build == 14393 and view.revision is not None:
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
        if verdict["status"] == UNVERIFIED:
            found.append(_unverified_finding(view, container, str(image_version), isolation, verdict))
            continue
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


def _unverified_finding(
    view: HostView, container: Mapping[str, Any], image_version: str, isolation: str, verdict: Mapping[str, Any]
) -> dict[str, Any]:
    """A container the rules cannot judge without the update revisions (Windows Server 2016, process isolation):
    it runs only when the image carries the host's exact revision, so the fix is to pin that revision."""
    revision = view.revision if view.revision is not None else "R"
    pinned = f"10.0.{view.build}.{revision}"
    return finding(
        "image_unverified",
        "medium",
        f"container {container.get('name') or container.get('id')}",
        view.name,
        f"image {container.get('image')} ({image_version}) on host {view.version} with {isolation} isolation cannot "
        f"be verified: {verdict.get('reason')}",
        f"pin the exact revision tag {pinned} (mcr.microsoft.com/windows/servercore:{pinned}, the base_image_tag "
        "filter with pin='version') so image and host carry the same revision, or run it with Hyper-V isolation",
        image=container.get("image"),
    )


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


def swarm_node(entry: Mapping[str, Any]) -> tuple[swarm.Node, tuple[str, ...]]:
    """The Swarm planner's node for a recorded node entry, and the constraint attributes the entry does not carry
    (a constraint on those cannot rule the node out)."""
    platform = entry.get("platform") or {}
    carried = {
        "node.id": entry.get("id"),
        "node.hostname": entry.get("hostname"),
        "node.role": entry.get("role"),
        "node.platform.os": entry.get("os") or platform.get("os"),
        "node.platform.arch": entry.get("architecture") or platform.get("architecture"),
        "engine.labels.": entry.get("engine_labels"),
    }
    node = swarm.Node(
        id=str(carried["node.id"] or ""),
        hostname=str(carried["node.hostname"] or ""),
        version_index=0,
        labels=node_labels(entry),
        role=str(carried["node.role"] or ""),
        availability=str(entry.get("availability") or ""),
        state=str(entry.get("state") or ""),
        os=str(carried["node.platform.os"] or "").lower(),
        architecture=str(carried["node.platform.arch"] or ""),
        engine_version=str(entry.get("engine_version") or ""),
        engine_labels={str(key): str(value) for key, value in (entry.get("engine_labels") or {}).items()},
        addr="",
    )
    return node, tuple(attribute for attribute, value in carried.items() if value is None)


def k8s_node(entry: Mapping[str, Any]) -> k8s.WindowsNode:
    """The Kubernetes planner's node for a recorded node entry (its name and labels)."""
    return k8s.WindowsNode(node_name(entry), node_labels(entry), None)


def _swarm_allows(constraints: Sequence[str], planned: tuple[swarm.Node, tuple[str, ...]]) -> bool:
    node, unknown = planned
    return swarm.constraints_allow(constraints, node, unknown)


def _k8s_allows(pod_spec: Mapping[str, Any], runtime_classes: Mapping[str, Any], planned: k8s.WindowsNode) -> bool:
    return k8s.node_allowed(pod_spec, planned.labels, runtime_classes)


def _named_in(names: frozenset, planned: k8s.WindowsNode) -> bool:
    return planned.name in names


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

    node: Any  # the planner's node (swarm_node, k8s_node) that placement is evaluated on
    real: Optional[WindowsVersion]
    isolation: str
    kind: str
    members: list[tuple[str, str, Any]] = field(default_factory=list)


def node_classes(
    nodes: Sequence[Mapping[str, Any]], matched: Mapping[int, HostView], planned: Callable[[Mapping[str, Any]], Any]
) -> list[NodeClass]:
    """Group the Windows nodes of a cluster once, so each service or workload costs one check per class.

    ``planned`` turns a recorded node entry into the node the orchestrator's planner evaluates placement on.
    """
    classes: dict[tuple[Any, ...], NodeClass] = {}
    for position, node in enumerate(nodes):
        host = matched.get(position)
        if not _is_windows(node, host):
            continue
        real = real_version(node, host)
        isolation, kind = (host.isolation, host.kind) if host else ("process", "server")
        labels = tuple(sorted(node_labels(node).items()))
        engine = tuple(sorted((node.get("engine_labels") or {}).items()))
        platform = (node.get("role"), node.get("os"), node.get("architecture"), engine)
        key = (labels, platform, real.version if real else None, isolation, kind)
        group = classes.get(key)
        planner_node = planned(node)
        if group is None:
            group = classes[key] = NodeClass(node=planner_node, real=real, isolation=isolation, kind=kind)
        group.members.append((host.name if host else node_name(node), real.version if real else "?", planner_node))
    return list(classes.values())


def unfit_nodes(
    version: WindowsVersion,
    classes: Iterable[NodeClass],
    allows: Callable[[Any], bool],
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
    classes = node_classes(nodes, matched, swarm_node)
    for service in state.get("services") or []:
        subject = f"service {service.get('name') or service.get('id')}"
        image = str(service.get("image") or "")
        checks += [(suite, subject, check) for check in ("swarm_placement", *_IMAGE_CHECKS)]
        constraints = service.get("constraints") or service.get("placement_constraints") or []
        placement = Placement(
            check="swarm_placement",
            classes=classes,
            allows=functools.partial(_swarm_allows, [str(c) for c in constraints]),
            isolation=_explicit_isolation(service.get("isolation")),
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
    allows: Callable[[Any], bool]
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


def k8s_runtime_classes(recorded: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Recorded RuntimeClasses (``name``, ``handler``, ``node_selector``) in the API's shape the planner reads."""
    return {
        str(rc["name"]): {
            "handler": rc.get("handler"),
            "scheduling": {"nodeSelector": _text_map(rc.get("node_selector"))},
        }
        for rc in recorded
        if rc.get("name")
    }


def _text_map(value: Any) -> dict[str, str]:
    return {str(key): str(item) for key, item in (value or {}).items()}


def workload_placement(
    workload: Mapping[str, Any], runtime_classes: Mapping[str, Any], classes: Sequence[NodeClass]
) -> Placement:
    """Where Kubernetes may start a recorded workload: the planner's ``node_allowed`` over its nodeSelector and
    RuntimeClass, or the node list ``k8s_compat_info`` resolved; its isolation is the planner's ``isolation_of``."""
    name = workload.get("runtime_class") or workload.get("runtime_class_name")
    pod_spec: dict[str, Any] = {"nodeSelector": _text_map(workload.get("node_selector"))}
    if name is not None and str(name) in runtime_classes:
        pod_spec["runtimeClassName"] = str(name)
        isolation = k8s.isolation_of(pod_spec, runtime_classes)
    else:
        isolation = _explicit_isolation(workload.get("isolation")) or "process"
    allows: Callable[[Any], bool] = functools.partial(_k8s_allows, pod_spec, runtime_classes)
    per_node = isinstance(workload.get("allowed_nodes"), list) and "runtimeClassName" not in pod_spec
    if per_node:
        # k8s_compat_info already resolved the selector and the RuntimeClass: trust its node list
        allows = functools.partial(_named_in, frozenset(str(n) for n in workload["allowed_nodes"]))
    return Placement(
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


def _explicit_isolation(value: object) -> Optional[str]:
    """``process`` or ``hyperv`` when a service or workload names one, else None (the host's default)."""
    return str(value) if value in ("process", "hyperv") else None


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
    runtime_classes = k8s_runtime_classes(state.get("runtime_classes") or [])
    classes = node_classes(nodes, matched, k8s_node)
    for workload in state.get("workloads") or []:
        subject = f"{workload.get('kind', 'workload')} {workload.get('namespace', 'default')}/{workload.get('name')}"
        checks += [(suite, subject, check) for check in ("k8s_placement", *_IMAGE_CHECKS)]
        placement = workload_placement(workload, runtime_classes, classes)
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
        "worst": worst(findings),
    }


def summarize(
    hosts: Sequence[Mapping[str, Any]], columns: Sequence[Mapping[str, Any]], findings: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Counts a reader looks at first."""
    by_check: dict[str, int] = {}
    for item in findings:
        by_check[item["check"]] = by_check.get(item["check"], 0) + 1
    return {
        "hosts": len(hosts),
        "hosts_with_findings": sum(1 for host in hosts if host["findings"]),
        "images": len(columns),
        "findings": len(findings),
        "by_severity": counts(findings),
        "by_check": dict(sorted(by_check.items())),
        "worst": worst(findings),
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
        FactsError: a host's facts hold a value of the wrong type (the message names the host and the field).
    """
    policy = policy or Policy()
    swarm, k8s, targets = swarm or {}, k8s or {}, targets or {}
    verdicts = Verdicts(policy.rules, compat)
    views = {
        name: host_view(name, check_facts(name, facts), read_target(targets.get(name), f"the target version of {name}"))
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
    findings = by_severity(findings, within=lambda f: (f.get("host") or "", f["check"], f["subject"]))
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
    view = host_view(name, check_facts(name, facts), read_target(target, "target_version"))
    verdicts = Verdicts(policy.rules, compat)
    found = check_update_impact(view, verdicts)
    if view.target is None and updates_pending and view.build == 14393:
        for container in containers_of(view):
            image = safe_version(container.get("image_os_version"))
            if (container.get("isolation") or view.isolation) != "process" or image is None or image.build != 14393:
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
