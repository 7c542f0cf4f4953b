"""Monthly base images an image is behind, from a base repository's tags. Documentation: ``base_image_currency.yml``."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import RegistryError, base_image_currency
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


def _currency(tags: Any, image: object, repository: str = "", max_behind: int = 0) -> dict[str, Any]:
    """``base_image_currency`` over a tag list or a ``registry_image_info`` ``tag_lists`` entry."""
    if isinstance(tags, Mapping):
        if tags.get("error"):
            raise RegistryError(f"the tag list could not be read: {tags['error']}")
        tags = tags.get("tags")
    if not isinstance(tags, list):
        raise RegistryError(
            f"expected a list of tags or a registry_image_info tag_lists entry; got {type(tags).__name__}"
        )
    if len(tags) > 100_000:
        raise RegistryError(f"the tag list holds {len(tags)} tags; at most 100000 are read")
    return base_image_currency(tags, image, repository, max_behind)


class FilterModule:
    """The ``wincontainers.compat.base_image_currency`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"base_image_currency": core_filter(_currency, "base_image_currency")}
