"""Base image currency: images whose Windows base is behind the newest monthly image of its release."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import Policy
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, WinCompatError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import by_severity, finding
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    base_image_currency,
    pinned_revisions,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import safe_version

CHECK = "base_image_stale"
MEDIUM_FROM = 3  # monthly images behind (a quarter of security updates) from which the finding is medium


def tag_lists_of(registry: object) -> dict[str, list[str]]:
    """The usable ``tag_lists`` of a ``registry_image_info`` result: repository -> tags; errored lists are left out.

    Raises:
        OptionError: ``tag_lists`` is given but is not a mapping of ``{tags, error}`` entries.
    """
    lists = registry.get("tag_lists") if isinstance(registry, Mapping) else None
    if lists is None:
        return {}
    if not isinstance(lists, Mapping):
        shown = describe(lists)
        raise OptionError(f"registry.tag_lists must be a mapping of repository -> {{tags, error}}; got {shown}")
    usable = {}
    for repository, entry in sorted(lists.items()):
        tags = entry.get("tags") if isinstance(entry, Mapping) else entry
        if isinstance(entry, Mapping) and entry.get("error"):
            continue
        if not isinstance(tags, list):
            raise OptionError(f"registry.tag_lists[{repository}] must hold a list of tags; got {describe(tags)}")
        usable[str(repository)] = [str(tag) for tag in tags]
    return usable


def _repository(ref: str) -> str:
    name = ref.split("@", 1)[0]
    slash = name.rfind("/") + 1  # a registry port (localhost:5000/app) is before the last slash
    return name[:slash] + name[slash:].split(":", 1)[0]


def _tag_list_for(ref: str, build: int, lists: Mapping[str, list[str]]) -> tuple[Optional[str], bool]:
    """The list that tells ``ref``'s base revisions, and whether choosing it was a guess.

    The image's own repository, else the repository its name sits under (``servercore/iis`` under
    ``servercore``): both are known. Otherwise the base repository is not known, and the first list (by name)
    that publishes monthly images of ``build`` is assumed (every Windows base repository publishes the same
    monthly revisions, so the count holds; the tag to rebuild on names the assumed repository).
    """
    own = _repository(ref)
    known = [name for name in lists if own == name or own.startswith(name + "/")]
    for name in sorted(known, key=len, reverse=True):
        if pinned_revisions(lists[name], build):
            return name, False
    assumed = next((name for name, tags in lists.items() if pinned_revisions(tags, build)), None)
    return assumed, assumed is not None


def _column_versions(column: Mapping[str, Any]) -> list[str]:
    builds = column.get("builds")
    if isinstance(builds, list):
        return [str(version) for version in builds]
    return [str(column["version"])] if column.get("version") else []


def _stale_finding(
    ref: str, version: str, repository: str, assumed: bool, currency: Mapping[str, Any]
) -> dict[str, Any]:
    behind = currency["behind"]
    severity = "medium" if behind >= MEDIUM_FROM else "low"
    newest = f"10.0.{currency['build']}.{currency['newest_revision']}"
    source = f"{repository} (assumed: the image's base repository is not known)" if assumed else repository
    rebuild_on = currency["rebuild_on"]
    fix = (
        f"rebuild {ref} on the {newest} image of its base repository ({rebuild_on} if it is {repository}) "
        "and redeploy it"
        if assumed
        else f"rebuild {ref} on {rebuild_on} and redeploy it"
    )
    return finding(
        CHECK,
        severity,
        f"image {ref}",
        None,
        f"image {ref} is built on {version}, {behind} monthly image(s) behind the newest {newest} of {source}",
        fix,
        image=ref,
        behind=behind,
        rebuild_on=rebuild_on,
        base_repository=repository,
        base_repository_assumed=assumed,
        suite="images",
    )


def base_image_findings(
    columns: Sequence[Mapping[str, Any]], registry: object, max_behind: int
) -> list[dict[str, Any]]:
    """A ``base_image_stale`` finding per image build more than ``max_behind`` monthly images behind its release.

    The newest revision comes from the registry's ``tag_lists`` (``registry_image_info``) only: without them, or
    for an image whose version has no revision or whose build no list publishes, there is no finding (nothing is
    guessed). The arithmetic is ``registry.base_image_currency``'s.
    """
    lists = tag_lists_of(registry)
    found = []
    for column in columns if lists else []:
        ref = str(column["ref"])
        for version in _column_versions(column):
            parsed = safe_version(version)
            if parsed is None or parsed.revision is None:
                continue
            repository, assumed = _tag_list_for(ref, parsed.build, lists)
            if repository is None:
                continue
            try:
                currency = base_image_currency(lists[repository], parsed.version, repository, max_behind)
            except WinCompatError:
                continue
            if currency["stale"]:
                found.append(_stale_finding(ref, parsed.version, repository, assumed, currency))
    return found


def with_base_image_currency(
    findings: Sequence[dict[str, Any]], columns: Sequence[Mapping[str, Any]], registry: object, policy: Policy
) -> list[dict[str, Any]]:
    """``findings`` plus the ``base_image_stale`` findings of ``columns``, worst first as the report ranks them."""
    extra = base_image_findings(columns, registry, policy.base_image_max_behind)
    if not extra:
        return list(findings)
    return by_severity([*findings, *extra], within=lambda f: (f.get("host") or "", f["check"], f["subject"]))
