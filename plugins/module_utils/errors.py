"""Exception types of the core. Every message names the offending input and what was expected."""

from __future__ import annotations


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


def describe(value: object, limit: int = 80) -> str:
    """Return a short, quoted rendering of ``value`` for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_choice(option: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`OptionError` naming the option."""
    if isinstance(value, str) and value in choices:
        return value
    raise OptionError(f"{option} must be one of {', '.join(choices)}; got {describe(value)}")
