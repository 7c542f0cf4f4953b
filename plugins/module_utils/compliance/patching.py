"""What a pending update (or an in-place upgrade) does to the running containers of one host."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import same_revision_required
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.facts import (
    HostView,
    check_facts,
    container_finding,
    container_isolation,
    containers_of,
    host_view,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.hosts import (
    check_update_impact,
    newer_revision_images,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import (
    RUNNING_OK,
    CompatFn,
    Policy,
    Verdicts,
    read_target,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.image_source import image_source, source_label
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    safe_version,
)


def _still_newer_after(view: HostView) -> list[dict[str, Any]]:
    """Process-isolated images whose update revision stays newer than the host's after the update (0xc0370106)."""
    target = view.target
    if target is None or target.revision is None or target.build != view.build:
        return []
    found = []
    for container, image in newer_revision_images(view, target.build, target.revision):
        found.append(
            container_finding(
                "image_revision",
                "high",
                view,
                container,
                f"image {container.get('image')} ({image.version}) stays newer than the host after the update to "
                f"{target.version}: a newer process-isolated image can exit at start (0xc0370106)",
                f"install an update that brings revision {image.revision} or later instead",
                image=container.get("image"),
            )
        )
    return found


def _puller(rules: str) -> str:
    """The manifest-list rules of the host's engine: Docker's (the hosts of host facts), containerd's when asked."""
    return "containerd" if rules == "containerd" else "docker"


def _runs(verdicts: Verdicts, image: str, view: HostView) -> bool:
    target = view.target.version if view.target else ""
    return verdicts(image, target, "process", view.kind)["status"] in RUNNING_OK


def _with_source(item: Mapping[str, Any], view: HostView, registry: object, verdicts: Verdicts) -> dict[str, Any]:
    """A finding with ``image_source`` (the host store's build it judged) and, with REGISTRY, ``after_pull``.

    The fix becomes "pull again" only when the entry the engine pulls on the target runs there with process
    isolation (Docker's puller may pick an older build that does not).
    """
    answer: dict[str, Any] = {"source": "host", "digest": None}
    out = {**item, "image_source": "host", "image_digest": None, "image_build_guess": False}
    image = item.get("image")
    if registry is not None and image and view.target is not None:
        pulled = image_source(str(image), registry, node=view.target, rules=_puller(verdicts.rules))
        if pulled["source"] == "registry":
            out["after_pull"] = {
                key: pulled.get(key) for key in ("version", "digest", "list_digest", "no_matching_manifest")
            }
            if pulled.get("version") and _runs(verdicts, str(pulled["version"]), view):
                out["fix"] = (
                    f"pull {image} again after the update: the registry serves {pulled['version']} "
                    f"({pulled.get('digest')}) for {view.target.version}; or {item.get('fix')}"
                )
    out["image_source_label"] = source_label(answer)
    return out


def _revision_change_findings(view: HostView) -> list[dict[str, Any]]:
    """On a host whose containers need its exact revision (build 14393), one finding per process-isolated container
    of the host's build: pending updates change the revision and stop it."""
    found: list[dict[str, Any]] = []
    if view.build is None or not same_revision_required(view.build):
        return found
    for container in containers_of(view):
        image = safe_version(container.get("image_os_version"))
        isolation = container_isolation(view, container)
        if isolation != "process" or image is None or image.build != view.build:
            continue
        found.append(
            container_finding(
                "update_impact",
                "high",
                view,
                container,
                f"the pending updates change the revision of this Windows Server 2016 host ({view.version}); "
                f"process-isolated image {container.get('image')} ({image.version}) needs the exact revision",
                "rebuild the image on the base image of the new revision (pin it with the base_image_tag filter, "
                "pin='version'), or run it with Hyper-V isolation",
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
    registry: object = None,
) -> dict[str, Any]:
    """What a pending update (or in-place upgrade) does to the running containers of one host.

    With a ``target`` version, every running container is judged on it. Without one, pending updates
    still change the update revision: on Windows Server 2016 (build 14393) that stops every
    process-isolated container, whose image must carry the host's exact revision.

    Every finding says where the image's build came from (``image_source``: the host's image store). With
    ``registry`` (``registry_image_info``'s result) and a target, each finding also predicts what a fresh pull of
    the image's reference gives on the target build (``after_pull``: the entry's digest and build, or
    ``no_matching_manifest``): a manifest list with an entry for the target only needs a re-pull.

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
    if view.target is None and updates_pending:
        found += _revision_change_findings(view)
    found += _still_newer_after(view)
    found = [_with_source(item, view, registry, verdicts) for item in found]
    return {
        "host": name,
        "host_version": view.version,
        "target_version": view.target.version if view.target else None,
        "findings": found,
        "breaks": bool(found),
        "containers": len(containers_of(view)),
    }
