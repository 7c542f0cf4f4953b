"""Bounds on what the parsers accept: text length, nesting depth and number size, checked before any work.

Every public filter and test reads user data (command output, task results, manifest JSON). These limits keep
each of them linear in its input and free of ``RecursionError`` and of Python's int-string conversion limit.
"""

from __future__ import annotations

import re
from typing import Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError, describe

MAX_TEXT = 4 * 1024 * 1024  # characters: far above any command output, log excerpt or manifest list
MAX_DEPTH = 32  # nesting of dicts and lists: real inputs (task results, node objects, manifests) stay below 8
MAX_DIGITS = 20  # a DWORD has 10 decimal digits; longer runs of digits are no Windows version field

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def check_length(length: int, value: object, what: str) -> None:
    """Raise ``WinCompatError`` when ``value`` (whose text is ``length`` characters long) exceeds ``MAX_TEXT``."""
    if length > MAX_TEXT:
        raise WinCompatError(
            f"{what} {describe(value)} is {length} characters long; at most {MAX_TEXT} are read: pass the "
            "command's output or the error message, not a whole log"
        )


def check_depth(depth: int, value: object, what: str) -> None:
    """Raise ``WinCompatError`` when ``depth`` (levels of nesting seen so far) exceeds ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise WinCompatError(f"{what} {describe(value)} is nested more than {MAX_DEPTH} levels deep")


def ascii_int(text: str) -> Optional[int]:
    """The value of a run of ASCII digits of at most ``MAX_DIGITS``; None for anything else.

    ``str.isdigit()`` accepts ``'²'`` and full-width digits, which ``int()`` rejects or reads; neither is a
    Windows version field.
    """
    if 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None


def json_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """The bracket nesting depth of JSON ``text`` (strings skipped), counting no further than ``limit + 1``."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest
