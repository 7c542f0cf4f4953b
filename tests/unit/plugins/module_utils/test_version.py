"""parse_windows_version() on recorded real outputs, on every documented form, and on the known traps."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import VersionParseError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    parse_windows_version,
    windows_version,
)

RECORDED: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[2] / "fixtures" / "version_outputs" / "cases.yml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", RECORDED, ids=[case["name"] for case in RECORDED])
def test_recorded_output(case: dict[str, Any]) -> None:
    assert windows_version(case["value"]) == case["expect"], case["source"]


def test_recorded_outputs_also_parse_as_registered_stdout_lines() -> None:
    for case in RECORDED:
        if isinstance(case["value"], str) and "\n" in case["value"].strip():
            assert windows_version(case["value"].splitlines()) == case["expect"], case["name"]


FORMS = [
    # dotted versions
    ("10.0.17763", (10, 0, 17763, None)),
    ("10.0.17763.437", (10, 0, 17763, 437)),
    ("17763.437", (10, 0, 17763, 437)),
    ("17763", (10, 0, 17763, None)),
    (17763, (10, 0, 17763, None)),
    ("  10.0.20348.2227\n", (10, 0, 20348, 2227)),
    ("6.3.9600", (6, 3, 9600, None)),
    # status.nodeInfo.kernelVersion, old (docker's KernelVersion, BuildLabEx in brackets) and new forms
    ("10.0 14393 (14393.1715.amd64fre.rs1_release_inmarket.170906-1810)", (10, 0, 14393, None)),
    ("10.0.17763.1397", (10, 0, 17763, 1397)),
    # BuildLabEx and BuildLab: the build only
    ("17763.1.amd64fre.rs5_release.180914-1434", (10, 0, 17763, None)),
    ("14393.693.amd64fre.rs1_release.161220-1747", (10, 0, 14393, None)),
    ("17763.rs5_release.180914-1434", (10, 0, 17763, None)),
    # winver / Settings
    ("OS Build 22631.3296", (10, 0, 22631, 3296)),
    ("Version 21H2 (OS Build 20348.1006)", (10, 0, 20348, 1006)),
    # node labels
    ("node.kubernetes.io/windows-build=10.0.17763", (10, 0, 17763, None)),
    ("beta.kubernetes.io/osbuild=14393.1715", (10, 0, 14393, 1715)),
    ("node.kubernetes.io/windows-build: 10.0.20348", (10, 0, 20348, None)),
    # Environment.OSVersion: its revision is always 0, so unknown
    ("Microsoft Windows NT 10.0.17763.0", (10, 0, 17763, None)),
    ("10.0.17763.0", (10, 0, 17763, None)),
    # reports that put the UBR after "Build"
    ("Microsoft Windows Server 2019 Datacenter 10.0.17763 Build 5458", (10, 0, 17763, 5458)),
    # registry dumps: reg query (hex DWORDs) and Get-ItemProperty
    (
        "    CurrentBuild    REG_SZ    17763\n    CurrentMajorVersionNumber    REG_DWORD    0xa\n"
        "    CurrentMinorVersionNumber    REG_DWORD    0x0\n    UBR    REG_DWORD    0x1b5\n",
        (10, 0, 17763, 437),
    ),
    ("CurrentVersion : 6.3\nCurrentBuild : 20348\nUBR : 2227\nReleaseId : 2009\n", (10, 0, 20348, 2227)),
    # image tags and references
    ("ltsc2019", (10, 0, 17763, None)),
    ("1809", (10, 0, 17763, None)),
    ("ltsc2022-amd64", (10, 0, 20348, None)),
    ("ltsc2025", (10, 0, 26100, None)),
    ("20H2", (10, 0, 19042, None)),
    ("mcr.microsoft.com/windows/nanoserver:1809", (10, 0, 17763, None)),
    ("mcr.microsoft.com/windows/servercore:10.0.17763.437", (10, 0, 17763, 437)),
    ("mcr.microsoft.com/windows/servercore:ltsc2022@sha256:" + "a" * 64, (10, 0, 20348, None)),
    ("localhost:5000/windows/servercore:ltsc2019", (10, 0, 17763, None)),
    ("mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019", (10, 0, 17763, None)),
    ("Windows Server 2022", (10, 0, 20348, None)),
    # values already parsed
    (WindowsVersion(10, 0, 17763, 437), (10, 0, 17763, 437)),
    ({"major": 10, "minor": 0, "build": 17763, "revision": None, "version": "10.0.17763"}, (10, 0, 17763, None)),
    ({"Os": "windows", "OsVersion": "10.0.17763.5458"}, (10, 0, 17763, 5458)),
    ({"status": {"nodeInfo": {"kernelVersion": "10.0.20348.2113"}}}, (10, 0, 20348, 2113)),
    ([{"Id": "sha256:" + "b" * 64, "Os": "windows", "OsVersion": "10.0.17763.437"}], (10, 0, 17763, 437)),
    ({"rc": 0, "stdout": "Microsoft Windows [Version 10.0.20348.2227]", "stderr": ""}, (10, 0, 20348, 2227)),
    ({"CurrentBuildNumber": "", "CurrentBuild": "19045", "UBR": 3086}, (10, 0, 19045, 3086)),
]


@pytest.mark.parametrize(("value", "expected"), FORMS, ids=[repr(v)[:60] for v, _expected in FORMS])
def test_documented_forms(value: object, expected: tuple[int, int, int, int | None]) -> None:
    parsed = parse_windows_version(value)
    assert (parsed.major, parsed.minor, parsed.build, parsed.revision) == expected


REGISTRY = [
    ({"CurrentMajorVersionNumber": 10, "CurrentMinorVersionNumber": 0, "CurrentBuildNumber": "17763", "UBR": 437}, 437),
    ({"CurrentMajorVersionNumber": 10, "CurrentMinorVersionNumber": 0, "CurrentBuild": "20348"}, None),
    ({"CurrentBuildNumber": "26100", "UBR": "0x9a7"}, 2471),
    ({"currentbuildnumber": 14393, "ubr": 0}, None),
]


@pytest.mark.parametrize(("values", "revision"), REGISTRY)
def test_registry_values(values: dict[str, Any], revision: int | None) -> None:
    parsed = parse_windows_version(values)
    assert (parsed.major, parsed.minor) == (10, 0)
    assert parsed.revision == revision


def test_docker_info_trap_buildlabex_revision_is_never_the_ubr() -> None:
    text = "Kernel Version: 10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)\nOperating System: Windows Server"
    assert parse_windows_version(text).revision is None


def test_hal_file_version_is_not_the_ubr() -> None:
    text = "OsVersion : 10.0.19045\nOsHardwareAbstractionLayer : 10.0.19041.3636\nOsBuildNumber : 19045\n"
    assert parse_windows_version(text) == WindowsVersion(10, 0, 19045, None)


def test_windows_11_is_read_from_the_build_not_the_product_name() -> None:
    text = "WindowsProductName : Windows 10 Pro\nOsVersion : 10.0.22631\nOsBuildNumber : 22631\n"
    assert parse_windows_version(text).build == 22631
    with pytest.raises(VersionParseError):
        parse_windows_version("Windows 10 Pro")


def test_release_id_2009_is_refused() -> None:
    with pytest.raises(VersionParseError, match="2009"):
        parse_windows_version("2009")


def test_ambiguous_release_names_are_refused() -> None:
    with pytest.raises(VersionParseError, match="21H2"):
        parse_windows_version("21H2")


def test_kb_suffix_gives_the_revision_from_the_catalog() -> None:
    assert parse_windows_version("1809-KB4493509") == WindowsVersion(10, 0, 17763, 437)


def test_unknown_kb_suffix_leaves_the_revision_unknown() -> None:
    assert parse_windows_version("1809-KB1234567") == WindowsVersion(10, 0, 17763, None)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "20.10.7",  # a Docker version, not Windows
        "v1.19.3",
        17763.437,  # a float loses digits
        True,
        None,
        9600,  # a bare build before Windows 10 is ambiguous
        "10.0.17763.437\n10.0.20348.169",  # two hosts
        "10.0.17763.437 10.0.17763.1397",
        {"unrelated": 1},
        ["not", "a", "version"],
        object(),
    ],
)
def test_unparseable_input_raises_a_clear_error(value: object) -> None:
    with pytest.raises(VersionParseError, match=r"cannot read a Windows version from|must be"):
        parse_windows_version(value)


def test_error_names_the_input() -> None:
    with pytest.raises(VersionParseError, match="'not-a-version'"):
        parse_windows_version("not-a-version")


def test_ordering_puts_unknown_revision_first() -> None:
    versions = [
        WindowsVersion(10, 0, 20348, 169),
        WindowsVersion(10, 0, 17763, 437),
        WindowsVersion(10, 0, 17763, None),
        WindowsVersion(10, 0, 17763, 1),
    ]
    assert [v.version for v in sorted(versions)] == ["10.0.17763", "10.0.17763.1", "10.0.17763.437", "10.0.20348.169"]
    assert WindowsVersion(10, 0, 17763, None) != WindowsVersion(10, 0, 17763, 0)


def test_as_dict_and_version_string() -> None:
    assert WindowsVersion(10, 0, 17763, None).as_dict() == {
        "major": 10,
        "minor": 0,
        "build": 17763,
        "revision": None,
        "version": "10.0.17763",
    }
    assert str(WindowsVersion(10, 0, 17763, 437)) == "10.0.17763.437"


@pytest.mark.parametrize("fields", [(10, 0, -1, None), (10, 0, 70000, None), (10, 0, 17763, -5), (10, 0, True, None)])
def test_dataclass_validates_its_fields(fields: tuple[Any, ...]) -> None:
    with pytest.raises(VersionParseError):
        WindowsVersion(*fields)


# Enablement-package releases keep their base build in BuildLab/BuildLabEx, so those texts name two builds;
# the current build (CurrentBuild, Kernel Version, OS Build) wins. Lines as printed on real hosts.
ENABLEMENT_PACKAGE_TEXTS = [
    (  # docker info, Docker 27.3.1 on Windows 11 23H2
        " Default Isolation: hyperv\n Kernel Version: 10.0 22631 (22621.1.amd64fre.ni_release.220506-1250)\n"
        " Operating System: Microsoft Windows Version 23H2 (OS Build 22631.4317)\n OSType: windows\n",
        (10, 0, 22631, 4317),
    ),
    (  # Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' on Windows 11 25H2
        "BuildBranch               : ge_release\nBuildLab                  : 26100.ge_release.240331-1435\n"
        "BuildLabEx                : 26100.1.amd64fre.ge_release.240331-1435\nCurrentBuild              : 26200\n"
        "CurrentBuildNumber        : 26200\nCurrentVersion            : 6.3\nDisplayVersion            : 25H2\n",
        (10, 0, 26200, None),
    ),
    (  # reg query ... CurrentVersion on Windows 10 22H2
        "    BuildLab    REG_SZ    19041.vb_release.191206-1406\n"
        "    BuildLabEx    REG_SZ    19041.1.amd64fre.vb_release.191206-1406\n"
        "    CurrentBuild    REG_SZ    19045\n    UBR    REG_DWORD    0xd5e\n",
        (10, 0, 19045, 3422),
    ),
    (  # kubelet's old kernelVersion form (docker's KernelVersion) on a Windows 11 23H2 node
        "10.0 22631 (22621.1.amd64fre.ni_release.220506-1250)",
        (10, 0, 22631, None),
    ),
    (  # Get-ComputerInfo on Windows 11 25H2
        "WindowsBuildLabEx : 26100.1.amd64fre.ge_release.240331-1435\nWindowsCurrentVersion : 6.3\n"
        "OsVersion : 10.0.26200\nOsBuildNumber : 26200\n",
        (10, 0, 26200, None),
    ),
]


@pytest.mark.parametrize(("text", "expected"), ENABLEMENT_PACKAGE_TEXTS)
def test_buildlab_base_build_gives_way_to_the_current_build(
    text: str, expected: tuple[int, int, int, int | None]
) -> None:
    parsed = parse_windows_version(text)
    assert (parsed.major, parsed.minor, parsed.build, parsed.revision) == expected


@pytest.mark.parametrize(
    ("text", "build"),
    [
        ("17763.1.amd64fre.rs5_release.180914-1434", 17763),
        ("14393.321.amd64fre.rs1_release_inmarket.161004-2338", 14393),  # Microsoft's "Querying version" example
        ("BuildLabEx : 20348.1.amd64fre.fe_release.210507-1500", 20348),
    ],
)
def test_buildlab_alone_gives_a_build_no_other_release_reports(text: str, build: int) -> None:
    assert parse_windows_version(text) == WindowsVersion(10, 0, build)


@pytest.mark.parametrize(
    ("text", "builds"),
    [
        ("BuildLabEx : 26100.1.amd64fre.ge_release.240331-1435", "26100, 26200, 26300"),
        ("19041.1.amd64fre.vb_release.191206-1406", "19041, 19042, 19043, 19044, 19045"),
        ("22621.1.amd64fre.ni_release.220506-1250", "22621, 22631"),
        ("18362.1.amd64fre.19h1_release.190318-1202", "18362, 18363"),
    ],
)
def test_buildlab_alone_of_a_base_build_is_refused_not_guessed(text: str, builds: str) -> None:
    """Enablement-package releases keep their base build in BuildLabEx: alone, it cannot tell them apart."""
    with pytest.raises(VersionParseError, match=f"base build {builds[:5]}, which builds {builds} all report"):
        parse_windows_version(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a CI build number in a tag is not a Windows build; the release name decides
        ("myregistry.azurecr.io/shop/api:48213-windowsservercore-ltsc2022", WindowsVersion(10, 0, 20348)),
        ("contoso/app:17763.437-amd64", WindowsVersion(10, 0, 17763, 437)),
        # docker info as JSON: OSVersion has no revision, OperatingSystem does
        (
            {
                "OSVersion": "10.0.14393",
                "OperatingSystem": "Windows Server 2016 Datacenter Version 1607 (OS Build 14393.7428)",
            },
            WindowsVersion(10, 0, 14393, 7428),
        ),
        # Get-ComputerInfo as an object
        ({"OsBuildNumber": "17763", "WindowsUBR": 1039}, WindowsVersion(10, 0, 17763, 1039)),
        ({"CurrentMinorVersionNumber": 0, "CurrentBuildNumber": "17763"}, WindowsVersion(10, 0, 17763)),
        ("OS Build 29000.5", WindowsVersion(10, 0, 29000, 5)),  # uncatalogued, but named a build
    ],
)
def test_structured_and_tagged_forms(value: object, expected: WindowsVersion) -> None:
    assert parse_windows_version(value) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("myapp:12345", "expected a version"),
        ("Memory: 16383.5 MB, build 17763", "expected a version"),  # 16383 is no Windows build
        (
            "mcr.microsoft.com/windows/servercore:ltsc2019-KB5034770",
            "KB5034770 is an update of build 20348, not of 17763",
        ),
        ({"CurrentMinorVersionNumber": 3, "CurrentBuildNumber": "17763"}, "no major version"),
    ],
)
def test_numbers_that_are_not_windows_builds_are_refused(value: object, why: str) -> None:
    with pytest.raises(VersionParseError, match=why):
        parse_windows_version(value)


# --- issue 13: hostile input is answered in linear time or refused with a VersionParseError ------------------
def _cpu_ratio(make: Any, small: int = 10_000, large: int = 100_000) -> float:
    """CPU time of parsing ``make(large)`` over ``make(small)`` (best of three): about 10 when linear."""
    import time

    def best(value: object) -> float:
        times = []
        for _run in range(3):
            start = time.process_time()
            with contextlib.suppress(VersionParseError):
                parse_windows_version(value)
            times.append(time.process_time() - start)
        return min(times)

    return best(make(large)) / max(best(make(small)), 0.0005)


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "Major Minor Build Revision" + "\n" * n + "x",  # was cubic: 1,000 newlines took 10 s
        lambda n: "".join(f"{29000 + i % 30000}.{i} " for i in range(n // 12)),  # every B.R searched from the start
        lambda n: "x" + " \n" * (n // 2) + "x",  # ^\s* under re.M across blank lines
        lambda n: "OS Build 29000.5 " * (n // 17),
    ],
    ids=["table-header-newlines", "br-tokens", "blank-lines", "named-builds"],
)
def test_pathological_texts_parse_in_linear_time(make: Any) -> None:
    assert _cpu_ratio(make) < 30


def test_node_os_image_with_600_newlines_is_read_in_linear_time() -> None:
    from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import node_version

    def node(n: int) -> dict[str, Any]:
        return {"status": {"nodeInfo": {"osImage": "Major Minor Build Revision" + "\n" * n, "kernelVersion": "x"}}}

    import time

    start = time.process_time()
    try:
        node_version(node(600))
    except Exception as exc:  # only the time matters here; the node names no version
        assert "RecursionError" not in type(exc).__name__
    assert _cpu_ratio(lambda n: node(n)["status"]["nodeInfo"]["osImage"]) < 30
    assert time.process_time() - start < 5  # was 1.9 s per node


@pytest.mark.parametrize(
    "value",
    [
        "²",
        "\uff11\uff10.\uff10.\uff11\uff17\uff17\uff16\uff13",  # full-width digits
        "10.0.\uff11\uff17\uff17\uff16\uff13.437",
        {"CurrentBuildNumber": "\uff11\uff17\uff17\uff16\uff13"},
        {"CurrentBuildNumber": "17763", "UBR": "²"},
        "CurrentBuild : \uff11\uff17\uff17\uff16\uff13",
        "1" * 5000,  # past Python's 4,300-digit int-string limit
        {"CurrentBuildNumber": "1" * 5000},
        {"CurrentBuildNumber": 10**5000},
        10**5000,
        -(10**5000),
        "CurrentBuild : " + "1" * 5000,
        "UBR    REG_DWORD    0x" + "f" * 5000,
        "Microsoft Windows [Version 10.0.17763." + "9" * 5000 + "]",
    ],
    ids=lambda value: describe(value, 30),
)
def test_unicode_digits_and_huge_numbers_raise_a_clear_error(value: object) -> None:
    with pytest.raises(VersionParseError) as raised:
        parse_windows_version(value)
    assert len(str(raised.value)) < 1000


def _nested(depth: int, wrap: Any) -> object:
    value: object = "10.0.17763.437"
    for _level in range(depth):
        value = wrap(value)
    return value


@pytest.mark.parametrize(
    "wrap", [lambda v: [v], lambda v: {"version": v}, lambda v: {"status": v}], ids=["list", "version", "status"]
)
def test_deep_nesting_raises_a_clear_error_not_recursion_error(wrap: Any) -> None:
    assert parse_windows_version(_nested(3, wrap)).version == "10.0.17763.437"
    with pytest.raises(VersionParseError, match="nested more than"):
        parse_windows_version(_nested(100_000, wrap))


def test_the_parse_cache_keeps_short_texts_only() -> None:
    from ansible_collections.wincontainers.compat.plugins.module_utils import version

    info = version._parse_short_text.cache_info()
    assert info.maxsize is not None and info.maxsize <= 1024
    long_text = "Microsoft Windows [Version 10.0.17763.437]" + " " * 1_000_000
    assert parse_windows_version(long_text).revision == 437
    assert version._parse_short_text.cache_info().currsize == info.currsize


def test_a_text_over_the_limit_is_refused_naming_it_briefly() -> None:
    with pytest.raises(VersionParseError, match="characters long") as raised:
        parse_windows_version("10.0.17763.437 " + "x" * 5_000_000)
    assert len(str(raised.value)) < 1000


# --- issue 13.5: forms still missed ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"WindowsVersion": "1607", "WindowsUBR": 577}, WindowsVersion(10, 0, 14393, 577)),
        ({"ReleaseId": "1809", "UBR": 437}, WindowsVersion(10, 0, 17763, 437)),
        ("ReleaseId    REG_SZ    1809\nUBR    REG_DWORD    0x1b5\n", WindowsVersion(10, 0, 17763, 437)),
        ("OsBuildNumber : 17763\nWindowsUBR : 1039\n", WindowsVersion(10, 0, 17763, 1039)),
    ],
)
def test_release_id_with_a_ubr_gives_the_build_the_release_id_names(value: object, expected: WindowsVersion) -> None:
    assert parse_windows_version(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"ReleaseId": "2009", "UBR": 2227},
        "ReleaseId : 2009\nUBR : 2227\n",
        {"WindowsVersion": "2009", "WindowsUBR": 2227},
    ],
)
def test_release_id_2009_never_names_a_build(value: object) -> None:
    with pytest.raises(VersionParseError, match="2009"):
        parse_windows_version(value)


def test_release_id_is_not_trusted_beside_a_display_version() -> None:
    """DisplayVersion exists from 20H2 on, where ReleaseId is frozen: the pair names no build."""
    with pytest.raises(VersionParseError):
        parse_windows_version({"ReleaseId": "1809", "DisplayVersion": "21H2", "UBR": 1})
    with pytest.raises(VersionParseError):
        parse_windows_version("ReleaseId : 1809\nDisplayVersion : 21H2\nUBR : 1\n")


def test_version_table_keeps_a_non_zero_revision_and_drops_zero() -> None:
    table = "Major  Minor  Build  Revision\n-----  -----  -----  --------\n10     0      17763  {}\n"
    assert parse_windows_version(table.format(437)) == WindowsVersion(10, 0, 17763, 437)
    assert parse_windows_version(table.format(0)) == WindowsVersion(10, 0, 17763, None)
    assert parse_windows_version(table.replace("\n", "\r\n").format(437)).revision == 437


def test_ps_version_table_build_version_revision_is_not_the_ubr() -> None:
    """MicrosoftDocs/windowsserverdocs#6784: ver says 10.0.22000.856, $PSVersionTable.BuildVersion 10.0.22000.832."""
    text = (
        "PS C:\\Users\\vzor> $PSVersionTable.BuildVersion\n\nMajor  Minor  Build  Revision\n"
        "-----  -----  -----  --------\n10     0      22000  832\n"
    )
    assert parse_windows_version(text) == WindowsVersion(10, 0, 22000, None)
