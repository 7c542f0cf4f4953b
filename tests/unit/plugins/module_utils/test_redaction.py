"""Table-driven and property tests of the one redaction the collection applies to what it shows."""

from __future__ import annotations

import gc
import json
import time
from typing import Any, Callable

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.redaction import MASK, redact, redact_text
from hypothesis import assume, given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://user:pass@proxy:3128", f"http://user:{MASK}@proxy:3128"),
        ("https://:secret@host", f"https://:{MASK}@host"),
        ("https://TOKEN@host/v2/", f"https://{MASK}@host/v2/"),
        # The userinfo ends at the LAST "@" of the authority: the password keeps "@" and ":".
        ("https://ci:p@ss:w@rd@mirror.example.com:5000/x", f"https://ci:{MASK}@mirror.example.com:5000/x"),
        ("https://tok@en@host", f"https://{MASK}@host"),
        ("tcp://x:y@h:2376", f"tcp://x:{MASK}@h:2376"),
        ("SOCKS5://u:p@10.0.0.1:1080", f"SOCKS5://u:{MASK}@10.0.0.1:1080"),
        ("git+ssh://deploy:k3y@git.example.com/repo", f"git+ssh://deploy:{MASK}@git.example.com/repo"),
        ("https://[::1]:5000", "https://[::1]:5000"),
        ("https://u:p@[fe80::1]:5000", f"https://u:{MASK}@[fe80::1]:5000"),
        # The "@" of a path, query or fragment is not userinfo.
        ("https://mirror.example.com/a@b?c=d@e#f@g", "https://mirror.example.com/a@b?c=d@e#f@g"),
        ("https://@host", "https://@host"),
        ("mailto:ops@example.com", "mailto:ops@example.com"),
        # Several URLs in one text (docker's stderr), and one URL right after another's "://".
        (
            'proxyconnect tcp: dial "http://a:b@p1:3128" then https://TOKEN@p2 failed',
            f'proxyconnect tcp: dial "http://a:{MASK}@p1:3128" then https://{MASK}@p2 failed',
        ),
        ("x://y://TOKEN@host", f"x://y://{MASK}@host"),
        ("no url here", "no url here"),
        ("", ""),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"http-proxy": "http://u:p@proxy:3128"}, {"http-proxy": f"http://u:{MASK}@proxy:3128"}),
        # Go reads a proxy without a scheme as http://: under a proxy key the value is an authority.
        ({"https-proxy": "u:p@proxy:3128"}, {"https-proxy": f"u:{MASK}@proxy:3128"}),
        ({"HTTP-PROXY": "TOKEN@proxy"}, {"HTTP-PROXY": f"{MASK}@proxy"}),
        (
            {"proxies": {"http-proxy": "socks5://u:p@s:1080", "no-proxy": "a@b"}},
            {"proxies": {"http-proxy": f"socks5://u:{MASK}@s:1080", "no-proxy": "a@b"}},
        ),
        (
            {"registry-mirrors": ["https://ci:s3cret@m1", "https://m2"]},
            {"registry-mirrors": [f"https://ci:{MASK}@m1", "https://m2"]},
        ),
        (
            {"log-opts": {"splunk-token": "0a1b", "splunk-url": "https://splunk:8088"}},
            {"log-opts": {"splunk-token": MASK, "splunk-url": "https://splunk:8088"}},
        ),
        ({"password": "", "token": None}, {"password": "", "token": None}),
        ({"https://u:p@key": 1}, {f"https://u:{MASK}@key": 1}),
        (("tcp://a:b@h",), [f"tcp://a:{MASK}@h"]),
        ({"a": [{"b": ["tcp://x:y@h"]}]}, {"a": [{"b": [f"tcp://x:{MASK}@h"]}]}),
        ({"n": 1, "f": 1.5, "t": True, "z": None}, {"n": 1, "f": 1.5, "t": True, "z": None}),
    ],
)
def test_redact_values(value: Any, expected: Any) -> None:
    assert redact(value) == expected


def test_redact_masks_what_is_too_deep_to_walk() -> None:
    deep: Any = "https://u:secret@h"
    for _level in range(500):
        deep = [deep]
    assert "secret" not in json.dumps(redact(deep))


def test_redact_does_not_modify_its_input() -> None:
    value = {"registry-mirrors": ["https://u:p@m"]}
    redact(value)
    assert value == {"registry-mirrors": ["https://u:p@m"]}


# What RFC 3986 allows in a userinfo, plus the raw "@" and ":" people type into passwords.
USERINFO_CHARS = "abcXYZ019-._~!$&'()+,;=%@:"  # no "*": a secret of stars would match the mask
secrets = st.text(alphabet=USERINFO_CHARS, min_size=6, max_size=24)
users = st.text(alphabet="abcdefXYZ0123-._~", min_size=0, max_size=8)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){0,2}(:[0-9]{1,5})?", fullmatch=True)
schemes = st.sampled_from(["http", "https", "tcp", "socks5", "SOCKS5h", "unix+tcp", "ftp"])
tails = st.sampled_from(["", "/", "/v2/", "/p?q=1", "#f", "?x=a@b"])
fillers = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="@"), max_size=12)


@st.composite
def urls_with_a_secret(draw: st.DrawFn) -> tuple[str, str]:
    """A URL whose password (``user:SECRET@``) or token (``SECRET@``) is the returned secret."""
    secret, host = draw(secrets), draw(hosts)
    if draw(st.booleans()):
        userinfo = f"{draw(users)}:{secret}"
    else:
        secret = secret.replace(":", "")
        assume(len(secret) >= 6)
        userinfo = secret
    return f"{draw(schemes)}://{userinfo}@{host}{draw(tails)}", secret


@st.composite
def documents_with_secrets(draw: st.DrawFn) -> tuple[Any, list[str]]:
    """A daemon.json-like document holding URLs with secrets in text, lists and nested objects."""
    found = draw(st.lists(urls_with_a_secret(), min_size=1, max_size=4))
    texts = [f"{draw(fillers)} {url} {draw(fillers)}" if draw(st.booleans()) else url for url, _secret in found]
    keys = draw(
        st.lists(
            st.sampled_from(["registry-mirrors", "http-proxy", "labels", "x", "proxies"]),
            min_size=len(texts),
            max_size=len(texts),
        )
    )
    document: dict[str, Any] = {"debug": True}
    for key, text in zip(keys, texts):
        document.setdefault(key, [])
        if isinstance(document[key], list):
            document[key].append({"nested": [text]} if draw(st.booleans()) else text)
    hidden = [secret for _url, secret in found]
    if draw(st.booleans()):  # a proxy without a scheme, which Go reads as http://
        secret = draw(secrets)
        document["proxies"] = {"https-proxy": f"{draw(users)}:{secret}@{draw(hosts)}"}
        hidden.append(secret)
    return document, hidden


@given(documents_with_secrets())
def test_no_generated_secret_survives_redaction(case: tuple[Any, list[str]]) -> None:
    document, hidden = case
    shown = json.dumps(redact(document), ensure_ascii=False)
    written = json.dumps(document, ensure_ascii=False)
    for secret in hidden:
        assume(written.count(secret) == 1)  # a secret that is also a host name or filler proves nothing
        assert secret not in shown


@given(urls_with_a_secret())
def test_redaction_is_idempotent_and_keeps_the_host(case: tuple[str, str]) -> None:
    url, _secret = case
    once = redact_text(url)
    assert redact_text(once) == once
    assert once.split("@")[-1] == url.split("@")[-1]


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="@")))
def test_text_without_at_sign_is_unchanged(text: str) -> None:
    assert redact_text(text) == text


def _seconds(function: Callable[[str], object], text: str) -> float:
    """The best of five timings, the garbage collector off: the least noise a shared machine allows."""
    best = float("inf")
    gc.disable()
    try:
        for _attempt in range(5):
            start = time.perf_counter()
            function(text)
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("unit", ["a", "://", "a:", "@", "://a:", "x://u:p@", "://:@/", "a" * 7 + "@"])
def test_redaction_time_grows_linearly(unit: str) -> None:
    """Ten times the input costs about ten times the time (up to ~40 on a loaded machine), never a hundred.

    The redaction before this one took 118 times as long for ``"a" * 100_000`` as for ``"a" * 10_000``.
    """
    small, large = unit * (10_000 // len(unit)) + "@", unit * (100_000 // len(unit)) + "@"
    ratio = _seconds(redact_text, large) / max(_seconds(redact_text, small), 1e-6)
    assert ratio < 60, f"{unit!r}: 10x the input took {ratio:.0f}x the time"
