"""Whether a Windows container image runs on a host, under each rule set. Documentation: ``container_compat.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.container_compat`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"container_compat": core_filter(container_compat, "container_compat")}
