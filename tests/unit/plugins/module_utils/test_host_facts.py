"""Replays of raw values recorded from real Windows hosts through ``build_host_facts``.

Each fixture under ``tests/unit/fixtures/host_facts/`` cites its source; its ``expected`` block holds only
what the source itself shows (the host's build and revision, the engine's version, isolation and swarm role).
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any, Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import (
    REPOSITORIES,
    build_host_facts,
    docker_facts,
    feature_facts,
    host_kind_of,
    next_host_build,
    redact,
)

DEFAULT_PATH = "C:\\ProgramData\\docker\\config\\daemon.json"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "host_facts"
RECORDED = {path.stem: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json"))}
# A real error of a Windows docker CLI whose engine is not running (docker/for-win#13167 and many others).
ENGINE_DOWN = (
    'error during connect: this error may indicate that the docker daemon is not running: Get "http://%2F%2F.%2Fpipe'
    '%2Fdocker_engine/v1.24/info": open //./pipe/docker_engine: The system cannot find the file specified.'
)


def edit_inspected(raw: dict[str, Any], section: str, edit: Any) -> None:
    """Apply ``edit`` to the first object the batched ``inspect --format`` calls of ``section`` printed."""
    lines = raw["docker"][section][0]["stdout"].splitlines()
    first = json.loads(lines[0])
    edit(first)
    raw["docker"][section][0]["stdout"] = "\n".join([json.dumps(first), *lines[1:]])


def file_record(text: Optional[str], path: str = DEFAULT_PATH) -> dict[str, Any]:
    """The record ``Read-FileRecord`` returns for a daemon.json holding ``text`` (UTF-8), or for no file."""
    encoded = None if text is None else base64.b64encode(text.encode("utf-8")).decode("ascii")
    return {"path": path, "exists": text is not None, "content_base64": encoded, "error": None}


def facts_of(name: str, **overrides: Any) -> dict[str, Any]:
    recorded = RECORDED[name]
    options = {**recorded.get("options", {}), **overrides}
    return build_host_facts(recorded["raw"], **options)


def test_every_windows_generation_is_recorded() -> None:
    builds = {fixture["expected"]["build"] for fixture in RECORDED.values()}
    assert {14393, 17763, 20348, 26100, 17134, 22631} <= builds
    for fixture in RECORDED.values():
        assert fixture["sources"] and all(source["url"].startswith("https://") for source in fixture["sources"])


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_version_and_revision_come_from_the_registry(name: str) -> None:
    expected = RECORDED[name]["expected"]
    facts = facts_of(name)
    assert facts["version"]["version"] == expected["version"]
    assert facts["version"]["build"] == expected["build"]
    assert facts["version"]["revision"] == expected["revision"]
    assert facts["release"]["build"] == expected["build"]
    assert facts["host_kind"] == expected["host_kind"]


@pytest.mark.parametrize("name", sorted(n for n in RECORDED if RECORDED[n]["raw"]["registry"].get("BuildLabEx")))
def test_the_revision_is_never_taken_from_build_lab_ex(name: str) -> None:
    facts = facts_of(name)
    lab_number = int(facts["build_lab_ex"].split(".")[1])
    assert facts["version"]["revision"] != lab_number
    assert facts["version"]["revision"] == RECORDED[name]["raw"]["registry"]["UBR"]


@pytest.mark.parametrize("name", sorted(n for n in RECORDED if "docker" in RECORDED[n]["expected"]))
def test_engine_facts(name: str) -> None:
    expected = RECORDED[name]["expected"]["docker"]
    docker = facts_of(name)["docker"]
    for key, value in expected.items():
        assert docker[key] == value, key
    assert docker["installed"] is True
    assert docker["error"] is None


def test_host_kind_needs_evidence_for_a_bare_26100_build() -> None:
    recorded = RECORDED["win11_24h2_pro"]
    facts = build_host_facts(recorded["raw"])
    assert facts["host_kind"] is None
    assert facts["compatible_tags"] == {}
    assert any("host kind unknown" in warning for warning in facts["warnings"])
    told = build_host_facts(recorded["raw"], host_kind="client")
    assert told["host_kind"] == recorded["expected"]["host_kind_with_option"]
    assert set(told["compatible_tags"]) == set(REPOSITORIES)
    assert told["warnings"] == []


def test_compatible_tags_cover_each_repository_and_isolation() -> None:
    facts = facts_of("server2019_swarm_manager")
    assert set(facts["compatible_tags"]) == set(REPOSITORIES)
    for per_isolation in facts["compatible_tags"].values():
        assert set(per_isolation) == {"process", "hyperv"}
    # A Windows Server 2019 host runs the ltsc2019 Server Core image under process isolation (Microsoft's matrix).
    assert "ltsc2019" in facts["compatible_tags"]["servercore"]["process"]
    assert "ltsc2022" not in facts["compatible_tags"]["servercore"]["process"]


def test_an_image_newer_than_the_host_is_listed_with_its_revision() -> None:
    facts = facts_of("server2025_runner_newer_image")
    (image,) = facts["images"]
    expected = RECORDED["server2025_runner_newer_image"]["expected"]["images"][0]
    assert image["os_version"] == expected["os_version"]
    assert image["version"]["revision"] == expected["revision"]
    assert image["version"]["revision"] > facts["version"]["revision"]
    assert image["repo_tags"] == ["mcr.microsoft.com/windows/servercore:ltsc2025"]


def test_a_container_that_ran_under_hyperv_is_not_on_borrowed_luck() -> None:
    facts = facts_of("server2019_bc_hyperv_container")
    (container,) = facts["containers"]
    expected = RECORDED["server2019_bc_hyperv_container"]["expected"]["containers"][0]
    assert container["name"] == expected["name"]
    assert container["image_os_version"] == expected["image_os_version"]
    assert container["isolation"] == expected["isolation"]
    # It ran (the source shows it): the core must agree, so it is not running on borrowed luck.
    assert container["verdict"]["status"] in ("supported", "preview")
    assert container["borrowed_luck"] is False
    # Hyper-V isolation runs older builds: it keeps running on the next LTSC host.
    assert container["survives_build_change"] is True


@pytest.mark.parametrize(
    ("build", "kind", "expected"),
    [(14393, "server", 17763), (17763, "server", 20348), (20348, "server", 26100), (22631, "client", 26100)],
)
def test_next_host_build(build: int, kind: str, expected: int) -> None:
    assert next_host_build(build, kind) == expected


def test_the_newest_release_has_no_next_build() -> None:
    assert next_host_build(10**6, "server") is None


def test_the_same_container_under_process_isolation_would_not_survive_a_build_change() -> None:
    raw = copy.deepcopy(RECORDED["server2019_bc_hyperv_container"]["raw"])
    edit_inspected(raw, "containers", lambda container: container["HostConfig"].update(Isolation="process"))
    (container,) = build_host_facts(raw, host_kind="server")["containers"]
    verdict = container_compat("10.0.17763.1518", "10.0.17763.1554", isolation="process", host_kind="server")
    assert container["verdict"] == verdict
    # The LTSC after Windows Server 2019 is Windows Server 2022 (20348), whose kernel a 17763 image cannot share.
    assert container["next_host_build"] == 20348
    assert container["survives_build_change"] is False
    assert container["borrowed_luck"] is (verdict["status"] not in ("supported", "preview"))


def test_a_container_of_another_build_under_process_isolation_runs_on_borrowed_luck() -> None:
    raw = copy.deepcopy(RECORDED["server2019_bc_hyperv_container"]["raw"])
    # a Windows Server 2022 image (see server2022_docker_docs)
    edit_inspected(raw, "images", lambda image: image.update(OsVersion="10.0.20348.707"))
    edit_inspected(raw, "containers", lambda container: container["HostConfig"].update(Isolation="process"))
    (container,) = build_host_facts(raw, host_kind="server")["containers"]
    assert container["verdict"]["status"] == "unsupported"
    assert container["borrowed_luck"] is True
    # Once the host moves to Windows Server 2022, the image matches its build: it would run again.
    assert container["next_host_build"] == 20348
    assert container["survives_build_change"] is True


def test_gather_subset_version_only_has_no_engine_facts() -> None:
    facts = facts_of("server2016_datacenter")
    assert "docker" not in facts and "containers" not in facts and "containerd" not in facts
    assert facts["features"] is None


@pytest.mark.parametrize(
    ("subset", "sections"),
    [
        (["version", "docker"], {"docker"}),
        (["version", "images"], {"docker", "images"}),
        (["version", "containers"], {"docker", "images", "containers"}),
        (["all"], {"docker", "images", "containers", "containerd"}),
    ],
)
def test_a_section_not_gathered_is_absent_not_empty(subset: list[str], sections: set[str]) -> None:
    """An empty ``containers`` list says no container runs; a subset without containers must not say that."""
    raw = copy.deepcopy(RECORDED["server2019_bc_hyperv_container"]["raw"])
    raw["gather_subset"] = subset
    facts = build_host_facts(raw, host_kind="server")
    assert {"docker", "images", "containers", "containerd"} & set(facts) == sections
    if "containers" in sections:
        assert [c["name"] for c in facts["containers"]] == [
            RECORDED["server2019_bc_hyperv_container"]["expected"]["containers"][0]["name"]
        ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"source": "Get-WindowsFeature", "Containers": "Installed", "Hyper-V": "Available"}, (True, False, False)),
        ({"source": "Get-WindowsFeature", "Containers": "InstallPending", "Hyper-V": "Installed"}, (False, True, True)),
        (
            {"source": "Get-WindowsOptionalFeature", "Containers": "Enabled", "Microsoft-Hyper-V": "Disabled"},
            (True, False, False),
        ),
        ({"source": "Get-WindowsOptionalFeature", "Containers": None, "Microsoft-Hyper-V": None}, (None, None, False)),
    ],
)
def test_feature_states_of_server_and_client(raw: dict[str, Any], expected: tuple[Any, Any, bool]) -> None:
    facts = feature_facts(raw)
    assert facts is not None
    assert (facts["containers"], facts["hyperv"], facts["reboot_pending"]) == expected


def test_a_stopped_engine_is_a_fact() -> None:
    facts = docker_facts(
        {
            "cli": "C:\\Program Files\\Docker\\docker.exe",
            "service": "Stopped",
            "info": {"rc": 1, "stdout": "", "stderr": ENGINE_DOWN},
            "version": {"rc": 1, "stdout": json.dumps({"Client": {"Version": "24.0.7"}, "Server": None}), "stderr": ""},
        }
    )
    assert facts["installed"] is True and facts["running"] is False
    assert facts["service_state"] == "stopped"
    assert facts["client_version"] == "24.0.7" and facts["version"] is None
    assert "docker_engine" in facts["error"]


def test_a_host_without_docker_is_a_fact() -> None:
    facts = docker_facts({"cli": None, "service": None, "daemon_json_files": [file_record(None)], "daemon_json_path": None})
    assert facts["installed"] is False and facts["running"] is False
    assert facts["daemon_json"] is None and facts["daemon_json_error"] is None
    assert facts["daemon_json_path"] == "C:\\ProgramData\\docker\\config\\daemon.json"


def test_an_invalid_daemon_json_is_a_fact_not_a_failure() -> None:
    facts = docker_facts({"cli": "docker.exe", "daemon_json_files": [file_record('{"exec-opts": ["isolation=hyperv"],}')]})
    assert facts["daemon_json"] is None
    assert "is not valid JSON" in facts["daemon_json_error"]


def test_daemon_json_is_parsed_and_passwords_in_urls_are_masked() -> None:
    text = '\ufeff{"exec-opts": ["isolation=hyperv"], "registry-mirrors": ["https://ci:s3cret@mirror.example.com"]}'
    facts = docker_facts({"cli": "docker.exe", "daemon_json_files": [file_record(text)]})
    assert facts["daemon_json"]["exec-opts"] == ["isolation=hyperv"]
    assert facts["daemon_json"]["registry-mirrors"] == ["https://ci:********@mirror.example.com"]
    assert "s3cret" not in json.dumps(facts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://user:pass@proxy:3128", "http://user:********@proxy:3128"),
        ({"a": ["tcp://x:y@h"]}, {"a": ["tcp://x:********@h"]}),
        ("https://mirror.example.com", "https://mirror.example.com"),
        (42, 42),
    ],
)
def test_redact(value: Any, expected: Any) -> None:
    assert redact(value) == expected


@pytest.mark.parametrize(
    ("registry", "release", "expected"),
    [
        ({"InstallationType": "Server Core", "ProductName": "Windows 10 Pro"}, {}, "server"),
        ({"InstallationType": "Nano Server"}, {}, "server"),
        ({"InstallationType": "Client", "ProductName": "Windows Server 2022"}, {}, "client"),
        ({"ProductName": "Windows 10 Enterprise"}, {"known": True, "kind": "both"}, "client"),
        ({"ProductName": "Microsoft Windows Server"}, {}, "server"),
        ({}, {"known": True, "kind": "client"}, "client"),
        ({}, {"known": True, "kind": "both"}, None),
        ({}, {"known": False, "kind": "client"}, None),
    ],
)
def test_host_kind_of(registry: dict[str, Any], release: dict[str, Any], expected: Any) -> None:
    assert host_kind_of(registry, release) == expected


def test_bad_input_names_what_was_wrong() -> None:
    with pytest.raises(WinCompatError, match="host_kind"):
        build_host_facts(RECORDED["server2016_datacenter"]["raw"], host_kind="desktop")
    with pytest.raises(WinCompatError):
        build_host_facts({"registry": {"ProductName": "Windows Server 2019 Standard"}})


def test_the_powershell_returns_what_the_builder_reads() -> None:
    """Every raw key the builder reads is one the PowerShell sets (the replayed fixtures use the same keys)."""
    script = (Path(__file__).resolve().parents[4] / "plugins" / "modules" / "win_container_host_facts.ps1").read_text()
    registry_keys = RECORDED["server2019_swarm_manager"]["raw"]["registry"]
    for key in registry_keys:
        assert f"'{key}'" in script, key
    for key in (
        "cli =",
        "service =",
        "daemon_json_path =",
        "daemon_json_files =",
        "info = $info",
        "version = $version",
        "containers = $containers",
        "images = $images",
        "gather_subset =",
    ):
        assert key in script, key
    for argv in (
        "@('info', '--format', '{\"ServerVersion\":{{json .ServerVersion}}",
        "@('version', '--format', '{\"Client\":{\"Version\":{{json .Client.Version}}}}')",
        "@('ps', '--quiet', '--no-trunc')",
        "@('container', 'inspect', '--format', '{\"Id\":{{json .Id}}",
        "@('image', 'inspect', '--format', '{\"Id\":{{json .Id}}",
    ):
        assert argv in script, f"docker is not called with the fixed arguments {argv}"
