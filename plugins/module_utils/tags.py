"""Official image tags for a host, the tag to put in ``FROM``, and retargeting image references to a host.

Tags come from the release catalog's ``tags`` field (the MCR release tags of each build, newest style first).
Version-pinned tags (``10.0.B.R``) exist for every monthly image of a build (see the "Windows Server container
update history" and the tag lists of mcr.microsoft.com/windows/*); they are produced from the host's own
revision, never guessed.

Image references follow the grammar of github.com/distribution/reference (``reference.go``):
``[registry[:port]/]path[:tag][@digest]``; the first component is a registry when it holds a ``.`` or a
``:`` or is ``localhost``.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    HOST_KINDS,
    ISOLATIONS,
    RULE_SETS,
    RUNS,
    effective_host_kind,
    fails_on_newer_client,
    status_of,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    ImageReferenceError,
    UnknownReleaseError,
    check_choice,
    describe,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
    safe_version,
)

REPOSITORIES: tuple[str, ...] = catalog.REPOSITORIES
PINS: tuple[str, ...] = ("auto", "release", "version")
MCR = "mcr.microsoft.com"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    r"^(?:(?P<registry>(?:localhost|[A-Za-z0-9.-]*[.:][A-Za-z0-9.:\[\]-]*|[A-Za-z0-9-]+\.[A-Za-z0-9.-]+)(?::\d+)?)/)?"
    rf"(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$",
    re.ASCII,  # the reference grammar is ASCII: \w is [A-Za-z0-9_], never a Unicode letter or digit
)
_PINNED = re.compile(r"^10\.0\.(\d{5})(?:\.(\d{1,10}))?$", re.ASCII)
_KB = re.compile(r"^kb\d{6,7}$", re.IGNORECASE | re.ASCII)
# Tag words that name the base image a derived image was built on (``4.8-windowsservercore-ltsc2019``).
_FAMILY_WORDS = {"windowsservercore": "servercore", "servercore": "servercore", "nanoserver": "nanoserver"}
# Repositories of the base images, also under their old Docker Hub names.
_BASE_PATHS = {
    "windows/servercore": "servercore",
    "windows/nanoserver": "nanoserver",
    "windows/server": "server",
    "windows": "windows",  # mcr.microsoft.com/windows: the full Windows image, up to 20H2
    "microsoft/windowsservercore": "servercore",
    "microsoft/nanoserver": "nanoserver",
}
_MAX_REFERENCE = 255 + 1 + 128 + 1 + 135  # name (NameTotalLengthMax), ':' tag, '@' sha512 digest
_EXPECTED_REFERENCE = "an image reference such as mcr.microsoft.com/windows/servercore:ltsc2022 or name:tag@sha256:..."


def image_repository(repo: str) -> str:
    """Where the base images of ``repo`` live: ``mcr.microsoft.com/windows/<repo>``, and ``mcr.microsoft.com/windows``
    for the full Windows image (``windows``)."""
    return f"{MCR}/windows" if repo == "windows" else f"{MCR}/windows/{repo}"


# --- image references --------------------------------------------------------------------------------------
def parse_image_reference(ref: object) -> dict[str, Any]:
    """Split an image reference into ``{registry, path, namespace, repository, tag, digest, name}``.

    ``registry`` is None when the reference names none (Docker Hub); ``namespace`` is the path without its last
    component (None for a one-component path); ``name`` is ``registry/path``. Raises ``ImageReferenceError``.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise ImageReferenceError(f"expected {_EXPECTED_REFERENCE}; got {describe(ref)}")
    if len(ref) > _MAX_REFERENCE:
        raise ImageReferenceError(
            f"{describe(ref)} is longer than {_MAX_REFERENCE} characters; expected {_EXPECTED_REFERENCE}"
        )
    match = _REFERENCE.match(ref.strip())
    if match is None:
        raise ImageReferenceError(
            f"{describe(ref)} is not a valid image reference: expected {_EXPECTED_REFERENCE} "
            "(lowercase path components, a tag of letters, digits, '.', '_' or '-')"
        )
    registry, path = match.group("registry"), match.group("path")
    name = f"{registry}/{path}" if registry else path
    if len(name) > 255:
        raise ImageReferenceError(f"the name of {describe(ref)} is longer than 255 characters (the registry limit)")
    namespace, _slash, repository = path.rpartition("/")
    return {
        "registry": registry,
        "path": path,
        "namespace": namespace or None,
        "repository": repository,
        "tag": match.group("tag"),
        "digest": match.group("digest"),
        "name": name,
    }


def format_image_reference(parts: dict[str, Any]) -> str:
    """The reference text of ``parse_image_reference``'s result (``name[:tag][@digest]``)."""
    text = str(parts["name"])
    if parts.get("tag"):
        text += f":{parts['tag']}"
    if parts.get("digest"):
        text += f"@{parts['digest']}"
    return text


def reference_tag(ref: str) -> Optional[str]:
    """The tag of an image reference, None when it has none (a digest is not a tag); never raises."""
    name = str(ref).split("@", 1)[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    return name[colon + 1 :] if colon > slash else None


def image_windows_version(ref: str) -> Optional[WindowsVersion]:
    """The Windows version an image reference names by its tag (``ltsc2019``, ``4.8-windowsservercore-1809``,
    ``10.0.17763.6659``), None when its tag names none; never raises."""
    tag = reference_tag(ref)
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


# --- tags for a host ---------------------------------------------------------------------------------------
def _compatible_builds(host: WindowsVersion, repo: str, isolation: str, kind: str, rules: str) -> list[int]:
    """Tagged builds of ``repo`` whose images run on ``host``, newest first."""
    return [
        build
        for build in catalog.tagged_builds(repo)
        if status_of(WindowsVersion(host.major, host.minor, build, None), host, isolation, kind, rules) in RUNS
    ]


def compatible_image_tags(
    host: object,
    repo: str = "servercore",
    isolation: str = "process",
    host_kind: str = "server",
    rules: str = "documented",
) -> list[str]:
    """The official release tags of ``mcr.microsoft.com/windows/<repo>`` that run on ``host``, newest first.

    Tags judged ``preview`` are included. On a Windows Server 2016 host with process isolation the release tag
    cannot prove the same revision (the catalog's ``same_revision`` builds), so the list holds the version-pinned
    tag ``10.0.14393.<host UBR>`` instead (empty when the host's revision is unknown).
    """
    check_choice("repo", repo, REPOSITORIES)
    check_choice("isolation", isolation, ISOLATIONS)
    check_choice("host_kind", host_kind, HOST_KINDS)
    check_choice("rules", rules, RULE_SETS)
    version = parse_windows_version(host)
    kind = effective_host_kind(version.build, host_kind)
    tags: list[str] = []
    for build in _compatible_builds(version, repo, isolation, kind, rules):
        tags.extend(catalog.tags_for(build, repo))
    if (
        rules == "documented"
        and isolation == "process"
        and catalog.same_revision_required(version.build)
        and version.revision is not None
        and catalog.tags_for(version.build, repo)
    ):
        tags.insert(0, version.version)
    return tags


def _release_build_for(version: WindowsVersion, repo: str, isolations: tuple[str, ...] = ISOLATIONS) -> int:
    """The build whose release tag suits ``version`` in ``repo``: its own, else the newest that runs on it.

    ``isolations`` are tried in order. Raises ``ImageReferenceError`` when ``repo`` has no image that runs on
    the host with them.
    """
    if catalog.tags_for(version.build, repo):
        return version.build
    kind = effective_host_kind(version.build, "server")
    for isolation in isolations:
        builds = _compatible_builds(version, repo, isolation, kind, "documented")
        preferred = [
            build
            for build in builds
            if _image_line_in_support(build) and not fails_on_newer_client(build, version.build, kind)
        ]
        if preferred or builds:
            return (preferred or builds)[0]
    releases = [catalog.tags_for(build, repo)[0] for build in catalog.tagged_builds(repo)]
    offered = f"; its releases are {', '.join(releases)}" if releases else ""
    how = " with process isolation" if isolations == ("process",) else ""
    raise ImageReferenceError(
        f"{image_repository(repo)} has no image that runs on {version.version} ({_release_name(version.build)})"
        f"{how}{offered}"
    )


def _needs_exact_revision(version: WindowsVersion, repo: str) -> bool:
    """Whether process isolation on ``version`` needs the image of the host's own revision, and that image exists
    (a ``same_revision`` build of the catalog, Windows Server 2016, with a known revision and images of its build
    in ``repo``)."""
    return (
        catalog.same_revision_required(version.build)
        and version.revision is not None
        and bool(catalog.tags_for(version.build, repo))
    )


def _image_line_in_support(build: int) -> bool:
    """Whether the images of ``build`` still get monthly updates (its Windows Server release is serviced)."""
    return catalog.support_status(build, "server").get("in_support") is not False


def _release_name(build: int) -> str:
    return catalog.release_name(build) or f"unknown Windows build {build}"


def base_image_tag(host: object, repo: str = "servercore", pin: str = "auto") -> str:
    """The tag of ``mcr.microsoft.com/windows/<repo>`` to put in ``FROM`` for ``host``.

    ``pin='auto'`` (the default) gives the release tag, except on a host whose build needs the image of its exact
    revision for process isolation (Windows Server 2016, 14393) and whose revision is known: there ``10.0.B.R``.
    ``pin='release'`` gives the release tag (``ltsc2022``; ``1809`` for nanoserver, which has no ``ltsc2019``);
    for a host without images of its own build (Windows 11 23H2, Windows Server 23H2) the newest release that
    runs on it with process isolation, else the newest still-serviced one that runs with Hyper-V isolation.
    ``pin='version'`` gives ``10.0.B.R`` from the host's revision: Windows Server 2016 hosts need it for process
    isolation, since their images must match the host's revision. Microsoft publishes an image for each monthly
    security update; a host on a preview or out-of-band revision has no image of its own revision.
    """
    check_choice("repo", repo, REPOSITORIES)
    check_choice("pin", pin, PINS)
    version = parse_windows_version(host)
    if pin == "auto":
        pin = "version" if _needs_exact_revision(version, repo) else "release"
    if pin == "version":
        if version.revision is None:
            raise ImageReferenceError(
                f"pin='version' needs the host's revision (UBR), and {describe(host)} carries none; give the full "
                "version (10.0.17763.437, the output of ver or the registry values with UBR) or use pin='release'"
            )
        if not catalog.tags_for(version.build, repo):
            raise ImageReferenceError(
                f"{image_repository(repo)} publishes no images of build {version.build} "
                f"({_release_name(version.build)}),"
                f" so no 10.0.{version.build}.R tag exists; use pin='release'"
            )
        return version.version
    tags = catalog.tags_for(_release_build_for(version, repo), repo)
    if not tags:  # pragma: no cover - _release_build_for only returns tagged builds
        raise UnknownReleaseError(f"no release tag of {repo} for {version.version}")
    return tags[0]


# --- retargeting -------------------------------------------------------------------------------------------
def _is_base_image(parts: dict[str, Any]) -> bool:
    """True for the Windows base images themselves (``mcr.microsoft.com/windows/nanoserver`` ...)."""
    return parts["path"] in _BASE_PATHS and parts["registry"] in (None, MCR)


def _family_of(parts: dict[str, Any]) -> str:
    """The base-image repository a reference is, or was built on: ``servercore`` unless it says otherwise."""
    return _BASE_PATHS[parts["path"]] if _is_base_image(parts) else "servercore"


def _is_release_token(token: str) -> bool:
    build = catalog.build_for_alias(token)
    return (
        build is not None
        and build >= catalog.FIRST_CONTAINER_BUILD
        and any(catalog.tags_for(build, repo) for repo in REPOSITORIES)
    )


def _retarget_tag(tag: str, family: str, host: WindowsVersion, ref: str, base: bool) -> str:
    """Replace every release token of ``tag`` by the host's; drop KB tokens; keep the rest.

    A base image (``base``) retargeted to a Windows Server 2016 host of known revision gets the version pin, the
    only tag that satisfies the same-revision rule of process isolation there.
    """
    tokens = tag.split("-")
    out: list[str] = []
    replaced = False
    for index, token in enumerate(tokens):
        previous = tokens[index - 1].lower() if index else ""
        token_family = _FAMILY_WORDS.get(previous, family)
        pinned = _PINNED.match(token)
        if _KB.match(token) and replaced:
            continue
        if pinned or _is_release_token(token):
            target_build = _release_build_for(host, token_family, ("process",))
            same_revision_rule = base and catalog.same_revision_required(host.build)
            if (pinned or same_revision_rule) and host.revision is not None and target_build == host.build:
                out.append(host.version)
            else:
                out.append(catalog.tags_for(target_build, token_family)[0])
            replaced = True
            continue
        out.append(token)
    if not replaced:
        raise ImageReferenceError(
            f"the tag of {describe(ref)} names no Windows release (such as ltsc2019, 1809 or 10.0.17763.437), so "
            "there is nothing to retarget; give a tag that names the release"
        )
    return "-".join(out)


def retarget_image(image_ref: object, host: object) -> str:
    """The same image for ``host``'s Windows release.

    ``mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019`` becomes ``...-ltsc2022`` on a
    Windows Server 2022 host and ``mcr.microsoft.com/windows/nanoserver:1809`` becomes ``nanoserver:ltsc2022``.
    Release tokens are rewritten in the naming of the base image they refer to (``nanoserver-1809`` →
    ``nanoserver-ltsc2022``); KB suffixes and digests pin the old image and are dropped. The target release is the
    host's own, else the newest that runs on the host with process isolation (``ltsc2022`` on Windows 11). Raises
    ``ImageReferenceError`` when the tag names no release or no variant can exist for the host.
    """
    parts = parse_image_reference(image_ref)
    version = parse_windows_version(host)
    if not parts["tag"]:
        raise ImageReferenceError(
            f"{describe(image_ref)} has no tag, so its Windows release is unknown; give a tag such as ltsc2019"
        )
    family = _family_of(parts)
    base = _is_base_image(parts)
    new = dict(parts, tag=_retarget_tag(parts["tag"], family, version, str(image_ref), base), digest=None)
    return format_image_reference(new)


def release_tag_of(image_ref: object) -> Optional[str]:
    """The first release token of an image reference's tag (``ltsc2019`` of ``4.8-windowsservercore-ltsc2019``)."""
    tag = parse_image_reference(image_ref)["tag"] or ""
    return next((t for t in tag.split("-") if _PINNED.match(t) or _is_release_token(t)), None)
