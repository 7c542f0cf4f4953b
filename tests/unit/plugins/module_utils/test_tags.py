"""Table-driven tests of image tags for a host, ``FROM`` tags, image reference parsing and retargeting.

Tag names follow the MCR tag lists of mcr.microsoft.com/windows/{servercore,nanoserver,server} and the derived
images that name their base (mcr.microsoft.com/dotnet/framework/aspnet ``4.8-windowsservercore-ltsc2019``,
mcr.microsoft.com/dotnet/runtime ``6.0-nanoserver-1809``); "nanoserver has no ltsc2019 tag, use 1809" comes from
Microsoft's "Windows container version compatibility" page ("Choose which container OS version to use").
"""

from __future__ import annotations

import contextlib

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    ImageReferenceError,
    OptionError,
    VersionParseError,
    WinCompatError,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    base_image_tag,
    compatible_image_tags,
    format_image_reference,
    image_repository,
    parse_image_reference,
    release_tag_of,
    retarget_image,
)
from hypothesis import given, settings
from hypothesis import strategies as st

COMPATIBLE_TAGS = [
    # (host, repo, isolation, host_kind, rules, expected tags, newest first)
    ("10.0.17763.5458", "servercore", "process", "server", "documented", ["ltsc2019", "1809"]),
    ("10.0.17763.5458", "nanoserver", "process", "server", "documented", ["1809"]),
    ("10.0.20348.2700", "servercore", "process", "server", "documented", ["ltsc2022"]),
    ("10.0.20348.2700", "server", "process", "server", "documented", ["ltsc2022"]),
    ("10.0.26100.1742", "servercore", "process", "server", "documented", ["ltsc2025", "ltsc2022"]),
    ("10.0.25398.1", "servercore", "process", "server", "documented", ["ltsc2022"]),
    ("10.0.22631.3296", "servercore", "process", "client", "documented", ["ltsc2022"]),
    ("10.0.26200.6899", "nanoserver", "process", "client", "documented", ["ltsc2025", "ltsc2022"]),
    ("10.0.26200.6899", "nanoserver", "process", "client", "containerd", ["ltsc2025", "ltsc2022"]),
    ("10.0.19045.3803", "servercore", "process", "client", "documented", []),
    ("10.0.14393.1914", "servercore", "process", "server", "documented", ["10.0.14393.1914"]),
    ("10.0.14393", "servercore", "process", "server", "documented", []),
    ("10.0.14393.1914", "servercore", "process", "server", "docker", ["ltsc2016"]),
    (
        "10.0.20348.2700",
        "servercore",
        "hyperv",
        "server",
        "documented",
        ["ltsc2022", "20H2", "2004", "1909", "1903", "ltsc2019", "1809", "1803", "1709", "ltsc2016"],
    ),
    ("10.0.20348.2700", "servercore", "hyperv", "server", "containerd", ["ltsc2022"]),
    ("10.0.17763.5458", "windows", "hyperv", "server", "documented", ["ltsc2019", "1809"]),
]


@pytest.mark.parametrize(("host", "repo", "isolation", "kind", "rules", "expected"), COMPATIBLE_TAGS)
def test_compatible_image_tags(host: str, repo: str, isolation: str, kind: str, rules: str, expected: list) -> None:
    assert compatible_image_tags(host, repo, isolation, kind, rules) == expected


@pytest.mark.parametrize(
    ("host", "repo", "pin", "tag"),
    [
        ("10.0.20348.2700", "servercore", "release", "ltsc2022"),
        ("10.0.17763.437", "servercore", "release", "ltsc2019"),
        ("10.0.17763.437", "nanoserver", "release", "1809"),  # nanoserver has no ltsc2019 tag
        ("10.0.26100.1742", "server", "release", "ltsc2025"),
        ("10.0.14393.1914", "servercore", "release", "ltsc2016"),
        ("10.0.14393.1914", "servercore", "version", "10.0.14393.1914"),
        ("10.0.17763.437", "nanoserver", "version", "10.0.17763.437"),
        ("Microsoft Windows [Version 10.0.22631.3296]", "servercore", "release", "ltsc2022"),  # Windows 11 23H2
        ("10.0.25398.1", "nanoserver", "release", "ltsc2022"),  # Windows Server 23H2 has no images of its own
        # Windows 11 25H2: ltsc2022, not ltsc2025 (reported to fail there with 0xc0370112, hcsshim#2566)
        ("10.0.26200.6899", "servercore", "release", "ltsc2022"),
        ("10.0.28000.1", "servercore", "release", "ltsc2022"),
        # Windows 10 22H2: no image runs with process isolation; the newest serviced one with Hyper-V (not 20H2)
        ("10.0.19045.3803", "servercore", "release", "ltsc2019"),
    ],
)
def test_base_image_tag(host: str, repo: str, pin: str, tag: str) -> None:
    assert base_image_tag(host, repo, pin) == tag


@pytest.mark.parametrize(
    ("host", "repo", "pin", "words"),
    [
        ("ltsc2022", "servercore", "version", ["revision", "pin='release'"]),
        ("10.0.22631.3296", "servercore", "version", ["no images of build 22631"]),
        ("10.0.17763.437", "server", "release", ["windows/server has no image", "ltsc2022"]),
    ],
)
def test_base_image_tag_errors(host: str, repo: str, pin: str, words: list) -> None:
    with pytest.raises(ImageReferenceError) as info:
        base_image_tag(host, repo, pin)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(("kwargs", "option"), [({"repo": "windowsservercore"}, "repo"), ({"pin": "kb"}, "pin")])
def test_base_image_tag_options(kwargs: dict, option: str) -> None:
    with pytest.raises(OptionError, match=option):
        base_image_tag("ltsc2022", **kwargs)


REFERENCES = [
    (
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019",
        (
            "mcr.microsoft.com",
            "dotnet/framework/aspnet",
            "dotnet/framework",
            "aspnet",
            "4.8-windowsservercore-ltsc2019",
        ),
    ),
    ("nanoserver:1809", (None, "nanoserver", None, "nanoserver", "1809")),
    ("localhost:5000/team/app:ltsc2019-amd64", ("localhost:5000", "team/app", "team", "app", "ltsc2019-amd64")),
    ("microsoft/nanoserver", (None, "microsoft/nanoserver", "microsoft", "nanoserver", None)),
    ("registry.example:443/a/b/c:v1.2_3", ("registry.example:443", "a/b/c", "a/b", "c", "v1.2_3")),
]


@pytest.mark.parametrize(("ref", "parts"), REFERENCES)
def test_parse_image_reference(ref: str, parts: tuple) -> None:
    parsed = parse_image_reference(ref)
    assert (parsed["registry"], parsed["path"], parsed["namespace"], parsed["repository"], parsed["tag"]) == parts
    assert parsed["digest"] is None
    assert format_image_reference(parsed) == ref


def test_parse_image_reference_with_digest() -> None:
    ref = (
        "mcr.microsoft.com/windows/nanoserver:1809@sha256:"
        + "fb17f0ecdf2fc3c06d5b3b8a661f9832580f1c381de0578960cf8abc4a4e605a"
    )
    parsed = parse_image_reference(ref)
    assert parsed["tag"] == "1809"
    assert parsed["digest"].startswith("sha256:fb17f0ec")
    assert format_image_reference(parsed) == ref


@pytest.mark.parametrize("ref", ["", "UPPER/case:1", "name:", "name:tag:extra", ":tag", "a//b", None, 42, "x" * 600])
def test_parse_image_reference_rejects(ref: object) -> None:
    with pytest.raises(ImageReferenceError):
        parse_image_reference(ref)


RETARGET = [
    # (reference, host, expected)
    (
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019",
        "10.0.20348.2700",
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2022",
    ),
    (
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2022",
        "10.0.26100.1742",
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2025",
    ),
    ("mcr.microsoft.com/windows/nanoserver:1809", "10.0.20348.2700", "mcr.microsoft.com/windows/nanoserver:ltsc2022"),
    ("mcr.microsoft.com/windows/nanoserver:ltsc2022", "10.0.17763.437", "mcr.microsoft.com/windows/nanoserver:1809"),
    (
        "mcr.microsoft.com/windows/servercore:ltsc2022",
        "10.0.17763.437",
        "mcr.microsoft.com/windows/servercore:ltsc2019",
    ),
    (
        "mcr.microsoft.com/dotnet/runtime:6.0-nanoserver-1809",
        "10.0.20348.2700",
        "mcr.microsoft.com/dotnet/runtime:6.0-nanoserver-ltsc2022",
    ),
    (
        "mcr.microsoft.com/dotnet/runtime:6.0-nanoserver-ltsc2022",
        "10.0.17763.437",
        "mcr.microsoft.com/dotnet/runtime:6.0-nanoserver-1809",
    ),
    (
        "mcr.microsoft.com/windows/servercore:1809-KB4493509",
        "10.0.20348",
        "mcr.microsoft.com/windows/servercore:ltsc2022",
    ),
    (
        "mcr.microsoft.com/windows/servercore:10.0.17763.437",
        "10.0.20348.2700",
        "mcr.microsoft.com/windows/servercore:10.0.20348.2700",
    ),
    (
        "mcr.microsoft.com/windows/servercore:10.0.17763.437",
        "10.0.20348",
        "mcr.microsoft.com/windows/servercore:ltsc2022",
    ),
    ("traefik:v2.11-windowsservercore-1809", "10.0.20348", "traefik:v2.11-windowsservercore-ltsc2022"),
    (
        "registry.local:5000/app:ltsc2019-amd64@sha256:" + "a" * 64,
        "10.0.26100",
        "registry.local:5000/app:ltsc2025-amd64",
    ),
    (
        "mcr.microsoft.com/windows/servercore:ltsc2019",
        "Microsoft Windows [Version 10.0.22631.3296]",
        "mcr.microsoft.com/windows/servercore:ltsc2022",
    ),
]


@pytest.mark.parametrize(("ref", "host", "expected"), RETARGET)
def test_retarget_image(ref: str, host: str, expected: str) -> None:
    assert retarget_image(ref, host) == expected


@pytest.mark.parametrize(
    ("ref", "host", "words"),
    [
        ("mcr.microsoft.com/windows/server:ltsc2022", "10.0.17763.437", ["windows/server has no image", "17763"]),
        ("busybox:latest", "10.0.20348", ["names no Windows release", "busybox:latest"]),
        ("mcr.microsoft.com/windows/servercore", "10.0.20348", ["has no tag"]),
        # the full Windows image lives at mcr.microsoft.com/windows and stops at 20H2: no variant for 2022
        ("mcr.microsoft.com/windows:1809", "10.0.20348", ["mcr.microsoft.com/windows has no image", "process"]),
        ("mcr.microsoft.com/windows:ltsc2019", "10.0.26100.1", ["mcr.microsoft.com/windows has no image"]),
        ("mcr.microsoft.com/windows/servercore:ltsc2019", "10.0.19045.3803", ["servercore has no image", "20H2"]),
    ],
)
def test_retarget_image_errors(ref: str, host: str, words: list) -> None:
    with pytest.raises(ImageReferenceError) as info:
        retarget_image(ref, host)
    for word in words:
        assert word in str(info.value)


def test_retarget_image_bad_host() -> None:
    with pytest.raises(VersionParseError):
        retarget_image("mcr.microsoft.com/windows/servercore:ltsc2019", "no host here")


@pytest.mark.parametrize(
    ("ref", "token"),
    [
        ("mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019", "ltsc2019"),
        ("mcr.microsoft.com/windows/servercore:10.0.17763.437", "10.0.17763.437"),
        ("busybox:latest", None),
    ],
)
def test_release_tag_of(ref: str, token: object) -> None:
    assert release_tag_of(ref) == token


def test_retargeting_is_idempotent_for_every_release() -> None:
    for host in ("10.0.17763", "10.0.20348", "10.0.26100"):
        once = retarget_image("mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019", host)
        assert retarget_image(once, host) == once


# --- properties -----------------------------------------------------------------------------------------------
# No '.' or ':' in generated components: a first component holding one is a registry by the reference grammar.
COMPONENT = st.from_regex(r"[a-z0-9]{1,8}(?:(?:_|__|-+)[a-z0-9]{1,8}){0,2}", fullmatch=True)
TAG = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
REGISTRY = st.one_of(st.none(), st.sampled_from(["mcr.microsoft.com", "localhost:5000", "registry.example:443"]))
DIGEST = st.one_of(st.none(), st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True))
HOSTS = st.sampled_from(["10.0.17763.437", "10.0.20348.2700", "10.0.26100", "10.0.22631.3296", "10.0.14393.1914"])


@settings(max_examples=300, deadline=None)
@given(REGISTRY, st.lists(COMPONENT, min_size=1, max_size=3), st.one_of(st.none(), TAG), DIGEST)
def test_reference_parse_format_round_trip(registry: object, path: list, tag: object, digest: object) -> None:
    ref = "/".join(([registry] if registry else []) + path)
    ref += f":{tag}" if tag else ""
    ref += f"@{digest}" if digest else ""
    parsed = parse_image_reference(ref)
    assert format_image_reference(parsed) == ref
    assert (parsed["registry"], parsed["path"], parsed["tag"], parsed["digest"]) == (
        registry,
        "/".join(path),
        tag,
        digest,
    )


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["servercore", "nanoserver", "windows", "server"]), HOSTS, HOSTS)
def test_retargeted_base_images_run_on_their_host(repo: str, source: str, host: str) -> None:
    try:
        ref = f"{image_repository(repo)}:{base_image_tag(source, repo, pin='release')}"
        new = retarget_image(ref, host)
    except ImageReferenceError:
        return
    assert retarget_image(new, host) == new
    tag = parse_image_reference(new)["tag"]
    assert tag in compatible_image_tags(host, repo, "process", "client" if "22631" in host else "server")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.integers(), st.none(), st.binary(max_size=10)), HOSTS)
def test_any_reference_gives_a_result_or_the_documented_error(value: object, host: str) -> None:
    with contextlib.suppress(WinCompatError):
        assert isinstance(retarget_image(value, host), str)


def test_the_full_windows_image_is_retargeted_at_its_real_path() -> None:
    assert retarget_image("mcr.microsoft.com/windows:1809", "10.0.19041.1") == "mcr.microsoft.com/windows:2004"


@pytest.mark.parametrize(
    ("host", "repo", "tag"),
    [
        # no image of the host's own build runs with process isolation: the newest serviced image line with
        # Hyper-V isolation, not the out-of-support 20H2
        ("10.0.20348.1", "windows", "ltsc2019"),
        ("10.0.22631.4602", "windows", "ltsc2019"),
    ],
)
def test_hyperv_fallback_prefers_image_lines_still_serviced(host: str, repo: str, tag: str) -> None:
    assert base_image_tag(host, repo) == tag


def test_retargeting_to_windows_11_25h2_keeps_the_image_that_works_there() -> None:
    ref = "mcr.microsoft.com/dotnet/framework/sdk:4.8.1-windowsservercore-ltsc2019"
    assert retarget_image(ref, "10.0.26200.7019").endswith("-ltsc2022")


# --- issue 13.5: pin='auto', the default ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "repo", "tag"),
    [
        ("10.0.14393.7515", "servercore", "10.0.14393.7515"),  # process isolation needs the host's own revision
        ("10.0.14393.7515", "nanoserver", "10.0.14393.7515"),
        ("10.0.14393", "servercore", "ltsc2016"),  # revision unknown: the release tag
        ("ltsc2016", "servercore", "ltsc2016"),
        ("10.0.17763.5458", "servercore", "ltsc2019"),
        ("10.0.17763.5458", "nanoserver", "1809"),
        ("10.0.20348.2227", "servercore", "ltsc2022"),
        ("10.0.26100.2894", "servercore", "ltsc2025"),
    ],
)
def test_base_image_tag_auto_pins_only_where_the_revision_must_match(host: str, repo: str, tag: str) -> None:
    assert base_image_tag(host, repo) == tag
    assert base_image_tag(host, repo, "auto") == tag


def test_base_image_tag_release_and_version_pins_are_unchanged() -> None:
    assert base_image_tag("10.0.14393.7515", pin="release") == "ltsc2016"
    assert base_image_tag("10.0.14393.7515", pin="version") == "10.0.14393.7515"
    assert base_image_tag("10.0.17763.5458", pin="version") == "10.0.17763.5458"


@pytest.mark.parametrize(
    "ref",
    [
        "mcr.microsoft.com/windows/servercore:ltsc\uff12\uff10\uff12\uff12",
        "app:\uff11\uff18\uff10\uff19",
        "app:10.0.\uff11\uff17\uff17\uff16\uff13.1",
    ],
)
def test_unicode_digits_in_a_reference_are_refused(ref: str) -> None:
    with pytest.raises(ImageReferenceError):
        retarget_image(ref, "10.0.20348.2227")
