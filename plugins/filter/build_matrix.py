"""The base images a fleet needs, one CI matrix row each. Documentation: ``build_matrix.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.build_matrix import build_matrix
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.build_matrix`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"build_matrix": core_filter(build_matrix, "build_matrix")}
