"""The ``compatible_with`` test: does a Windows image run on a host? Documentation: ``compatible_with.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import is_compatible
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class TestModule:
    """The ``wincontainers.compat.compatible_with`` test."""

    def tests(self) -> dict[str, Callable[..., Any]]:
        return {"compatible_with": core_filter(is_compatible, "compatible_with")}
