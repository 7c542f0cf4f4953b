"""Registry answers (``registry_image_info`` entries) shared by the unit tests of the planners."""

from __future__ import annotations

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import OCI_INDEX, image_result

D = {name: "sha256:" + name * 64 for name in "abcdef"}


def platform(version: str, digest: str) -> dict[str, Any]:
    """One Windows amd64 entry of a manifest list, as ``registry_image_info`` returns it."""
    return {"os": "windows", "architecture": "amd64", "variant": None, "os_version": version, "digest": digest}


# A list serving Windows Server 2019, 2022 and 2025 (one monthly image of each).
THREE_BUILDS = image_result(
    D["a"],
    OCI_INDEX,
    [platform("10.0.17763.6659", D["b"]), platform("10.0.20348.2966", D["c"]), platform("10.0.26100.2605", D["d"])],
)
