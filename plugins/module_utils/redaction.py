"""One redaction for everything the collection shows: credentials in URLs and values of secret-named keys.

A URL's credentials are its userinfo, the part of the authority (after ``://``, up to the first ``/``,
``?``, ``#`` or white space) before its LAST ``@``, as RFC 3986 and Go's ``net/url`` (hence dockerd)
read it; a password may therefore contain ``@`` and ``:``. ``user:password@`` keeps the user and masks
the password; a userinfo without ``:`` (``https://TOKEN@host``) is masked whole. Any scheme counts
(``http``, ``tcp``, ``socks5``, ...). Proxy settings may omit the scheme (``user:pw@proxy:3128``, which
Go reads as ``http://``): under a proxy key the value is read as an authority even without ``://``.
String values under keys named like a secret (``splunk-token``, ``password``) are masked whole.

Redaction is for what is shown (results, diffs, facts); what is written keeps the real values.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "********"
MAX_DEPTH = 200  # deeper values are masked whole rather than walked
PROXY_KEYS = frozenset({"http-proxy", "https-proxy", "ftp-proxy", "all-proxy"})
_SECRET_KEY = re.compile(r"(?:^|[-_.])(?:token|password|passwd|secret|passphrase)$", re.IGNORECASE)
# A literal "://" then the authority: a match is found by a literal search, so scanning stays linear.
# A ":" just before "//" starts the next URL ("a://b://TOKEN@host" holds two).
_AUTHORITY = re.compile(r"://(?P<authority>(?:[^/?#\s:]|:(?!//))*)")
_SCHEMELESS_AUTHORITY = re.compile(r"^(?P<authority>[^/?#\s]*)")


def _mask_authority(authority: str) -> str:
    """``user:pw@host`` as ``user:********@host``, ``token@host`` as ``********@host``; no userinfo: as is."""
    userinfo, at, host = authority.rpartition("@")
    if not at or not userinfo:
        return authority
    user, colon, _password = userinfo.partition(":")
    return f"{user}:{MASK}@{host}" if colon else f"{MASK}@{host}"


def redact_text(text: str) -> str:
    """Mask the credentials of every URL in ``text`` (any scheme, anywhere in the text)."""
    if "@" not in text:
        return text
    return _AUTHORITY.sub(lambda match: "://" + _mask_authority(match["authority"]), text)


def _redact_proxy(text: str) -> str:
    if "://" in text:
        return redact_text(text)
    return _SCHEMELESS_AUTHORITY.sub(lambda match: _mask_authority(match["authority"]), text, count=1)


def _redact_entry(key: Any, value: Any, depth: int) -> Any:
    if isinstance(key, str) and isinstance(value, str):
        if _SECRET_KEY.search(key):
            return MASK if value else value
        if key.lower() in PROXY_KEYS:
            return _redact_proxy(value)
    return _redact(value, depth + 1)


def _redact(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (list, tuple)):
        return [_redact(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_redact(key, depth + 1): _redact_entry(key, item, depth) for key, item in value.items()}
    return value


def redact(value: Any) -> Any:
    """``value`` (a JSON-like value: text, lists, mappings, nested) with every credential masked.

    Keys are redacted like values; mappings and lists come back as new ``dict``/``list`` objects, other
    values unchanged.
    """
    return _redact(value, 0)
