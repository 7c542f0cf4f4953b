"""A user's catalog file: validation naming file, entry and field; merging; one entry makes a new LTSC known."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_extension import extend_catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import (
    load_catalog_file,
    use_catalog_file,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import (
    container_compat,
    hcsshim_floor,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    CatalogError,
    VersionParseError,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import build_host_facts
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import LabelOptions, desired_node_labels
from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release
from ansible_collections.wincontainers.compat.plugins.module_utils.release_catalog import RELEASES
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import image_version, windows_labels
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    base_image_tag,
    compatible_image_tags,
    retarget_image,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    parse_windows_version,
    windows_version,
)
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = ROOT / "examples" / "catalog" / "windows-server-2028.yml"
HOST = "10.0.30000.100"


def _entry(**fields: Any) -> dict[str, Any]:
    """A minimal new server entry, build 30000, with ``fields`` changed."""
    entry = {
        "build": 30000,
        "name": "Windows Server 2028",
        "kind": "server",
        "channel": "LTSC",
        "products": [{"name": "Windows Server 2028", "kind": "server", "channel": "LTSC", "version": "27H2"}],
        "tags": {"servercore": ["ltsc2028"]},
    }
    entry.update(fields)
    return entry


@pytest.fixture
def ltsc2028() -> Iterator[None]:
    """The example file (Windows Server 2028, build 30000, ltsc2028 tags) as the active catalog."""
    use_catalog_file(str(EXAMPLE))
    yield
    catalog.activate(None)


@pytest.fixture(autouse=True)
def _collection_catalog() -> Iterator[None]:
    yield
    catalog.activate(None)


# --- a new LTSC build as one catalog entry --------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "isolation", "expected"),
    [
        # image, isolation, {rules: status} on a Windows Server 2028 host
        ("ltsc2028", "process", {"documented": "supported", "containerd": "supported", "docker": "supported"}),
        ("ltsc2025", "process", {"documented": "supported", "containerd": "supported", "docker": "supported"}),
        ("ltsc2022", "process", {"documented": "unsupported", "containerd": "unsupported", "docker": "supported"}),
        ("ltsc2022", "hyperv", {"documented": "supported", "containerd": "unsupported", "docker": "supported"}),
        ("ltsc2019", "process", {"documented": "unsupported", "containerd": "unsupported", "docker": "unsupported"}),
    ],
)
def test_new_ltsc_gets_the_rules_of_every_rule_set(
    ltsc2028: None, image: str, isolation: str, expected: dict[str, str]
) -> None:
    got = {rules: container_compat(image, HOST, isolation, rules=rules)["status"] for rules in expected}
    assert got == expected
    result = container_compat(image, HOST, isolation)
    assert result["host_release"] == {"build": 30000, "name": "Windows Server 2028", "known": True}
    assert not any("not in the release catalog" in caveat for caveat in result["caveats"])


def test_new_ltsc_images_do_not_run_on_older_hosts(ltsc2028: None) -> None:
    for rules in ("documented", "containerd", "docker"):
        assert container_compat("ltsc2028", "10.0.26100.2605", "hyperv", rules=rules)["status"] == "unsupported"
    assert hcsshim_floor(30001) == 30000  # compatLTSCReleases now ends with 30000


def test_new_ltsc_gets_its_tags(ltsc2028: None) -> None:
    assert compatible_image_tags(HOST) == ["ltsc2028", "ltsc2025"]
    assert compatible_image_tags(HOST, "nanoserver") == ["ltsc2028", "ltsc2025"]
    assert base_image_tag(HOST) == "ltsc2028"
    assert base_image_tag(HOST, "server") == "ltsc2028"
    assert retarget_image("mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2022", HOST) == (
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2028"
    )
    assert windows_version("mcr.microsoft.com/windows/servercore:ltsc2028")["build"] == 30000


def _raw_host_2028() -> dict[str, Any]:
    """The recorded Windows Server 2025 host of the example fleet, moved to build 30000."""
    text = (ROOT / "examples" / "fleet" / "raw" / "win2025-k8s-01.json").read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text.replace("26100", "30000"))
    raw["registry"].update(ProductName="Windows Server 2028 Datacenter", DisplayVersion="27H2")
    return raw


def test_new_ltsc_host_gets_its_facts(ltsc2028: None) -> None:
    facts = build_host_facts(_raw_host_2028())
    assert facts["version"]["version"] == "10.0.30000.2605"
    assert facts["release"]["name"] == "Windows Server 2028" and facts["release"]["known"] is True
    assert facts["release"]["tags"]["servercore"] == ["ltsc2028"]
    assert facts["host_kind"] == "server"
    assert facts["compatible_tags"]["servercore"]["process"] == ["ltsc2028", "ltsc2025"]


def test_new_ltsc_host_without_the_entry_is_unknown() -> None:
    facts = build_host_facts(_raw_host_2028())
    assert facts["release"]["known"] is False
    assert facts["compatible_tags"]["servercore"]["process"] == ["ltsc2025"]


def test_new_ltsc_gets_swarm_and_kubernetes_labels(ltsc2028: None) -> None:
    version = parse_windows_version(HOST)
    assert windows_labels(version) == {"OS": "windows", "OsVersion": "10.0.30000"}
    assert image_version("mcr.microsoft.com/windows/servercore:ltsc2028") == parse_windows_version("10.0.30000")
    labels, missing = desired_node_labels(version, LabelOptions())
    assert labels == {"beta.kubernetes.io/osbuild": "30000", "wincontainers.compat/release": "ltsc2028"}
    assert missing == []


def test_new_ltsc_gets_its_docs(ltsc2028: None) -> None:
    spec = importlib.util.spec_from_file_location("gen_catalog_docs", ROOT / "scripts" / "gen_catalog_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.render_active()
    row = "| 30000 | Windows Server 2028 | 27H2 | server | LTSC | servercore: `ltsc2028`; nanoserver: `ltsc2028`;"
    assert row in text
    assert "| Windows Server 2028 | 30000 | yes | yes | - | - | - |" in text
    release_id = "19042, 19043, 19044, 19045, 20348, 22000, 22621, 22631, 25398, 26100, 26200, 26300, 28000, 30000"
    assert f"| `2009` | {release_id} |" in text


def test_switching_catalogs_clears_the_caches() -> None:
    with pytest.raises(VersionParseError):
        windows_version("ltsc2028")
    assert container_compat("ltsc2025", HOST)["host_release"]["known"] is False
    use_catalog_file(str(EXAMPLE))
    assert windows_version("ltsc2028")["build"] == 30000
    assert container_compat("ltsc2025", HOST)["host_release"]["known"] is True
    catalog.activate(None)
    with pytest.raises(VersionParseError):
        windows_version("ltsc2028")
    assert container_compat("ltsc2025", HOST)["host_release"]["known"] is False


# --- merging --------------------------------------------------------------------------------------------


def test_a_correction_replaces_only_the_fields_it_gives() -> None:
    merged = extend_catalog([{"build": 20348, "tags": {"windows": ["ltsc2022"]}, "notes": "corrected"}], "fix.yml")
    entry = next(e for e in merged if e["build"] == 20348)
    assert entry["tags"] == {repo: ["ltsc2022"] for repo in ("servercore", "nanoserver", "server", "windows")}
    assert entry["notes"] == "corrected" and entry["products"] == catalog.entry_for_build(20348)["products"]  # type: ignore[index]
    assert len(merged) == len(RELEASES)
    assert RELEASES[[e["build"] for e in RELEASES].index(20348)]["tags"]["windows"] == []  # the data is untouched


def test_a_new_entry_gets_the_defaults_and_sorts_in() -> None:
    merged = extend_catalog({"releases": [_entry()]}, "new.yml")
    assert [e["build"] for e in merged] == sorted(e["build"] for e in merged) and merged[-1]["build"] == 30000
    assert merged[-1]["tags"] == {"servercore": ["ltsc2028"], "nanoserver": [], "server": [], "windows": []}
    assert merged[-1]["containers"] is True and merged[-1]["aliases"] == [] and merged[-1]["kb_revisions"] == {}


def test_an_empty_file_changes_nothing() -> None:
    assert extend_catalog(None, "empty.yml") == RELEASES


def test_windows_release_of_a_corrected_name() -> None:
    catalog.activate(extend_catalog([{"build": 25398, "aliases": ["annual 2023"]}], "alias.yml"))
    assert windows_release("Annual 2023")["build"] == 25398


ERRORS = [
    ("a string", r"cat\.yml: expected a list of release entries"),
    ([[1]], r"cat\.yml: entry 1: expected a mapping of catalog fields"),
    ([{"name": "x"}], r"cat\.yml: entry 1, field build: missing"),
    ([_entry(build=70000)], r"entry 1 \(build 70000\), field build: .*a build is a number from 10240 to 65535"),
    ([_entry(build="30000")], r"entry 1 \(build 30000\), field build: expected a build number"),
    ([_entry(build=True)], r"field build: expected a build number"),
    ([_entry(kind="desktop")], r"entry 1 \(build 30000\), field kind: expected one of server, client, both"),
    ([_entry(tags={"servercore": "ltsc2028"})], r"field tags\.servercore: expected a list; got 'ltsc2028'"),
    ([_entry(tags={"core": ["x"]})], r"field tags: expected a mapping of servercore, nanoserver"),
    ([_entry(tags={"servercore": ["bad tag"]})], r"field tags\.servercore\[1\]: expected MCR tags .*; got 'bad tag'"),
    ([_entry(products=[])], r"field products: expected at least one product"),
    (
        [_entry(products=[{"name": "x", "kind": "server", "channel": "LTSC", "released": "2028-13-01"}])],
        r"field products\[1\]\.released: expected a date YYYY-MM-DD; got '2028-13-01'",
    ),
    (
        [_entry(products=[{"name": "x", "kind": "client", "channel": "client"}])],
        r"field products: a release of kind server needs products of kind server; got client",
    ),
    ([_entry(tag="ltsc2028")], r"entry 1 \(build 30000\), field tag: unknown field; expected one of build"),
    ([_entry(kb_revisions={"5048671": 10})], r"field kb_revisions: expected a mapping of KB numbers"),
    (
        [_entry(sources=["http://example.com"])],
        r"field sources\[1\]: expected an https:// address; got .http://example.com.",
    ),
    ([_entry(client_process="all")], r"field client_process: expected one of none, same_build"),
    ([_entry(stable_abi_ltsc="yes")], r"field stable_abi_ltsc: expected true or false"),
    ([_entry(kind="both")], r"entry 1 \(build 30000\), field client_name: missing"),
    ([{"build": 30000, "name": "x"}], r"entry 1 \(build 30000\), field kind: missing; a build the catalog does not"),
    ([_entry(aliases=["ltsc2025"])], r"entry 1 \(build 30000\), field aliases: 'ltsc2025' already names build 26100"),
    ([_entry(), _entry()], r"entry 2 \(build 30000\), field build: build 30000 is given twice"),
    ([{"build": 26200, "base_build": 26300}], r"entry 1 \(build 26200\), field base_build: expected an older"),
    (
        [{"build": 20348, "stable_abi_ltsc": False}, {"build": 26100, "stable_abi_ltsc": False}],
        r"cat\.yml: field stable_abi_ltsc: no entry is left with it",
    ),
]


@pytest.mark.parametrize(("document", "message"), ERRORS)
def test_errors_name_the_file_the_entry_and_the_field(document: object, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        extend_catalog(document, "cat.yml")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"missing\.yml: cannot read the catalog file"):
        load_catalog_file(str(tmp_path / "missing.yml"))
    broken = tmp_path / "broken.yml"
    broken.write_text("releases: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.yml: not valid YAML"):
        load_catalog_file(str(broken))
    wrong = tmp_path / "wrong.yml"
    wrong.write_text(yaml.safe_dump([_entry(kind="desktop")]), encoding="utf-8")
    with pytest.raises(CatalogError, match=rf"{wrong}: entry 1 \(build 30000\), field kind"):
        use_catalog_file(str(wrong))
    assert catalog.is_extended() is False  # a refused file leaves the collection's catalog active


def test_the_example_file_is_valid_yaml_of_one_entry() -> None:
    entries = load_catalog_file(str(EXAMPLE))
    assert len(entries) == len(RELEASES) + 1 and entries[-1]["name"] == "Windows Server 2028"


# --- one validity rule for build numbers ----------------------------------------------------------------


@given(st.integers(min_value=-10, max_value=200_000))
def test_windows_release_and_windows_version_agree_on_every_build(build: int) -> None:
    try:
        expected = windows_version(build)["build"]
    except VersionParseError:
        with pytest.raises(VersionParseError):
            windows_release(build)
        return
    assert windows_release(build)["build"] == expected


@pytest.mark.parametrize("build", [70000, 65536, 9999, 0, -1])
def test_windows_release_refuses_the_builds_windows_version_refuses(build: int) -> None:
    with pytest.raises(VersionParseError, match=str(build)):
        windows_release(build)
    with pytest.raises(VersionParseError, match=str(build)):
        windows_version(build)
