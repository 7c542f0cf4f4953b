"""The catalog the controller uses: the collection's own, extended by the file ``WINCONTAINERS_CATALOG`` names.

Filters, the test and the action plugins call :func:`use_catalog` before they ask the core anything, so they
all see the same catalog; an action plugin passes its ``catalog`` option, which wins over the variable.
"""

from __future__ import annotations

from typing import Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import (
    ENV_VAR,
    use_catalog_file,
    use_environment_catalog,
)

__all__ = ["ENV_VAR", "use_catalog"]


def use_catalog(path: Optional[str] = None) -> None:
    """Activate the catalog file ``path``, else the one ``WINCONTAINERS_CATALOG`` names, else the collection's.

    Raises:
        CatalogError: the file is unreadable or breaks the schema (the message names the file, entry and field).
    """
    if path:
        use_catalog_file(path)
    else:
        use_environment_catalog()
