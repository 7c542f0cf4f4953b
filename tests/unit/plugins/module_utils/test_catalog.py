"""Table-driven tests of the Windows release catalog and its look-ups."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    REPOSITORIES,
    all_releases,
    ambiguous_builds,
    build_for_alias,
    entry_for_build,
    normalize_alias,
    release_name,
    revision_for_kb,
    support_status,
    tags_for,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    OptionError,
    UnknownReleaseError,
    VersionParseError,
    WinCompatError,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release
from ansible_collections.wincontainers.compat.plugins.module_utils.release_catalog import RELEASES
from hypothesis import given
from hypothesis import strategies as st

AMBIGUOUS_ALIASES = catalog.ambiguous_aliases()  # derived from the data
DOC = Path(__file__).resolve().parents[4] / "docs" / "release-catalog.md"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# (build, primary name, kind, channel, version) for every release from 14393 to today.
EXPECTED_BUILDS = [
    (10240, "Windows 10, version 1507", "client", "client", "1507"),
    (10586, "Windows 10, version 1511", "client", "client", "1511"),
    (14393, "Windows Server 2016", "both", "LTSC", "1607"),
    (15063, "Windows 10, version 1703", "client", "client", "1703"),
    (16299, "Windows Server, version 1709", "both", "SAC", "1709"),
    (17134, "Windows Server, version 1803", "both", "SAC", "1803"),
    (17763, "Windows Server 2019", "both", "LTSC", "1809"),
    (18362, "Windows Server, version 1903", "both", "SAC", "1903"),
    (18363, "Windows Server, version 1909", "both", "SAC", "1909"),
    (19041, "Windows Server, version 2004", "both", "SAC", "2004"),
    (19042, "Windows Server, version 20H2", "both", "SAC", "20H2"),
    (19043, "Windows 10, version 21H1", "client", "client", "21H1"),
    (19044, "Windows 10, version 21H2", "client", "client", "21H2"),
    (19045, "Windows 10, version 22H2", "client", "client", "22H2"),
    (20348, "Windows Server 2022", "server", "LTSC", "21H2"),
    (22000, "Windows 11, version 21H2", "client", "client", "21H2"),
    (22621, "Windows 11, version 22H2", "client", "client", "22H2"),
    (22631, "Windows 11, version 23H2", "client", "client", "23H2"),
    (25398, "Windows Server, version 23H2", "server", "AC", "23H2"),
    (26100, "Windows Server 2025", "both", "LTSC", "24H2"),
    (26200, "Windows 11, version 25H2", "client", "client", "25H2"),
    (26300, "Windows 11, version 26H2", "client", "client", "26H2"),
    (28000, "Windows 11, version 26H1", "client", "client", "26H1"),
]


@pytest.mark.parametrize(("build", "name", "kind", "channel", "version"), EXPECTED_BUILDS)
def test_every_release_is_catalogued(build: int, name: str, kind: str, channel: str, version: str) -> None:
    entry = entry_for_build(build)
    assert entry is not None
    assert (entry["name"], entry["kind"], entry["channel"], entry["version"]) == (name, kind, channel, version)


def test_catalog_holds_exactly_the_expected_builds() -> None:
    assert [entry["build"] for entry in all_releases()] == [row[0] for row in EXPECTED_BUILDS]


# Official MCR release tags per repository (Microsoft's base image pages and Docker Hub readmes).
EXPECTED_TAGS = [
    ("servercore", "ltsc2016", 14393),
    ("servercore", "1709", 16299),
    ("servercore", "1803", 17134),
    ("servercore", "ltsc2019", 17763),
    ("servercore", "1809", 17763),
    ("servercore", "1903", 18362),
    ("servercore", "1909", 18363),
    ("servercore", "2004", 19041),
    ("servercore", "20H2", 19042),
    ("servercore", "ltsc2022", 20348),
    ("servercore", "ltsc2025", 26100),
    ("nanoserver", "sac2016", 14393),
    ("nanoserver", "1709", 16299),
    ("nanoserver", "1803", 17134),
    ("nanoserver", "1809", 17763),
    ("nanoserver", "1903", 18362),
    ("nanoserver", "1909", 18363),
    ("nanoserver", "2004", 19041),
    ("nanoserver", "20H2", 19042),
    ("nanoserver", "ltsc2022", 20348),
    ("nanoserver", "ltsc2025", 26100),
    ("server", "ltsc2022", 20348),
    ("server", "ltsc2025", 26100),
    ("windows", "ltsc2019", 17763),
    ("windows", "1809", 17763),
    ("windows", "1903", 18362),
    ("windows", "1909", 18363),
    ("windows", "2004", 19041),
    ("windows", "20H2", 19042),
]


@pytest.mark.parametrize(("repo", "tag", "build"), EXPECTED_TAGS)
def test_official_tags(repo: str, tag: str, build: int) -> None:
    assert tag in tags_for(build, repo)
    assert build_for_alias(tag) == build
    assert build_for_alias(tag.upper()) == build


def test_no_other_tags_than_the_expected() -> None:
    listed = {(repo, tag, entry["build"]) for entry in RELEASES for repo, tags in entry["tags"].items() for tag in tags}
    assert listed == set(EXPECTED_TAGS)


def test_nanoserver_has_no_ltsc2019() -> None:
    assert "ltsc2019" not in tags_for(17763, "nanoserver")
    assert tags_for(17763, "nanoserver") == ["1809"]


ALIASES = [
    ("ltsc2019", 17763),
    ("LTSC2019", 17763),
    ("rs5", 17763),
    ("RS1", 14393),
    ("1607", 14393),
    ("20h2", 19042),
    ("21H1", 19043),
    ("24h2", 26100),
    ("25H2", 26200),
    ("Windows Server 2022", 20348),
    ("windows server 2016", 14393),
    ("Windows Server, version 1709", 16299),
    ("Windows Server version 20H2", 19042),
    ("Windows 11 24H2", 26100),
    ("Windows 11, version 25H2", 26200),
    ("Windows 11 21H2", 22000),
    ("windows 11 23h2", 22631),
    ("Windows Server 23H2", 25398),
    ("windows 10 1809", 17763),
    ("Windows 10, version 21H2", 19044),
    ("Windows 10 22H2", 19045),
    ("Windows 10 Enterprise LTSC 2019", 17763),
    ("Windows 10 Enterprise LTSC 2021", 19044),
    ("Windows 11 Enterprise LTSC 2024", 26100),
    ("  Windows   Server 2025  ", 26100),
    # ProductName / Caption carry an edition after the release name.
    ("Windows Server 2019 Datacenter", 17763),
    ("Windows Server 2022 Standard Evaluation", 20348),
    ("Windows Server 2025 Datacenter: Azure Edition", 26100),
    ("Microsoft Windows Server 2019 Datacenter", 17763),  # Win32_OperatingSystem Caption
    ("Windows 10 Pro 1909", 18363),
    # GitHub-hosted runner labels and AKS osSKU values.
    ("windows-2022", 20348),
    ("windows-2025", 26100),
    ("Windows2019", 17763),
    # Platform code names.
    ("Redstone 5", 17763),
    ("Germanium", 26100),
    ("Iron", 20348),
]


@pytest.mark.parametrize(("alias", "build"), ALIASES)
def test_build_for_alias(alias: str, build: int) -> None:
    assert build_for_alias(alias) == build


@pytest.mark.parametrize(
    "alias",
    [
        "",
        "ltsc2030",
        "windows 10",
        "Windows 10 Pro",
        "Microsoft Windows 11 Pro",
        "Windows Server Datacenter",
        "21h2",
        "22H2",
        "23h2",
        "2009",
        "windows 11",
        "latest",
        "10.0",
        "ltsc2022-amd64",
        "windows-latest",
    ],
)
def test_unknown_or_ambiguous_aliases_give_none(alias: str) -> None:
    assert build_for_alias(alias) is None


@pytest.mark.parametrize("alias", [None, 17763, b"1809", ["1809"]])
def test_build_for_alias_of_non_strings_is_none(alias: object) -> None:
    assert build_for_alias(alias) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alias", "builds"),
    [("21H2", (19044, 20348, 22000)), ("22h2", (19045, 22621)), ("23H2", (22631, 25398)), ("ltsc2022", ())],
)
def test_ambiguous_builds(alias: str, builds: tuple[int, ...]) -> None:
    assert ambiguous_builds(alias) == builds


def test_release_id_2009_is_not_20h2() -> None:
    assert 19042 in ambiguous_builds("2009")
    assert build_for_alias("2009") is None
    assert build_for_alias("20H2") == 19042


# KB -> revision pairs stated by Microsoft's container pages and recorded MCR tag listings (sources in the data).
KB_REVISIONS = [
    (14393, "KB4041691", 1770),
    (14393, "KB4051033", 1914),
    (14393, "KB4053579", 1944),
    (14393, "KB4534271", 3443),
    (17134, "KB4534293", 1246),
    (17763, "KB4493509", 437),
    (17763, "kb4493509", 437),
    (17763, "4493509", 437),
    (17763, " KB4546852 ", 1040),
    (17763, "KB4534273", 973),
    (17763, "KB4538461", 1098),
    (17763, "KB5034768", 5458),
    (18362, "KB4528760", 592),
    (18363, "KB4528760", 592),
    (18362, "KB4540673", 719),
    (18363, "KB4540673", 719),
    (19042, "KB5015807", 1826),
    (20348, "KB5015827", 825),
    (20348, "KB5034770", 2322),
]


@pytest.mark.parametrize(("build", "kb", "revision"), KB_REVISIONS)
def test_revision_for_kb(build: int, kb: str, revision: int) -> None:
    assert revision_for_kb(build, kb) == revision


@pytest.mark.parametrize(("build", "kb"), [(20348, "KB4493509"), (17763, "KB0000001"), (17763, "437"), (17763, "")])
def test_revision_for_unknown_kb_is_none(build: int, kb: str) -> None:
    assert revision_for_kb(build, kb) is None


# --- data integrity -------------------------------------------------------------------------------


def test_builds_ascending_and_unique() -> None:
    builds = [entry["build"] for entry in RELEASES]
    assert builds == sorted(set(builds))


@pytest.mark.parametrize("entry", RELEASES, ids=lambda e: str(e["build"]))
def test_entry_shape(entry: dict) -> None:
    assert isinstance(entry["build"], int)
    assert entry["kind"] in ("server", "client", "both")
    assert entry["channel"] in ("LTSC", "SAC", "AC", "client")
    assert entry["name"] == entry["products"][0]["name"] or entry["kind"] == "client"
    assert set(entry["tags"]) == set(REPOSITORIES)
    assert entry["sources"], "every entry cites its sources"
    assert all(src.startswith("https://") for src in entry["sources"])
    kinds = {product["kind"] for product in entry["products"]}
    assert kinds == ({"server", "client"} if entry["kind"] == "both" else {entry["kind"]})
    for product in entry["products"]:
        assert set(product) <= {"name", "kind", "channel", "version", "released", "mainstream_end", "end_of_support"}
        for field in ("released", "mainstream_end", "end_of_support"):
            if field in product:
                assert ISO_DATE.match(product[field]), (product["name"], field)
                datetime.date.fromisoformat(product[field])
        assert ("released" in product) == ("end_of_support" in product), product["name"]
        if "released" in product:
            assert product["released"] < product["end_of_support"]
            assert product.get("mainstream_end", product["end_of_support"]) <= product["end_of_support"]
        else:
            assert entry["notes"], "a product without dates says why"
    for alias in entry["aliases"]:
        assert alias == normalize_alias(alias), f"alias {alias!r} is not in normal form"
    for kb, revision in entry["kb_revisions"].items():
        assert re.match(r"^KB\d{6,7}$", kb) and isinstance(revision, int) and revision > 0
    if not entry["containers"]:
        assert not any(entry["tags"].values())
    if "base_build" in entry:  # an enablement package over an earlier catalogued build
        assert entry["base_build"] < entry["build"] and entry_for_build(entry["base_build"]) is not None
    if entry["kind"] == "both":  # the client release's own name, carried by its client products
        assert entry["client_name"].startswith("Windows 1")
        version = entry["client_name"].rsplit(", version ", 1)[1]
        assert any(p["kind"] == "client" and p["version"] == version for p in entry["products"])
    else:
        assert "client_name" not in entry


@pytest.mark.parametrize(
    ("build", "kind", "name"),
    [
        (26100, "server", "Windows Server 2025"),
        (26100, "client", "Windows 11, version 24H2"),
        (17763, "server", "Windows Server 2019"),
        (17763, "client", "Windows 10, version 1809"),
        (14393, "client", "Windows 10, version 1607"),
        (22631, "client", "Windows 11, version 23H2"),
        (22631, "server", "Windows 11, version 23H2"),  # a client-only build keeps its one name
        (20348, "client", "Windows Server 2022"),
        (29999, "client", None),
    ],
)
def test_release_name_as_the_host_kind_names_it(build: int, kind: str, name: str | None) -> None:
    assert release_name(build, kind) == name


def test_aliases_unique_across_entries_and_not_ambiguous() -> None:
    seen: dict[str, int] = {}
    for entry in RELEASES:
        for alias in entry["aliases"]:
            assert alias not in seen, f"{alias!r} in {seen.get(alias)} and {entry['build']}"
            assert alias not in AMBIGUOUS_ALIASES
            seen[alias] = entry["build"]
            assert build_for_alias(alias) == entry["build"]


def test_no_tag_in_two_entries_and_every_tag_resolves_to_its_build() -> None:
    owner: dict[str, int] = {}
    for entry in RELEASES:
        for tag in {tag for tags in entry["tags"].values() for tag in tags}:
            assert owner.setdefault(tag.lower(), entry["build"]) == entry["build"], tag
            assert build_for_alias(tag) == entry["build"]
            assert tag.lower() in entry["aliases"], f"tag {tag} is not an alias of {entry['build']}"


def test_ambiguous_aliases_list_catalogued_builds() -> None:
    for alias, builds in AMBIGUOUS_ALIASES.items():
        assert alias == normalize_alias(alias)
        assert len(builds) > 1 and list(builds) == sorted(set(builds))
        assert all(entry_for_build(build) for build in builds), alias


def test_every_server_and_client_version_name_resolves() -> None:
    for entry in RELEASES:
        for product in entry["products"]:
            assert build_for_alias(product["name"]) == entry["build"], product["name"]


# --- windows_release ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "build"), [("ltsc2022", 20348), ("1809", 17763), ("Windows 11 24H2", 26100)])
def test_windows_release_of_alias(value: str, build: int) -> None:
    release = windows_release(value)
    assert release["build"] == build and release["known"] is True
    assert release["end_of_support"] == entry_for_build(build)["products"][0]["end_of_support"]  # type: ignore[index]


def test_windows_release_returns_a_copy() -> None:
    release = windows_release("ltsc2019")
    release["tags"]["servercore"].append("mutated")
    release["aliases"].clear()
    assert "mutated" not in tags_for(17763, "servercore")
    assert entry_for_build(17763)["aliases"]  # type: ignore[index]


def test_windows_release_of_build_number() -> None:
    assert windows_release(17763)["name"] == "Windows Server 2019"


@pytest.mark.parametrize("build", [30000, 26400, 17000, 9999])
def test_unknown_builds_do_not_crash(build: int) -> None:
    release = catalog.release_for_build(build)
    assert release["known"] is False
    assert release["build"] == build
    assert release["name"] == f"Unknown Windows build {build}"
    assert release["tags"] == {repo: [] for repo in REPOSITORIES}
    assert release["kind"] in ("server", "client", "both")
    assert release["containers"] is (build >= 14393)


def test_unknown_build_kind_follows_nearest_older_release() -> None:
    assert catalog.release_for_build(20500)["kind"] == "server"
    assert catalog.release_for_build(30000)["kind"] == entry_for_build(catalog.latest_known_build())["kind"]  # type: ignore[index]


def test_windows_release_of_ambiguous_name_names_the_candidates() -> None:
    with pytest.raises(UnknownReleaseError, match=r"'21H2' is ambiguous.*Windows Server 2022 \(20348\)"):
        windows_release("21H2")


# --- support status -------------------------------------------------------------------------------

SUPPORT = [
    (17763, "server", "2026-11-28", True, "2029-01-09"),
    (17763, "server", "2029-01-10", False, "2029-01-09"),
    (17763, "client", "2026-11-28", True, "2029-01-09"),  # Windows 10 Enterprise LTSC 2019
    (14393, "server", "2027-01-12", True, "2027-01-12"),
    (14393, "server", "2027-01-13", False, "2027-01-12"),
    (19042, "server", "2022-08-09", True, "2022-08-09"),
    (19042, "server", "2022-08-10", False, "2022-08-09"),
    (20348, "server", "2026-11-28", True, "2031-10-14"),
    (25398, "server", "2026-11-28", False, "2025-10-24"),
    (26100, "server", "2026-11-28", True, "2034-11-14"),
    (26200, "client", "2026-11-28", True, "2028-10-10"),
    (19045, "client", "2026-11-28", False, "2025-10-14"),
    (28000, "client", "2026-11-28", True, "2029-03-13"),
    (10240, "client", "2026-11-28", False, "2025-10-14"),  # Windows 10 Enterprise 2015 LTSB
]


@pytest.mark.parametrize(("build", "kind", "on", "in_support", "eos"), SUPPORT)
def test_support_status(build: int, kind: str, on: str, in_support: bool, eos: str) -> None:
    status = support_status(build, kind, on)
    assert (status["in_support"], status["end_of_support"]) == (in_support, eos)
    assert status["products"]


def test_support_status_per_product() -> None:
    status = support_status(17763, "client", datetime.date(2026, 11, 28))
    verdicts = {p["name"]: p["in_support"] for p in status["products"]}
    assert verdicts["Windows 10 Home and Pro, version 1809"] is False
    assert verdicts["Windows 10 Enterprise LTSC 2019"] is True


@pytest.mark.parametrize(
    ("build", "kind"), [(30000, "server"), (20348, "client"), (22000, "server"), (26300, "client")]
)
def test_support_status_unknown(build: int, kind: str) -> None:
    status = support_status(build, kind, "2026-11-28")
    assert status["in_support"] is None and status["end_of_support"] is None


def test_support_status_rejects_bad_options() -> None:
    with pytest.raises(OptionError, match="host_kind"):
        support_status(17763, "desktop", "2026-01-01")
    with pytest.raises(VersionParseError, match="'yesterday'"):
        support_status(17763, "server", "yesterday")


# --- properties -----------------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_build_for_alias_never_raises(text: str) -> None:
    result = build_for_alias(text)
    assert result is None or entry_for_build(result) is not None


@given(st.integers(min_value=0, max_value=10**6))
def test_release_for_any_build_is_well_formed(build: int) -> None:
    release = catalog.release_for_build(build)
    assert release["build"] == build
    assert release["known"] is (entry_for_build(build) is not None)


@given(st.one_of(st.text(max_size=30), st.integers(), st.none(), st.floats(), st.lists(st.integers(), max_size=3)))
def test_windows_release_raises_only_documented_errors(value: object) -> None:
    pytest.importorskip("ansible_collections.wincontainers.compat.plugins.module_utils.version")
    try:
        release = windows_release(value)
    except WinCompatError:
        return
    assert isinstance(release["build"], int)


# --- documentation --------------------------------------------------------------------------------


def test_doc_lists_every_build_with_its_name_and_tags() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if re.match(r"^\| \d{5} \|", line)}
    assert sorted(rows) == [str(entry["build"]) for entry in RELEASES]
    for entry in RELEASES:
        row = rows[str(entry["build"])]
        assert entry["name"] in row
        for tags in entry["tags"].values():
            for tag in tags:
                assert f"`{tag}`" in row
        assert (entry["products"][0].get("end_of_support") or "not published") in row


# ProductName / EditionID values as Windows reports them (registry CurrentVersion, Get-ComputerInfo WindowsProductName).
EDITIONS = [
    (17763, "client", "Windows 10 Enterprise LTSC 2019", True, "Windows 10 Enterprise LTSC 2019"),
    (17763, "client", "EnterpriseS", True, "Windows 10 Enterprise LTSC 2019"),
    (17763, "client", "Windows 10 Pro", False, "Windows 10 Home and Pro, version 1809"),
    (17763, "client", "Windows 10 Education", False, "Windows 10 Enterprise and Education, version 1809"),
    (19044, "client", "Windows 10 IoT Enterprise LTSC 2021", True, "Windows 10 IoT Enterprise LTSC 2021"),
    (19044, "client", "Windows 10 Enterprise LTSC 2021", True, "Windows 10 Enterprise LTSC 2021"),
    (19044, "client", "Windows 10 Enterprise", False, "Windows 10 Enterprise and Education, version 21H2"),
    # Windows 11 still reports ProductName "Windows 10 Pro": the edition word is what counts.
    (26100, "client", "Windows 10 Pro", False, "Windows 11 Home and Pro, version 24H2"),  # ended 2026-10-13
    (26200, "client", "Windows 11 Enterprise", True, "Windows 11 Enterprise and Education, version 25H2"),
    (18362, "client", "Windows 10 Pro", False, "Windows 10, version 1903"),
    (14393, "server", "Nano Server", False, "Nano Server (sac2016)"),
    (17763, "server", "Windows Server 2019 Datacenter", True, "Windows Server 2019"),
]


@pytest.mark.parametrize(("build", "kind", "edition", "in_support", "product"), EDITIONS)
def test_support_status_for_an_edition(build: int, kind: str, edition: str, in_support: bool, product: str) -> None:
    status = support_status(build, kind, "2026-11-28", edition=edition)
    assert (status["in_support"], status["product"]) == (in_support, product)
    assert [p["name"] for p in status["products"] if p["edition_match"]] in ([product], [])


# The ambiguous names the catalog listed by hand before they were derived from the data.
HAND_LISTED_AMBIGUOUS = {
    "21h2": (19044, 20348, 22000),
    "22h2": (19045, 22621),
    "23h2": (22631, 25398),
    "2009": (19042, 19043, 19044, 19045, 20348, 22000, 22621, 22631, 25398, 26100, 26200, 26300, 28000),
    "windows 10": (10240, 10586, 14393, 15063, 16299, 17134, 17763, 18362, 18363, 19041, 19042, 19043, 19044, 19045),
    "windows 11": (22000, 22621, 22631, 26100, 26200, 26300, 28000),
}


def test_derived_ambiguous_names_are_the_hand_listed_ones() -> None:
    assert catalog.ambiguous_aliases() == HAND_LISTED_AMBIGUOUS


def test_a_name_one_entry_owns_is_not_ambiguous() -> None:
    entries = [dict(entry) for entry in RELEASES]
    for entry in entries:
        if entry["build"] == 22621:
            entry["aliases"] = [*entry["aliases"], "22h2"]
    derived = catalog.derive_ambiguous_aliases(entries)
    assert "22h2" not in derived and derived["21h2"] == (19044, 20348, 22000)
