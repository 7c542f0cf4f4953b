"""The POSIX module run in-process on real files: check mode, write, backup, idempotence, refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.wincontainers.compat.plugins.modules import docker_daemon_json


def run_module(args: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    with patch_module_args(args), pytest.raises(SystemExit):
        docker_daemon_json.main()
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


@pytest.fixture
def daemon_json(tmp_path: Path) -> Path:
    path = tmp_path / "docker" / "daemon.json"
    path.parent.mkdir()
    path.write_text('{"data-root": "/srv/docker", "exec-opts": ["native.cgroupdriver=cgroupfs", "isolation=process"]}')
    return path


def test_check_then_real_then_idempotent(daemon_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = daemon_json.read_bytes()
    args = {"path": str(daemon_json), "exec_opts": {"isolation": "hyperv"}, "backup": True}

    check = run_module({**args, "_ansible_check_mode": True, "_ansible_diff": True}, capsys)
    assert check["changed"] is True
    assert daemon_json.read_bytes() == original
    assert json.loads(check["diff"]["after"])["exec-opts"] == ["native.cgroupdriver=cgroupfs", "isolation=hyperv"]

    real = run_module(args, capsys)
    assert real["changed"] is True
    on_disk = json.loads(daemon_json.read_text())
    assert on_disk == {"data-root": "/srv/docker", "exec-opts": ["native.cgroupdriver=cgroupfs", "isolation=hyperv"]}
    assert Path(real["backup_file"]).read_bytes() == original
    assert not [p for p in daemon_json.parent.iterdir() if p.name.startswith(".daemon.json.")], "temp file left"

    again = run_module(args, capsys)
    assert again["changed"] is False
    assert "backup_file" not in again
    assert run_module({**args, "_ansible_check_mode": True}, capsys)["changed"] is False


def test_invalid_json_fails_and_leaves_the_file(daemon_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    daemon_json.write_text('{"debug": true,,}')
    result = run_module({"path": str(daemon_json), "settings": {"debug": False}, "backup": True}, capsys)
    assert result["failed"] is True
    assert "is not valid JSON" in result["msg"] and "line 1 column 16" in result["msg"]
    assert daemon_json.read_text() == '{"debug": true,,}'
    assert sorted(p.name for p in daemon_json.parent.iterdir()) == ["daemon.json"]


def test_creates_a_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "etc" / "docker" / "daemon.json"
    result = run_module({"path": str(path), "settings": {"debug": True}, "backup": True}, capsys)
    assert result["changed"] is True and result["previous_config"] is None
    assert json.loads(path.read_text()) == {"debug": True}
    assert "backup_file" not in result


def test_preserves_the_file_mode(daemon_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    daemon_json.chmod(0o600)
    run_module({"path": str(daemon_json), "settings": {"debug": True}}, capsys)
    assert daemon_json.stat().st_mode & 0o777 == 0o600


def test_an_isolation_dockerd_refuses_fails_and_leaves_the_file(
    daemon_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = daemon_json.read_bytes()
    result = run_module({"path": str(daemon_json), "exec_opts": {"isolation": "bogus"}}, capsys)
    assert result["failed"] is True
    assert "exec_opts.isolation must be one of process, hyperv, default" in result["msg"]
    assert daemon_json.read_bytes() == original
