"""Reading a user's catalog file and making it the active catalog: the edge of ``catalog_extension``.

Used by the modules (their ``catalog`` option) and, through ``plugin_utils/catalog.py``, by the filters, the
test and the action plugins (the ``WINCONTAINERS_CATALOG`` environment variable). A file is read once per
process while its size and modification time stay the same.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

from ansible.module_utils.basic import env_fallback
from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_extension import extend_catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import CatalogError

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core; a JSON file still works without it
    yaml = None

ENV_VAR = "WINCONTAINERS_CATALOG"
# The ``catalog`` option of the modules (documented by the ``wincontainers.compat.catalog`` doc fragment).
CATALOG_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {"catalog": {"type": "path", "fallback": (env_fallback, [ENV_VAR])}}
_read: dict[str, tuple[tuple[int, int], tuple[dict, ...]]] = {}


def _document(path: str) -> Any:
    """What YAML (or JSON, when PyYAML is missing) makes of the file at ``path``."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the catalog file ({exc})") from exc
    try:
        return yaml.safe_load(text) if yaml is not None else json.loads(text)
    except (ValueError, getattr(yaml, "YAMLError", ValueError)) as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from exc


def load_catalog_file(path: str) -> tuple[dict, ...]:
    """The collection's catalog extended by the file at ``path``; raises ``CatalogError`` naming the file."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the catalog file ({exc.strerror or exc})") from exc
    key = (stat.st_size, stat.st_mtime_ns)
    known = _read.get(path)
    if known is not None and known[0] == key:
        return known[1]
    entries = extend_catalog(_document(path), path)
    _read[path] = (key, entries)
    return entries


def use_catalog_file(path: Optional[str]) -> None:
    """Make the collection's catalog, extended by the file at ``path`` (none: not extended), the active one.

    This is the one place a catalog file is chosen; ``catalog.activate`` is the one place it becomes active.
    """
    catalog.activate(load_catalog_file(path) if path else None)


def use_environment_catalog() -> None:
    """Use the catalog file ``WINCONTAINERS_CATALOG`` names (the collection's own when it is unset or empty)."""
    use_catalog_file(os.environ.get(ENV_VAR) or None)
