"""The manifest-list entry a real engine pulls for a Windows host.

``rules='containerd'`` follows containerd's Windows platform matcher (github.com/containerd/platforms
``defaults_windows.go`` ``Default()`` and ``platform_windows_compat.go`` ``windowsMatchComparer``, v1.0.0-rc.5):
an entry matches when its OS is ``windows``, its architecture the host's, and
``checkWindowsHostAndContainerCompat`` (``compat.containerd_check``) accepts its ``os.version`` (an entry without
``os.version`` always matches). Matching entries come first, ordered by ``os.version`` compared as strings,
highest first (``p1.OSVersion > p2.OSVersion``); the first one is pulled.

``rules='docker'`` follows the classic Docker Engine puller (moby ``distribution/pull_v2_windows.go``
``filterManifests``): it keeps entries of the host's architecture and a supported OS, drops Windows entries of
a newer build than the host (``checkImageCompatibility``), then stable-sorts Windows entries first and, among
them, entries whose ``os.version`` starts with the host's ``major.minor.build.`` first; otherwise the order of
the list is kept. The first entry is pulled.

Accepts the JSON (text or parsed) of ``docker manifest inspect`` (a manifest list or an OCI image index),
of ``docker manifest inspect --verbose`` (a list of ``{Ref, Descriptor}``), of the registry API, and an entry of
``registry_image_info``'s ``images`` (``registry.as_manifest_list``).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.bounds import (
    MAX_DEPTH,
    MAX_TEXT,
    ascii_int,
    json_depth,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import containerd_check
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    ImageReferenceError,
    OptionError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import as_manifest_list, is_image_result
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
)

MANIFEST_RULES: tuple[str, ...] = ("containerd", "docker")
_EXPECTED = (
    "the JSON of `docker manifest inspect` or of the registry API: a manifest list or OCI image index with "
    "manifests[].platform.{os, architecture, os.version}"
)


class ManifestListError(ImageReferenceError):
    """A manifest list is malformed, or none of its entries fits the host."""


_MAX_OFFERED = 12  # entries a "no matching manifest" message lists


def _load(manifest_list: object) -> Any:
    if isinstance(manifest_list, (bytes, bytearray)):
        _check_size(len(manifest_list), manifest_list)
        manifest_list = bytes(manifest_list).decode("utf-8", "replace")
    if isinstance(manifest_list, str):
        _check_size(len(manifest_list), manifest_list)
        if json_depth(manifest_list) > MAX_DEPTH:
            raise ManifestListError(
                f"the manifest list {describe(manifest_list)} nests more than {MAX_DEPTH} levels of JSON arrays or "
                f"objects; expected {_EXPECTED}"
            )
        try:
            return json.loads(manifest_list)
        except ValueError as exc:
            raise ManifestListError(
                f"the manifest list {describe(manifest_list)} is not valid JSON ({describe(str(exc), 120)}); "
                f"expected {_EXPECTED}"
            ) from exc
    return manifest_list


def _check_size(length: int, manifest_list: object) -> None:
    if length > MAX_TEXT:
        raise ManifestListError(
            f"the manifest list {describe(manifest_list)} is {length} characters long; at most {MAX_TEXT} are read"
        )


def manifest_entries(manifest_list: object) -> list[dict[str, Any]]:
    """The entries (descriptors with a ``platform``) of a manifest list, in list order."""
    data = _load(manifest_list)
    if is_image_result(data):
        data = as_manifest_list(data)
    if isinstance(data, list):
        entries = [item.get("Descriptor", item) if isinstance(item, dict) else item for item in data]
    elif isinstance(data, dict) and isinstance(data.get("manifests"), list):
        entries = data["manifests"]
    elif isinstance(data, dict) and ("layers" in data or "config" in data):
        raise ManifestListError(
            f"this is a single image manifest, not a manifest list: there is nothing to choose; expected {_EXPECTED}"
        )
    else:
        raise ManifestListError(f"expected {_EXPECTED}; got {describe(data)}")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("platform", {}), dict):
            raise ManifestListError(f"manifests[{index}] is not a descriptor with a platform object: {describe(entry)}")
    return entries


def _platform(entry: dict[str, Any]) -> dict[str, Any]:
    platform = entry.get("platform") or {}
    return platform if isinstance(platform, dict) else {}


def _os_version(entry: dict[str, Any]) -> str:
    value = _platform(entry).get("os.version", "")
    return value if isinstance(value, str) else ""


def _field(entry: dict[str, Any], name: str) -> str:
    """A text field of the entry's platform (``os``, ``architecture``); "" when absent or not text."""
    value = _platform(entry).get(name, "")
    return value if isinstance(value, str) else ""


def _go_windows_version(text: str) -> Optional[WindowsVersion]:
    """containerd's ``getWindowsOSVersion``: ``major.minor.build[...]`` with 8/8/16-bit fields, else None.

    Fields are read as ASCII digits only, as Go's ``strconv`` reads them.
    """
    parts = text.split(".", 3)
    if len(parts) < 3:
        return None
    numbers = [ascii_int(part) for part in parts[:3]]
    major, minor, build = (-1 if number is None else number for number in numbers)
    if not (0 <= major <= 0xFF and 0 <= minor <= 0xFF and 0 <= build <= 0xFFFF):
        return None
    return WindowsVersion(major, minor, build, None)


def _containerd_match(entry: dict[str, Any], host: WindowsVersion, arch: str) -> bool:
    if _field(entry, "os").lower() != "windows" or _field(entry, "architecture") != arch:
        return False
    version = _os_version(entry)
    if not version:
        return True
    ctr = _go_windows_version(version)
    return containerd_check(host, ctr if ctr is not None else WindowsVersion(0, 0, 0, None))


def _select_containerd(entries: list[dict[str, Any]], host: WindowsVersion, arch: str) -> Optional[dict[str, Any]]:
    matches = [entry for entry in entries if _containerd_match(entry, host, arch)]
    if not matches:
        return None
    # sort.SliceStable, Less = p1.OSVersion > p2.OSVersion (Go string comparison) among matches; Python's sort is
    # stable with reverse=True too, so equal versions keep their list order.
    return sorted(matches, key=_os_version, reverse=True)[0]


def _docker_image_too_new(version: str, host: WindowsVersion) -> bool:
    """moby ``checkImageCompatibility``: the third dotted field, when numeric, must not exceed the host build."""
    parts = version.split(".", 3)
    if len(parts) >= 3:
        build = ascii_int(parts[2])
        return build is not None and build > host.build
    return False


def _select_docker(entries: list[dict[str, Any]], host: WindowsVersion, arch: str) -> Optional[dict[str, Any]]:
    # A Windows daemon supports the windows OS only (system.IsOSSupported), so every kept entry is a Windows one.
    matches = [
        entry
        for entry in entries
        if _field(entry, "architecture") == arch
        and _field(entry, "os").lower() == "windows"
        and not _docker_image_too_new(_os_version(entry), host)
    ]
    if not matches:
        return None
    prefix = f"{host.major}.{host.minor}.{host.build}."
    # sort.Stable(manifestsByVersion): entries whose os.version starts with the host's build come first.
    matches.sort(key=lambda entry: not _os_version(entry).startswith(prefix))
    return matches[0]


def select_manifest(
    manifest_list: object,
    host: object,
    rules: str = "containerd",
    architecture: str = "amd64",
) -> dict[str, Any]:
    """Return the entry of ``manifest_list`` that containerd (or Docker) pulls on ``host``.

    ``host`` takes anything ``parse_windows_version`` takes. Raises ``ManifestListError`` (an
    ``ImageReferenceError``) for malformed input and when no entry fits, in the words of the engine.
    """
    check_choice("rules", rules, MANIFEST_RULES)
    if not isinstance(architecture, str) or not 0 < len(architecture) <= 32:
        raise OptionError(f"architecture must be a platform architecture such as amd64; got {describe(architecture)}")
    version = parse_windows_version(host)
    entries = manifest_entries(manifest_list)
    chosen = (_select_containerd if rules == "containerd" else _select_docker)(entries, version, architecture)
    if chosen is None:
        offered = ", ".join(
            f"{_field(e, 'os')[:20] or '?'}/{_field(e, 'architecture')[:20] or '?'}"
            + (f" {_os_version(e)[:40]}" if _os_version(e) else "")
            for e in entries[:_MAX_OFFERED]
        )
        if len(entries) > _MAX_OFFERED:
            offered += f" and {len(entries) - _MAX_OFFERED} more"
        raise ManifestListError(
            f"no matching manifest for windows/{architecture} {version.major}.{version.minor}.{version.build} in the "
            f"manifest list entries ({rules} rules); the list offers: {offered or 'nothing'}"
        )
    return dict(chosen)


def registry_image_version(image: object, host: object, rules: str = "documented") -> object:
    """``image`` itself, or for a ``registry_image_info`` entry the ``os.version`` of the entry the engine pulls.

    The entry is chosen with ``select_manifest`` (containerd's rules unless ``rules`` is ``docker``). Raises
    ``ManifestListError`` when no entry fits the host or the chosen entry names no build.
    """
    if not is_image_result(image):
        return image
    chosen = select_manifest(image, host, "docker" if rules == "docker" else "containerd")
    if not chosen.get("os_version"):
        raise ManifestListError(
            f"the entry the engine pulls ({chosen.get('digest')}) has no os.version: its Windows build is unknown"
        )
    return chosen["os_version"]
