"""docker_daemon_json on real file systems through real ansible-playbook runs: links, failing writes, JSON, secrets.

Failing writes use real kernel refusals: a tmpfs remounted read-only (EROFS), a tiny tmpfs (ENOSPC) and a
file size limit (EFBIG, RLIMIT_FSIZE inherited by ansible-playbook). Every mount is removed afterwards.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playbook_runner import PlaybookRun, run_playbook

HERE = Path(__file__).resolve().parent
TASK = "Merge daemon.json"
CONTENT = {"labels": ["wcc-test=files"], "exec-opts": ["native.cgroupdriver=cgroupfs"], "log-level": "warn"}


def merge(path: Path, *, check: bool = False, **extra: Any) -> PlaybookRun:
    extra_vars = {"daemon_json_path": str(path), **{f"daemon_json_{k}": v for k, v in extra.items()}}
    return run_playbook(HERE / "playbook_merge.yml", extra_vars=extra_vars, check=check, diff=True)


def listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and not p.is_symlink()}


def assert_clean_failure(run: PlaybookRun, *expected: str) -> dict[str, Any]:
    """The task failed with a message (no traceback, no MODULE FAILURE) holding ``expected``, and changed nothing."""
    assert run.returncode != 0, run.explain()
    result = run.result(TASK)
    message = result.get("msg", "")
    assert "MODULE FAILURE" not in message and "Traceback" not in json.dumps(result), run.explain()
    for text in expected:
        assert text in message, message
    assert run.changed == 0 and not result.get("changed"), run.explain()
    return result


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Any]:
    """``mount(size)``: a fresh tmpfs of ``size`` under ``tmp_path``; every mount is removed afterwards."""
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"fs{len(mounts)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)], check=True)
        mounts.append(point)
        return point

    yield mount
    for point in reversed(mounts):
        subprocess.run(["umount", str(point)], check=False)
        assert not os.path.ismount(point), f"{point} is still mounted"


def remount_read_only(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


# Links ------------------------------------------------------------------------------------------------------------


def test_a_symlinked_daemon_json_is_written_through_the_link(tmp_path: Path) -> None:
    real_dir, link_dir = tmp_path / "data", tmp_path / "etc-docker"
    real_dir.mkdir()
    link_dir.mkdir()
    target = real_dir / "daemon.json"
    target.write_text(json.dumps(CONTENT, indent=4) + "\n")
    target.chmod(0o640)
    link = link_dir / "daemon.json"
    link.symlink_to("../data/daemon.json")
    original = target.read_bytes()
    wanted = {"exec_opts": {"isolation": "hyperv"}, "backup": True}

    check = merge(link, check=True, **wanted)
    assert (check.returncode, check.changed) == (0, 1), check.explain()
    assert target.read_bytes() == original and link.is_symlink()

    real = merge(link, **wanted)
    assert (real.returncode, real.changed) == (0, 1), real.explain()
    assert link.is_symlink() and os.readlink(link) == "../data/daemon.json", "the link was replaced"
    assert json.loads(target.read_text())["exec-opts"] == ["native.cgroupdriver=cgroupfs", "isolation=hyperv"]
    assert target.stat().st_mode & 0o777 == 0o640, "the target lost its mode"
    backup = Path(real.result(TASK)["backup_file"])
    assert backup.parent == real_dir and backup.read_bytes() == original
    assert sorted(p.name for p in real_dir.iterdir()) == sorted(["daemon.json", backup.name]), "temp file left"
    assert [p.name for p in link_dir.iterdir()] == ["daemon.json"]

    again = merge(link, **wanted)
    assert (again.returncode, again.changed) == (0, 0), again.explain()
    again_check = merge(link, check=True, **wanted)
    assert (again_check.returncode, again_check.changed) == (0, 0), again_check.explain()


def test_a_dangling_link_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    link = tmp_path / "daemon.json"
    link.symlink_to(tmp_path / "missing" / "daemon.json")
    for check in (True, False):
        run = merge(link, check=check, exec_opts={"isolation": "hyperv"}, backup=True)
        assert_clean_failure(run, str(link), "dangling symbolic link", "missing/daemon.json")
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["daemon.json"]


def test_a_link_loop_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "daemon.json", tmp_path / "other.json"
    first.symlink_to(second)
    second.symlink_to(first)
    run = merge(first, exec_opts={"isolation": "hyperv"})
    result = assert_clean_failure(run, str(first), "symbolic link loop")
    assert result["msg"].count(str(first)) >= 1
    assert first.is_symlink() and second.is_symlink()


# Writes the kernel refuses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("backup", [True, False])
def test_a_read_only_file_system_fails_cleanly(mounted: Any, backup: bool) -> None:
    point = mounted("64k")
    path = point / "daemon.json"
    path.write_text(json.dumps(CONTENT) + "\n")
    before = listing(point)
    remount_read_only(point)

    run = merge(path, exec_opts={"isolation": "hyperv"}, backup=backup)
    result = assert_clean_failure(run, str(path), "EROFS", "left untouched")
    assert result["errno"] == "EROFS"
    assert listing(point) == before

    # Nothing to change: a read-only file system is no failure, and check mode still predicts the change.
    unchanged = merge(path, settings={"log-level": "warn"}, backup=backup)
    assert (unchanged.returncode, unchanged.changed) == (0, 0), unchanged.explain()
    predicted = merge(path, check=True, exec_opts={"isolation": "hyperv"}, backup=backup)
    assert (predicted.returncode, predicted.changed) == (0, 1), predicted.explain()


def test_a_full_file_system_fails_cleanly_when_the_new_file_does_not_fit(mounted: Any) -> None:
    point = mounted("16k")  # four pages
    path = point / "daemon.json"
    path.write_text(json.dumps(CONTENT) + "\n")
    before = listing(point)
    run = merge(path, settings={"motd": "x" * 20000}, backup=True)
    result = assert_clean_failure(run, str(path), "ENOSPC", "left untouched")
    assert result["errno"] == "ENOSPC"
    assert listing(point) == before, "a partial temporary file or backup was left"


def test_a_full_file_system_fails_cleanly_when_the_backup_does_not_fit(mounted: Any) -> None:
    point = mounted("16k")  # four pages: the file (2), the new version (2), no room for the backup (2)
    path = point / "daemon.json"
    path.write_text(json.dumps({"labels": [f"wcc-test-{n:03d}=" + "v" * 40 for n in range(100)]}) + "\n")
    assert 4096 < path.stat().st_size < 8000
    before = listing(point)
    run = merge(path, settings={"debug": True}, backup=True)
    result = assert_clean_failure(run, "could not back up", str(path), "ENOSPC", "left untouched")
    assert result["errno"] == "ENOSPC"
    assert listing(point) == before, "a partial temporary file or backup was left"
    # Without a backup the same change fits, and is made.
    written = merge(path, settings={"debug": True})
    assert (written.returncode, written.changed) == (0, 1), written.explain()
    assert json.loads(path.read_text())["debug"] is True


def test_a_file_size_limit_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_text(json.dumps({"labels": [f"wcc-test-{n:06d}=" + "v" * 40 for n in range(50000)]}) + "\n")
    assert path.stat().st_size > 2_000_000
    before = listing(tmp_path)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, hard))  # inherited by ansible-playbook and the module
    try:
        run = merge(path, settings={"debug": True}, backup=True)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    result = assert_clean_failure(run, str(path), "EFBIG", "left untouched")
    assert result["errno"] == "EFBIG"
    assert listing(tmp_path) == before


# JSON as dockerd reads it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "pointer"),
    [("NaN", "/log-opts/max-file"), ("Infinity", "/log-opts/max-file"), ("-1e400", "/log-opts/max-file")],
)
def test_numbers_dockerd_cannot_read_are_refused_by_key_path(tmp_path: Path, token: str, pointer: str) -> None:
    path = tmp_path / "daemon.json"
    text = '{"debug": true, "log-opts": {"max-size": "10m", "max-file": ' + token + "}}\n"
    path.write_text(text)
    for check in (True, False):
        run = merge(path, check=check, exec_opts={"isolation": "hyperv"})
        assert_clean_failure(run, str(path), token, pointer)
    assert path.read_text() == text


def test_values_compare_with_their_json_types(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": 1, "max-concurrent-downloads": 3.0}\n')
    run = merge(path, settings={"debug": True, "max-concurrent-downloads": 3})
    assert (run.returncode, run.changed) == (0, 1), run.explain()
    written = path.read_text()
    assert '"debug": true' in written and '"max-concurrent-downloads": 3\n' in written, written
    again = merge(path, settings={"debug": True, "max-concurrent-downloads": 3})
    assert (again.returncode, again.changed) == (0, 0), again.explain()


def test_duplicate_keys_are_warned_about_and_the_last_value_wins(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_text('{"debug": false, "log-opts": {"max-size": "1m", "max-size": "10m"}, "debug": true}\n')
    run = merge(path, exec_opts={"isolation": "hyperv"})
    assert (run.returncode, run.changed) == (0, 1), run.explain()
    warnings = " ".join(run.result(TASK).get("warnings", []))
    assert "'debug' appears more than once in the object at /" in warnings, warnings
    assert "'max-size' appears more than once in the object at /log-opts" in warnings, warnings
    assert "last value" in warnings
    written = json.loads(path.read_text())
    assert written["debug"] is True and written["log-opts"] == {"max-size": "10m"}
    assert path.read_text().count('"debug"') == 1


# Secrets -----------------------------------------------------------------------------------------------------------


def test_secrets_in_daemon_json_are_never_shown(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    secrets = ["pr0xy-pa55", "p@ss:w0rd", "ghp_T0KEN", "spl-T0K"]
    content = {
        "registry-mirrors": ["https://ci:p@ss:w0rd@mirror.example.com", "https://ghp_T0KEN@ghcr.example.com"],
        "proxies": {"http-proxy": "http://ops:pr0xy-pa55@proxy:3128", "https-proxy": "socks5://:pr0xy-pa55@s:1080"},
        "log-opts": {"splunk-token": "spl-T0K"},
    }
    path.write_text(json.dumps(content, indent=2) + "\n")
    for check in (True, False, False):
        run = merge(path, check=check, exec_opts={"isolation": "hyperv"}, backup=True)
        assert run.returncode == 0, run.explain()
        shown = json.dumps(run.output) + run.stderr
        for secret in secrets:
            assert secret not in shown, f"{secret} shown"
        assert "ops:********@proxy:3128" in shown
    assert json.loads(path.read_text())["registry-mirrors"] == content["registry-mirrors"], "secrets lost on disk"
