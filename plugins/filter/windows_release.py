"""The release catalog entry of a Windows version, build or release name. Documentation: ``windows_release.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.windows_release`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"windows_release": core_filter(windows_release, "windows_release")}
