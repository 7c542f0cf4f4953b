"""Turns core functions into Jinja filters and tests: validate, call the core, convert its errors once."""

from __future__ import annotations

import functools
from typing import Any, Callable

from ansible.errors import AnsibleFilterError
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.plugin_utils.catalog import use_catalog


def core_filter(func: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """Wrap ``func`` so that it reads the catalog its ``catalog`` keyword (a path) or ``WINCONTAINERS_CATALOG``
    names, and the core's ``WinCompatError`` surfaces as ``AnsibleFilterError``."""
    label = name or func.__name__

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            use_catalog(kwargs.pop("catalog", None))
            return func(*args, **kwargs)
        except WinCompatError as exc:
            raise AnsibleFilterError(f"{label}: {exc}") from exc
        except TypeError as exc:
            raise AnsibleFilterError(f"{label}: {exc}") from exc

    return wrapper
