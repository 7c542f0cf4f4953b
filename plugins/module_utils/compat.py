"""Whether a Windows container image runs on a host: three rule sets, side by side.

``documented``
    Microsoft's matrix, "Windows container version compatibility"
    (https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/version-compatibility):

    * Hyper-V isolation runs images of the host's build or older; never newer.
    * Process isolation needs the host's build. Exceptions: Windows Server 2025 and Windows Server, version 23H2
      hosts also run Windows Server 2022 images (the previous LTSC); Windows 11 hosts run Windows Server 2022
      images, marked "preview" on the client matrix (and on Windows 11 24H2/25H2 the 2025 images as well).
    * Windows 10 hosts: the client matrix lists process isolation only for the same-version 2004 and 20H2 images
      (1809 client and Server 2019 share the build number only at GA, their updates diverge).
    * Windows Server 2016 (14393): process isolation also needs the same revision (UBR). From 1809 on the
      revisions need not match.

``containerd``
    ``checkWindowsHostAndContainerCompat`` of github.com/containerd/platforms (platform_windows_compat.go,
    v1.0.0-rc.5, containerd/platforms#34), which containerd's platform matcher applies to every Windows pull
    and run, whatever the isolation: hosts older than 20348 need the exact build; newer hosts run builds from
    a floor up to their own, the floor being the LTSC before the newest entry of ``compatLTSCReleases``
    (20348, 26100) at or below the host build (20348 on a 20348 host). hcsshim's ``CheckHostAndContainerCompat``
    (osversion/platform_compat_windows.go, microsoft/hcsshim#2327) takes the newest entry strictly below the
    host instead, as containerd did up to platforms v1.0.0-rc.4: the two differ on hosts past 26100 (Windows 11
    25H2 and later), where hcsshim's floor is 26100 and Windows Server 2022 images are refused.

``docker``
    The classic Docker Engine (moby). Its puller refuses any image built for a newer build than the host
    (distribution/pull_v2_windows.go ``checkImageCompatibility``: "a Windows version 10.0.X-based image is
    incompatible with a 10.0.Y host"), whatever the isolation. Hyper-V isolation then runs any older image;
    process isolation is left to the host's compute service (vmcompute), which accepts the same build and
    the stable-ABI pairs (a 20348-or-newer image on a newer host), and answers 0xc0370101 otherwise. Docker does
    not compare revisions.

A newer image revision than the host's, with process isolation, is accepted by all three rule sets, yet is a
known failure mode in the field (0xc0370106 "exited unexpectedly" until the host is patched, see
https://github.com/microsoft/Windows-Containers/issues/591); the result carries it in ``caveats``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, check_choice, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
)

ISOLATIONS: tuple[str, ...] = ("process", "hyperv")
HOST_KINDS: tuple[str, ...] = ("server", "client")
RULE_SETS: tuple[str, ...] = ("documented", "containerd", "docker")
STATUSES: tuple[str, ...] = ("supported", "preview", "unverified", "unsupported")
# ``is_compatible`` and the ``compatible_with`` test: the statuses an image runs with. ``unverified`` (Windows
# Server 2016 process isolation with an unknown revision) is not one: it runs only if the revisions match.
RUNS: tuple[str, ...] = ("supported", "preview")

DOCS_URL = "https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/version-compatibility"
UBR_ISSUE_URL = "https://github.com/microsoft/Windows-Containers/issues/591"
CONTAINERD_FLOOR_ISSUE_URL = "https://github.com/moby/moby/issues/53397"

Verdict = tuple[str, str]  # (status, reason)


# --- small helpers ----------------------------------------------------------------------------------------------
def _label(version: WindowsVersion, kind: str = "server") -> str:
    """``10.0.17763.437 (Windows Server 2019)``, ``10.0.17763.437 (Windows 10, version 1809)`` for a client, or
    ``10.0.29000 (build not in the release catalog)``."""
    return f"{version.version} ({catalog.release_name(version.build, kind) or 'build not in the release catalog'})"


def _release_summary(build: int, kind: str = "server") -> dict[str, Any]:
    """``{build, name, known}`` of a build as a ``kind`` host names it, from the catalog."""
    name = catalog.release_name(build, kind)
    if name is None:
        return {"build": build, "name": f"Unknown Windows build {build}", "known": False}
    return {"build": build, "name": name, "known": True}


def effective_host_kind(build: int, host_kind: str) -> str:
    """The host kind to judge ``build`` as: the catalog's when the build ships as one kind only."""
    entry = catalog.entry_for_build(build)
    kind = entry["kind"] if entry else None
    return str(kind) if kind in HOST_KINDS else host_kind


def _previous_ltsc(build: int) -> Optional[int]:
    """The newest stable-ABI LTSC build strictly older than ``build`` (None below 20348)."""
    older = [ltsc for ltsc in catalog.stable_abi_ltsc_builds() if ltsc < build]
    return older[-1] if older else None


def _tag_hint(build: int) -> str:
    """``mcr.microsoft.com/windows/servercore:ltsc2022`` style hint for the host's release, or a version pin."""
    tags = catalog.tags_for(build, "servercore") or catalog.tags_for(build, "nanoserver")
    if tags:
        repo = "servercore" if catalog.tags_for(build, "servercore") else "nanoserver"
        return f"mcr.microsoft.com/windows/{repo}:{tags[0]}"
    return f"an image built on 10.0.{build}"


def _rebuild_advice(host: WindowsVersion, hyperv: bool = True) -> str:
    """What to do when an image cannot run on ``host`` with process isolation."""
    advice = f"rebuild on {_tag_hint(host.build)}"
    return advice + ", or run with --isolation=hyperv" if hyperv else advice


# --- hcsshim / containerd ------------------------------------------------------------------------------------
def _first_compat_ltsc() -> int:
    """The oldest build of ``compatLTSCReleases`` (20348): older hosts need the exact build."""
    return catalog.hcsshim_compat_ltsc_builds()[0]


def _stable_abi_check(host: WindowsVersion, ctr: WindowsVersion, floor: Callable[[int], int]) -> bool:
    """Same major.minor; below 20348 the same build, else a build from ``floor(host build)`` to the host's."""
    if (host.major, host.minor) != (ctr.major, ctr.minor):
        return False
    if host.build < _first_compat_ltsc():
        return host.build == ctr.build
    return floor(host.build) <= ctr.build <= host.build


def hcsshim_check(host: WindowsVersion, ctr: WindowsVersion) -> bool:
    """Exactly hcsshim's ``CheckHostAndContainerCompat`` (revisions ignored)."""
    return _stable_abi_check(host, ctr, hcsshim_floor)


def hcsshim_floor(build: int) -> int:
    """The oldest build hcsshim lets a host of ``build`` (20348 or newer) run: the newest LTSC strictly below it."""
    releases = catalog.hcsshim_compat_ltsc_builds()
    for ltsc in reversed(releases):
        if build > ltsc:
            return ltsc
    return releases[0]


def containerd_floor(build: int) -> int:
    """The oldest build containerd lets a host of ``build`` (20348 or newer) run.

    containerd/platforms v1.0.0-rc.5: the LTSC before the newest LTSC at or below ``build`` (20348 for 20348).
    """
    releases = catalog.hcsshim_compat_ltsc_builds()
    for index in reversed(range(len(releases))):
        if build >= releases[index]:
            return releases[max(index - 1, 0)]
    return releases[0]


def containerd_check(host: WindowsVersion, ctr: WindowsVersion) -> bool:
    """Exactly containerd's ``checkWindowsHostAndContainerCompat`` (revisions ignored)."""
    return _stable_abi_check(host, ctr, containerd_floor)


def _containerd(image: WindowsVersion, host: WindowsVersion, isolation: str, host_kind: str) -> Verdict:
    """containerd's verdict: its platform matcher's check, for every isolation mode."""
    if containerd_check(host, image):
        if image.build == host.build:
            return "supported", f"containerd runs {image.version} on {host.version}: same build ({isolation} isolation)"
        return "supported", (
            f"containerd runs {image.version} on {host.version}: its platform matcher accepts "
            f"builds {containerd_floor(host.build)} to {host.build} on this host ({isolation} isolation)"
        )
    if host.build < _first_compat_ltsc():
        why = f"hosts older than {_first_compat_ltsc()} need the exact build ({host.build})"
    elif image.build > host.build:
        why = "the image is newer than the host"
    else:
        why = f"this host accepts builds {containerd_floor(host.build)} to {host.build} only"
    hyperv = " even with Hyper-V isolation (its platform matcher ignores isolation)" if isolation == "hyperv" else ""
    return "unsupported", (
        f"containerd refuses {image.version} on {host.version}{hyperv}: {why}; {_rebuild_advice(host, hyperv=False)}"
    )


# --- documented ----------------------------------------------------------------------------------------------
def _documented_process_other_build(image: WindowsVersion, host: WindowsVersion, host_kind: str) -> Verdict:
    """Process isolation with an older image build: only the stable-ABI pairs of the matrix."""
    prev = _previous_ltsc(host.build)
    img, hst = _label(image), _label(host, host_kind)
    if host_kind == "server":
        if image.build == prev:
            return "supported", (
                f"{img} runs on {hst} with process isolation: Microsoft's matrix lists the previous LTSC image "
                "on Windows Server 2025 and 23H2 hosts"
            )
    elif catalog.client_process(host.build) == "older_ltsc_preview" and image.build in _older_stable_abi(host.build):
        return "preview", (
            f"{img} on the Windows 11 host {hst} with process isolation is listed as preview in Microsoft's client "
            "matrix; Hyper-V isolation is fully supported"
        )
    return "unsupported", (
        f"{img} cannot run on {hst} with process isolation: the builds differ and Microsoft's matrix lists no "
        f"process isolation for this pair (error 0xc0370101); {_rebuild_advice(host)}"
    )


def _older_stable_abi(build: int) -> tuple[int, ...]:
    """The stable-ABI LTSC builds older than ``build``."""
    return tuple(ltsc for ltsc in catalog.stable_abi_ltsc_builds() if ltsc < build)


def _revision_check(image: WindowsVersion, host: WindowsVersion) -> str:
    """``match``, ``mismatch`` or ``unverifiable`` for the Windows Server 2016 same-revision rule."""
    if image.revision is None or host.revision is None:
        return "unverifiable"
    return "match" if image.revision == host.revision else "mismatch"


def _release(build: int) -> str:
    """The release name of ``build`` (``Windows Server 2016``), or ``build 14393`` when the catalog lacks it."""
    return catalog.release_name(build) or f"build {build}"


def _unverified_revision(image: WindowsVersion, host: WindowsVersion) -> Verdict:
    """Same-revision build, process isolation, a revision unknown: it runs only if the revisions match."""
    missing = " and ".join(name for name, v in (("image", image), ("host", host)) if v.revision is None)
    if host.revision is None:
        fix = f"give the host's full version (with its UBR) and pin the image to 10.0.{host.build}.<host UBR>"
    else:
        fix = f"pin the image to mcr.microsoft.com/windows/servercore:{host.version}"
    return "unverified", (
        f"unverifiable: {_release(host.build)} needs the same revision (UBR) for process isolation, and the "
        f"{missing} revision is unknown; {fix}, or run with --isolation=hyperv"
    )


def _documented_same_build(image: WindowsVersion, host: WindowsVersion, host_kind: str) -> Verdict:
    """Process isolation, same build: the client-host limits and the same-revision rule (14393)."""
    img, hst = _label(image), _label(host, host_kind)
    if host_kind == "client" and catalog.client_process(host.build) == "none":
        return "unsupported", (
            f"{img} on the Windows 10 host {hst}: Microsoft's client matrix lists process isolation only for "
            "Windows 10 2004 and 20H2 with their own images; run with --isolation=hyperv"
        )
    if catalog.same_revision_required(host.build):
        check = _revision_check(image, host)
        if check == "match":
            return "supported", f"{img} matches {hst} build and revision, as {_release(host.build)} requires"
        if check == "mismatch":
            return "unsupported", (
                f"{_release(host.build)} needs the same revision for process isolation: image {image.version}, "
                f"host {host.version}; use mcr.microsoft.com/windows/servercore:{host.version} or --isolation=hyperv"
            )
        return _unverified_revision(image, host)
    return "supported", f"{img} runs on {hst} with process isolation: same build"


def _documented(image: WindowsVersion, host: WindowsVersion, isolation: str, host_kind: str) -> Verdict:
    """Microsoft's published matrix."""
    img, hst = _label(image), _label(host, host_kind)
    if image.build > host.build:
        return "unsupported", (
            f"{img} is newer than the host {hst}: a newer build never runs on an older host, not even with "
            f"Hyper-V isolation; use {_tag_hint(host.build)} or a host of build {image.build}"
        )
    if isolation == "hyperv":
        return "supported", f"{img} runs on {hst} with Hyper-V isolation: same or older build"
    if image.build == host.build:
        return _documented_same_build(image, host, host_kind)
    return _documented_process_other_build(image, host, host_kind)


# --- docker --------------------------------------------------------------------------------------------------
def _docker(image: WindowsVersion, host: WindowsVersion, isolation: str, host_kind: str) -> Verdict:
    """The classic Docker Engine: its puller, then the host compute service."""
    if image.build > host.build:
        return "unsupported", (
            f"Docker refuses to pull it: a Windows version {image.major}.{image.minor}.{image.build}-based image is "
            f"incompatible with a {host.major}.{host.minor}.{host.build} host (whatever the isolation); "
            f"use {_tag_hint(host.build)}"
        )
    if isolation == "hyperv":
        return "supported", "Docker runs an older or same-build image with Hyper-V isolation"
    if host_kind == "client" and not catalog.docker_client_process(host.build):
        return "unsupported", (
            "Docker runs only Hyper-V isolated containers on Windows 10 before version 1809; use --isolation=hyperv"
        )
    if image.build == host.build:
        return "supported", "Docker and the host compute service run a same-build image with process isolation"
    first = catalog.stable_abi_ltsc_builds()[0]
    if image.build >= first and host.build >= first:
        return "supported", (
            f"the host compute service of {host.version} runs the {image.build} image with process isolation "
            "(stable ABI from Windows Server 2022 on)"
        )
    return "unsupported", (
        f"the host compute service refuses a {image.build} image on a {host.build} host with process isolation "
        f"(0xc0370101, the operating system of the container does not match); {_rebuild_advice(host)}"
    )


_RULES: dict[str, Callable[[WindowsVersion, WindowsVersion, str, str], Verdict]] = {
    "documented": _documented,
    "containerd": _containerd,
    "docker": _docker,
}


def _caveats(image: WindowsVersion, host: WindowsVersion, isolation: str, host_kind: str) -> list[str]:
    """Warnings no rule set turns into a status, with their evidence."""
    notes: list[str] = []
    if (
        isolation == "process"
        and image.build == host.build
        and image.revision is not None
        and host.revision is not None
        and image.revision > host.revision
    ):
        notes.append(
            f"the image revision {image.revision} is newer than the host's {host.revision}: such containers are "
            f"known to stop with 0xc0370106 (exited unexpectedly) until the host is patched ({UBR_ISSUE_URL}); "
            "update the host or run with --isolation=hyperv"
        )
    if containerd_check(host, image) and not hcsshim_check(host, image):
        notes.append(
            f"containerd before containerd/platforms v1.0.0-rc.5 (and hcsshim's own check) accepts only builds "
            f"{hcsshim_floor(host.build)} to {host.build} on this host: such engines, Docker with the containerd "
            f"image store among them, refuse the {image.build} image with 'no matching manifest' "
            f"({CONTAINERD_FLOOR_ISSUE_URL}); use an engine with containerd/platforms v1.0.0-rc.5 or later, or "
            "Docker's classic image store"
        )
    if fails_on_newer_client(image.build, host.build, host_kind):
        notes.append(
            f"{catalog.release_name(image.build)} images are reported to fail on Windows 11 {host.build} hosts with "
            f"0xc0370112 (a layer with an unrecognized format), with either isolation "
            f"({catalog.fails_on_newer_clients(image.build)}, open); Windows Server 2022 images work there"
        )
    for version, what in ((image, "image"), (host, "host")):
        if catalog.entry_for_build(version.build) is None:
            notes.append(
                f"the {what} build {version.build} is not in the release catalog; it is judged by the general rules"
            )
    if image.build < catalog.FIRST_CONTAINER_BUILD:
        notes.append(f"Windows containers start with build {catalog.FIRST_CONTAINER_BUILD}; {image.build} has none")
    return notes


def fails_on_newer_client(image_build: int, host_build: int, host_kind: str) -> bool:
    """Images of a build whose entry has ``fails_on_newer_clients`` (Windows Server 2025) on newer client builds:
    reported to fail with 0xc0370112 with either isolation (microsoft/hcsshim#2566), though no rule set refuses
    them."""
    newer_client = host_kind == "client" and image_build < host_build
    return newer_client and catalog.fails_on_newer_clients(image_build) is not None


def _versions(image: object, host: object) -> tuple[WindowsVersion, WindowsVersion]:
    return parse_windows_version(image), parse_windows_version(host)


def _verdict(image: WindowsVersion, host: WindowsVersion, isolation: str, kind: str, rules: str) -> Verdict:
    """One rule set's verdict, with the checks every rule set shares."""
    if (image.major, image.minor) != (host.major, host.minor):
        return "unsupported", f"image {image.version} and host {host.version} are different Windows major versions"
    if image.build < catalog.FIRST_CONTAINER_BUILD or host.build < catalog.FIRST_CONTAINER_BUILD:
        low = min(image.build, host.build)
        return "unsupported", f"build {low} predates Windows containers (build {catalog.FIRST_CONTAINER_BUILD})"
    return _RULES[rules](image, host, isolation, kind)


def status_of(image: WindowsVersion, host: WindowsVersion, isolation: str, host_kind: str, rules: str) -> str:
    """The status alone, for callers that loop (no option checks, no catalog look-up of the host kind)."""
    return _verdict(image, host, isolation, host_kind, rules)[0]


class _Judgement(NamedTuple):
    """Everything ``container_compat`` decides for one (image, host, isolation, host kind), shared by its calls."""

    kind: str
    verdicts: dict[str, Verdict]
    disagreement: Optional[dict[str, str]]
    revision_check: str
    caveats: tuple[str, ...]
    image_release: dict[str, Any]
    host_release: dict[str, Any]


@functools.lru_cache(maxsize=4096)
def _judge(img: WindowsVersion, hst: WindowsVersion, isolation: str, host_kind: str) -> _Judgement:
    """The verdicts of every rule set; cached, so callers must copy what they hand out."""
    kind = effective_host_kind(hst.build, host_kind)
    verdicts = {name: _verdict(img, hst, isolation, kind, name) for name in RULE_SETS}
    statuses = {name: verdict[0] for name, verdict in verdicts.items()}
    same_build = img.build == hst.build and catalog.same_revision_required(hst.build) and isolation == "process"
    return _Judgement(
        kind=kind,
        verdicts=verdicts,
        disagreement=statuses if len(set(statuses.values())) > 1 else None,
        revision_check=_revision_check(img, hst) if same_build else "not_required",
        caveats=tuple(_caveats(img, hst, isolation, kind)),
        image_release=_release_summary(img.build),
        host_release=_release_summary(hst.build, kind),
    )


catalog.on_change(_judge.cache_clear)  # the verdicts read the active catalog


def container_compat(
    image: object,
    host: object,
    isolation: str = "process",
    host_kind: str = "server",
    rules: str = "documented",
) -> dict[str, Any]:
    """Tell whether ``image`` runs on ``host`` with ``isolation``, under the ``rules`` rule set.

    ``image`` and ``host`` take anything ``parse_windows_version`` takes. Returns ``{status, reason, rules,
    isolation, host_kind, image_version, host_version, image_release, host_release, revision_check, caveats,
    verdicts, disagreement}``; ``disagreement`` maps each rule set to its status when they do not all agree,
    else None. ``host_kind`` is overridden by the catalog for builds that ship as one kind only.
    """
    check_choice("isolation", isolation, ISOLATIONS)
    check_choice("host_kind", host_kind, HOST_KINDS)
    check_choice("rules", rules, RULE_SETS)
    img, hst = _versions(image, host)
    judged = _judge(img, hst, isolation, host_kind)
    status, reason = judged.verdicts[rules]
    if judged.kind != host_kind:
        reason += f" (build {hst.build} ships only as a {judged.kind} OS, so it is judged as a {judged.kind} host)"
    return {
        "status": status,
        "reason": reason,
        "rules": rules,
        "isolation": isolation,
        "host_kind": judged.kind,
        "image_version": img.as_dict(),
        "host_version": hst.as_dict(),
        "image_release": dict(judged.image_release),
        "host_release": dict(judged.host_release),
        "revision_check": judged.revision_check,
        "caveats": list(judged.caveats),
        "verdicts": {name: {"status": s, "reason": r} for name, (s, r) in judged.verdicts.items()},
        "disagreement": dict(judged.disagreement) if judged.disagreement else None,
    }


def is_compatible(
    image: object,
    host: object,
    isolation: str = "process",
    host_kind: str = "server",
    rules: str = "documented",
) -> bool:
    """True when ``container_compat`` says ``supported`` or ``preview`` (not ``unverified`` nor ``unsupported``)."""
    return container_compat(image, host, isolation, host_kind, rules)["status"] in RUNS


def auto_isolation(
    host: object,
    images: object = (),
    host_kind: str = "server",
    rules: str = "documented",
) -> dict[str, Any]:
    """The default isolation the ``auto`` policy wants for a host running (or told to run) ``images``.

    ``process`` when every image is ``supported`` with process isolation under ``rules``, else ``hyperv``: a
    ``preview``, ``unverified`` or ``unsupported`` image (another build, a Windows Server 2016 revision mismatch
    or an unknown revision there, a Windows Server image on Windows 11) runs with Hyper-V isolation. The
    compliance check ``daemon_isolation`` and the
    role ``daemon_isolation`` both decide with it. Returns ``{isolation, images, reason}``; ``images`` lists
    the images that need Hyper-V, each with its process-isolation ``status``.
    """
    check_choice("host_kind", host_kind, HOST_KINDS)
    check_choice("rules", rules, RULE_SETS)
    if isinstance(images, (str, bytes)) or not isinstance(images, (list, tuple)):
        raise OptionError(f"images must be a list of images, tags or versions; got {describe(images)}")
    hst = parse_windows_version(host)
    kind = effective_host_kind(hst.build, host_kind)
    needs = []
    for image in images:
        status = status_of(parse_windows_version(image), hst, "process", kind, rules)
        if status != "supported":
            needs.append({"image": str(image), "status": status})
    if not needs:
        reason = f"every image runs with process isolation on {hst.version}"
        return {"isolation": "process", "images": [], "reason": reason}
    listed = ", ".join(f"{item['image']} ({item['status']})" for item in needs)
    return {
        "isolation": "hyperv",
        "images": needs,
        "reason": f"process isolation does not fully support these images on {hst.version}: {listed}",
    }
