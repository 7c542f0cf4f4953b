"""Table-driven tests of the three compatibility rule sets.

Sources of the tables:

* Microsoft Learn, "Windows container version compatibility"
  https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/version-compatibility
  (server tabs 2025, 23H2, 2022, 2019, 2016; client tabs Windows 11 and Windows 10) and, for the
  semi-annual tabs (20H2, 2004, 1909, 1903) and the Windows 10 tabs, the page as stored in
  github.com/MicrosoftDocs/Virtualization-Documentation virtualization/windowscontainers/deploy-containers/
  version-compatibility.md.
* hcsshim osversion/platform_compat_windows_test.go ``Test_PlatformCompat`` and containerd/platforms
  platform_windows_compat_test.go ``Test_PlatformCompat``.
* moby daemon tests of the image/host check and distribution/pull_v2_windows.go ``checkImageCompatibility``.
"""

from __future__ import annotations

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    RULE_SETS,
    STATUSES,
    auto_isolation,
    container_compat,
    containerd_check,
    containerd_floor,
    hcsshim_check,
    hcsshim_floor,
    is_compatible,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    VersionParseError,
    WinCompatError,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import compatible_image_tags
from ansible_collections.wincontainers.compat.plugins.module_utils.version import WindowsVersion
from hypothesis import given, settings
from hypothesis import strategies as st

S, P, U = "supported", "preview", "unsupported"
V = "unverified"

# Build numbers of the releases in Microsoft's tables.
WS2025, WS23H2, WS2022, V20H2, V2004, V1909, V1903, WS2019, WS2016 = (
    26100,
    25398,
    20348,
    19042,
    19041,
    18363,
    18362,
    17763,
    14393,
)
W11_21H2, W11_22H2, W11_23H2, W11_24H2, W11_25H2 = 22000, 22621, 22631, 26100, 26200


def v(build: int, revision: int = 1000) -> str:
    """A full version; the same revision everywhere so that the Windows Server 2016 rule is satisfied."""
    return f"10.0.{build}.{revision}"


# (host build, image build, Hyper-V status, process status): Microsoft's server host matrix, cell by cell.
SERVER_MATRIX = [
    # Windows Server 2025 host
    (WS2025, WS2025, S, S),
    (WS2025, WS2022, S, S),
    (WS2025, WS2019, S, U),
    (WS2025, WS2016, S, U),
    # Windows Server, version 23H2 host
    (WS23H2, WS2025, U, U),
    (WS23H2, WS2022, S, S),
    (WS23H2, WS2019, S, U),
    (WS23H2, WS2016, S, U),
    # Windows Server 2022 host
    (WS2022, WS2025, U, U),
    (WS2022, WS2022, S, S),
    (WS2022, WS2019, S, U),
    (WS2022, WS2016, S, U),
    # Windows Server, version 20H2 host (semi-annual channel tab)
    (V20H2, V20H2, S, S),
    (V20H2, V2004, S, U),
    (V20H2, V1909, S, U),
    (V20H2, V1903, S, U),
    (V20H2, WS2019, S, U),
    (V20H2, WS2016, S, U),
    # Windows Server, version 2004 host
    (V2004, V20H2, U, U),
    (V2004, V2004, S, S),
    (V2004, V1909, S, U),
    (V2004, WS2016, S, U),
    # Windows Server, version 1909 host
    (V1909, V2004, U, U),
    (V1909, V1909, S, S),
    (V1909, V1903, S, U),
    (V1909, WS2019, S, U),
    # Windows Server, version 1903 host
    (V1903, V1909, U, U),
    (V1903, V1903, S, S),
    (V1903, WS2019, S, U),
    # Windows Server 2019 host
    (WS2019, WS2022, U, U),
    (WS2019, V1903, U, U),
    (WS2019, WS2019, S, S),
    (WS2019, WS2016, S, U),
    # Windows Server 2016 host
    (WS2016, WS2019, U, U),
    (WS2016, V1903, U, U),
    (WS2016, WS2016, S, S),
]

# (host build, image build, Hyper-V status, process status): Microsoft's client host matrix.
CLIENT_MATRIX = [
    # Windows 11, version 24H2 and 25H2 hosts
    (W11_24H2, WS2025, S, S),
    (W11_24H2, WS2022, S, P),
    (W11_24H2, WS2019, S, U),
    (W11_24H2, WS2016, S, U),
    (W11_25H2, WS2025, S, P),
    (W11_25H2, WS2022, S, P),
    (W11_25H2, WS2019, S, U),
    # Windows 11, versions 21H2, 22H2 and 23H2: Windows Server 2022 images in process isolation are "preview"
    (W11_21H2, WS2025, U, U),
    (W11_21H2, WS2022, S, P),
    (W11_21H2, WS2019, S, U),
    (W11_21H2, WS2016, S, U),
    (W11_22H2, WS2022, S, P),
    (W11_22H2, WS2019, S, U),
    (W11_23H2, WS2025, U, U),
    (W11_23H2, WS2022, S, P),
    (W11_23H2, WS2016, S, U),
    # Windows 10, version 20H2
    (V20H2, V20H2, S, S),
    (V20H2, V2004, S, U),
    (V20H2, V1909, S, U),
    (V20H2, WS2019, S, U),
    (V20H2, WS2016, S, U),
    # Windows 10, version 2004
    (V2004, V20H2, U, U),
    (V2004, V2004, S, S),
    (V2004, WS2019, S, U),
    # Windows 10, version 1909: even its own build is Hyper-V only
    (V1909, V2004, U, U),
    (V1909, V1909, S, U),
    (V1909, WS2016, S, U),
    # Windows 10, version 1903
    (V1903, V1909, U, U),
    (V1903, V1903, S, U),
    # Windows 10, version 1809: build numbers of client and server diverge after GA
    (WS2019, V1903, U, U),
    (WS2019, WS2019, S, U),
    (WS2019, WS2016, S, U),
    # Windows 10, version 22H2 cannot run Windows Server 2022 images at all
    (19045, WS2022, U, U),
    (19045, WS2019, S, U),
]


@pytest.mark.parametrize(("host", "image", "hyperv", "process"), SERVER_MATRIX)
def test_documented_server_matrix(host: int, image: int, hyperv: str, process: str) -> None:
    assert container_compat(v(image), v(host), "hyperv", "server")["status"] == hyperv
    assert container_compat(v(image), v(host), "process", "server")["status"] == process


@pytest.mark.parametrize(("host", "image", "hyperv", "process"), CLIENT_MATRIX)
def test_documented_client_matrix(host: int, image: int, hyperv: str, process: str) -> None:
    assert container_compat(v(image), v(host), "hyperv", "client")["status"] == hyperv
    assert container_compat(v(image), v(host), "process", "client")["status"] == process


# hcsshim osversion/platform_compat_windows_test.go (microsoft/hcsshim#2327) and containerd/platforms
# platform_windows_compat_test.go ``Test_PlatformCompat``: both tables, case by case.
HCSSHIM_TABLE = [
    (17763, 17763, True),  # RS5Host_ltsc2019
    (17763, 20348, False),  # RS5Host_ltsc2022
    (20348, 17763, False),  # WS2022Host_ltsc2019
    (20348, 20348, True),  # WS2022Host_ltsc2022
    (22621, 17763, False),  # Wind11Host_ltsc2019
    (22621, 20348, True),  # Wind11Host_ltsc2022
    (25398, 17763, False),  # v23H2 host, ltsc2019
    (25398, 20348, True),  # v23H2 host, ltsc2022
    (26100, 20348, True),  # ltsc2025 host, ltsc2022
    (20348, 26100, False),  # ltsc2022 host, ltsc2025
    (20348, 22621, False),  # ltsc2022 host, Windows 11 22H2
    (26100, 22621, True),  # ltsc2025 host, Windows 11 22H2
]


@pytest.mark.parametrize(("host", "image", "runs"), HCSSHIM_TABLE)
def test_hcsshim_table(host: int, image: int, runs: bool) -> None:
    assert hcsshim_check(WindowsVersion(10, 0, host), WindowsVersion(10, 0, image)) is runs
    assert containerd_check(WindowsVersion(10, 0, host), WindowsVersion(10, 0, image)) is runs
    for isolation in ("process", "hyperv"):
        result = container_compat(f"10.0.{image}", f"10.0.{host}", isolation, rules="containerd")
        assert result["status"] == (S if runs else U)


# containerd/platforms#34 (v1.0.0-rc.5, vendored by containerd/containerd#14001 for moby/moby#53397): hosts past
# the newest LTSC keep the previous LTSC as their floor. hcsshim (#2327) still takes the newest LTSC below the host.
CONTAINERD_PAST_LATEST_LTSC = [
    (26200, 20348, True),  # Windows 11 25H2 runs ltsc2022 images
    (26300, 20348, True),  # Windows 11 26H2
    (28000, 20348, True),  # Windows 11 26H1
    (26200, 26100, True),
    (26200, 17763, False),
    (26100, 26200, False),
]


@pytest.mark.parametrize(("host", "image", "runs"), CONTAINERD_PAST_LATEST_LTSC)
def test_containerd_floor_past_the_newest_ltsc(host: int, image: int, runs: bool) -> None:
    assert containerd_check(WindowsVersion(10, 0, host), WindowsVersion(10, 0, image)) is runs
    assert container_compat(f"10.0.{image}", f"10.0.{host}", rules="containerd")["status"] == (S if runs else U)


@pytest.mark.parametrize(
    ("host", "hcsshim", "containerd"),
    [
        (20348, 20348, 20348),
        (22621, 20348, 20348),
        (25398, 20348, 20348),
        (26100, 20348, 20348),
        (26200, 26100, 20348),
        (28000, 26100, 20348),
    ],
)
def test_floors(host: int, hcsshim: int, containerd: int) -> None:
    assert hcsshim_floor(host) == hcsshim
    assert containerd_floor(host) == containerd


def test_hcsshim_needs_same_major_minor() -> None:
    assert not hcsshim_check(WindowsVersion(10, 0, 20348), WindowsVersion(6, 3, 20348))
    assert container_compat("6.3.9600", "10.0.20348", rules="containerd")["status"] == U


# moby: the puller refuses newer builds whatever the isolation; Hyper-V runs older ones; process isolation is the
# host compute service's call (same build or the stable-ABI pairs).
DOCKER_TABLE = [
    ("10.0.17763", "10.0.14393", "hyperv", U),  # "a Windows version 10.0.17763-based image is incompatible ..."
    ("10.0.17763", "10.0.14393", "process", U),
    ("10.0.20348", "10.0.19044", "hyperv", U),
    ("10.0.14393", "10.0.17763", "hyperv", S),
    ("10.0.14393", "10.0.17763", "process", U),  # 0xc0370101
    ("10.0.17763", "10.0.20348", "process", U),
    ("10.0.20348", "10.0.22631", "process", S),  # Windows 11 runs ltsc2022 images
    ("10.0.20348", "10.0.26200", "process", S),
    ("10.0.20348", "10.0.26100", "process", S),
    ("10.0.14393.100", "10.0.14393.200", "process", S),  # Docker does not compare revisions
]


@pytest.mark.parametrize(("image", "host", "isolation", "status"), DOCKER_TABLE)
def test_docker_rules(image: str, host: str, isolation: str, status: str) -> None:
    assert container_compat(image, host, isolation, rules="docker")["status"] == status


def test_docker_reason_quotes_the_puller_error() -> None:
    reason = container_compat("ltsc2022", "10.0.17763.437", "hyperv", rules="docker")["reason"]
    assert "a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host" in reason


def test_docker_refuses_process_isolation_on_windows_10_before_1809() -> None:
    result = container_compat("10.0.17134", "10.0.17134", "process", "client", rules="docker")
    assert result["status"] == U
    assert "1809" in result["reason"]


# Where the rule sets disagree, every status is reported.
DISAGREEMENTS = [
    # Windows 11 25H2: documented preview, containerd (platforms v1.0.0-rc.5) and the host compute service run it
    ("ltsc2022", "10.0.26200.6899", "process", "client", {"documented": P, "containerd": S, "docker": S}),
    # Windows Server 2016 with a different revision: documented no, the engines do not look
    ("10.0.14393.2000", "10.0.14393.1000", "process", "server", {"documented": U, "containerd": S, "docker": S}),
    # containerd's platform matcher ignores isolation, so Hyper-V cannot run an older image
    ("ltsc2019", "10.0.20348.2700", "hyperv", "server", {"documented": S, "containerd": U, "docker": S}),
    # Windows 10 1809 client, same build: documented Hyper-V only, the engines run it
    ("10.0.17763.437", "10.0.17763.437", "process", "client", {"documented": U, "containerd": S, "docker": S}),
    # A 23H2-built image on Windows Server 2025: not in the matrix, inside hcsshim's range
    ("10.0.25398.1", "10.0.26100.1", "process", "server", {"documented": U, "containerd": S, "docker": S}),
]


@pytest.mark.parametrize(("image", "host", "isolation", "kind", "expected"), DISAGREEMENTS)
def test_disagreements_are_reported(image: str, host: str, isolation: str, kind: str, expected: dict) -> None:
    for rules in RULE_SETS:
        result = container_compat(image, host, isolation, kind, rules)
        assert result["disagreement"] == expected
        assert result["status"] == expected[rules]
        assert result["verdicts"][rules]["status"] == expected[rules]


@pytest.mark.parametrize(
    ("image", "host", "isolation"),
    [("ltsc2019", "10.0.17763.5458", "process"), ("ltsc2022", "10.0.26100", "process"), ("1809", "17763", "hyperv")],
)
def test_no_disagreement_when_all_rule_sets_agree(image: str, host: str, isolation: str) -> None:
    result = container_compat(image, host, isolation, rules="docker")
    assert result["disagreement"] is None
    assert len({verdict["status"] for verdict in result["verdicts"].values()}) == 1


def test_newer_image_revision_is_supported_with_a_caveat() -> None:
    # Microsoft: from 1809 on revisions need not match; in the field an image patched beyond the host stops with
    # 0xc0370106 until the host is updated (github.com/microsoft/Windows-Containers/issues/591).
    result = container_compat("10.0.17763.7314", "10.0.17763.7240", "process")
    assert result["status"] == S
    assert result["disagreement"] is None
    assert any("0xc0370106" in caveat for caveat in result["caveats"])
    assert container_compat("10.0.17763.7314", "10.0.17763.7240", "hyperv")["caveats"] == []
    assert container_compat("10.0.17763.7240", "10.0.17763.7314", "process")["caveats"] == []


@pytest.mark.parametrize(
    ("image", "host", "status", "check", "words"),
    [
        ("10.0.14393.1770", "10.0.14393.1770", S, "match", ["revision"]),
        ("10.0.14393.1944", "10.0.14393.1914", U, "mismatch", ["10.0.14393.1944", "10.0.14393.1914"]),
        ("ltsc2016", "10.0.14393.1914", V, "unverifiable", ["unverifiable", "image revision", "10.0.14393.1914"]),
        ("10.0.14393.1914", "Windows Server 2016", V, "unverifiable", ["unverifiable", "host revision"]),
        ("ltsc2016", "14393", V, "unverifiable", ["image and host revision"]),
    ],
)
def test_windows_server_2016_revision_rule(image: str, host: str, status: str, check: str, words: list[str]) -> None:
    result = container_compat(image, host, "process")
    assert result["status"] == status
    assert result["revision_check"] == check
    for word in words:
        assert word in result["reason"]
    assert container_compat(image, host, "hyperv")["status"] == S


def test_revision_rule_applies_only_to_2016() -> None:
    assert container_compat("10.0.17763.1000", "10.0.17763.2000")["revision_check"] == "not_required"
    assert container_compat("10.0.17763.1000", "10.0.17763.2000")["status"] == S


def test_single_kind_builds_override_host_kind() -> None:
    result = container_compat("ltsc2022", "10.0.22631.3296")  # host_kind defaults to server
    assert result["host_kind"] == "client"
    assert result["status"] == P
    assert "only as a client OS" in result["reason"]
    assert container_compat("ltsc2022", "10.0.20348", host_kind="client")["host_kind"] == "server"


def test_build_26100_is_server_or_client_as_told() -> None:
    assert container_compat("ltsc2022", "10.0.26100", host_kind="server")["status"] == S
    assert container_compat("ltsc2022", "10.0.26100", host_kind="client")["status"] == P


def test_unknown_future_builds_are_labelled_and_judged_by_the_general_rules() -> None:
    result = container_compat("ltsc2025", "10.0.29500.1", "process")
    assert result["host_release"] == {"build": 29500, "name": "Unknown Windows build 29500", "known": False}
    assert any("not in the release catalog" in caveat for caveat in result["caveats"])
    assert result["status"] == S  # the previous LTSC, as Microsoft's stable-ABI promise goes
    assert container_compat("ltsc2022", "10.0.29500.1", "process")["status"] == U
    assert container_compat("ltsc2022", "10.0.29500.1", "hyperv")["status"] == S
    assert container_compat("10.0.29500.1", "ltsc2025", "hyperv")["status"] == U


def test_builds_before_containers() -> None:
    result = container_compat("10.0.10586", "10.0.10586")
    assert result["status"] == U
    assert "predates Windows containers" in result["reason"]


def test_result_shape_and_actionable_reason() -> None:
    result = container_compat("mcr.microsoft.com/windows/servercore:ltsc2019", "10.0.20348.2700")
    assert set(result) == {
        "status",
        "reason",
        "rules",
        "isolation",
        "host_kind",
        "image_version",
        "host_version",
        "image_release",
        "host_release",
        "revision_check",
        "caveats",
        "verdicts",
        "disagreement",
    }
    assert result["image_version"]["build"] == 17763
    assert result["host_version"] == {
        "major": 10,
        "minor": 0,
        "build": 20348,
        "revision": 2700,
        "version": "10.0.20348.2700",
    }
    assert result["host_release"]["name"] == "Windows Server 2022"
    assert "mcr.microsoft.com/windows/servercore:ltsc2022" in result["reason"]
    assert "--isolation=hyperv" in result["reason"]


def test_inputs_in_any_parsed_form() -> None:
    docker_info = "Kernel Version: 10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)\n"
    registry = {"CurrentMajorVersionNumber": 10, "CurrentMinorVersionNumber": 0, "CurrentBuild": "20348", "UBR": 2700}
    assert container_compat("ltsc2022", docker_info)["status"] == S
    assert container_compat("ltsc2022", registry)["status"] == S


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [({"isolation": "vm"}, "isolation"), ({"host_kind": "desktop"}, "host_kind"), ({"rules": "k8s"}, "rules")],
)
def test_options_are_checked(kwargs: dict, option: str) -> None:
    with pytest.raises(OptionError, match=option):
        container_compat("ltsc2022", "20348", **kwargs)


def test_unparseable_versions_raise_the_parse_error() -> None:
    with pytest.raises(VersionParseError):
        container_compat("not a version", "20348")


def test_is_compatible_counts_preview_as_compatible() -> None:
    assert is_compatible("ltsc2022", "10.0.22631", host_kind="client") is True
    assert is_compatible("ltsc2019", "10.0.20348") is False
    assert is_compatible("ltsc2019", "10.0.20348", "hyperv") is True
    assert is_compatible("ltsc2019", "10.0.20348", "hyperv", rules="containerd") is False


# --- properties -----------------------------------------------------------------------------------------------
KNOWN_BUILDS = [14393, 16299, 17134, 17763, 18362, 18363, 19041, 19042, 19045, 20348, 22000, 22631, 25398, 26100]
BUILDS = st.one_of(st.sampled_from([*KNOWN_BUILDS, 26200, 28000]), st.integers(min_value=14393, max_value=65535))
REVISIONS = st.one_of(st.none(), st.integers(min_value=0, max_value=30000))
VERSIONS = st.builds(lambda b, r: WindowsVersion(10, 0, b, r), BUILDS, REVISIONS)
ISOLATION = st.sampled_from(["process", "hyperv"])
KIND = st.sampled_from(["server", "client"])


@settings(max_examples=300, deadline=None)
@given(VERSIONS, VERSIONS, ISOLATION, KIND)
def test_every_result_is_consistent(image: WindowsVersion, host: WindowsVersion, isolation: str, kind: str) -> None:
    results = {rules: container_compat(image, host, isolation, kind, rules) for rules in RULE_SETS}
    statuses = {rules: result["status"] for rules, result in results.items()}
    for result in results.values():
        assert result["status"] in STATUSES
        assert result["reason"]
        assert result["disagreement"] == (statuses if len(set(statuses.values())) > 1 else None)
    if image.build > host.build:  # nothing runs a newer build
        assert set(statuses.values()) == {U}
    if isolation == "hyperv":  # documented Hyper-V: same or older build
        assert (statuses["documented"] == S) == (image.build <= host.build)
    assert statuses["containerd"] == (S if containerd_check(host, image) else U)


@settings(max_examples=200, deadline=None)
@given(VERSIONS, VERSIONS, KIND)
def test_process_isolation_never_allows_more_than_hyperv(
    image: WindowsVersion, host: WindowsVersion, kind: str
) -> None:
    for rules in ("documented", "docker"):
        if container_compat(image, host, "process", kind, rules)["status"] != U:
            assert container_compat(image, host, "hyperv", kind, rules)["status"] == S


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.none(), st.lists(st.integers(), max_size=3)), ISOLATION)
def test_any_input_gives_a_result_or_the_documented_error(value: object, isolation: str) -> None:
    for image, host in ((value, "10.0.20348"), ("ltsc2022", value)):
        try:
            result = container_compat(image, host, isolation)
        except WinCompatError:
            continue
        assert result["status"] in STATUSES


def test_results_are_independent_copies() -> None:
    first = container_compat("ltsc2022", "10.0.26200.1", "process", "client")
    first["caveats"].append("changed")
    first["disagreement"]["docker"] = "changed"
    first["verdicts"]["docker"]["status"] = "changed"
    first["host_release"]["name"] = "changed"
    second = container_compat("ltsc2022", "10.0.26200.1", "process", "client")
    assert len(second["caveats"]) == 1 and "changed" not in second["caveats"]
    assert second["disagreement"]["docker"] == S
    assert second["verdicts"]["docker"]["status"] == S
    assert second["host_release"]["name"] == "Windows 11, version 25H2"


def test_ltsc2025_image_on_windows_11_25h2_carries_the_layer_format_caveat() -> None:
    # microsoft/hcsshim#2566: servercore:ltsc2025 (26100.7171) on Windows 11 25H2 (26200.7171), 0xc0370112
    for isolation in ("process", "hyperv"):
        result = container_compat("10.0.26100.7171", "10.0.26200.7171", isolation, "client")
        assert any("0xc0370112" in note and "hcsshim/issues/2566" in note for note in result["caveats"])
    same_build = container_compat("10.0.26100.7171", "10.0.26100.7171", "process", "client")
    assert not any("0xc0370112" in note for note in same_build["caveats"])
    older = container_compat("ltsc2022", "10.0.26200.7171", "process", "client")
    assert not any("0xc0370112" in note for note in older["caveats"])


@pytest.mark.parametrize(
    ("host", "host_kind", "name"),
    [
        ("10.0.26100.2894", "client", "Windows 11, version 24H2"),
        ("10.0.26100.2894", "server", "Windows Server 2025"),
        ("10.0.17763.6659", "client", "Windows 10, version 1809"),
    ],
)
def test_host_release_is_named_as_the_host_kind_knows_it(host: str, host_kind: str, name: str) -> None:
    result = container_compat("ltsc2019", host, isolation="hyperv", host_kind=host_kind)
    assert result["host_release"]["name"] == name
    assert f"{host} ({name})" in result["reason"]
    assert result["image_release"]["name"] == "Windows Server 2019"  # images are named after the server release


@pytest.mark.parametrize(
    ("host", "images", "kind", "rules", "isolation"),
    [
        ("10.0.20348.2966", [], "server", "documented", "process"),
        ("10.0.20348.2966", ["10.0.20348.2700", "ltsc2022"], "server", "documented", "process"),
        ("10.0.17763.6659", ["10.0.17763.6775"], "server", "documented", "process"),  # a caveat, still supported
        ("10.0.14393.7606", ["10.0.14393.7606"], "server", "documented", "process"),
        ("10.0.14393.7606", ["10.0.14393.7515"], "server", "documented", "hyperv"),  # 2016: another revision
        ("10.0.22631.4602", ["10.0.20348.2966"], "client", "documented", "hyperv"),  # preview on Windows 11
        ("10.0.26100.2605", ["ltsc2022"], "server", "documented", "process"),  # previous LTSC on 2025
        ("10.0.26100.2605", ["ltsc2022"], "server", "containerd", "process"),
        ("10.0.20348.2966", ["mcr.microsoft.com/windows/servercore:ltsc2019"], "server", "documented", "hyperv"),
    ],
)
def test_auto_isolation(host: str, images: list[str], kind: str, rules: str, isolation: str) -> None:
    decided = auto_isolation(host, images, kind, rules)
    assert decided["isolation"] == isolation
    assert bool(decided["images"]) is (isolation == "hyperv")
    assert all(item["status"] != "supported" for item in decided["images"])
    assert host in decided["reason"]


def test_auto_isolation_names_the_images_that_need_hyperv_and_validates_its_options() -> None:
    decided = auto_isolation("10.0.22631.4602", ["10.0.20348.2966", "10.0.22631.4602"], "client")
    assert decided["images"] == [{"image": "10.0.20348.2966", "status": "preview"}]
    assert "10.0.20348.2966 (preview)" in decided["reason"]
    with pytest.raises(OptionError, match="images must be a list"):
        auto_isolation("10.0.20348", "ltsc2022")
    with pytest.raises(OptionError, match="rules must be one of"):
        auto_isolation("10.0.20348", [], rules="strict")


@pytest.mark.parametrize(
    ("image", "host", "kind", "caveat"),
    [
        # containerd/platforms up to rc.4 and hcsshim refuse what rc.5 accepts (moby/moby#53397)
        ("ltsc2022", "10.0.26200.7019", "client", True),
        ("ltsc2022", "10.0.28000.1", "client", True),
        ("ltsc2022", "10.0.26100.1", "server", False),  # 20348 is strictly below 26100: every version accepts it
        ("ltsc2025", "10.0.26200.7019", "client", False),
    ],
)
def test_older_containerd_refusal_is_a_caveat(image: str, host: str, kind: str, caveat: bool) -> None:
    caveats = container_compat(image, host, "process", kind, rules="containerd")["caveats"]
    assert any("containerd/platforms v1.0.0-rc.5" in note and "moby/moby/issues/53397" in note for note in caveats) is (
        caveat
    )


# --- unverified: Windows Server 2016 process isolation with an unknown revision ------------------------------


@pytest.mark.parametrize(
    ("image", "host", "pin"),
    [
        ("ltsc2016", "10.0.14393.7515", "mcr.microsoft.com/windows/servercore:10.0.14393.7515"),
        ("10.0.14393.7515", "14393", "10.0.14393.<host UBR>"),
        ("mcr.microsoft.com/windows/servercore:ltsc2016", "Windows Server 2016", "10.0.14393.<host UBR>"),
    ],
)
def test_unknown_revision_on_windows_server_2016_is_unverified(image: str, host: str, pin: str) -> None:
    result = container_compat(image, host, "process")
    assert result["status"] == "unverified" and result["status"] in STATUSES
    assert result["revision_check"] == "unverifiable"
    assert "needs the same revision" in result["reason"] and pin in result["reason"]
    assert is_compatible(image, host, "process") is False
    assert auto_isolation(host, [image]) == {
        "isolation": "hyperv",
        "images": [{"image": image, "status": "unverified"}],
        "reason": auto_isolation(host, [image])["reason"],
    }
    assert "(unverified)" in auto_isolation(host, [image])["reason"]
    assert container_compat(image, host, "hyperv")["status"] == "supported"  # Hyper-V needs no matching revision


def test_unverified_is_a_documented_status_only() -> None:
    verdicts = container_compat("ltsc2016", "10.0.14393.7515")["verdicts"]
    assert {name: verdict["status"] for name, verdict in verdicts.items()} == {
        "documented": "unverified",
        "containerd": "supported",
        "docker": "supported",
    }
    assert STATUSES == ("supported", "preview", "unverified", "unsupported")


def test_unverified_images_are_not_offered_as_tags() -> None:
    assert compatible_image_tags("10.0.14393.7515") == ["10.0.14393.7515"]
    assert compatible_image_tags("14393") == []
