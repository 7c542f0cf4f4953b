"""Where an image's Windows build comes from: the registry, a host's image store, or the text of its tag.

One owner for the question every planner and report asks about an image. :func:`image_source` answers
``{version, source, digest, guess}``:

- ``registry``: the ``registry_image_info`` answer for the reference. A single-manifest image has one build (its
  config's ``os.version``); for a manifest list the build is that of the entry the engine pulls on the node
  (``manifest.select_manifest``, containerd or Docker rules), with that entry's digest; when no entry fits the
  node, ``no_matching_manifest`` holds the engine's message and ``version`` is None.
- ``host``: an image store that holds the image (host facts ``images``, or a ``{reference: os_version}`` index).
- ``tag``: the build the tag text names (``tags.image_windows_version``); ``guess`` is true.

``source`` is None when nothing tells the build. A registry answer holding an error falls through to the host
and the tag, and its message stays in ``registry_error``.

:func:`list_serves` answers the placement question for a manifest list: per node build, whether the entry the
engine pulls there runs there.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, WinCompatError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import ManifestListError, select_manifest
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    is_image_result,
    is_index,
    parse_reference,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import image_windows_version
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
    safe_version,
)

SOURCES: tuple[str, ...] = ("registry", "host", "tag")


def _answer(
    version: Optional[str], source: Optional[str], digest: Optional[str] = None, **extra: Any
) -> dict[str, Any]:
    return {"version": version, "source": source, "digest": digest, "guess": source == "tag", **extra}


def _normalized(ref: str) -> Optional[tuple[str, str, Optional[str], Optional[str]]]:
    try:
        parsed = parse_reference(ref)
    except WinCompatError:
        return None
    return parsed.registry, parsed.repository, parsed.tag, parsed.digest


def registry_entry(ref: str, registry: object) -> Optional[Mapping[str, Any]]:
    """The ``registry_image_info`` entry for ``ref`` in ``registry`` (the module result, its ``images``, or one entry).

    References match as given, else as ``docker pull`` normalises them (``contoso/app`` is
    ``docker.io/contoso/app:latest``); a reference pinned by digest (as Swarm pins a service image) also matches
    the entry of its tag, and an entry whose digest is the pinned one.

    Raises:
        OptionError: ``registry`` is neither a ``registry_image_info`` result nor one of its entries.
    """
    if registry is None:
        return None
    if is_image_result(registry):
        return registry  # type: ignore[return-value]
    if not isinstance(registry, Mapping):
        raise OptionError(f"registry must be the result of registry_image_info or its images; got {describe(registry)}")
    images = registry.get("images", registry)
    if not isinstance(images, Mapping):
        raise OptionError(f"registry.images must be a mapping of image references; got {describe(images)}")
    if is_image_result(images.get(ref)):
        return images[ref]
    wanted = _normalized(ref)
    if wanted is None:
        return None
    for key, entry in images.items():
        have = _normalized(str(key))
        if have is None or not is_image_result(entry) or have[:2] != wanted[:2]:
            continue
        same_tag = have[2] == wanted[2] and have[3] in (None, wanted[3])
        same_digest = wanted[3] is not None and wanted[3] in (have[3], entry.get("digest"))
        if same_tag or same_digest:
            return entry
    return None


def _host_image_version(ref: str, host_images: object) -> Optional[str]:
    """The ``os_version`` an image store records for ``ref``: host facts ``images`` (by ``repo_tags``) or an index."""
    if isinstance(host_images, Mapping):
        value = host_images.get(ref)
        return str(value) if value else None
    for image in host_images if isinstance(host_images, list) else []:
        if isinstance(image, Mapping) and ref in (image.get("repo_tags") or []) and image.get("os_version"):
            return str(image["os_version"])
    return None


def _windows_builds(entry: Mapping[str, Any]) -> list[str]:
    platforms = [p for p in entry.get("platforms") or [] if isinstance(p, Mapping)]
    return sorted({str(p["os_version"]) for p in platforms if p.get("os_version") and p.get("os") == "windows"})


def _from_registry(
    entry: Mapping[str, Any], node: Optional[WindowsVersion], rules: str, architecture: str
) -> dict[str, Any]:
    platforms = [p for p in entry.get("platforms") or [] if isinstance(p, Mapping)]
    if len(platforms) == 1 and not is_index(str(entry.get("media_type") or "")):
        return _answer(platforms[0].get("os_version"), "registry", entry.get("digest"))
    builds = _windows_builds(entry)
    if node is None:
        only = builds[0] if len(builds) == 1 else None
        return _answer(only, "registry", entry.get("digest"), list_digest=entry.get("digest"), builds=builds)
    try:
        chosen = select_manifest(entry, node, rules, architecture)
    except ManifestListError as exc:
        return _answer(
            None, "registry", None, list_digest=entry.get("digest"), builds=builds, no_matching_manifest=str(exc)
        )
    return _answer(
        chosen.get("os_version"), "registry", chosen.get("digest"), list_digest=entry.get("digest"), builds=builds
    )


def image_source(
    ref: str,
    registry: object = None,
    host_images: object = None,
    node: object = None,
    rules: str = "containerd",
    architecture: str = "amd64",
) -> dict[str, Any]:
    """Where ``ref``'s Windows build comes from, and the build: registry first, then the host, then the tag.

    ``registry`` is the ``registry_image_info`` result (or one entry), ``host_images`` host facts ``images`` (or a
    ``{reference: os_version}`` index), ``node`` the build of the node that pulls the image (picks the entry of a
    manifest list; ``rules`` ``containerd`` or ``docker``). Returns ``{version, source, digest, guess}`` and, for a
    manifest list, ``list_digest``, ``builds`` and, when no entry fits ``node``, ``no_matching_manifest``.
    """
    host = parse_windows_version(node) if node not in (None, "") else None
    entry = registry_entry(ref, registry)
    error = entry.get("error") if entry is not None else None
    extra = {"registry_error": str(error)} if error else {}
    if entry is not None and not error:
        return _from_registry(entry, host, rules, architecture)
    stored = _host_image_version(ref, host_images)
    if stored:
        return _answer(stored, "host", **extra)
    tagged = image_windows_version(ref)
    if tagged is not None:
        return _answer(tagged.version, "tag", **extra)
    return _answer(None, None, **extra)


def list_serves(
    ref: str, registry: object, hosts: Sequence[WindowsVersion], rules: str, isolation: str = "process"
) -> Optional[dict[WindowsVersion, bool]]:
    """Per host of HOSTS: whether the entry of REF's manifest list the engine pulls there (RULES ``containerd`` or
    ``docker``) runs there with ISOLATION (the core's documented rules).

    None unless REGISTRY (``registry_image_info``'s result) holds a manifest list for REF; a host no entry fits
    ("no matching manifest") is not served.
    """
    if registry is None or "builds" not in image_source(ref, registry, rules=rules):
        return None
    served = {}
    for host in hosts:
        entry = safe_version(image_source(ref, registry, node=host, rules=rules)["version"])
        status = container_compat(entry.version, host.version, isolation=isolation)["status"] if entry else None
        served[host] = status in ("supported", "preview")
    return served


def source_label(answer: Mapping[str, Any]) -> str:
    """``registry sha256:…``, ``host`` or ``tag (guess)``: how a report says where a build came from."""
    source = answer.get("source")
    if source == "registry":
        digest = answer.get("digest") or answer.get("list_digest")
        return f"registry {digest}" if digest else "registry"
    if source == "tag":
        return "tag (guess)"
    return str(source or "unknown")
