"""The catalog entry of the release a value names: ``windows_release()``.

A release name or tag is looked up in the catalog; anything else is read by ``version.parse_windows_version``,
which owns the rule of which build numbers are valid, so ``windows_release`` and ``windows_version`` accept and
refuse the same builds.
"""

from __future__ import annotations

from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import UnknownReleaseError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version


def windows_release(value: object) -> dict:
    """Return the catalog entry of the release ``value`` names.

    ``value`` is a release alias or tag (``ltsc2022``, ``1809``, ``Windows 11 24H2``) or anything
    ``version.parse_windows_version`` accepts. Raises ``UnknownReleaseError`` for ambiguous names and
    ``VersionParseError`` for input that names no version (a build number out of range among them).
    """
    if isinstance(value, str):
        build = catalog.build_for_alias(value)
        if build is not None:
            return catalog.release_for_build(build)
        candidates = catalog.ambiguous_builds(value)
        if candidates:
            listed = ", ".join(f"{catalog.release_name(b)} ({b})" for b in candidates)
            raise UnknownReleaseError(
                f"{describe(value)} is ambiguous: it may mean {listed}; give the product name "
                "(for example 'Windows 11 21H2') or a version such as 10.0.22000"
            )
    return catalog.release_for_build(parse_windows_version(value).build)
