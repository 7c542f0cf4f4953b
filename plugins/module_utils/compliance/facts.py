"""Recorded host facts: checked at the edge (errors name the host and the field), then read once per host."""

from __future__ import annotations

from collections import abc
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, NoReturn, Optional, Sequence, cast

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    release_for_build,
    release_name,
    same_revision_required,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    WinCompatError,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import finding
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    image_windows_version,
    reference_tag,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    safe_version,
)


def is_unpinned(ref: str, unpinned_tags: Sequence[str]) -> bool:
    """True when the reference has no tag and no digest, or a floating tag such as ``latest``."""
    if "@" in ref:
        return False
    tag = reference_tag(ref)
    return tag is None or tag.lower() in unpinned_tags


def short_name(name: str) -> str:
    """``win2019-01`` from ``WIN2019-01.corp.example.com`` (host names compare by their first label)."""
    return name.split(".", 1)[0].casefold()


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
_FACT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
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
    return isinstance(value, (dict, abc.Mapping))  # dict first: the ABC check is slow on a fleet


# The plain type of each accepted kind, checked first (an ABC isinstance check is slow on a fleet).
_PLAIN = {_TEXT: str, _MAP: dict, _LIST: list}


def _need_fields(host: str, section: Mapping[str, Any], kind: str, *where: object) -> None:
    for key, types in _FACT_FIELDS[kind].items():
        value = section.get(key)
        if value is not None and not isinstance(value, _PLAIN[types]) and not isinstance(value, types):
            _fail(host, value, types, *where, key)


def _need_texts(host: str, values: Any, *where: object) -> None:
    if not isinstance(values, _LIST):
        _fail(host, values, _LIST, *where)
    for index, value in enumerate(values or ()):
        if not isinstance(value, str):
            _fail(host, value, (str,), *where, f"[{index}]")


def _need_sections(host: str, items: Iterable[Any], kind: str, name: str) -> None:
    fields = tuple(_FACT_FIELDS[kind].items())
    for position, item in enumerate(items):
        if not _is_map(item):
            _fail(host, item, (abc.Mapping,), name, f"[{position}]")
        for key, types in fields:
            value = item.get(key)
            if value is not None and not isinstance(value, _PLAIN[types]) and not isinstance(value, types):
                _fail(host, value, types, name, f"[{position}].", key)


def _all_texts(values: Any) -> bool:
    return isinstance(values, list) and all(isinstance(value, str) for value in values)


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
    if not isinstance(facts.get("version"), (dict, str)) and not isinstance(facts.get("version"), _VERSION):
        _fail(host, facts.get("version"), _VERSION, "version")
    _need_fields(host, facts, "")
    docker = facts.get("docker") or {}
    _need_fields(host, docker, "docker", "docker.")
    _need_fields(host, docker.get("swarm") or {}, "docker.swarm", "docker.swarm.")
    _need_sections(host, facts.get("containers") or (), "container", "containers")
    images = facts.get("images")
    if images is not None and not isinstance(images, list) and not isinstance(images, _LIST):
        _fail(host, images, _LIST, "images")
    _need_sections(host, images or (), "image", "images")
    for position, image in enumerate(images or ()):
        tags = image.get("repo_tags")
        if tags and not _all_texts(tags):
            _need_texts(host, tags, "images", f"[{position}].repo_tags")
    servercore = (facts.get("compatible_tags") or {}).get("servercore")  # the base image hints read it
    if servercore is not None and not _is_map(servercore):
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


def container_isolation(view: HostView, container: Mapping[str, Any]) -> Optional[str]:
    """The isolation a container runs with: its own, else the host's default."""
    return container.get("isolation") or view.isolation


def container_finding(
    check: str, severity: str, view: HostView, container: Mapping[str, Any], message: str, fix: str, **extra: Any
) -> dict[str, Any]:
    """A finding about one running container of ``view`` (subject ``container <name or id>``, host ``view``)."""
    label = container.get("name") or container.get("id")
    return finding(check, severity, f"container {label}", view.name, message, fix, **extra)


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


def base_image_hint(view: HostView) -> str:
    """The base image to rebuild on for this host: its exact version on 2016, else the tag it runs."""
    if view.build is not None and same_revision_required(view.build) and view.revision is not None:
        return f"mcr.microsoft.com/windows/servercore:{view.version} (Windows Server 2016 needs the exact revision)"
    compatible = (((view.facts or {}).get("compatible_tags") or {}).get("servercore") or {}).get(view.isolation)
    tags = compatible or (view.release.get("tags") or {}).get("servercore") or []
    if tags:
        return f"mcr.microsoft.com/windows/servercore:{tags[0]}"
    return f"a base image of build {view.build}"
