"""Table-driven tests of the build matrix, and the property that it is a smallest cover under the rules.

The fleets are the recorded example fleet (examples/fleet/state) and versions of real monthly updates; which image
runs where is checked against ``compatible_image_tags``, never against a second copy of the rules.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import catalog
from ansible_collections.wincontainers.compat.plugins.module_utils.build_matrix import (
    BuildMatrixError,
    build_matrix,
    fleet_hosts,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import fails_on_newer_client
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import compatible_image_tags
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version
from hypothesis import given, settings
from hypothesis import strategies as st

STATE = Path(__file__).resolve().parents[4] / "examples" / "fleet" / "state"
FACTS = {path.stem: json.loads(path.read_text()) for path in sorted((STATE / "hosts").glob("*.json"))}
SWARM = json.loads((STATE / "swarm" / "prod-swarm.json").read_text())
K8S = json.loads((STATE / "k8s" / "prod-aks.json").read_text())
SC = "mcr.microsoft.com/windows/servercore:"


def images(rows: list[dict[str, Any]]) -> list[tuple[str | None, list[str]]]:
    return [(row["tag_suffix"], row["hosts"]) for row in rows]


MATRICES = [
    # (fleet, options, [(tag_suffix, hosts)])
    (
        FACTS,
        {},
        [
            ("10.0.14393.7606", ["win2016-01"]),
            ("ltsc2019", ["win2019-01", "win2019-02"]),
            ("ltsc2022", ["dev-win11", "win2022-01", "win2022-k8s-01", "win2025-k8s-01"]),
        ],
    ),
    # Hyper-V runs older images: the 2016 image serves the whole fleet
    (FACTS, {"isolation": "hyperv"}, [("ltsc2016", sorted(FACTS))]),
    # the classic Docker Engine does not compare revisions on Windows Server 2016
    (
        ["10.0.14393.7606", "10.0.14393.7699"],
        {"rules": "docker"},
        [("ltsc2016", ["10.0.14393.7606", "10.0.14393.7699"])],
    ),
    # documented rules: one image per Windows Server 2016 revision
    (
        ["10.0.14393.7606", "10.0.14393.7699"],
        {},
        [("10.0.14393.7606", ["10.0.14393.7606"]), ("10.0.14393.7699", ["10.0.14393.7699"])],
    ),
    # Windows Server 2025 runs the previous LTSC; containerd's floor on 26100 is 20348 too
    (
        ["10.0.20348.2966", "10.0.26100.2605"],
        {"rules": "containerd"},
        [("ltsc2022", ["10.0.20348.2966", "10.0.26100.2605"])],
    ),
    # a 2025 host alone keeps its own image
    (["10.0.26100.2605"], {}, [("ltsc2025", ["10.0.26100.2605"])]),
    # Windows 11 25H2 is not given the 2025 image (0xc0370112, hcsshim#2566): both get ltsc2022
    (
        {"srv": "10.0.26100.2605", "dev": {"version": "10.0.26200.6899", "host_kind": "client"}},
        {},
        [("ltsc2022", ["dev", "srv"])],
    ),
    # nanoserver names Windows Server 2019 1809
    (["10.0.17763.6659"], {"repo": "nanoserver"}, [("1809", ["10.0.17763.6659"])]),
    # Windows 10 22H2 runs no image with process isolation; with Hyper-V the newest older one that covers all
    (["10.0.19045.3803"], {}, [(None, ["10.0.19045.3803"])]),
    (
        ["10.0.19045.3803", "10.0.17763.6659"],
        {"isolation": "hyperv"},
        [("ltsc2019", ["10.0.17763.6659", "10.0.19045.3803"])],
    ),
    # the swarm's wrong label puts WIN2019-02 with the 2022 hosts; its facts put it back
    (SWARM, {}, [("ltsc2019", ["WIN2019-01"]), ("ltsc2022", ["WIN2019-02", "WIN2022-01"])]),
    (
        [SWARM, *[dict(facts, inventory_hostname=name) for name, facts in FACTS.items() if "2019" in name]],
        {},
        [("ltsc2019", ["win2019-01", "win2019-02"]), ("ltsc2022", ["WIN2022-01"])],
    ),
    (K8S, {}, [("ltsc2022", ["win2022-k8s-01", "win2025-k8s-01"])]),
]


@pytest.mark.parametrize(("fleet", "options", "expected"), MATRICES)
def test_build_matrix(fleet: Any, options: dict[str, str], expected: list) -> None:
    assert images(build_matrix(fleet, **options)) == expected


def test_rows_name_the_base_image_and_release() -> None:
    rows = build_matrix(FACTS)
    assert rows[1] == {
        "build": 17763,
        "release": "Windows Server 2019",
        "base_image": SC + "ltsc2019",
        "tag_suffix": "ltsc2019",
        "hosts": ["win2019-01", "win2019-02"],
    }
    assert [row["build"] for row in rows] == [14393, 17763, 20348]


def test_uncovered_hosts_have_a_row_with_the_reason() -> None:
    rows = build_matrix(["10.0.19045.3803", "10.0.14393", "10.0.20348.2966"])
    assert [row["tag_suffix"] for row in rows] == ["ltsc2022", None, None]
    assert rows[1]["hosts"] == ["10.0.14393"] and rows[1]["base_image"] is None
    assert "same revision (UBR)" in rows[1]["reason"] and "pin the image to 10.0.14393.<host UBR>" in rows[1]["reason"]
    assert rows[2]["release"] == "Windows 10, version 22H2"
    assert rows[2]["reason"].startswith(
        "no servercore image runs on 10.0.19045.3803 (Windows 10, version 22H2) with process isolation under the "
        "documented rules: "
    )


def test_a_node_of_unknown_version_is_named_with_the_fix() -> None:
    nodes = [{"hostname": "WIN-X", "os": "windows", "version": None, "version_source": "unknown", "id": "n1"}]
    (row,) = build_matrix({"nodes": nodes})
    assert row["hosts"] == ["WIN-X"] and row["build"] is None
    assert "unknown" in row["reason"] and "swarm_node_labels" in row["reason"]


def test_kubernetes_node_objects_and_linux_nodes() -> None:
    nodes = [
        {"metadata": {"name": "lnx"}, "status": {"nodeInfo": {"operatingSystem": "linux", "kernelVersion": "6.1.0"}}},
        {
            "metadata": {"name": "akswin"},
            "status": {"nodeInfo": {"operatingSystem": "windows", "kernelVersion": "10.0.17763.6659"}},
        },
    ]
    assert images(build_matrix(nodes)) == [("ltsc2019", ["akswin"])]


def test_facts_and_swarm_node_are_one_host_by_node_id() -> None:
    facts = FACTS["win2019-02"]["ansible_facts"]["wincontainers_host"]
    node = dict(SWARM["nodes"][1], hostname="other-name", id=facts["docker"]["swarm"]["node_id"])
    hosts = fleet_hosts([node, {"inventory_hostname": "win2019-02", "wincontainers_host": facts}])
    assert [(host.name, host.version.version if host.version else None) for host in hosts] == [
        ("win2019-02", "10.0.17763.6775")
    ]


@pytest.mark.parametrize(
    ("fleet", "options", "error", "message"),
    [
        ({"web1": "10.0.notaversion"}, {}, BuildMatrixError, "fleet host 'web1'"),
        ([{"foo": 1}], {}, BuildMatrixError, "fleet entry [0]"),
        ("10.0.17763", {}, BuildMatrixError, "expected a list or dict of hosts"),
        (FACTS["win2019-01"]["ansible_facts"]["wincontainers_host"], {}, BuildMatrixError, "one host's facts"),
        ([None], {}, BuildMatrixError, "fleet entry [0] is None"),
        (["10.0.17763.1"], {"isolation": "vm"}, OptionError, "isolation must be one of process, hyperv"),
        (["10.0.17763.1"], {"repo": "iis"}, OptionError, "repo must be one of"),
        (["10.0.17763.1"], {"rules": "moby"}, OptionError, "rules must be one of"),
    ],
)
def test_bad_input_is_named(fleet: Any, options: dict[str, str], error: type, message: str) -> None:
    with pytest.raises(error, match=None) as caught:
        build_matrix(fleet, **options)
    assert message in str(caught.value)


def test_an_empty_fleet_has_no_rows() -> None:
    assert build_matrix([]) == [] and build_matrix({}) == []


# --- the property: a smallest cover under the rules ------------------------------------------------------------
def acceptable(version: str, kind: str, repo: str, isolation: str, rules: str) -> set[str]:
    """The images (a release build, or a pinned tag) that run on a host, straight from compatible_image_tags."""
    host = parse_windows_version(version)
    found: set[str] = set()
    for tag in compatible_image_tags(version, repo, isolation, kind, rules):
        build = catalog.build_for_alias(tag)
        if build is None:
            found.add(tag)
        elif not fails_on_newer_client(build, host.build, kind):
            found.add(str(build))
    return found


def key_of(row: dict[str, Any]) -> str:
    return row["tag_suffix"] if row["tag_suffix"].startswith("10.0.") else str(row["build"])


VERSIONS = st.builds(
    lambda build, revision: f"10.0.{build}.{revision}" if revision else f"10.0.{build}",
    st.sampled_from([14393, 16299, 17134, 17763, 18363, 19041, 19042, 19045, 20348, 22000, 22631, 25398, 26100, 26200]),
    st.sampled_from([None, 1, 2, 7606]),
)
HOSTS = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=4),
    st.fixed_dictionaries({"version": VERSIONS, "host_kind": st.sampled_from(["server", "client"])}),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    HOSTS,
    st.sampled_from(["servercore", "nanoserver"]),
    st.sampled_from(["process", "hyperv"]),
    st.sampled_from(["documented", "containerd", "docker"]),
)
def test_every_host_is_served_by_its_row_and_the_set_is_smallest(
    fleet: dict[str, dict[str, str]], repo: str, isolation: str, rules: str
) -> None:
    rows = build_matrix(fleet, repo, isolation, rules)
    placed = [host for row in rows for host in row["hosts"]]
    assert sorted(placed) == sorted(fleet)  # every host in exactly one row
    hosts = {name: (facts["version"], fleet_hosts({name: facts})[0].host_kind) for name, facts in fleet.items()}
    ok = {name: acceptable(version, kind, repo, isolation, rules) for name, (version, kind) in hosts.items()}
    served = [row for row in rows if row["base_image"]]
    for row in rows:
        for name in row["hosts"]:
            assert (key_of(row) in ok[name]) if row["base_image"] else not ok[name]
    coverable = [name for name in fleet if ok[name]]
    candidates = sorted(set().union(*(ok[name] for name in coverable))) if coverable else []
    for smaller in itertools.combinations(candidates, max(len(served) - 1, 0)):
        if served:
            assert not all(ok[name] & set(smaller) for name in coverable), (smaller, rows)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(VERSIONS, st.text(max_size=12), st.none(), st.integers()), max_size=5))
def test_any_list_gives_rows_or_a_core_error(fleet: list[Any]) -> None:
    try:
        rows = build_matrix(fleet)
    except WinCompatError:
        return
    assert all(set(row) >= {"build", "release", "base_image", "tag_suffix", "hosts"} for row in rows)


def facts(version: str, hyperv: bool, kind: str = "server") -> dict[str, Any]:
    return {"version": version, "host_kind": kind, "features": {"hyperv": hyperv}}


@pytest.mark.parametrize(
    ("fleet", "build_hosts", "expected"),
    [
        # the host of the row's own build, not the 2025 host that also runs the 2022 image
        (
            ["10.0.20348.2966", "10.0.26100.2605"],
            {"b25": facts("10.0.26100.1", False), "b22": facts("10.0.20348.1", False)},
            [("ltsc2022", "b22", "process")],
        ),
        # with no 2022 host, the 2025 host builds it with process isolation
        (["10.0.20348.2966"], {"b25": facts("10.0.26100.1", False)}, [("ltsc2022", "b25", "process")]),
        # an older image with Hyper-V, only where Hyper-V is installed
        (
            ["10.0.17763.6659"],
            {"nohv": facts("10.0.20348.1", False), "hv": facts("10.0.22631.4602", True, "client")},
            [("ltsc2019", "hv", "hyperv")],
        ),
        (["10.0.17763.6659"], {"nohv": facts("10.0.20348.1", False)}, [("ltsc2019", None, None)]),
        # a Windows Server 2016 image of one revision is built on a host of that revision only
        (
            ["10.0.14393.7606"],
            {"other": facts("10.0.14393.7699", True), "same": facts("10.0.14393.7606", False)},
            [("10.0.14393.7606", "same", "process")],
        ),
        # rows of hosts no image serves get no build host
        (["10.0.19045.3803"], {"b": facts("10.0.19045.1", True, "client")}, [(None, None, None)]),
    ],
)
def test_build_hosts(fleet: Any, build_hosts: Any, expected: list) -> None:
    rows = build_matrix(fleet, build_hosts=build_hosts)
    assert [(row["tag_suffix"], row["build_host"], row["build_isolation"]) for row in rows] == expected
