"""posix_file on a real file system: links followed, replaces atomic, failures leave nothing behind."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.posix_file import (
    FileOperationError,
    read_text,
    replace_file,
    resolve_target,
)


def test_a_chain_of_relative_links_resolves_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    real = tmp_path / "a" / "daemon.json"
    real.write_text("{}")
    (tmp_path / "hop").symlink_to("a/daemon.json")
    (tmp_path / "daemon.json").symlink_to("hop")
    assert resolve_target(str(tmp_path / "daemon.json")) == str(real.resolve())
    assert resolve_target(str(real)) == str(real)
    assert resolve_target(str(tmp_path / "absent.json")) == str(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("make", "errno_name", "match"),
    [
        (
            lambda p: p.symlink_to(p.parent / "gone" / "x.json"),
            "ENOENT",
            r"dangling symbolic link: it points to '.*gone/x.json'",
        ),
        (lambda p: p.symlink_to(p.parent / p.name), "ELOOP", r"symbolic link loop"),
    ],
)
def test_broken_links_are_refused(tmp_path: Path, make: object, errno_name: str, match: str) -> None:
    link = tmp_path / "daemon.json"
    make(link)  # type: ignore[operator]
    with pytest.raises(FileOperationError, match=match) as raised:
        resolve_target(str(link))
    assert raised.value.errno_name == errno_name


def test_invalid_utf8_is_refused_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(FileOperationError, match=r"not UTF-8 text: byte 0xff at offset 7"):
        read_text(str(path))
    assert read_text(str(tmp_path / "absent")) is None


def test_replace_keeps_mode_and_makes_an_exact_backup(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_bytes(b'{"old": true}\r\n')
    path.chmod(0o600)
    backup = replace_file(str(path), b"{}\n", backup=True)
    assert backup is not None and re.fullmatch(
        rf"{re.escape(str(path))}\.\d+\.\d{{4}}-\d\d-\d\d@\d\d:\d\d:\d\d~", backup
    )
    assert Path(backup).read_bytes() == b'{"old": true}\r\n'
    assert path.read_bytes() == b"{}\n" and path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["daemon.json", Path(backup).name])


def test_a_new_file_and_its_directory_are_created_with_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "new" / "daemon.json"
    old = os.umask(0o027)
    try:
        assert replace_file(str(path), b"{}\n", backup=True) is None
    finally:
        os.umask(old)
    assert path.read_bytes() == b"{}\n" and path.stat().st_mode & 0o777 == 0o640


def test_a_failing_step_before_the_rename_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_text("{}")

    def refuse(temporary: str) -> None:
        assert Path(temporary).parent == tmp_path
        raise PermissionError(13, "Permission denied", temporary)

    with pytest.raises(FileOperationError, match=r"could not replace .*daemon.json: Permission denied \(EACCES\)"):
        replace_file(str(path), b"[]", backup=True, prepare=refuse)
    assert [p.name for p in tmp_path.iterdir()] == ["daemon.json"] and path.read_text() == "{}"
