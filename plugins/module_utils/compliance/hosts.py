"""The checks of one host: support, running containers, revisions, pending updates, isolation, tags."""

from __future__ import annotations

import datetime
from typing import Any, Mapping, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    all_releases,
    release_for_build,
    support_status,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    auto_isolation,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.facts import (
    HostView,
    base_image_hint,
    container_finding,
    container_isolation,
    containers_of,
    image_version_of,
    is_unpinned,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import (
    RUNNING_OK,
    UNVERIFIED,
    Policy,
    Verdicts,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import (
    finding,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    safe_version,
)


def _check_host_support(view: HostView, policy: Policy) -> list[dict[str, Any]]:
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
            _upgrade_fix(view, policy.today),
        )
    ]


def _supported_successors(build: int, kind: str, today: datetime.date) -> list[str]:
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


def _upgrade_fix(view: HostView, today: datetime.date) -> str:
    """How to bring an out-of-support host back into support, naming the releases it can move to."""
    names = _supported_successors(view.build or 0, view.kind, today)
    if view.kind == "client":
        target = f"{names[0]} or later" if names else "a Windows 11 release in support"
        return (
            f"install a feature update to {target}; its containers run with Hyper-V isolation, check their images "
            "in the matrix"
        )
    target = " or ".join(names[-2:]) if names else "a supported Windows Server release"
    return f"upgrade the host to {target} and rebuild its process-isolated images for it"


def _check_containers(view: HostView, verdicts: Verdicts) -> list[dict[str, Any]]:
    """Each running container's image against the host's build and the container's isolation."""
    found = []
    for container in containers_of(view):
        image_version = container.get("image_os_version")
        isolation = container_isolation(view, container)
        if not image_version or view.version is None or isolation not in ("process", "hyperv"):
            continue
        verdict = verdicts(image_version, view.version, isolation, view.kind)
        if verdict["status"] in RUNNING_OK or verdict["status"] == "unknown":
            continue
        if verdict["status"] == UNVERIFIED:
            found.append(_unverified_finding(view, container, str(image_version), isolation, verdict))
            continue
        found.append(
            container_finding(
                "container_compat",
                "critical",
                view,
                container,
                f"image {container.get('image')} ({image_version}) is not supported on host {view.version} with "
                f"{isolation} isolation; it runs on borrowed luck and fails at its next start: {verdict['reason']}",
                f"rebuild it on {base_image_hint(view)}" + _hyperv_hint(view, image_version, isolation, verdicts),
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
    return container_finding(
        "image_unverified",
        "medium",
        view,
        container,
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


def newer_revision_images(
    view: HostView, build: Optional[int], revision: Optional[int]
) -> list[tuple[Mapping[str, Any], WindowsVersion]]:
    """The process-isolated containers of VIEW whose image is of BUILD with an update revision (UBR) newer than
    REVISION, each with its image's version (error 0xc0370106 at start)."""
    newer = []
    for container in containers_of(view):
        image = safe_version(container.get("image_os_version"))
        isolation = container_isolation(view, container)
        if image is None or isolation != "process" or image.build != build:
            continue
        if image.revision is not None and revision is not None and image.revision > revision:
            newer.append((container, image))
    return newer


def _check_image_revision(view: HostView) -> list[dict[str, Any]]:
    """Process-isolated images with a newer update revision (UBR) than the host (error 0xc0370106)."""
    found = []
    for container, image in newer_revision_images(view, view.build, view.revision):
        found.append(
            container_finding(
                "image_revision",
                "high",
                view,
                container,
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
        isolation = container_isolation(view, container)
        if not image_version or isolation not in ("process", "hyperv"):
            continue
        now = verdicts(image_version, view.version, isolation, view.kind)
        after = verdicts(image_version, target, isolation, view.kind)
        if now["status"] not in RUNNING_OK or after["status"] in RUNNING_OK or after["status"] == "unknown":
            continue
        found.append(
            container_finding(
                "update_impact",
                "high",
                view,
                container,
                f"after the pending update to {target}, image {container.get('image')} ({image_version}) with "
                f"{isolation} isolation will not start: {after['reason']}",
                f"rebuild the image on the base image of {target} before patching, or run it with Hyper-V isolation",
                image=container.get("image"),
                target_version=target,
            )
        )
    return found


def _running_image_versions(view: HostView) -> list[str]:
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
    return auto_isolation(view.version, _running_image_versions(view), view.kind, policy.rules)


def _check_daemon_isolation(view: HostView, policy: Policy) -> list[dict[str, Any]]:
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


def _check_image_tags(view: HostView, policy: Policy) -> list[dict[str, Any]]:
    """Running containers whose image reference floats (``latest`` or no tag)."""
    found = []
    for container in containers_of(view):
        ref = container.get("image") or ""
        if ref and is_unpinned(ref, policy.unpinned_tags):
            found.append(
                container_finding(
                    "image_tag_pinned",
                    "medium",
                    view,
                    container,
                    f"image {ref} is not pinned: a floating tag can move to another Windows build",
                    f"pin a release tag, e.g. {base_image_hint(view)} or your image's own versioned tag",
                    image=ref,
                )
            )
    return found


def _check_image_support(view: HostView, policy: Policy, index: Mapping[str, str]) -> list[dict[str, Any]]:
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
        found.append(
            container_finding(
                "image_support",
                "medium",
                view,
                container,
                f"image {ref} is built on {release_for_build(version.build)['name']} ({version.version}), out of "
                f"support since {status['end_of_support']}: it receives no more security updates",
                f"rebuild it on {base_image_hint(view)}",
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
        *_check_host_support(view, policy),
        *_check_containers(view, verdicts),
        *_check_image_revision(view),
        *check_update_impact(view, verdicts),
        *_check_daemon_isolation(view, policy),
        *_check_image_tags(view, policy),
        *_check_image_support(view, policy, index),
    ]
