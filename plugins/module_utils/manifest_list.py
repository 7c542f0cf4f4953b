"""A manifest list (OCI image index or Docker manifest list) over per-build Windows images, as pure functions.

Each entry's ``os``, ``architecture`` and ``os.version`` come from the image's own config blob, never from its
tag. Windows entries are ordered by ``os.version``, newest first: containerd sorts the entries itself, but the
classic Docker Engine keeps the list order for every entry that is not of the host's own build (moby
``filterManifests``), so a Windows Server 2025 host offered 2019 and 2022 entries pulls the first one it may:
newest first, it is the 2022 one, which runs there.

What each engine of a fleet then pulls is ``manifest.select_manifest``'s answer, and whether it runs there is
``compat.container_compat``'s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.build_matrix import FleetHost, fleet_hosts
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import ISOLATIONS, container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    WinCompatError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import (
    MANIFEST_RULES,
    ManifestListError,
    select_manifest,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    INDEX_TYPES,
    MANIFEST_TYPES,
    OCI_INDEX,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import WindowsVersion, parse_windows_version

MEDIA_TYPES = ("auto", "oci", "docker")


@dataclass(frozen=True)
class Entry:
    """One per-build image of the list: its manifest descriptor and the platform its config names."""

    reference: str
    media_type: str
    digest: str
    size: int
    os: str
    architecture: str
    os_version: Optional[str]
    variant: Optional[str] = None

    def descriptor(self) -> dict[str, Any]:
        """The list entry: ``{mediaType, digest, size, platform: {architecture, os, os.version[, variant]}}``."""
        platform: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            platform["os.version"] = self.os_version
        if self.variant:
            platform["variant"] = self.variant
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size, "platform": platform}

    def summary(self) -> dict[str, Any]:
        """What the module returns and diffs for the entry."""
        return {
            "reference": self.reference,
            "digest": self.digest,
            "os": self.os,
            "architecture": self.architecture,
            "os_version": self.os_version,
        }


def _text(config: Mapping[str, Any], key: str) -> Optional[str]:
    value = config.get(key)
    return value if isinstance(value, str) and value else None


def entry_from_image(reference: str, media_type: str, digest: str, size: int, config: Mapping[str, Any]) -> Entry:
    """The list entry of one pushed image, from its manifest's media type and its image config.

    Raises ``ManifestListError`` for a manifest list given as an image, and for a config without ``os`` or
    ``architecture``, or a Windows config without ``os.version``.
    """
    if media_type in INDEX_TYPES:
        raise ManifestListError(
            f"{reference} is itself a manifest list ({media_type}); give the per-build images it is made of"
        )
    if media_type not in MANIFEST_TYPES:
        raise ManifestListError(
            f"{reference} has media type {media_type!r}; expected one of {', '.join(MANIFEST_TYPES)}"
        )
    os_name, architecture = _text(config, "os"), _text(config, "architecture")
    if not os_name or not architecture:
        raise ManifestListError(
            f"the image config of {reference} names no os or architecture: {describe(dict(config))}"
        )
    os_version = _text(config, "os.version")
    if os_name.lower() == "windows":
        if os_version is None:
            raise ManifestListError(
                f"the image config of {reference} has no os.version, so the Windows build it needs is unknown and "
                "engines would pull it on any Windows build; build it with a Docker or BuildKit that records "
                "os.version (every Windows base image carries it), the tag is never read for it"
            )
        try:
            parse_windows_version(os_version)
        except WinCompatError as exc:
            raise ManifestListError(f"the image config of {reference} has os.version {os_version!r}: {exc}") from exc
    return Entry(reference, media_type, digest, size, os_name, architecture, os_version, _text(config, "variant"))


def _order_key(entry: Entry) -> tuple[int, tuple[int, ...], str]:
    """Windows first, newest ``os.version`` first, then the rest by platform."""
    if entry.os.lower() == "windows" and entry.os_version:
        version = parse_windows_version(entry.os_version)
        numbers = (version.major, version.minor, version.build, version.revision or 0)
        return 0, tuple(-n for n in numbers), entry.architecture
    return 1, (0, 0, 0, 0), f"{entry.os}/{entry.architecture}/{entry.variant or ''}"


def ordered_entries(entries: list[Entry]) -> list[Entry]:
    """The entries in list order (see the module docstring); one per digest; two images of one platform refused."""
    unique = list({entry.digest: entry for entry in entries}.values())
    seen: dict[tuple[str, str, Optional[str], Optional[str]], Entry] = {}
    for entry in unique:
        key = (entry.os.lower(), entry.architecture, entry.variant, entry.os_version)
        if key in seen:
            raise ManifestListError(
                f"{seen[key].reference} and {entry.reference} are different images of the same platform "
                f"({entry.os}/{entry.architecture} {entry.os_version or ''}); an engine would pull either"
            )
        seen[key] = entry
    return sorted(unique, key=_order_key)


def list_media_type(entries: list[Entry], requested: str = "auto") -> str:
    """A Docker manifest list over Docker manifests only, else an OCI image index; ``requested`` may insist."""
    check_choice("media_type", requested, MEDIA_TYPES)
    all_docker = all(entry.media_type == DOCKER_MANIFEST for entry in entries)
    if requested == "docker" and not all_docker:
        oci = ", ".join(entry.reference for entry in entries if entry.media_type != DOCKER_MANIFEST)
        raise ManifestListError(f"a Docker manifest list holds Docker image manifests only; these are OCI: {oci}")
    if requested == "oci" or not all_docker or not entries:
        return OCI_INDEX
    return DOCKER_LIST


def assemble(entries: list[Entry], media_type: str) -> dict[str, Any]:
    """The list document, entries in the order given."""
    return {"schemaVersion": 2, "mediaType": media_type, "manifests": [entry.descriptor() for entry in entries]}


def serialize(document: Mapping[str, Any]) -> bytes:
    """The bytes pushed: stable JSON, so an equal list always has the same digest."""
    return json.dumps(document, indent=3, sort_keys=True).encode("utf-8")


def _essence(document: Optional[Mapping[str, Any]]) -> Any:
    if not isinstance(document, Mapping) or not isinstance(document.get("manifests"), list):
        return None
    entries = [
        (m.get("mediaType"), m.get("digest"), m.get("size"), json.dumps(m.get("platform") or {}, sort_keys=True))
        for m in document["manifests"]
        if isinstance(m, Mapping)
    ]
    return document.get("mediaType"), entries


def same_list(current: Optional[Mapping[str, Any]], desired: Mapping[str, Any]) -> bool:
    """Whether the registry's list already is the desired one: media type and entries, in order."""
    return current is not None and _essence(current) == _essence(desired)


def list_summary(document: Optional[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``[{digest, os, architecture, os_version}]`` of a list document (empty for none or a single image)."""
    essence = _essence(document)
    if essence is None:
        return []
    return [
        {"digest": digest, **{k: p.get(k) for k in ("os", "architecture")}, "os_version": p.get("os.version")}
        for _type, digest, _size, platform in essence[1]
        for p in [json.loads(platform)]
    ]


# --- what every host pulls -----------------------------------------------------------------------------------
def _pull(document: Mapping[str, Any], host: FleetHost, version: WindowsVersion, rules: str, isolation: str,
          arch: str) -> dict[str, Any]:  # fmt: skip
    """Which entry an engine following ``rules`` pulls on ``host`` (of ``version``) and whether it runs there."""
    try:
        chosen = select_manifest(document, version.version, rules, arch)
    except ManifestListError as exc:
        return {"digest": None, "os_version": None, "status": "unsupported", "reason": str(exc)}
    os_version = (chosen.get("platform") or {}).get("os.version")
    if not os_version:  # containerd takes an entry without os.version for any build
        return {
            "digest": chosen.get("digest"),
            "os_version": None,
            "status": "unsupported",
            "reason": "the entry has no os.version, so its build is unknown",
        }
    verdict = container_compat(os_version, version.version, isolation, host.host_kind, rules)
    return {
        "digest": chosen.get("digest"),
        "os_version": os_version,
        "status": verdict["status"],
        "reason": verdict["reason"],
    }


def _report_line(row: dict[str, Any]) -> str:
    parts = []
    for rules in MANIFEST_RULES:
        pulled = row[rules]
        if pulled is None:
            parts.append(f"{rules}: -")
        elif pulled["os_version"]:
            parts.append(f"{rules} pulls {pulled['os_version']} ({pulled['status']})")
        else:
            parts.append(f"{rules}: none ({pulled['status']})")
    return f"{row['host']} {row['version'] or '(version unknown)'}: " + "; ".join(parts)


def verify(
    document: Mapping[str, Any], fleet: object, isolation: str = "process", architecture: str = "amd64"
) -> dict[str, Any]:
    """For every host of ``fleet``, the entry containerd and Docker pull and whether it runs with ``isolation``.

    Returns ``{hosts, unserved, report}``: ``hosts`` one row per host (``{host, version, containerd, docker}``),
    ``unserved`` one item per host and engine left without an entry that runs (``{host, version, engine,
    message}``), ``report`` one line per host; hosts by name.
    """
    check_choice("isolation", isolation, ISOLATIONS)
    rows: list[dict[str, Any]] = []
    unserved: list[dict[str, Any]] = []
    for host in sorted(fleet_hosts(fleet), key=lambda host: host.name.lower()):
        version = host.version.version if host.version else None
        row: dict[str, Any] = {"host": host.name, "version": version}
        for rules in MANIFEST_RULES:
            if host.version is None:
                row[rules] = None
                unserved.append(
                    {"host": host.name, "version": None, "engine": rules, "message": f"{host.name}: {host.problem}"}
                )
                continue
            row[rules] = _pull(document, host, host.version, rules, isolation, architecture)
            if row[rules]["status"] == "unsupported":
                unserved.append(
                    {
                        "host": host.name,
                        "version": version,
                        "engine": rules,
                        "message": f"{host.name} ({version}, {rules}): {row[rules]['reason']}",
                    }
                )
        rows.append(row)
    return {"hosts": rows, "unserved": unserved, "report": [_report_line(row) for row in rows]}
