"""Exception types of the core. Every message names the offending input and what was expected."""

from __future__ import annotations

import reprlib
from collections.abc import Mapping


class WinCompatError(ValueError):
    """Base class of every error the core raises on bad input."""


class VersionParseError(WinCompatError):
    """A value could not be read as a Windows version."""


class UnknownReleaseError(WinCompatError):
    """A release name, alias or tag is not in the catalog."""


class ImageReferenceError(WinCompatError):
    """An image reference or tag is malformed, or no variant of it exists for a host."""


class CatalogError(WinCompatError):
    """A user's catalog file is unreadable or an entry of it breaks the catalog's schema."""


class OptionError(WinCompatError):
    """An option (isolation, host_kind, rules, repo, pin ...) has a value outside its choices."""


class _BoundedRepr(reprlib.Repr):
    """``repr`` that stays short and safe on any input: deep nesting, huge integers, subclasses of dict and list."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = 6
        self.maxstring = self.maxother = self.maxlong = 80

    def repr1(self, x: object, level: int) -> str:
        if isinstance(x, bool) or x is None:
            return repr(x)
        if isinstance(x, int):
            if x.bit_length() > 256:
                return f"<an integer of {x.bit_length()} bits>"
            return repr(int(x))
        if isinstance(x, (str, bytes)):
            return repr(x[: self.maxstring + 1])
        if isinstance(x, Mapping):
            return self.repr_dict(x, level)  # type: ignore[arg-type]
        if isinstance(x, list):
            return self.repr_list(x, level)
        if isinstance(x, tuple):
            return self.repr_tuple(x, level)
        return super().repr1(x, level)


_REPR = _BoundedRepr()


def describe(value: object, limit: int = 80) -> str:
    """Return a short, quoted rendering of ``value`` for error messages (at most ``limit`` characters)."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_choice(option: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`OptionError` naming the option."""
    if isinstance(value, str) and value in choices:
        return value
    raise OptionError(f"{option} must be one of {', '.join(choices)}; got {describe(value)}")
