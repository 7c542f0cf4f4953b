"""Pure merge of settings into a Docker ``daemon.json``.

Only the keys a caller names are touched: every other key keeps its value and its place. ``exec-opts``
is a list of ``name=value`` entries that dockerd reads by option name (case-insensitively, the value
after the first ``=``, both trimmed), so it is managed per option name: setting ``isolation=hyperv``
replaces an ``isolation=process`` entry in place and keeps every other entry.

The same functions run inside the POSIX module on the target and in the action plugin on the
controller for Windows targets, so there is one merge implementation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError, describe

EXEC_OPTS = "exec-opts"
POSIX_PATH = "/etc/docker/daemon.json"
WINDOWS_PATH = "C:\\ProgramData\\docker\\config\\daemon.json"
BOM = "\ufeff"

# exec-opts whose values dockerd checks at start (moby daemon/daemon_windows.go and daemon_unix.go), lower case.
KNOWN_EXEC_OPT_VALUES: dict[str, tuple[str, ...]] = {
    "isolation": ("process", "hyperv", "default"),
    "native.cgroupdriver": ("cgroupfs", "systemd"),
}

ARGUMENT_SPEC: dict[str, Any] = {
    "path": {"type": "str"},
    "settings": {"type": "dict", "default": {}},
    "exec_opts": {"type": "dict", "default": {}},
    "remove": {"type": "list", "elements": "str", "default": []},
    "backup": {"type": "bool", "default": False},
}


class DaemonJsonError(WinCompatError):
    """A daemon.json, or a setting asked of it, is not what dockerd reads."""


@dataclass(frozen=True)
class DaemonJsonPlan:
    """What a merge would do: the parsed file before, the wanted content after, and their texts."""

    before: Optional[dict[str, Any]]
    after: dict[str, Any]
    before_text: str
    after_text: str
    changed: bool
    warnings: list[str] = field(default_factory=list)


def parse_daemon_json(text: Optional[str], path: str = "daemon.json") -> Optional[dict[str, Any]]:
    """Parse the text of a daemon.json; ``None`` (no file) stays ``None``, blank text is ``{}``.

    A UTF-8 byte order mark (Notepad writes one) is ignored, as dockerd does since 23.0 (moby/moby#44770).
    """
    if text is None:
        return None
    body = text[1:] if text.startswith(BOM) else text
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise DaemonJsonError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            'expected a JSON object such as {"exec-opts": ["isolation=hyperv"]}. The file was left untouched'
        ) from exc
    if not isinstance(data, dict):
        raise DaemonJsonError(f"{path} holds a JSON {type(data).__name__}, expected a JSON object")
    return data


def split_exec_opt(entry: object) -> Optional[tuple[str, str]]:
    """Return ``(lower-cased name, value)`` of an ``exec-opts`` entry as dockerd reads it, or ``None``."""
    if not isinstance(entry, str) or "=" not in entry:
        return None
    name, value = entry.split("=", 1)
    return name.strip().lower(), value.strip()


def _check_option_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or "=" in name:
        raise DaemonJsonError(f"exec_opts names must be non-empty strings without '='; got {describe(name)}")
    return name.strip()


def _check_option_value(name: str, value: object) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DaemonJsonError(f"exec_opts.{name} must be a string (or null to remove it); got {describe(value)}")
    text = str(value).strip()
    allowed = KNOWN_EXEC_OPT_VALUES.get(name.lower())
    if allowed and text.lower() not in allowed:
        raise DaemonJsonError(
            f"exec_opts.{name} must be one of {', '.join(allowed)} (dockerd refuses to start otherwise); got {text!r}"
        )
    return text


def merge_exec_opts(current: object, wanted: Mapping[str, object]) -> list[Any]:
    """Set or remove (value ``None``) ``exec-opts`` entries by option name, keeping every other entry.

    An entry that already carries the wanted value keeps its exact text; the first entry of a name is
    replaced in place, later duplicates of that name are dropped; a new name is appended.
    """
    if current is None:
        entries: list[Any] = []
    elif isinstance(current, list):
        entries = list(current)
    else:
        raise DaemonJsonError(
            f"{EXEC_OPTS} in daemon.json must be a list of 'name=value' strings; got {describe(current)}"
        )
    for raw_name, raw_value in wanted.items():
        name = _check_option_name(raw_name)
        value = _check_option_value(name, raw_value)
        entries = _set_exec_opt(entries, name, value)
    return entries


def _set_exec_opt(entries: list[Any], name: str, value: Optional[str]) -> list[Any]:
    result: list[Any] = []
    placed = value is None
    for entry in entries:
        parsed = split_exec_opt(entry)
        if parsed is None or parsed[0] != name.lower():
            result.append(entry)
        elif not placed:
            result.append(entry if parsed[1] == value else f"{name}={value}")
            placed = True
    if not placed:
        result.append(f"{name}={value}")
    return result


def merge_daemon_json(
    current: Optional[Mapping[str, Any]],
    settings: Optional[Mapping[str, Any]] = None,
    exec_opts: Optional[Mapping[str, object]] = None,
    remove: Sequence[str] = (),
) -> dict[str, Any]:
    """Return ``current`` with ``settings`` set, ``exec_opts`` merged by name and ``remove`` keys deleted."""
    settings = dict(settings or {})
    if EXEC_OPTS in settings:
        raise DaemonJsonError(
            f"settings must not contain {EXEC_OPTS!r} (a list dockerd reads by option name); "
            f"use exec_opts, e.g. exec_opts: {{isolation: hyperv}}; got {describe(settings[EXEC_OPTS])}"
        )
    clash = sorted(set(settings) & set(remove))
    if clash:
        raise DaemonJsonError(f"keys both set and removed: {', '.join(clash)}; expected each key in one of them")
    result: dict[str, Any] = dict(current or {})
    result.update(settings)
    for key in remove:
        result.pop(key, None)
    if exec_opts:
        merged = merge_exec_opts(result.get(EXEC_OPTS), exec_opts)
        if merged or EXEC_OPTS in result:
            result[EXEC_OPTS] = merged
    return result


def render_daemon_json(config: Mapping[str, Any]) -> str:
    """Render a daemon.json the way people write it: two-space indent, keys in their order, final newline."""
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def plan_daemon_json(
    text: Optional[str],
    path: str,
    settings: Optional[Mapping[str, Any]] = None,
    exec_opts: Optional[Mapping[str, object]] = None,
    remove: Sequence[str] = (),
) -> DaemonJsonPlan:
    """Decide the new content of the daemon.json at ``path`` whose current text is ``text`` (``None``: absent)."""
    before = parse_daemon_json(text, path)
    after = merge_daemon_json(before, settings, exec_opts, remove)
    changed = after != (before or {})
    warnings = []
    if text is not None and text.startswith(BOM):
        warnings.append(
            f"{path} starts with a UTF-8 byte order mark, which dockerd before 23.0 rejects; a rewrite drops it"
        )
    return DaemonJsonPlan(
        before=before,
        after=after,
        before_text=text[1:] if text and text.startswith(BOM) else (text or ""),
        after_text=render_daemon_json(after) if changed else (text or ""),
        changed=changed,
        warnings=warnings,
    )


def plan_result(plan: DaemonJsonPlan, path: str, *, diff: bool) -> dict[str, Any]:
    """Shape a plan as the module's result (``diff`` with the JSON texts when asked)."""
    result: dict[str, Any] = {
        "changed": plan.changed,
        "path": path,
        "config": plan.after,
        "previous_config": plan.before,
    }
    if plan.warnings:
        result["warnings"] = list(plan.warnings)
    if diff:
        result["diff"] = {
            "before": plan.before_text,
            "after": plan.after_text,
            "before_header": path,
            "after_header": path,
        }
    return result
