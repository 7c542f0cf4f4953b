"""The build matrix of a fleet: the smallest set of base images whose builds run on every host.

The fleet is read from whatever the collection already produces: ``wincontainers_host`` facts (a list, a dict by
host, ``hostvars`` entries, ``--tree`` files), the ``nodes`` of ``swarm_compat_info`` and ``k8s_compat_info``
(or those results whole), raw Kubernetes Node objects, or plain versions. Whether a base image runs on a host is
never decided here: a host is covered by the images whose tag ``tags.compatible_image_tags`` lists for it (the
rules of ``compat.container_compat``), except the pairs ``compat.fails_on_newer_client`` reports to fail, and
each image is named by ``tags.base_image_tag``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    HOST_KINDS,
    ISOLATIONS,
    RULE_SETS,
    container_compat,
    effective_host_kind,
    fails_on_newer_client,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    WinCompatError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import node_version
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    REPOSITORIES,
    base_image_tag,
    compatible_image_tags,
    image_repository,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
)

_PINNED_TAG = re.compile(r"^10\.0\.\d{5}\.\d+$")
_NAME_KEYS = ("inventory_hostname", "name", "hostname", "host")
# How far a version source is trusted when one host is given twice (lower wins): the host's own facts, what
# kubelet reports, the version label the Swarm engine sets, a version given as such, a Swarm node label.
_RANK = {"host_facts": 0, "nodeInfo": 1, "engine_labels": 2, "version": 3, "node_labels": 4, "unknown": 5}
_EXPECTED = (
    "a list or dict of hosts: wincontainers_host facts (or hostvars holding them), the nodes of swarm_compat_info "
    "or k8s_compat_info (or those results), Kubernetes Node objects, or Windows versions"
)


class BuildMatrixError(OptionError):
    """The fleet given to ``build_matrix`` is not one it can read."""


@dataclass(frozen=True)
class FleetHost:
    """One host of the fleet: its name, Windows version (None when unknown, with the reason) and host kind."""

    name: str
    version: Optional[WindowsVersion]
    host_kind: str
    source: str
    aliases: frozenset[str]
    problem: Optional[str] = None
    hyperv: Optional[bool] = None  # whether Hyper-V is installed, from facts (None when not known)


@dataclass(frozen=True, order=True)
class BaseImage:
    """A base image of the matrix: its build and its tag (a release tag, or ``10.0.B.R`` on Windows Server 2016)."""

    build: int
    tag: str


_Profile = tuple[WindowsVersion, str]  # a host version and its host kind: hosts that share one are judged alike


# --- reading the fleet ---------------------------------------------------------------------------------------
def _version_or_error(value: object, where: str) -> WindowsVersion:
    try:
        return parse_windows_version(value)
    except WinCompatError as exc:
        raise BuildMatrixError(f"fleet host {where}: {exc}") from exc


def _host(name: str, version: Optional[WindowsVersion], kind: str, source: str, **extra: Any) -> FleetHost:
    aliases = {name.lower()} | {f"node-id:{extra['node_id']}"} if extra.get("node_id") else {name.lower()}
    if version is not None:
        kind = effective_host_kind(version.build, kind)
    return FleetHost(name, version, kind, source, frozenset(aliases), extra.get("problem"), extra.get("hyperv"))


def _from_facts(name: str, facts: Mapping[str, Any]) -> FleetHost:
    """A host from its ``wincontainers_host`` facts."""
    kind = facts.get("host_kind") if facts.get("host_kind") in HOST_KINDS else "server"
    node_id = ((facts.get("docker") or {}).get("swarm") or {}).get("node_id")
    version = _version_or_error(facts.get("version"), describe(name))
    hyperv = (facts.get("features") or {}).get("hyperv")
    return _host(
        name, version, str(kind), "host_facts", node_id=node_id, hyperv=hyperv if isinstance(hyperv, bool) else None
    )


def _from_swarm_node(node: Mapping[str, Any]) -> Optional[FleetHost]:
    """A Windows node of ``swarm_compat_info`` (None for other OSes)."""
    if str(node.get("os", "windows")).lower() != "windows":
        return None
    name = str(node.get("hostname") or node.get("id"))
    source = str(node.get("version_source") or "node_labels")
    if not node.get("version"):
        problem = (
            "its Windows version is unknown (no version label); label it with wincontainers.compat.swarm_node_labels"
        )
        return _host(name, None, "server", "unknown", node_id=node.get("id"), problem=problem)
    version = _version_or_error(node["version"], f"swarm node {describe(name)}")
    return _host(name, version, "server", source, node_id=node.get("id"))


def _from_k8s_node(node: Mapping[str, Any]) -> Optional[FleetHost]:
    """A Windows node of ``k8s_compat_info`` or a Node object of the API (None for other OSes)."""
    if "metadata" in node:
        raw = node
        name = str((node.get("metadata") or {}).get("name"))
        info = (node.get("status") or {}).get("nodeInfo") or {}
        os_name = str(info.get("operatingSystem") or "windows")
    else:
        name = str(node.get("name"))
        os_name = str(node.get("os") or "windows")
        info = {"kernelVersion": node.get("kernel_version"), "osImage": node.get("os_image")}
        raw = {"metadata": {"labels": node.get("labels") or {}}, "status": {"nodeInfo": info}}
    if os_name.lower() != "windows":
        return None
    found = node_version(raw)
    if found.version is None:
        return _host(name, None, "server", "unknown", problem=f"its Windows version is unknown: {found.problem}")
    return _host(name, found.version, "server", str(found.source))


def _named(entry: Mapping[str, Any]) -> Optional[str]:
    return next((str(entry[key]) for key in _NAME_KEYS if entry.get(key)), None)


def _from_entry(entry: object, name: Optional[str], where: str) -> Optional[FleetHost]:
    """One host from one fleet entry of any supported shape."""
    if isinstance(entry, (str, int)) and not isinstance(entry, bool):
        version = _version_or_error(entry, where)
        return _host(name or str(entry), version, "server", "version")
    if not isinstance(entry, Mapping):
        raise BuildMatrixError(f"fleet entry {where} is {describe(entry)}; expected {_EXPECTED}")
    inner = (entry.get("ansible_facts") or {}).get("wincontainers_host") or entry.get("wincontainers_host")
    label = name or _named(entry)
    if isinstance(inner, Mapping):
        return _from_facts(label or _version_label(inner, where), inner)
    if "kernel_version" in entry or "os_image" in entry or "metadata" in entry:
        return _from_k8s_node(entry)
    if "version_source" in entry or ("hostname" in entry and "engine_version" in entry):
        return _from_swarm_node(entry)
    if "version" in entry:
        return _from_facts(label or _version_label(entry, where), entry)
    raise BuildMatrixError(f"fleet entry {where} ({describe(entry)}) names no Windows version; expected {_EXPECTED}")


def _version_label(facts: Mapping[str, Any], where: str) -> str:
    """A name for facts that come without one: their version text."""
    return _version_or_error(facts.get("version"), where).version


def _entries(fleet: object) -> list[tuple[object, Optional[str], str]]:
    """``(entry, name, where)`` of every fleet entry; module results with ``nodes`` are opened."""
    if isinstance(fleet, Mapping):
        if isinstance(fleet.get("nodes"), list):
            return _entries(fleet["nodes"])
        if "wincontainers_host" in fleet or "ansible_facts" in fleet or "host_kind" in fleet:
            raise BuildMatrixError(f"the fleet is one host's facts; expected {_EXPECTED}")
        return [(value, str(key), f"{key!r}") for key, value in fleet.items()]
    if isinstance(fleet, (list, tuple)):
        out: list[tuple[object, Optional[str], str]] = []
        for index, item in enumerate(fleet):
            if isinstance(item, Mapping) and isinstance(item.get("nodes"), list):
                out += _entries(item["nodes"])
            else:
                out.append((item, None, f"[{index}]"))
        return out
    raise BuildMatrixError(f"the fleet is {describe(fleet)}; expected {_EXPECTED}")


def fleet_hosts(fleet: object) -> list[FleetHost]:
    """Every Windows host of ``fleet`` once, in the order first given.

    A host given twice (its facts and its Swarm node, matched by name without case or by Swarm node id) keeps the
    version of the most trusted source: its facts, then kubelet's nodeInfo, the Swarm engine label, a plain
    version, a Swarm node label. Non-Windows nodes are left out.
    """
    hosts: list[FleetHost] = []
    index: dict[str, int] = {}
    for entry, name, where in _entries(fleet):
        host = _from_entry(entry, name, where)
        if host is None:
            continue
        known = next((index[alias] for alias in host.aliases if alias in index), None)
        if known is None:
            known = len(hosts)
            hosts.append(host)
        elif _RANK.get(host.source, 5) < _RANK.get(hosts[known].source, 5):
            hosts[known] = dataclasses.replace(host, aliases=hosts[known].aliases | host.aliases)
        for alias in hosts[known].aliases | host.aliases:
            index[alias] = known
    return hosts


# --- coverage ------------------------------------------------------------------------------------------------
def _tagged_builds(repo: str) -> list[int]:
    return [entry["build"] for entry in catalog.all_releases() if entry["tags"].get(repo)]


@functools.lru_cache(maxsize=1024)
def _images_for(
    version: WindowsVersion, host_kind: str, repo: str, isolation: str, rules: str
) -> tuple[BaseImage, ...]:
    """The base images of ``repo`` whose builds run on a host, by ``compatible_image_tags``.

    A release is named by ``base_image_tag``; a version-pinned tag (``10.0.14393.R`` on Windows Server 2016) is an
    image of its own. Windows Server 2025 images are left out on Windows 11 hosts newer than 24H2, where they are
    reported to fail with either isolation (``compat.fails_on_newer_client``).
    """
    tags = compatible_image_tags(version.version, repo, isolation, host_kind, rules)
    images = [BaseImage(version.build, tag) for tag in tags if _PINNED_TAG.match(tag)]
    for build in _tagged_builds(repo):
        if catalog.tags_for(build, repo)[0] in tags and not fails_on_newer_client(build, version.build, host_kind):
            images.append(BaseImage(build, base_image_tag(f"10.0.{build}", repo, pin="release")))
    return tuple(images)


def _status(image: BaseImage, profile: _Profile, isolation: str, rules: str) -> str:
    """``supported`` or ``preview``: how the rules judge ``image`` on hosts of ``profile``."""
    image_version = image.tag if _PINNED_TAG.match(image.tag) else f"10.0.{image.build}"
    return str(container_compat(image_version, profile[0].version, isolation, profile[1], rules)["status"])


def _preference(chosen: tuple[BaseImage, ...], profiles: list[_Profile], covers: dict[BaseImage, set[int]],
                isolation: str, rules: str) -> tuple[int, tuple[int, ...]]:  # fmt: skip
    """Among covers of the same size: more host versions served with a ``supported`` image, then newer builds."""
    supported = sum(
        1
        for index, profile in enumerate(profiles)
        if any(index in covers[image] and _status(image, profile, isolation, rules) == "supported" for image in chosen)
    )
    return supported, tuple(sorted((image.build for image in chosen), reverse=True))


def _smallest_cover(covers: dict[BaseImage, set[int]], universe: set[int]) -> list[tuple[BaseImage, ...]]:
    """Every smallest set of images whose covers together hold ``universe`` (exact search by growing size).

    Images that are the only cover of some element are taken first; images whose cover is within another's are
    dropped, which cannot make a smallest set larger.
    """
    forced = {next(iter(imgs)) for e in universe if len(imgs := {i for i, c in covers.items() if e in c}) == 1}
    left = universe - set().union(*(covers[image] for image in forced))
    pool = sorted(image for image in covers if image not in forced and covers[image] & left)
    pool = [
        image
        for image in pool
        if not any(other != image and covers[image] & left < covers[other] & left for other in pool)
    ]
    for size in range(len(pool) + 1):
        found = [
            tuple(sorted(forced | set(combo)))
            for combo in itertools.combinations(pool, size)
            if left <= set().union(*(covers[image] for image in combo))
        ]
        if found:
            return found
    raise BuildMatrixError("some host has no base image")  # pragma: no cover - callers pass coverable hosts only


# --- the matrix ----------------------------------------------------------------------------------------------
def _uncovered_reason(host: FleetHost, repo: str, isolation: str, rules: str) -> str:
    """Why no base image of ``repo`` serves ``host``: the verdict on the newest image not newer than the host."""
    if host.version is None:
        return str(host.problem)
    tagged = _tagged_builds(repo)
    nearest = ([build for build in tagged if build <= host.version.build] or tagged[:1])[-1]
    verdict = container_compat(f"10.0.{nearest}", host.version.version, isolation, host.host_kind, rules)
    runs = verdict["status"] in ("supported", "preview")
    detail = "; ".join(verdict["caveats"]) if runs else verdict["reason"]
    return (
        f"no {repo} image runs on {host.version.version} ({verdict['host_release']['name']}) with {isolation} "
        f"isolation under the {rules} rules: {detail}"
    )


def _row(image: BaseImage, hosts: list[str], repo: str) -> dict[str, Any]:
    return {
        "build": image.build,
        "release": catalog.release_name(image.build),
        "base_image": f"{image_repository(repo)}:{image.tag}",
        "tag_suffix": image.tag,
        "hosts": sorted(hosts, key=str.lower),
    }


def _uncovered_rows(hosts: list[FleetHost], repo: str, isolation: str, rules: str) -> list[dict[str, Any]]:
    groups: dict[tuple[int, str], list[str]] = {}
    for host in hosts:
        build = host.version.build if host.version else 0
        groups.setdefault((build, _uncovered_reason(host, repo, isolation, rules)), []).append(host.name)
    return [
        {
            "build": build or None,
            "release": catalog.release_name(build) if build else None,
            "base_image": None,
            "tag_suffix": None,
            "hosts": sorted(names, key=str.lower),
            "reason": reason,
        }
        for (build, reason), names in sorted(groups.items())
    ]


def _choose_images(profiles: list[_Profile], repo: str, isolation: str, rules: str) -> dict[_Profile, BaseImage]:
    """The image each coverable host version gets, from a smallest set of images covering them all.

    A version gets the chosen image of its own build first, then a ``supported`` one, then the newest.
    """
    covers: dict[BaseImage, set[int]] = {}
    for index, profile in enumerate(profiles):
        for image in _images_for(*profile, repo, isolation, rules):
            covers.setdefault(image, set()).add(index)
    if not profiles:
        return {}
    candidates = _smallest_cover(covers, set(range(len(profiles))))
    chosen = max(candidates, key=lambda combo: _preference(combo, profiles, covers, isolation, rules))
    return {
        profile: max(
            (image for image in chosen if index in covers[image]),
            key=lambda image: (
                image.build == profile[0].build,
                _status(image, profile, isolation, rules) == "supported",
                image.build,
            ),
        )
        for index, profile in enumerate(profiles)
    }


def _builder_rank(image: BaseImage, host: FleetHost, repo: str, rules: str) -> Optional[tuple[int, str]]:
    """How well ``host`` builds on ``image``: 0 same build, 1 process isolation, 2 Hyper-V; None when it cannot."""
    if host.version is None:
        return None
    if image in _images_for(host.version, host.host_kind, repo, "process", rules):
        return (0 if image.build == host.version.build else 1), "process"
    if host.hyperv and image in _images_for(host.version, host.host_kind, repo, "hyperv", rules):
        return 2, "hyperv"
    return None


def _assign_build_hosts(rows: list[dict[str, Any]], build_hosts: object, repo: str, rules: str) -> list[dict[str, Any]]:
    """Each row with the host that builds its image: ``build_host`` and ``build_isolation`` (None when none can).

    A build host runs the base image while it builds (``RUN`` steps), so it must run it: with process isolation
    (its own build first), else with Hyper-V isolation when its facts say Hyper-V is installed.
    """
    builders = fleet_hosts(build_hosts)
    out = []
    for row in rows:
        found = None
        if row["base_image"]:
            image = BaseImage(row["build"], row["tag_suffix"])
            ranks = ((_builder_rank(image, host, repo, rules), host.name) for host in builders)
            found = min(((rank[0], name, rank[1]) for rank, name in ranks if rank), default=None)
        out.append(dict(row, build_host=found[1] if found else None, build_isolation=found[2] if found else None))
    return out


def build_matrix(
    fleet: object,
    repo: str = "servercore",
    isolation: str = "process",
    rules: str = "documented",
    build_hosts: object = None,
) -> list[dict[str, Any]]:
    """The smallest set of base images of ``repo`` that covers every host of ``fleet``, one row per image.

    Rows are ``{build, release, base_image, tag_suffix, hosts}``, sorted by build; each host is in the row of the
    chosen image it would run (its own build first). Hosts no image serves with ``isolation`` under ``rules`` come
    last, grouped by reason, in rows whose ``base_image`` and ``tag_suffix`` are None and that carry ``reason``.
    Among several smallest sets, the one serving more host versions with ``supported`` (not ``preview``) images
    wins, then the one with newer builds. With ``build_hosts`` (a fleet of the same forms), every row also names
    the host that builds its image (``_assign_build_hosts``).
    """
    check_choice("repo", repo, REPOSITORIES)
    check_choice("isolation", isolation, ISOLATIONS)
    check_choice("rules", rules, RULE_SETS)
    hosts = fleet_hosts(fleet)
    profile_of: dict[str, _Profile] = {
        host.name: (host.version, host.host_kind) for host in hosts if host.version is not None
    }
    coverable = [p for p in dict.fromkeys(profile_of.values()) if _images_for(*p, repo, isolation, rules)]
    image_of = _choose_images(coverable, repo, isolation, rules)
    assigned: dict[BaseImage, list[str]] = {}
    for name, profile in profile_of.items():
        if profile in image_of:
            assigned.setdefault(image_of[profile], []).append(name)
    rows = [_row(image, names, repo) for image, names in sorted(assigned.items())]
    left = [host for host in hosts if profile_of.get(host.name) not in image_of]
    rows += _uncovered_rows(left, repo, isolation, rules)
    return rows if build_hosts is None else _assign_build_hosts(rows, build_hosts, repo, rules)
