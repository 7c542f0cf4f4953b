"""Read, back up and atomically replace a file on a POSIX target, following a symbolic link to its target.

A replace writes a temporary file in the target's directory, flushes it to disk, makes the backup, then
renames the temporary file over the target: a symbolic link keeps pointing at the replaced file, and any
failure (read-only file system, full disk, file size limit) leaves the target and its directory as they
were. Every ``OSError`` becomes a :class:`FileOperationError` naming the path and the errno.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import time
from typing import Callable, Optional

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError


class FileOperationError(WinCompatError):
    """A file could not be resolved, read or replaced; ``errno_name`` is the errno (``ENOSPC``) or ``None``."""

    def __init__(self, message: str, errno_name: Optional[str] = None) -> None:
        super().__init__(message)
        self.errno_name = errno_name


def _errno_name(exc: OSError) -> Optional[str]:
    return errno.errorcode.get(exc.errno) if exc.errno is not None else None


def _os_error(action: str, path: str, exc: OSError, consequence: str = "") -> FileOperationError:
    name = _errno_name(exc)
    reason = f"{exc.strerror or exc} ({name})" if name else str(exc)
    return FileOperationError(f"could not {action} {path}: {reason}{consequence}", name)


def resolve_target(path: str) -> str:
    """The file to read and replace for ``path``: ``path`` itself, or the file a symbolic link leads to.

    A dangling link or a link loop is refused: writing there would create a file nobody asked for, or none.
    """
    if not os.path.islink(path):
        return path
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileOperationError(
                f"{path} is a symbolic link loop (it leads back to itself through {os.readlink(path)!r}); "
                "expected a link to an existing file, or a regular file",
                "ELOOP",
            ) from exc
        if exc.errno == errno.ENOENT:
            raise FileOperationError(
                f"{path} is a dangling symbolic link: it points to {os.readlink(path)!r}, which does not exist; "
                "expected a link to an existing file (create the target, or remove the link)",
                "ENOENT",
            ) from exc
        raise _os_error("follow the symbolic link", path, exc) from exc
    return os.path.realpath(path)


def read_text(path: str) -> Optional[str]:
    """The UTF-8 text of ``path``, ``None`` when it does not exist."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _os_error("read", path, exc) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileOperationError(
            f"{path} is not UTF-8 text: byte {data[exc.start]:#04x} at offset {exc.start} ({exc.reason}); "
            "expected a UTF-8 file as dockerd reads it. The file was left untouched"
        ) from exc


def _copy_owner(source: os.stat_result, path: str) -> None:
    with contextlib.suppress(PermissionError):  # not root: the file keeps our owner, as a copy by this user would
        os.chown(path, source.st_uid, source.st_gid)


def _backup_copy(path: str) -> str:
    """Copy ``path`` byte for byte, with its mode and owner, to ``PATH.PID.YYYY-MM-DD@HH:MM:SS~``."""
    backup = f"{path}.{os.getpid()}.{time.strftime('%Y-%m-%d@%H:%M:%S~')}"
    try:
        with open(path, "rb") as source, open(backup, "xb") as copy:
            shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
        shutil.copystat(path, backup)
        _copy_owner(os.stat(path), backup)
    except OSError as exc:
        _remove_quietly(backup)
        raise _os_error("back up", path, exc, f" to {backup}; {path} was left untouched") from exc
    return backup


def _remove_quietly(path: Optional[str]) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _sync_directory(directory: str) -> None:
    """Flush a rename to disk; some file systems cannot sync a directory, which is no failure."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def _write_temporary(path: str, data: bytes, current: Optional[os.stat_result]) -> str:
    """Write ``data`` to a new temporary file beside ``path``, with the mode and owner ``path`` has."""
    directory = os.path.dirname(path) or "."
    if current is None:
        os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if current is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        else:
            os.chmod(temporary, current.st_mode & 0o7777)
            _copy_owner(current, temporary)
    except BaseException:
        _remove_quietly(temporary)
        raise
    return temporary


def replace_file(
    path: str, data: bytes, *, backup: bool = False, prepare: Optional[Callable[[str], None]] = None
) -> Optional[str]:
    """Replace the file ``path`` (not a symbolic link: resolve it first) with ``data``; return the backup made.

    ``prepare`` is called with the temporary file before it is renamed (to set an SELinux context).
    On failure nothing is left behind: the temporary file and the backup are removed, ``path`` is untouched.
    """
    try:
        current: Optional[os.stat_result] = os.stat(path)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise _os_error("inspect", path, exc) from exc
    untouched = f"; {path} was left untouched"
    try:
        temporary = _write_temporary(path, data, current)
    except OSError as exc:
        raise _os_error("write a new version of", path, exc, untouched) from exc
    backup_file = None
    try:
        if prepare is not None:
            prepare(temporary)
        backup_file = _backup_copy(path) if backup and current is not None else None
        os.replace(temporary, path)
    except OSError as exc:
        _remove_quietly(temporary)
        _remove_quietly(backup_file)
        raise _os_error("replace", path, exc, untouched) from exc
    except FileOperationError:
        _remove_quietly(temporary)
        raise
    _sync_directory(os.path.dirname(path) or ".")
    return backup_file
