"""The Windows base image tag to put in FROM for a host. Documentation: ``base_image_tag.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.tags import base_image_tag
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


class FilterModule:
    """The ``wincontainers.compat.base_image_tag`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"base_image_tag": core_filter(base_image_tag, "base_image_tag")}
