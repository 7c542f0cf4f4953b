"""Whether a Windows container image runs on a host, under each rule set. Documentation: ``container_compat.yml``."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import registry_image_version
from ansible_collections.wincontainers.compat.plugins.plugin_utils.filters import core_filter


def _container_compat(
    image: object, host: object, isolation: str = "process", host_kind: str = "server", rules: str = "documented"
) -> dict[str, Any]:
    """``container_compat``, also for a ``registry_image_info`` entry (judged by the entry the engine pulls)."""
    return container_compat(registry_image_version(image, host, rules), host, isolation, host_kind, rules)


class FilterModule:
    """The ``wincontainers.compat.container_compat`` filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"container_compat": core_filter(_container_compat, "container_compat")}
