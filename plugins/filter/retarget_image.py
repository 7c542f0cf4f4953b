"""The same image reference, for the Windows release of a host. Documentation: ``retarget_image.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.tags import retarget_image
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.retarget_image`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"retarget_image": core_filter(retarget_image, "retarget_image")}
