"""Classifies a Windows container error text and says how to fix it. Documentation: ``container_error.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.container_error import container_error
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.container_error`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"container_error": core_filter(container_error, "container_error")}
