"""Tests of manifest-list selection on recorded manifest lists (sources in tests/unit/fixtures/manifests/SOURCES.md).

Expected orderings follow containerd/platforms ``Test_PlatformOrder`` (platform_windows_compat_test.go: "Windows
Server 2025 should select 2025", "... latest rev") and moby distribution/pull_v2_windows.go ``filterManifests``.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    ImageReferenceError,
    OptionError,
    WinCompatError,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import (
    ManifestListError,
    manifest_entries,
    select_manifest,
)
from hypothesis import given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "manifests"
NANOSERVER_1809 = (FIXTURES / "nanoserver_1809.json").read_text()
PYTHON = (FIXTURES / "python_manifest_list.json").read_text()
OCI_INDEX = (FIXTURES / "win_test_image_tags_oci_index.json").read_text()

PY_2022 = "sha256:53c5f0dd905eef3899284d845431ccaa1045f97fc205edd87dfc2151c4331980"
PY_2019 = "sha256:5981df14a07aaa7fe0c7d80a4c61f33f4ad4d8d29a346fd1b2cacf090b3de8c2"


def entry(version: str, os: str = "windows", arch: str = "amd64", digest: str = "") -> dict[str, Any]:
    platform = {"architecture": arch, "os": os}
    if version:
        platform["os.version"] = version
    return {"digest": digest or f"sha256:{version or os}", "platform": platform}


SELECT = [
    # (manifest list, host, rules, expected digest)
    (PYTHON, "10.0.20348.2700", "containerd", PY_2022),
    (PYTHON, "10.0.20348.2700", "docker", PY_2022),
    (PYTHON, "10.0.17763.5458", "containerd", PY_2019),
    (PYTHON, "10.0.17763.5458", "docker", PY_2019),
    (PYTHON, "10.0.22631.3296", "containerd", PY_2022),  # Windows 11 runs ltsc2022 (hcsshim floor 20348)
    (PYTHON, "10.0.26100.1742", "containerd", PY_2022),
    (PYTHON, "10.0.26100.1742", "docker", PY_2022),  # no build match: the first entry not newer than the host
    # Windows 11 25H2: containerd/platforms v1.0.0-rc.5 keeps the floor at 20348 (moby/moby#53397 reported
    # "no matching manifest for windows(10.0.26200)/amd64" before it)
    (PYTHON, "10.0.26200.7019", "containerd", PY_2022),
    (
        NANOSERVER_1809,
        "10.0.17763.437",
        "containerd",
        "sha256:fb17f0ecdf2fc3c06d5b3b8a661f9832580f1c381de0578960cf8abc4a4e605a",
    ),
    (
        NANOSERVER_1809,
        "10.0.20348",
        "docker",
        "sha256:fb17f0ecdf2fc3c06d5b3b8a661f9832580f1c381de0578960cf8abc4a4e605a",
    ),
    (
        OCI_INDEX,
        "10.0.20348.4405",
        "containerd",
        "sha256:c3f2e09bfaa662c6a80ad5fd2657f24da718d4b158c015de2b68f6d77eedd51d",
    ),
    (OCI_INDEX, "10.0.26100", "docker", "sha256:c3f2e09bfaa662c6a80ad5fd2657f24da718d4b158c015de2b68f6d77eedd51d"),
]


@pytest.mark.parametrize(("manifest_list", "host", "rules", "digest"), SELECT)
def test_select_manifest_on_recorded_lists(manifest_list: str, host: str, rules: str, digest: str) -> None:
    assert select_manifest(manifest_list, host, rules)["digest"] == digest


@pytest.mark.parametrize(
    ("manifest_list", "host", "rules"),
    [
        (PYTHON, "10.0.14393.1914", "containerd"),
        (PYTHON, "10.0.14393.1914", "docker"),
        (NANOSERVER_1809, "10.0.20348", "containerd"),  # containerd does not pull 1809 on a 2022 host
        (NANOSERVER_1809, "10.0.14393", "docker"),  # a Windows version 10.0.17763-based image is incompatible
        (OCI_INDEX, "10.0.17763", "containerd"),
    ],
)
def test_no_matching_manifest(manifest_list: str, host: str, rules: str) -> None:
    with pytest.raises(ManifestListError) as info:
        select_manifest(manifest_list, host, rules)
    assert "no matching manifest for windows/amd64" in str(info.value)
    assert isinstance(info.value, ImageReferenceError)


def test_containerd_prefers_the_highest_os_version_among_matches() -> None:
    # containerd/platforms Test_PlatformOrder, host 10.0.26100.2894
    ws2022, ws2025, ws2025_3000 = entry("10.0.20348.3091"), entry("10.0.26100.2894"), entry("10.0.26100.3000")
    linux = entry("", os="linux")
    assert select_manifest({"manifests": [linux, ws2022, ws2025]}, "10.0.20348.3091")["digest"] == ws2022["digest"]
    assert select_manifest({"manifests": [linux, ws2022, ws2025]}, "10.0.26100.2894")["digest"] == ws2025["digest"]
    listed = {"manifests": [linux, ws2022, ws2025_3000]}
    assert select_manifest(listed, "10.0.26100.2894")["digest"] == ws2025_3000["digest"]


def test_docker_prefers_the_host_build_then_keeps_list_order() -> None:
    listed = {"manifests": [entry("10.0.17763.100"), entry("10.0.20348.200"), entry("10.0.20348.300")]}
    assert select_manifest(listed, "10.0.20348", "docker")["digest"] == "sha256:10.0.20348.200"
    assert select_manifest(listed, "10.0.26100", "docker")["digest"] == "sha256:10.0.17763.100"
    assert select_manifest(listed, "10.0.26100", "containerd")["digest"] == "sha256:10.0.20348.300"


def test_entries_without_os_version_match_in_containerd() -> None:
    listed = {"manifests": [entry("", os="linux"), entry("")]}
    assert select_manifest(listed, "10.0.17763")["digest"] == "sha256:windows"
    assert select_manifest(listed, "10.0.17763", "docker")["digest"] == "sha256:windows"


def test_architecture_is_matched() -> None:
    listed = {"manifests": [entry("10.0.26100.1", arch="arm64", digest="sha256:arm"), entry("10.0.26100.1")]}
    assert select_manifest(listed, "10.0.26100", architecture="arm64")["digest"] == "sha256:arm"
    assert select_manifest(listed, "10.0.26100")["digest"] == "sha256:10.0.26100.1"


def test_verbose_inspect_output_and_parsed_json() -> None:
    verbose = [{"Ref": "python:3", "Descriptor": d} for d in json.loads(PYTHON)["manifests"]]
    assert select_manifest(verbose, "10.0.17763")["digest"] == PY_2019
    assert select_manifest(json.loads(PYTHON), "10.0.17763")["digest"] == PY_2019
    assert select_manifest(PYTHON.encode(), "10.0.17763")["digest"] == PY_2019
    assert len(manifest_entries(PYTHON)) == 9


def test_selection_returns_a_copy() -> None:
    data = json.loads(NANOSERVER_1809)
    chosen = select_manifest(data, "10.0.17763")
    chosen["digest"] = "changed"
    assert data["manifests"][0]["digest"] != "changed"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("{not json", "not valid JSON"),
        ({"schemaVersion": 2, "config": {}, "layers": []}, "single image manifest"),
        ({"schemaVersion": 2}, "expected the JSON"),
        ({"manifests": ["x"]}, "manifests[0]"),
        (42, "expected the JSON"),
    ],
)
def test_malformed_lists(value: object, words: str) -> None:
    with pytest.raises(ManifestListError, match=words.replace("[", r"\[").replace("]", r"\]")):
        select_manifest(value, "10.0.17763")


def test_rules_are_checked() -> None:
    with pytest.raises(OptionError):
        select_manifest(PYTHON, "10.0.17763", rules="documented")
    with pytest.raises(WinCompatError):
        select_manifest(PYTHON, "not a version")


# --- properties -----------------------------------------------------------------------------------------------
OS_VERSIONS = st.one_of(
    st.just(""),
    st.builds(lambda b, r: f"10.0.{b}.{r}", st.sampled_from([14393, 17763, 20348, 22621, 26100]), st.integers(0, 9999)),
    st.text(max_size=12),
)
ENTRIES = st.lists(
    st.builds(
        lambda os, arch, version, n: {
            "digest": f"sha256:{n}",
            "platform": {"os": os, "architecture": arch, **({"os.version": version} if version else {})},
        },
        st.sampled_from(["windows", "linux", "Windows"]),
        st.sampled_from(["amd64", "arm64"]),
        OS_VERSIONS,
        st.integers(0, 10**6),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(ENTRIES, st.sampled_from(["10.0.17763.437", "10.0.20348", "10.0.26100.1", "10.0.26200"]))
def test_chosen_entry_is_one_the_engine_accepts(entries: list, host: str) -> None:
    for rules in ("containerd", "docker"):
        try:
            chosen = select_manifest({"manifests": entries}, host, rules)
        except ManifestListError as exc:
            assert "no matching manifest" in str(exc)
            continue
        assert chosen in entries
        assert chosen["platform"]["os"].lower() == "windows"
        assert chosen["platform"]["architecture"] == "amd64"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.none(), st.dictionaries(st.text(max_size=5), st.integers())))
def test_any_input_gives_an_entry_or_the_documented_error(value: object) -> None:
    with contextlib.suppress(WinCompatError):
        select_manifest(value, "10.0.20348")


# --- issue 13: hostile manifest lists get a ManifestListError, in linear time ------------------------------
@pytest.mark.parametrize("text", ["[" * 100_000, '{"manifests": ' * 50_000, "[{" * 50_000])
def test_deeply_nested_json_is_refused_not_a_recursion_error(text: str) -> None:
    with pytest.raises(ManifestListError, match="nests more than") as raised:
        select_manifest(text, "10.0.17763.437")
    assert len(str(raised.value)) < 1000


def _entry(os_version: object, os: object = "windows") -> dict[str, Any]:
    return {"digest": "sha256:" + "c" * 64, "platform": {"os": os, "architecture": "amd64", "os.version": os_version}}


@pytest.mark.parametrize("rules", ["containerd", "docker"])
@pytest.mark.parametrize(
    "os_version",
    ["10.0.²", "10.0.\uff11\uff17\uff17\uff16\uff13", "10.0." + "1" * 5000, "1" * 5000 + ".0.17763", "10.0.17763.²"],
)
def test_unicode_digits_and_huge_numbers_in_os_version_never_crash(rules: str, os_version: str) -> None:
    with contextlib.suppress(ManifestListError):
        select_manifest({"manifests": [_entry(os_version)]}, "10.0.17763.437", rules=rules)


def test_containerd_reads_only_ascii_digits_in_os_version() -> None:
    full_width = _entry("10.0.\uff11\uff17\uff17\uff16\uff13")
    ascii_entry = _entry("10.0.17763.437")
    chosen = select_manifest({"manifests": [full_width, ascii_entry]}, "10.0.17763.437")
    assert chosen["platform"]["os.version"] == "10.0.17763.437"


@pytest.mark.parametrize("value", [10**5000, ["x"] * 3, {"a": {"b": {"c": 1}}}], ids=["huge-int", "list", "dict"])
def test_non_text_platform_fields_are_no_match(value: object) -> None:
    with pytest.raises(ManifestListError, match="no matching manifest"):
        select_manifest({"manifests": [_entry("10.0.17763.1", os=value)]}, "10.0.17763.437")


def test_the_no_match_message_lists_a_bounded_number_of_entries() -> None:
    entries = [_entry("10.0.20348.1")] * 5000
    with pytest.raises(ManifestListError, match="and 4988 more") as raised:
        select_manifest({"manifests": entries}, "10.0.17763.437", rules="docker")
    assert len(str(raised.value)) < 1000
