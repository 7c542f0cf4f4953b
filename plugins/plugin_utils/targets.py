"""What the controller knows about a target from its connection."""

from __future__ import annotations

from typing import Any


def is_windows_target(connection: Any) -> bool:
    """Whether the target runs Windows: its shell plugin is one of Windows' (``powershell``, or ``cmd`` that
    ansible-core's winrm connection uses from 2.19 on), as ansible-core's own Windows action plugins decide."""
    return bool(getattr(connection._shell, "_IS_WINDOWS", False))
