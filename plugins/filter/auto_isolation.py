"""The default isolation the ``auto`` policy wants for a host. Documentation: ``auto_isolation.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import auto_isolation
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.auto_isolation`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"auto_isolation": core_filter(auto_isolation, "auto_isolation")}
