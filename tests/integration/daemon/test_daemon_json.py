"""docker_daemon_json and the daemon_isolation role against a real Docker Engine (Debian's docker.io).

The engine is started by the harness with its own data root, exec root, socket, pidfile and daemon.json
(``--config-file``). Every state is confirmed independently: the file's bytes, and the engine through the
Docker API (it restarted, it reads the file: labels and the cgroup driver from exec-opts show up in /info).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import build_host_facts
from dockerd import Engine, start_engine
from playbook_runner import REPO_ROOT, run_playbook

pytestmark = pytest.mark.docker

HERE = Path(__file__).resolve().parent
HARNESS = REPO_ROOT / "tests" / "harness" / "dockerd.py"
FACT_FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures" / "host_facts"
# Keys the engine must keep reading through every change (all valid for dockerd 20.10 on Linux).
FOREIGN = {
    "labels": ["wcc-test=daemon-json"],
    "exec-opts": ["native.cgroupdriver=cgroupfs"],
    "max-concurrent-downloads": 4,
    "log-level": "warn",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    started = start_engine(tmp_path_factory.mktemp("dj"), "dj", daemon_json=FOREIGN)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def fresh_config(engine: Engine) -> Iterator[Path]:
    """The engine's daemon.json reset to the foreign keys, the engine running with it."""
    engine.config_file.write_text(json.dumps(FOREIGN, indent=2) + "\n")
    if not engine.is_up():
        engine.start()
    yield engine.config_file
    for leftover in engine.config_file.parent.glob(engine.config_file.name + ".*~"):
        leftover.unlink()


def restart_command(engine: Engine) -> list[str]:
    return [sys.executable, str(HARNESS), "restart", "--base", str(engine.base_dir.parent), "--name", engine.name]


def engine_info(engine: Engine) -> dict[str, Any]:
    """``/info`` of the engine, read through the Docker API."""
    client = engine.client()
    try:
        info: dict[str, Any] = client.info()
        return info
    finally:
        client.close()


def engine_pid(engine: Engine) -> int:
    return int(engine.pidfile.read_text().strip())


def role_vars(engine: Engine, **extra: Any) -> dict[str, Any]:
    return {
        "daemon_isolation_config_path": str(engine.config_file),
        "daemon_isolation_restart_command": restart_command(engine),
        "daemon_isolation_docker_host": engine.docker_host,
        "daemon_isolation_verify_retries": 20,
        "daemon_isolation_verify_delay": 1,
        **extra,
    }


def merge(path: Path, *, check: bool = False, **extra: Any) -> Any:
    extra_vars = {"daemon_json_path": str(path), **{f"daemon_json_{k}": v for k, v in extra.items()}}
    return run_playbook(HERE / "playbook_merge.yml", extra_vars=extra_vars, check=check, diff=True)


def test_merge_check_real_idempotent_idempotent_check(engine: Engine, fresh_config: Path) -> None:
    original = fresh_config.read_bytes()
    wanted = {"exec_opts": {"isolation": "hyperv"}, "settings": {"max-concurrent-uploads": 3}, "backup": True}

    check = merge(fresh_config, check=True, **wanted)
    assert check.returncode == 0, check.explain()
    assert check.changed == 1
    assert fresh_config.read_bytes() == original, "check mode wrote the file"
    diff = check.result("Merge daemon.json")["diff"]
    assert json.loads(diff["before"]) == FOREIGN
    assert json.loads(diff["after"])["exec-opts"] == ["native.cgroupdriver=cgroupfs", "isolation=hyperv"]

    real = merge(fresh_config, **wanted)
    assert real.returncode == 0, real.explain()
    assert real.changed == 1
    on_disk = json.loads(fresh_config.read_text())
    assert on_disk == {
        **FOREIGN,
        "exec-opts": ["native.cgroupdriver=cgroupfs", "isolation=hyperv"],
        "max-concurrent-uploads": 3,
    }
    backup = Path(real.result("Merge daemon.json")["backup_file"])
    assert backup.read_bytes() == original

    again = merge(fresh_config, **wanted)
    assert (again.returncode, again.changed) == (0, 0), again.explain()
    again_check = merge(fresh_config, check=True, **wanted)
    assert (again_check.returncode, again_check.changed) == (0, 0), again_check.explain()

    # The engine reads the merged file: it starts, keeps the foreign label and the cgroup driver from exec-opts.
    engine.restart()
    info = engine_info(engine)
    assert "wcc-test=daemon-json" in info["Labels"]
    assert info["CgroupDriver"] == "cgroupfs"
    # A Linux engine accepts exec-opts isolation=... and reports no default isolation (Windows engines do).
    assert not info.get("Isolation")


def test_exec_opts_are_replaced_by_option_name(engine: Engine, fresh_config: Path) -> None:
    assert merge(fresh_config, exec_opts={"isolation": "hyperv"}).changed == 1
    switched = merge(fresh_config, exec_opts={"isolation": "process"})
    assert switched.changed == 1, switched.explain()
    assert json.loads(fresh_config.read_text())["exec-opts"] == ["native.cgroupdriver=cgroupfs", "isolation=process"]
    removed = merge(fresh_config, exec_opts={"isolation": None})
    assert removed.changed == 1
    assert json.loads(fresh_config.read_text()) == FOREIGN


def test_a_corrupt_daemon_json_fails_cleanly_and_stays_untouched(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    corrupt = b'{\n  "exec-opts": ["isolation=process"],\n  "debug": true,\n}\n'
    path.write_bytes(corrupt)
    for check in (True, False):
        run = merge(path, check=check, exec_opts={"isolation": "hyperv"}, backup=True)
        assert run.returncode != 0
        message = run.result("Merge daemon.json")["msg"]
        assert "is not valid JSON" in message and "line 3 column 16" in message, message
        assert path.read_bytes() == corrupt
        assert sorted(p.name for p in tmp_path.iterdir()) == ["daemon.json"], "backup or temp file left behind"


def test_role_check_real_idempotent_idempotent_check(engine: Engine, fresh_config: Path) -> None:
    original, pid = fresh_config.read_bytes(), engine_pid(engine)
    extra = role_vars(engine, daemon_isolation_mode="hyperv")

    check = run_playbook(HERE / "playbook_role.yml", extra_vars=extra, check=True, diff=True)
    assert check.returncode == 0, check.explain()
    assert check.changed >= 1
    assert fresh_config.read_bytes() == original
    assert engine_pid(engine) == pid, "check mode restarted the engine"

    real = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert real.returncode == 0, real.explain()
    assert json.loads(fresh_config.read_text()) == {
        **FOREIGN,
        "exec-opts": ["native.cgroupdriver=cgroupfs", "isolation=hyperv"],
    }
    restarted = engine_pid(engine)
    assert restarted != pid, "the engine was not restarted"
    assert "wcc-test=daemon-json" in engine_info(engine)["Labels"]

    again = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert (again.returncode, again.changed) == (0, 0), again.explain()
    again_check = run_playbook(HERE / "playbook_role.yml", extra_vars=extra, check=True)
    assert (again_check.returncode, again_check.changed) == (0, 0), again_check.explain()
    assert engine_pid(engine) == restarted, "an idempotent run restarted the engine"


def test_role_rolls_back_a_setting_the_engine_refuses(engine: Engine, fresh_config: Path) -> None:
    original = fresh_config.read_bytes()
    extra = role_vars(
        engine, daemon_isolation_mode="process", daemon_isolation_extra_settings={"no-such-directive": True}
    )
    run = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert run.returncode != 0, run.explain()
    message = run.result("wincontainers.compat.daemon_isolation : Fail with what happened")["msg"]
    # The role names the engine's own refusal (the restart's last error line) and the restored backup.
    assert "the following directives don't match any configuration option: no-such-directive" in message, message
    assert "was restored from" in message and "the engine is running again" in message, message
    # The engine runs again, with the old file, byte for byte.
    assert engine.is_up()
    assert fresh_config.read_bytes() == original
    assert "wcc-test=daemon-json" in engine_info(engine)["Labels"]


def test_role_changes_and_rolls_back_through_a_symlinked_daemon_json(
    engine: Engine, fresh_config: Path, tmp_path: Path
) -> None:
    target = tmp_path / "daemon.json"
    target.write_bytes(fresh_config.read_bytes())
    fresh_config.unlink()
    fresh_config.symlink_to(target)
    try:
        original = target.read_bytes()
        refused = role_vars(
            engine, daemon_isolation_mode="process", daemon_isolation_extra_settings={"no-such-directive": True}
        )
        run = run_playbook(HERE / "playbook_role.yml", extra_vars=refused)
        assert run.returncode != 0, run.explain()
        assert fresh_config.is_symlink() and fresh_config.resolve() == target, "the rollback replaced the link"
        assert target.read_bytes() == original and engine.is_up()

        accepted = run_playbook(
            HERE / "playbook_role.yml", extra_vars=role_vars(engine, daemon_isolation_mode="hyperv")
        )
        assert accepted.returncode == 0, accepted.explain()
        assert fresh_config.is_symlink() and fresh_config.resolve() == target, "the write replaced the link"
        assert "isolation=hyperv" in json.loads(target.read_text())["exec-opts"]
        assert "wcc-test=daemon-json" in engine_info(engine)["Labels"]
    finally:
        fresh_config.unlink()
        fresh_config.write_bytes(target.read_bytes())


def recorded_host_facts(name: str, **options: Any) -> dict[str, Any]:
    """``wincontainers_host`` facts built from raw values recorded on a real Windows host."""
    recorded = json.loads((FACT_FIXTURES / f"{name}.json").read_text())
    return build_host_facts(recorded["raw"], **{**recorded.get("options", {}), **options})


@pytest.mark.parametrize(
    ("images", "expected"),
    [
        (["mcr.microsoft.com/windows/servercore:ltsc2019"], "process"),
        (["mcr.microsoft.com/windows/servercore:ltsc2019", "mcr.microsoft.com/windows/nanoserver:ltsc2022"], "hyperv"),
    ],
)
def test_role_auto_mode_decides_from_the_images_a_host_is_told_to_run(
    engine: Engine, fresh_config: Path, images: list[str], expected: str
) -> None:
    facts = recorded_host_facts("server2019_swarm_manager")  # Windows Server 2019, 17763.1158
    extra = role_vars(
        engine, daemon_isolation_mode="auto", daemon_isolation_host_facts=facts, daemon_isolation_images=images
    )
    run = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert run.returncode == 0, run.explain()
    assert json.loads(fresh_config.read_text())["exec-opts"] == [
        "native.cgroupdriver=cgroupfs",
        f"isolation={expected}",
    ]


def test_role_auto_mode_protects_a_running_container_of_another_build(engine: Engine, fresh_config: Path) -> None:
    raw = json.loads((FACT_FIXTURES / "server2019_bc_hyperv_container.json").read_text())["raw"]
    (image,) = [json.loads(line) for line in raw["docker"]["images"][0]["stdout"].splitlines()]
    image["OsVersion"] = "10.0.20348.707"  # the container's image is a Windows Server 2022 build
    raw["docker"]["images"][0]["stdout"] = json.dumps(image)
    facts = build_host_facts(raw, host_kind="server")
    extra = role_vars(engine, daemon_isolation_mode="auto", daemon_isolation_host_facts=facts)
    check = run_playbook(HERE / "playbook_role.yml", extra_vars=extra, check=True, diff=True)
    assert check.returncode == 0, check.explain()
    assert check.changed >= 1 and json.loads(fresh_config.read_text()) == FOREIGN
    run = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert run.returncode == 0, run.explain()
    assert "isolation=hyperv" in json.loads(fresh_config.read_text())["exec-opts"]


def test_role_auto_mode_refuses_to_guess_the_host_kind(engine: Engine, fresh_config: Path) -> None:
    facts = recorded_host_facts("win11_24h2_pro")  # build 26100 alone: Windows 11 24H2 or Windows Server 2025
    assert facts["host_kind"] is None
    original, pid = fresh_config.read_bytes(), engine_pid(engine)
    extra = role_vars(
        engine,
        daemon_isolation_mode="auto",
        daemon_isolation_host_facts=facts,
        daemon_isolation_images=["mcr.microsoft.com/windows/servercore:ltsc2022"],
    )
    run = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert run.returncode != 0
    message = run.result(
        "wincontainers.compat.daemon_isolation : Require the host kind (build 26100 is both "
        "Windows Server 2025 and Windows 11)"
    )["msg"]
    assert "10.0.26100.2894" in message and "daemon_isolation_host_kind" in message, message
    assert fresh_config.read_bytes() == original and engine_pid(engine) == pid


def test_role_auto_mode_needs_the_running_containers(engine: Engine, fresh_config: Path) -> None:
    """Facts gathered without containers (gather_subset) must not read as "no container runs"."""
    facts = recorded_host_facts("server2016_datacenter")  # gathered with gather_subset [version]
    assert facts["host_kind"] == "server" and "containers" not in facts
    original, pid = fresh_config.read_bytes(), engine_pid(engine)
    extra = role_vars(engine, daemon_isolation_mode="auto", daemon_isolation_host_facts=facts)
    run = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert run.returncode != 0
    message = run.result("wincontainers.compat.daemon_isolation : Require the running containers in the host facts")[
        "msg"
    ]
    assert "gathered without them" in message and "gather_subset containers" in message, message
    assert fresh_config.read_bytes() == original and engine_pid(engine) == pid


@pytest.mark.parametrize("mode", ["hyperv", "auto"])
def test_role_refuses_an_engine_in_linux_containers_mode(engine: Engine, fresh_config: Path, mode: str) -> None:
    """Docker Desktop in Linux containers mode on a Windows 11 host (docker/for-win#13600): nothing is written."""
    facts = recorded_host_facts("win11_22h2_desktop_linux_engine")
    assert facts["docker"]["os_type"] == "linux"
    original, pid = fresh_config.read_bytes(), engine_pid(engine)
    extra = role_vars(engine, daemon_isolation_mode=mode, daemon_isolation_host_facts=facts)
    run = run_playbook(HERE / "playbook_role.yml", extra_vars=extra)
    assert run.returncode != 0
    message = run.result(
        "wincontainers.compat.daemon_isolation : Refuse an engine that does not run Windows containers "
        "(Docker Desktop in Linux containers mode)"
    )["msg"]
    assert "runs linux containers (Docker Desktop in Linux containers mode)" in message, message
    assert "switch the engine to Windows containers" in message, message
    assert fresh_config.read_bytes() == original and engine_pid(engine) == pid
