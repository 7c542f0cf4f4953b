"""The tags of a Windows base image repository that run on a host. Documentation: ``compatible_image_tags.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.tags import compatible_image_tags
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.compatible_image_tags`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"compatible_image_tags": core_filter(compatible_image_tags, "compatible_image_tags")}
