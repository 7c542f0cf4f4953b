"""Property tests: no input makes the core or a filter raise anything but its documented error.

The core raises only ``WinCompatError`` subclasses (``VersionParseError`` for versions); the filter and test
plugins let only ``AnsibleFilterError`` escape. Parsing a formatted version gives the same version back.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wincontainers.compat.plugins.module_utils.container_error import CLASSES, container_error
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import VersionParseError, WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    MAX_REVISION,
    WindowsVersion,
    parse_windows_version,
    windows_version,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHELL_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments of real outputs, so that generated texts come close to the parser's patterns.
FRAGMENTS = st.sampled_from(
    [
        "10.0.",
        "10.0 ",
        "17763",
        "20348",
        ".437",
        "OS Build ",
        "Build ",
        "N/A ",
        "Kernel Version: ",
        "(17763.1.amd64fre.rs5_release.180914-1434)",
        "UBR    REG_DWORD    0x",
        "CurrentBuild : ",
        "Windows NT ",
        "ltsc2019",
        "1809",
        "-KB4493509",
        "-amd64",
        "mcr.microsoft.com/windows/servercore:",
        "osbuild=",
        "Update Build Revision ",
        "\n",
        " ",
        ":",
        "@sha256:",
        "2009",
        "21H2",
        "Major  Minor  Build  Revision\n-----  -----  -----  --------\n",
    ]
)
VERSIONS = st.builds(
    WindowsVersion,
    st.just(10),
    st.just(0),
    st.integers(min_value=10240, max_value=65535),
    st.one_of(st.none(), st.integers(min_value=1, max_value=MAX_REVISION)),
)


NOISE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=4).map("".join)
# A real version inside generated noise: texts close to what tools print.
NEAR = st.tuples(NOISE, VERSIONS, NOISE).map(lambda parts: parts[0] + parts[1].version + parts[2])
TEXTS = st.one_of(
    st.text(max_size=200), st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join), NEAR
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXTS, st.binary(max_size=40))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "CurrentBuildNumber",
                        "CurrentBuild",
                        "UBR",
                        "CurrentMajorVersionNumber",
                        "CurrentMinorVersionNumber",
                        "major",
                        "minor",
                        "build",
                        "revision",
                        "OsVersion",
                        "os.version",
                        "platform",
                        "status",
                        "nodeInfo",
                        "kernelVersion",
                        "msg",
                        "stderr",
                    ]
                ),
                st.text(max_size=10),
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=12,
)


@SETTINGS
@given(VALUES)
def test_windows_version_returns_or_raises_version_parse_error(value: Any) -> None:
    try:
        result = windows_version(value)
    except VersionParseError:
        return
    assert set(result) == {"major", "minor", "build", "revision", "version"}
    assert result["revision"] is None or result["revision"] > 0


@SETTINGS
@given(VERSIONS)
def test_format_then_parse_round_trips(version: WindowsVersion) -> None:
    assert parse_windows_version(version.version) == version
    assert parse_windows_version(version.as_dict()) == version
    assert parse_windows_version(f"Microsoft Windows [Version {version.version}]") == version
    short = f"{version.build}" if version.revision is None else f"{version.build}.{version.revision}"
    assert parse_windows_version(short) == version


@SETTINGS
@given(VERSIONS, VERSIONS)
def test_order_agrees_with_the_numbers(left: WindowsVersion, right: WindowsVersion) -> None:
    def key(v: WindowsVersion) -> tuple[int, int]:
        return (v.build, -1 if v.revision is None else v.revision)

    assert (left < right) == (key(left) < key(right))
    assert (left == right) == (key(left) == key(right))


@SETTINGS
@given(VALUES)
def test_container_error_classifies_any_text(value: Any) -> None:
    try:
        result = container_error(value)
    except WinCompatError:
        assert not isinstance(value, str)
        return
    assert result["class"] in CLASSES
    assert result["advice"]


def _plugins(kind: str, factory: str, method: str) -> list[tuple[str, Callable[..., Any]]]:
    """Every filter or test the collection ships, loaded from its plugin file."""
    found = []
    for path in sorted((PLUGINS / kind).glob("*.py")):
        module = importlib.import_module(f"ansible_collections.wincontainers.compat.plugins.{kind}.{path.stem}")
        found += sorted(getattr(getattr(module, factory)(), method)().items())
    return found


SHELLS = _plugins("filter", "FilterModule", "filters") + _plugins("test", "TestModule", "tests")


@pytest.mark.parametrize(("name", "plugin"), SHELLS, ids=[name for name, _plugin in SHELLS])
def test_shells_let_only_ansible_filter_error_escape(name: str, plugin: Callable[..., Any]) -> None:
    @SHELL_SETTINGS
    @given(
        st.lists(VALUES, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(["isolation", "host_kind", "rules", "repo", "pin"]), SCALARS, max_size=2),
    )
    def check(args: list[Any], kwargs: dict[str, Any]) -> None:
        try:
            plugin(*args, **kwargs)
        except AnsibleFilterError as exc:
            assert name in str(exc)

    check()
