"""A Windows version from any form a tool or a person writes. Documentation: ``windows_version.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.version import windows_version
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.windows_version`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"windows_version": core_filter(windows_version, "windows_version")}
