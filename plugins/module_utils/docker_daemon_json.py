"""Pure merge of settings into a Docker ``daemon.json``.

Only the keys a caller names are touched: every other key keeps its value and its place. ``exec-opts``
is a list of ``name=value`` entries that dockerd reads by option name (case-insensitively, the value
after the first ``=``, both trimmed), so it is managed per option name: setting ``isolation=hyperv``
replaces an ``isolation=process`` entry in place and keeps every other entry.

Reading follows dockerd (Go's ``encoding/json``): ``NaN``, ``Infinity`` and numbers beyond float64 are
refused (naming the key path) rather than rewritten as non-JSON; a key given twice in one object is
warned about, and its last value wins, as in dockerd. Values compare with their JSON types, so ``true``
is not ``1`` and ``1`` is not ``1.0`` (dockerd reads ``1.0`` into an integer setting as an error).
What is shown (``config``, ``previous_config``, the diff) is redacted; what is written is not.

The same functions run inside the POSIX module on the target and in the action plugin on the
controller for Windows targets, so there is one merge implementation.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.redaction import redact

EXEC_OPTS = "exec-opts"
POSIX_PATH = "/etc/docker/daemon.json"
WINDOWS_PATH = "C:\\ProgramData\\docker\\config\\daemon.json"
BOM = "\ufeff"
MAX_DEPTH = 100  # nesting levels of objects and lists accepted in a daemon.json or in settings

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
    shown_before: str = ""  # before_text as it may be shown: redacted, re-rendered when it held a secret
    shown_after: str = ""


class _Unreadable:
    """A number token dockerd cannot read (``NaN``, ``Infinity``, beyond float64), kept to name its place."""

    def __init__(self, token: str) -> None:
        self.token = token


def _parse_number(token: str, convert: type) -> Any:
    value = float(token)  # float() has no digit limit; int() refuses over 4300 digits
    return convert(token) if math.isfinite(value) else _Unreadable(token)


def _pointer(parent: str, key: object) -> str:
    """A JSON Pointer (RFC 6901) to ``key`` under ``parent``."""
    return f"{parent}/{str(key).replace('~', '~0').replace('/', '~1')}"


def _children(value: Any, at: str) -> list[tuple[Any, str]]:
    if isinstance(value, dict):
        return [(item, _pointer(at, key)) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [(item, _pointer(at, index)) for index, item in enumerate(value)]
    return []


def _unreadable_token(value: object) -> Optional[str]:
    if isinstance(value, _Unreadable):
        return value.token
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return None


def _check_json_value(value: Any, where: str, duplicates: Optional[Mapping[int, list[str]]] = None) -> list[str]:
    """Raise :class:`DaemonJsonError` for what dockerd cannot read in ``value``; return duplicate-key warnings.

    Refused: ``NaN``/``Infinity`` (as tokens or floats), numbers beyond float64, nesting deeper than
    ``MAX_DEPTH``. ``duplicates`` maps ``id()`` of parsed objects to their repeated keys. Iterative, so no
    value can exhaust the stack.
    """
    warnings: list[str] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, at, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DaemonJsonError(f"{where} is nested deeper than {MAX_DEPTH} levels at {at}; expected a flatter value")
        token = _unreadable_token(item)
        if token is not None:
            raise DaemonJsonError(
                f"{where} holds {describe(token, 24)} at {at or '/'}, a number dockerd cannot read "
                "(NaN, Infinity and numbers beyond 1.8e308 are not JSON numbers it accepts); expected a finite number"
            )
        for key in (duplicates or {}).get(id(item), []):
            warnings.append(
                f"{where}: key {key!r} appears more than once in the object at {at or '/'}; dockerd uses its last "
                "value, so does this module, and a rewrite keeps only that one"
            )
        stack.extend((child, pointer, depth + 1) for child, pointer in reversed(_children(item, at)))
    return warnings


def load_daemon_json(text: Optional[str], path: str = "daemon.json") -> tuple[Optional[dict[str, Any]], list[str]]:
    """Parse the text of a daemon.json as dockerd reads it; return the object and warnings (duplicate keys).

    ``None`` (no file) stays ``None``, blank text is ``{}``. A UTF-8 byte order mark (Notepad writes one) is
    ignored, as dockerd does since 23.0 (moby/moby#44770).
    """
    if text is None:
        return None, []
    body = text[1:] if text.startswith(BOM) else text
    if not body.strip():
        return {}, []
    repeated: list[tuple[dict[str, Any], list[str]]] = []  # holds the objects, so their ids stay unique

    def build_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) < len(pairs):
            repeated.append((built, [key for key, count in Counter(key for key, _value in pairs).items() if count > 1]))
        return built

    try:
        data = json.loads(
            body,
            object_pairs_hook=build_object,
            parse_constant=_Unreadable,
            parse_float=lambda token: _parse_number(token, float),
            parse_int=lambda token: _parse_number(token, int),
        )
    except json.JSONDecodeError as exc:
        raise DaemonJsonError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            'expected a JSON object such as {"exec-opts": ["isolation=hyperv"]}. The file was left untouched'
        ) from exc
    except RecursionError as exc:
        raise DaemonJsonError(f"{path} is nested too deeply to read; expected at most {MAX_DEPTH} levels") from exc
    if not isinstance(data, dict):
        raise DaemonJsonError(f"{path} holds a JSON {type(data).__name__}, expected a JSON object")
    warnings = _check_json_value(data, path, {id(obj): keys for obj, keys in repeated})
    return data, warnings


def parse_daemon_json(text: Optional[str], path: str = "daemon.json") -> Optional[dict[str, Any]]:
    """The object of :func:`load_daemon_json` without its warnings."""
    return load_daemon_json(text, path)[0]


_JSON_KINDS: tuple[tuple[type, str], ...] = ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"))


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return next((name for kind, name in _JSON_KINDS if isinstance(value, kind)), type(value).__name__)


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values with their types: ``true`` is not ``1``, ``1`` is not ``1.0``; key order is ignored."""
    kind = _json_kind(left)
    if kind != _json_kind(right):
        return False
    if kind == "array":
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right))
    if kind == "object":
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    return bool(left == right)


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
    _check_json_value(settings, "settings")
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
    return json.dumps(config, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def plan_daemon_json(
    text: Optional[str],
    path: str,
    settings: Optional[Mapping[str, Any]] = None,
    exec_opts: Optional[Mapping[str, object]] = None,
    remove: Sequence[str] = (),
) -> DaemonJsonPlan:
    """Decide the new content of the daemon.json at ``path`` whose current text is ``text`` (``None``: absent)."""
    before, duplicate_keys = load_daemon_json(text, path)
    after = merge_daemon_json(before, settings, exec_opts, remove)
    changed = not json_equal(after, before or {})
    warnings = list(duplicate_keys)
    if text is not None and text.startswith(BOM):
        warnings.append(
            f"{path} starts with a UTF-8 byte order mark, which dockerd before 23.0 rejects; a rewrite drops it"
        )
    before_text = text[1:] if text and text.startswith(BOM) else (text or "")
    after_text = render_daemon_json(after) if changed else (text or "")
    # The text itself may be shown only when it holds exactly what was parsed (no repeated key) and no secret.
    exact = not duplicate_keys
    return DaemonJsonPlan(
        before=before,
        after=after,
        before_text=before_text,
        after_text=after_text,
        changed=changed,
        warnings=warnings,
        shown_before=_shown_text(before, before_text, exact),
        shown_after=_shown_text(after, after_text, exact or changed),
    )


def _shown_text(config: Optional[dict[str, Any]], text: str, exact: bool) -> str:
    """``text`` when it can be shown as is, else ``config`` redacted and rendered."""
    if config is None:
        return text
    shown = redact(config)
    return text if exact and json_equal(shown, config) else render_daemon_json(shown)


def plan_result(plan: DaemonJsonPlan, path: str, *, diff: bool) -> dict[str, Any]:
    """Shape a plan as the module's result (``diff`` with the JSON texts when asked), secrets redacted."""
    result: dict[str, Any] = {
        "changed": plan.changed,
        "path": path,
        "config": redact(plan.after),
        "previous_config": redact(plan.before),
    }
    if plan.warnings:
        result["warnings"] = list(plan.warnings)
    if diff:
        result["diff"] = {
            "before": plan.shown_before,
            "after": plan.shown_after,
            "before_header": path,
            "after_header": path,
        }
    return result
