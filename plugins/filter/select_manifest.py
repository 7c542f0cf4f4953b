"""The manifest-list entry a real engine pulls for a host. Documentation: ``select_manifest.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import select_manifest
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.select_manifest`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"select_manifest": core_filter(select_manifest, "select_manifest")}
