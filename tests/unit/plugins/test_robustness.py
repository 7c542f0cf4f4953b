"""Every public filter and test, fed hostile input: it answers or raises AnsibleFilterError, in linear time.

The plugins are enumerated from ``plugins/filter/*.py`` and ``plugins/test/*.py``, so a new filter is covered
without editing this file. Inputs: arbitrary nested data, bytes, Unicode (including digits that
``str.isdigit()`` accepts and ``int()`` does not), integers past Python's 4,300-digit conversion limit, deep
nesting and long multi-line text. The timing guard compares 10 KB and 100 KB inputs of each pathological shape
named in issue 13 (CPU time, best of several runs): a ratio near 10 is linear, near 100 quadratic.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"
MAX_MESSAGE = 2000  # an error names its input truncated, never the whole input
HOST = "10.0.17763.437"
MANIFEST = json.dumps(
    {"manifests": [{"digest": "sha256:" + "a" * 64, "platform": {"os": "windows", "architecture": "amd64"}}]}
)
# A valid value for each parameter, so that the hostile value reaches the code that reads its own parameter.
FILLERS: dict[str, Any] = {
    "image_ref": "mcr.microsoft.com/windows/servercore:ltsc2019",
    "manifest_list": MANIFEST,
    "images": [HOST],
}


def _plugins() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for kind, factory, method in (("filter", "FilterModule", "filters"), ("test", "TestModule", "tests")):
        for path in sorted((PLUGINS / kind).glob("*.py")):
            module = importlib.import_module(f"ansible_collections.wincontainers.compat.plugins.{kind}.{path.stem}")
            found += sorted(getattr(getattr(module, factory)(), method)().items())
    return found


PLUGIN_LIST = _plugins()
IDS = [name for name, _plugin in PLUGIN_LIST]


def _inputs(plugin: Callable[..., Any]) -> list[str]:
    """The parameters of ``plugin`` that take data (its required ones, and ``images``)."""
    params = inspect.signature(plugin).parameters.values()
    return [p.name for p in params if p.default is inspect.Parameter.empty or p.name == "images"]


def _call(name: str, plugin: Callable[..., Any], target: str, value: Any) -> Any:
    """Call ``plugin`` with ``value`` as parameter ``target`` and valid values elsewhere; check the outcome."""
    args = {param: FILLERS.get(param, HOST) for param in _inputs(plugin)}
    args[target] = [value] if target == "images" else value
    try:
        result = plugin(**args)
    except AnsibleFilterError as exc:
        message = str(exc)
        assert message.startswith(f"{name}: "), message[:200]
        assert len(message) <= MAX_MESSAGE, message[:200]
        return None
    if name == "compatible_with":
        assert isinstance(result, bool)
    return result


def test_every_plugin_file_is_enumerated() -> None:
    names = {path.stem for kind in ("filter", "test") for path in (PLUGINS / kind).glob("*.py")}
    assert names <= set(IDS) and len(IDS) >= 10


# --- arbitrary data ----------------------------------------------------------------------------------------
# Superscripts, subscripts and the decimal digits of other scripts (full-width, Arabic-Indic, NKo, Devanagari ...).
UNICODE_DIGITS = "".join(
    map(chr, [0xB2, 0xB3, 0xB9, 0x2074, 0x2082, *range(0xFF10, 0xFF1A), *range(0x660, 0x665), 0x7C0, 0x966, 0xBE7])
)
FRAGMENTS = st.sampled_from(
    [
        "10.0.",
        "17763",
        ".437",
        "14393",
        "OS Build ",
        "Major Minor Build Revision\n----- ----- ----- --------\n",
        "Host is Microsoft Windows ",
        " - ",
        "CurrentBuild : ",
        "WindowsVersion : ",
        "WindowsUBR : ",
        "ReleaseId    REG_SZ    ",
        "UBR    REG_DWORD    0x",
        "OsHardwareAbstractionLayer : ",
        "does not match the host operating system",
        "container OS",
        "no matching manifest for linux/amd64 in the manifest list entries",
        "a Windows version 10.0.",
        "-based image is incompatible with a ",
        "mcr.microsoft.com/windows/servercore:",
        "ltsc2022",
        "1809",
        "2009",
        "(0xc0370101)",
        '{"manifests": [',
        "[",
        "{",
        "\n",
        "\r\n",
        " ",
        "\t",
        "=",
    ]
)
UNICODE_NUMBERS = st.text(alphabet=st.sampled_from(UNICODE_DIGITS + ".0123456789"), min_size=1, max_size=30)
LONG_TEXT = st.tuples(st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), min_size=1, max_size=6), st.integers(1, 400))
LONG_TEXTS = LONG_TEXT.map(lambda parts: "".join(parts[0]) * parts[1])
HUGE_INTS = st.integers(4300, 5000).flatmap(lambda digits: st.sampled_from([10**digits + 7, -(10**digits)]))
HUGE_DIGIT_TEXTS = st.integers(4301, 6000).map(lambda digits: "1" * digits)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE_INTS,
    st.floats(allow_nan=True),
    st.text(max_size=60),
    UNICODE_NUMBERS,
    LONG_TEXTS,
    HUGE_DIGIT_TEXTS,
    st.binary(max_size=60),
    LONG_TEXTS.map(lambda text: text.encode("utf-8")),
)
KEYS = st.sampled_from(
    [
        "CurrentBuildNumber",
        "CurrentBuild",
        "UBR",
        "WindowsUBR",
        "WindowsVersion",
        "ReleaseId",
        "DisplayVersion",
        "major",
        "minor",
        "build",
        "revision",
        "version",
        "os.version",
        "platform",
        "manifests",
        "status",
        "nodeInfo",
        "msg",
        "stderr",
        "results",
        "Descriptor",
        "os",
        "architecture",
        "kernelVersion",
    ]
)
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(KEYS, st.text(max_size=6)), inner, max_size=4)
    ),
    max_leaves=10,
)


def _nest(depth: int, kind: str, leaf: Any) -> Any:
    value = leaf
    for _level in range(depth):
        value = {kind: value} if kind != "list" else [value]
    return value


DEEP = st.builds(_nest, st.integers(0, 3000), st.sampled_from(["list", "version", "msg", "status"]), SCALARS)
DEEP_JSON = st.builds(lambda n, open_: open_ * n, st.integers(1, 100_000), st.sampled_from(["[", '{"a":', "[{"]))
ANY_INPUT = st.one_of(NESTED, DEEP, DEEP_JSON)
OPTIONS = st.dictionaries(
    st.sampled_from(["isolation", "host_kind", "rules", "repo", "pin", "architecture"]), SCALARS, max_size=2
)
HOSTILE = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(("name", "plugin"), PLUGIN_LIST, ids=IDS)
def test_hostile_input_gets_an_answer_or_an_ansible_filter_error(name: str, plugin: Callable[..., Any]) -> None:
    @HOSTILE
    @given(st.sampled_from(_inputs(plugin)), ANY_INPUT, OPTIONS)
    def check(target: str, value: Any, options: dict[str, Any]) -> None:
        args = {param: FILLERS.get(param, HOST) for param in _inputs(plugin)}
        args[target] = [value] if target == "images" else value
        args.update((key, option) for key, option in options.items() if key in inspect.signature(plugin).parameters)
        try:
            plugin(**args)
        except AnsibleFilterError as exc:
            assert str(exc).startswith(f"{name}: ") and len(str(exc)) <= MAX_MESSAGE

    check()


def _deep_list(depth: int) -> object:
    value: object = "x"
    for _level in range(depth):
        value = [value]
    return value


HOSTILE_VALUES: list[Any] = [
    10**5000,
    -(10**5000),
    "1" * 5000,
    "\u00b2",
    "\uff11\uff17\uff17\uff16\uff13",
    b"\xff\xfe",
    _deep_list(10_000),
    {"version": {"version": {"version": "x"}}},
    "x\n" * 10_000,
    None,
    3.5,
    True,
]


@pytest.mark.parametrize(("name", "plugin"), PLUGIN_LIST, ids=IDS)
def test_every_parameter_takes_every_hostile_value(name: str, plugin: Callable[..., Any]) -> None:
    """Each parameter, options included, with each hostile value: a deterministic sweep beside the random one."""
    defaults = {param: FILLERS.get(param, HOST) for param in _inputs(plugin)}
    for param in inspect.signature(plugin).parameters:
        for value in HOSTILE_VALUES:
            try:
                plugin(**{**defaults, param: value})
            except AnsibleFilterError as exc:
                assert str(exc).startswith(f"{name}: ") and len(str(exc)) <= MAX_MESSAGE


# --- the pathological shapes of issue 13, and the timing guard ---------------------------------------------
def _br_tokens(size: int) -> str:
    return "".join(f"{29000 + i % 30000}.{i} " for i in range(size // 12))


SHAPES: dict[str, Callable[[int], Any]] = {
    "table header then newlines": lambda n: "Major Minor Build Revision" + "\n" * n + "x",
    "table header then blank padded lines": lambda n: "Major Minor Build Revision\n" + " \n" * (n // 2) + "-",
    "B.R tokens (a log)": _br_tokens,
    "repeated B.R of one build": lambda n: "12345.6 " * (n // 8),
    "blank lines between words": lambda n: "x" + "\n" * n + "x",
    "spaces and newlines": lambda n: "CurrentBuild" + " \n" * (n // 2) + "UBR",
    "Host is Microsoft Windows on one line": lambda n: "Host is Microsoft Windows " * (n // 26),
    "paraphrase words": lambda n: "container does not match host " * (n // 30),
    "image references": lambda n: " ".join(f"a/windows:x{i}" for i in range(n // 14)),
    "manifest phrases": lambda n: "no matching manifest for " * (n // 25),
    "JSON opening brackets": lambda n: "[" * n,
    "JSON objects": lambda n: '{"a":' * (n // 5),
    "ASCII digits": lambda n: "1" * n,
    "Unicode digits": lambda n: "²\uff10" * (n // 2),
    "version prefixes": lambda n: "Windows NT 10.0. 10.0 " * (n // 22),
    "node osImage with newlines": lambda n: {
        "status": {"nodeInfo": {"kernelVersion": "", "osImage": "Major Minor Build Revision" + "\n" * n}}
    },
}


def _cpu(call: Callable[[], Any], runs: int = 3) -> float:
    best = float("inf")
    for _run in range(runs):
        start = time.process_time()
        call()
        best = min(best, time.process_time() - start)
    return best


FLOOR = 0.0005  # seconds: below this a 10 KB run is too fast to time; a ratio against the floor still holds
MAX_RATIO = 30  # linear growth gives about 10 (10 KB to 100 KB), quadratic about 100


@pytest.mark.parametrize(("name", "plugin"), PLUGIN_LIST, ids=IDS)
def test_time_grows_linearly_with_input_size(name: str, plugin: Callable[..., Any]) -> None:
    slow = []
    for shape, make in SHAPES.items():
        for target in _inputs(plugin):
            small, large = make(10_000), make(100_000)
            small_time = _cpu(lambda value=small, param=target: _call(name, plugin, param, value))
            large_time = _cpu(lambda value=large, param=target: _call(name, plugin, param, value))
            if large_time / max(small_time, FLOOR) > MAX_RATIO:
                slow.append(f"{shape} as {target}: {small_time * 1000:.2f} ms -> {large_time * 1000:.2f} ms")
    assert not slow, slow


def test_catalog_lookups_read_ascii_digits_and_bounded_numbers_only() -> None:
    from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
    from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
    from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release

    assert catalog.revision_for_kb(17763, "KB4493509") == 437
    assert catalog.revision_for_kb(17763, "KB\uff14\uff14\uff19\uff13\uff15\uff10\uff19") is None  # full-width
    assert catalog.builds_for_kb("\uff14\uff14\uff19\uff13\uff15\uff10\uff19") == ()
    for huge in (10**5000, -(10**5000)):
        with pytest.raises(WinCompatError):
            windows_release(huge)
