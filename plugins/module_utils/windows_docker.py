"""Decisions about a Windows Docker host taken from the raw values its PowerShell reads.

The PowerShell returns the docker service's ``ImagePath`` command line, ``DockerRootDir`` from ``docker info``,
``%ProgramData%`` and the bytes of daemon.json files; this module decides where dockerd reads its configuration,
how the file is encoded and whether it can be rewritten safely. dockerd on Windows reads ``--config-file`` when
given, else ``<data-root>\\config\\daemon.json`` where the data root is ``--data-root`` (``-g``/``--graph`` in old
engines) or ``%ProgramData%\\docker`` (moby ``cmd/dockerd/daemon_windows.go`` ``getDaemonConfDir``). A
``data-root`` set inside daemon.json moves the data, never the file itself.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

_DEFAULT_PROGRAM_DATA = "C:\\ProgramData"
_CONFIG_FILE_FLAGS = ("--config-file",)
_DATA_ROOT_FLAGS = ("--data-root", "--graph", "-g")
_ABSOLUTE_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)")
# Byte order marks dockerd 23.0 and later accept in daemon.json (moby/moby#44790, backported to 23.0 in #44832).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class WindowsDockerError(ValueError):
    """A raw value from a Windows host cannot be used as it is (for example undecodable daemon.json bytes)."""


@dataclass(frozen=True)
class DaemonJsonLocation:
    """Where dockerd reads daemon.json, how that was found, and what disagreed on the way."""

    path: str
    source: str
    data_root: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The location as facts and results report it."""
        return {"path": self.path, "source": self.source, "data_root": self.data_root, "warnings": list(self.warnings)}


@dataclass(frozen=True)
class DaemonJsonText:
    """The text of a daemon.json as dockerd decodes it (``None``: no file), its encoding and its SHA-256."""

    text: Optional[str]
    encoding: Optional[str]
    sha256: str


def split_command_line(command_line: str) -> list[str]:
    """Split a Windows command line as ``CommandLineToArgvW`` does (what a service's ImagePath goes through).

    The program name ends at the closing quote or the first blank, without escapes; in later arguments
    ``2n`` backslashes before a quote give ``n`` backslashes and toggle quoting, ``2n+1`` give ``n`` and a
    literal quote, other backslashes are literal, and inside quotes ``""`` gives a literal quote.
    """
    text = command_line.lstrip(" \t")
    if not text:
        return []
    if text.startswith('"'):
        end = text.find('"', 1)
        program, rest = (text[1:], "") if end < 0 else (text[1:end], text[end + 1 :])
    else:
        found = re.search(r"[ \t]", text)
        program, rest = (text, "") if not found else (text[: found.start()], text[found.start() :])
    return [program, *_split_arguments(rest)]


def _split_arguments(text: str) -> list[str]:
    """The arguments after the program name, by the rules of ``split_command_line``."""
    args: list[str] = []
    current: list[str] = []
    started, quoted, index = False, False, 0
    while index < len(text):
        char = text[index]
        if char in " \t" and not quoted:
            if started:
                args.append("".join(current))
                current, started = [], False
            index += 1
            continue
        started = True
        if char == "\\":
            run = len(text) - index - len(text[index:].lstrip("\\"))
            if index + run < len(text) and text[index + run] == '"':
                current.append("\\" * (run // 2))
                if run % 2:
                    current.append('"')
                    index += run + 1
                    continue
                index += run
                char = '"'
            else:
                current.append("\\" * run)
                index += run
                continue
        if char == '"':
            if quoted and text[index + 1 : index + 2] == '"':
                current.append('"')
                index += 2
                continue
            quoted = not quoted
            index += 1
            continue
        current.append(char)
        index += 1
    if started:
        args.append("".join(current))
    return args


def flag_value(argv: list[str], names: tuple[str, ...]) -> Optional[str]:
    """The value of the last of ``names`` on a dockerd command line (``--x v``, ``--x=v``, ``-g v``, ``-gv``)."""
    value: Optional[str] = None
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                value = argv[index + 1]
            elif arg.startswith(name + "="):
                value = arg[len(name) + 1 :]
            elif len(name) == 2 and arg.startswith(name) and len(arg) > 2 and not arg.startswith("--"):
                value = arg[2:]
    return value


def is_absolute_windows_path(path: str) -> bool:
    """``True`` for ``C:\\...`` and ``\\\\server\\share\\...``; ``False`` for relative and drive-relative paths."""
    return bool(_ABSOLUTE_WINDOWS_PATH.match(path))


def daemon_json_location(
    image_path: Optional[str], docker_root_dir: Optional[str], program_data: Optional[str] = None
) -> DaemonJsonLocation:
    """Where dockerd reads daemon.json, from its service command line, cross-checked with ``docker info``.

    Args:
        image_path: The ``ImagePath`` of the ``docker`` service (``None``: no such service, e.g. Docker Desktop).
        docker_root_dir: ``DockerRootDir`` from ``docker info`` (``None`` when the engine did not answer).
        program_data: ``%ProgramData%`` on the host (``C:\\ProgramData`` when unknown).
    """
    argv = split_command_line(image_path) if image_path else []
    default_root = f"{(program_data or _DEFAULT_PROGRAM_DATA).rstrip(chr(92))}\\docker"
    flagged_root = flag_value(argv, _DATA_ROOT_FLAGS)
    data_root = flagged_root or default_root
    config_file = flag_value(argv, _CONFIG_FILE_FLAGS)
    warnings = []
    if config_file:
        path, source = config_file, "--config-file"
        if not is_absolute_windows_path(config_file):
            warnings.append(f"the docker service names a relative --config-file {config_file!r}")
    else:
        path = f"{data_root.rstrip(chr(92))}\\config\\daemon.json"
        source = "--data-root" if flagged_root else "default"
    if image_path is None:
        warnings.append("no docker service found (Docker Desktop runs com.docker.service): the default path is assumed")
    root = (docker_root_dir or "").strip()
    if root and not is_absolute_windows_path(root):
        warnings.append(f"docker info reports DockerRootDir {root!r}, not a Windows path: the engine runs Linux")
    elif root and not same_windows_path(root, data_root):
        warnings.append(
            f"docker info reports DockerRootDir {root!r} but the service command line gives {data_root!r}: "
            "a data-root set in daemon.json moves the data but not daemon.json, or the service changed since it started"
        )
    return DaemonJsonLocation(path=path, source=source, data_root=data_root, warnings=warnings)


def decode_file_bytes(encoded: Optional[str], path: str) -> DaemonJsonText:
    """Decode the base64 bytes of a daemon.json as dockerd does: UTF-8, or UTF-8/UTF-16 with a byte order mark.

    A UTF-8 byte order mark is kept in the text (so a rewrite can say it drops it); UTF-16 text is returned
    decoded. Raises ``WindowsDockerError`` for bytes that are not valid in their encoding: rewriting text with
    replacement characters would corrupt the file.
    """
    if encoded is None:
        return DaemonJsonText(text=None, encoding=None, sha256="")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WindowsDockerError(f"the host returned {path} in a form that is not base64: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest().upper()
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data if encoding == "utf-8" else data[len(bom) :]
            return DaemonJsonText(text=_strict_decode(body, encoding, path), encoding=encoding, sha256=digest)
    return DaemonJsonText(text=_strict_decode(data, "utf-8", path), encoding="utf-8", sha256=digest)


def _strict_decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise WindowsDockerError(
            f"{path} is not valid {encoding.upper()} (byte {exc.start}: {exc.reason}); dockerd reads UTF-8, or UTF-16 "
            "with a byte order mark. The file was left untouched: fix or re-save it as UTF-8"
        ) from exc


def docker_server_errors(printed: Any) -> list[str]:
    """The daemon errors ``docker info --format '{{json .ServerErrors}}'`` printed (a JSON list, or ``null``).

    docker CLI before 28.1 exits 0 when the engine does not answer, with the error only in ``ServerErrors``.
    """
    return [str(error) for error in printed if str(error).strip()] if isinstance(printed, list) else []


def located_daemon_json(locator: Mapping[str, Any]) -> DaemonJsonLocation:
    """``daemon_json_location`` from what ``win_daemon_json_file`` returns without a path (its ``locator``)."""
    command = locator.get("docker_root_dir") or {}
    printed = str(command.get("stdout") or "").strip() if command.get("rc") == 0 else ""
    return daemon_json_location(
        locator.get("service_image_path") or None, printed or None, locator.get("program_data") or None
    )


def encoding_warnings(decoded: DaemonJsonText, path: str) -> list[str]:
    """What a rewrite changes besides the content: UTF-16 text is written back as UTF-8."""
    if decoded.encoding in ("utf-16-le", "utf-16-be"):
        return [f"{path} is {decoded.encoding.upper()} with a byte order mark; a rewrite stores it as UTF-8"]
    return []


def same_windows_path(left: str, right: str) -> bool:
    """Whether two Windows paths name the same file (case-insensitive, either slash)."""
    return left.rstrip("\\/").replace("/", "\\").lower() == right.rstrip("\\/").replace("/", "\\").lower()
