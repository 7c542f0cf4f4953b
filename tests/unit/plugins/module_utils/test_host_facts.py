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
    image_facts,
    next_host_build,
    redact,
    unread_daemon_json,
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
    facts = docker_facts(
        {"cli": None, "service": None, "daemon_json_files": [file_record(None)], "daemon_json_path": None}
    )
    assert facts["installed"] is False and facts["running"] is False
    assert facts["daemon_json"] is None and facts["daemon_json_error"] is None
    assert facts["daemon_json_path"] == "C:\\ProgramData\\docker\\config\\daemon.json"


def test_an_invalid_daemon_json_is_a_fact_not_a_failure() -> None:
    facts = docker_facts(
        {"cli": "docker.exe", "daemon_json_files": [file_record('{"exec-opts": ["isolation=hyperv"],}')]}
    )
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
        "@('version', '--format', '{\"Client\":{\"Version\":{{json .Client.Version}}}",
        "@('ps', '--quiet', '--no-trunc')",
        "@('container', 'inspect', '--format', '{\"Id\":{{json .Id}}",
        "@('image', 'inspect', '--format', '{\"Id\":{{json .Id}}",
    ):
        assert argv in script, f"docker is not called with the fixed arguments {argv}"


def command(stdout: str = "", rc: Optional[int] = 0, stderr: str = "", **extra: Any) -> dict[str, Any]:
    """A record of Invoke-Native: what a native command printed, or why it did not answer."""
    return {"rc": rc, "stdout": stdout, "stderr": stderr, "timed_out": False, "start_error": None, **extra}


# docker info of a Windows host whose engine is stopped (docker/for-win#7310), as ServerErrors carries it.
SERVER_ERROR = (
    "error during connect: Get http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.40/info: open //./pipe/docker_engine: The "
    "system cannot find the file specified. In the default daemon configuration on Windows, the docker client must be "
    "run elevated to connect. This error may also indicate that the docker daemon is not running."
)
STOPPED_INFO = json.dumps({"ServerVersion": "", "OSType": "", "Swarm": {"NodeID": "", "LocalNodeState": ""}})


def test_an_engine_error_in_server_errors_is_reported() -> None:
    """docker CLI before 28.1 exits 0 when the engine is down; the error is only in ServerErrors."""
    facts = docker_facts(
        {
            "cli": "C:\\Program Files\\Docker\\docker.exe",
            "service": "Stopped",
            "info": command(STOPPED_INFO),
            "server_errors": command(json.dumps([SERVER_ERROR])),
            "daemon_json_files": [file_record(None)],
        }
    )
    assert facts["running"] is False and facts["version"] is None
    assert facts["error"] == SERVER_ERROR


def test_an_engine_error_printed_on_stderr_with_exit_0_is_reported() -> None:
    # docker/cli#5900: `docker system info --format '{{.Architecture}}'` prints the error and exits 0 (CLI 28.0.1).
    stderr = "Cannot connect to the Docker daemon at unix:///non-existent. Is the docker daemon running?"
    facts = docker_facts({"cli": "docker.exe", "info": command("", stderr=stderr), "server_errors": command("null")})
    assert facts["running"] is False and facts["error"] == stderr


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (command(rc=None, start_error="The filename or extension is too long"), "docker could not start: The filename"),
        (command(rc=None, timed_out=True), "docker did not answer in time and was stopped"),
        (command(rc=1, stderr=""), "docker exited with 1"),
    ],
)
def test_a_docker_call_that_gave_no_answer_is_a_fact(record: dict[str, Any], expected: str) -> None:
    facts = docker_facts({"cli": "C:\\Program Files\\Docker\\docker.exe", "info": record})
    assert facts["running"] is False
    assert facts["error"].startswith(expected)


def test_credentials_in_docker_errors_are_masked() -> None:
    error = 'Error response from daemon: Get "https://registry.example.com/v2/": proxyconnect tcp: dial http://proxy-user:Pr0xy-Pass@proxy:3128'
    facts = docker_facts({"cli": "docker.exe", "info": command(rc=1, stderr=error)})
    assert "Pr0xy-Pass" not in facts["error"] and "proxy-user:********@proxy" in facts["error"]


def test_images_and_containers_are_read_across_batches() -> None:
    """Image IDs are inspected 100 a call: every batch's lines are read, a garbled line is skipped."""
    batches = [
        command(
            "\n".join(
                json.dumps({"Id": f"sha256:{n:064x}", "RepoTags": [], "Os": "windows", "OsVersion": "10.0.17763.1518"})
                for n in range(100)
            )
        ),
        command(
            json.dumps({"Id": "sha256:last", "RepoTags": ["x:1"], "Os": "windows", "OsVersion": "10.0.20348.707"})
            + "\r\n{garbled"
        ),
    ]
    images = image_facts(batches)
    assert len(images) == 101
    assert images[-1]["id"] == "sha256:last" and images[-1]["version"]["build"] == 20348


def test_desktop_in_linux_mode_is_flagged() -> None:
    facts = facts_of("win11_22h2_desktop_linux_engine")
    expected = RECORDED["win11_22h2_desktop_linux_engine"]["expected"]["docker"]
    for key, value in expected.items():
        assert facts["docker"][key] == value, key
    assert facts["docker"]["platform"] == "Docker Desktop 4.21.1 (114176)"
    assert any("runs linux containers (Docker Desktop in Linux containers mode)" in w for w in facts["warnings"])


def test_a_windows_engine_raises_no_engine_warning() -> None:
    facts = facts_of("server2019_swarm_manager")
    assert facts["docker"]["windows_engine"] is True and facts["docker"]["desktop"] is False
    assert not any("containers (" in warning for warning in facts["warnings"])


@pytest.mark.parametrize(
    ("signals", "pending", "update_pending", "revision_running"),
    [
        (
            {"cbs_reboot_pending": True, "wu_reboot_required": False, "pending_file_rename_operations": False},
            True,
            True,
            False,
        ),
        (
            {"cbs_reboot_pending": False, "wu_reboot_required": True, "pending_file_rename_operations": False},
            True,
            True,
            False,
        ),
        (
            {"cbs_reboot_pending": False, "wu_reboot_required": False, "pending_file_rename_operations": True},
            True,
            False,
            True,
        ),
        (
            {"cbs_reboot_pending": False, "wu_reboot_required": False, "pending_file_rename_operations": False},
            False,
            False,
            True,
        ),
        (
            {"cbs_reboot_pending": None, "wu_reboot_required": None, "pending_file_rename_operations": None},
            None,
            None,
            None,
        ),
    ],
)
def test_reboot_signals_and_the_running_revision(
    signals: dict[str, Any], pending: Any, update_pending: Any, revision_running: Any
) -> None:
    raw = copy.deepcopy(RECORDED["server2016_datacenter"]["raw"])
    raw["reboot"] = signals
    facts = build_host_facts(raw)
    assert (facts["reboot"]["pending"], facts["reboot"]["update_pending"]) == (pending, update_pending)
    assert facts["revision_running"] is revision_running
    assert any("not yet the running kernel's" in w for w in facts["warnings"]) is bool(update_pending)


def test_a_windows_reboot_signal_makes_the_features_wait_for_a_restart() -> None:
    features = {"source": "Get-WindowsFeature", "error": None, "Containers": "Installed", "Hyper-V": "Installed"}
    waiting = feature_facts(features, {"cbs_reboot_pending": True})
    assert waiting is not None and waiting["reboot_pending"] is True
    assert feature_facts(features, {"cbs_reboot_pending": False})["reboot_pending"] is False  # type: ignore[index]


def test_a_dism_error_is_a_fact() -> None:
    features = {
        "source": "Get-WindowsOptionalFeature",
        "error": "The requested operation requires elevation.",
        "Containers": None,
    }
    facts = feature_facts(features)
    assert facts is not None and facts["containers"] is None
    assert facts["error"] == "The requested operation requires elevation."


def test_daemon_json_at_a_moved_data_root_is_read_from_the_record_of_that_path() -> None:
    raw = copy.deepcopy(RECORDED["server2019_swarm_manager"]["raw"]["docker"])
    raw["service_image_path"] = '"C:\\Program Files\\Docker\\dockerd.exe" --run-service --data-root D:\\docker'
    moved = "D:\\docker\\config\\daemon.json"
    assert unread_daemon_json(raw) == moved
    raw["daemon_json_files"].append(file_record('{"exec-opts": ["isolation=process"]}', moved.upper()))
    assert unread_daemon_json(raw) is None
    facts = docker_facts(raw)
    assert facts["daemon_json_path"] == moved and facts["daemon_json_location"]["source"] == "--data-root"
    assert facts["daemon_json"] == {"exec-opts": ["isolation=process"]}


def test_utf16_and_unreadable_daemon_json_are_facts() -> None:
    text = '{"exec-opts": ["isolation=hyperv"]}'
    utf16 = {**file_record(None), "exists": True}
    utf16["content_base64"] = base64.b64encode(b"\xff\xfe" + text.encode("utf-16-le")).decode()
    facts = docker_facts({"cli": "docker.exe", "daemon_json_files": [utf16]})
    assert facts["daemon_json"] == {"exec-opts": ["isolation=hyperv"]} and facts["daemon_json_encoding"] == "utf-16-le"
    denied = {
        **file_record(None),
        "error": "Access to the path 'C:\\ProgramData\\docker\\config\\daemon.json' is denied.",
    }
    facts = docker_facts({"cli": "docker.exe", "daemon_json_files": [denied]})
    assert facts["daemon_json"] is None and "cannot be read: Access to the path" in facts["daemon_json_error"]
    broken = {**file_record(None), "exists": True, "content_base64": base64.b64encode(b'{"a": "\xe9"}').decode()}
    assert (
        "is not valid UTF-8" in docker_facts({"cli": "docker.exe", "daemon_json_files": [broken]})["daemon_json_error"]
    )


def test_the_daemon_json_path_option_wins() -> None:
    raw = {
        "cli": "docker.exe",
        "daemon_json_path": "E:\\cfg\\daemon.json",
        "daemon_json_files": [file_record("{}", "E:\\cfg\\daemon.json")],
    }
    facts = docker_facts(raw)
    assert facts["daemon_json_path"] == "E:\\cfg\\daemon.json" and facts["daemon_json"] == {}
    assert facts["daemon_json_location"]["source"] == "daemon_json_path"


def test_containerd_version_and_failure() -> None:
    raw = copy.deepcopy(RECORDED["server2016_datacenter"]["raw"])
    raw["gather_subset"] = ["containerd"]
    printed = "containerd github.com/containerd/containerd v1.7.20 8fc6bcff51318944179630522a095cc9dbf9f353\r\n"
    raw["containerd"] = {"service": "Running", "version": command(printed)}
    assert build_host_facts(raw)["containerd"] == {
        "installed": True,
        "running": True,
        "version": "1.7.20",
        "error": None,
    }
    raw["containerd"] = {"service": None, "version": command(rc=None, timed_out=True)}
    facts = build_host_facts(raw)["containerd"]
    assert facts["version"] is None and facts["error"] == "containerd did not answer in time and was stopped"
