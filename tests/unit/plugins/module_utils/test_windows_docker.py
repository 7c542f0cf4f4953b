"""Locating and decoding a Windows host's daemon.json from the raw values its PowerShell reads.

The command lines are real docker service ImagePath values published in issues and docs (cited per case).
"""

from __future__ import annotations

import base64
import codecs
import hashlib
from typing import Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.windows_docker import (
    WindowsDockerError,
    daemon_json_location,
    decode_file_bytes,
    docker_server_errors,
    encoding_warnings,
    flag_value,
    is_absolute_windows_path,
    located_daemon_json,
    split_command_line,
)

# `sc.exe qc docker` on Windows Server 2019 (MicrosoftDocs/Virtualization-Documentation#1314).
SERVER_2019 = (
    '"C:\\Program Files\\Docker\\dockerd.exe" --run-service -H npipe:// -H 0.0.0.0:2376 --tlsverify '
    "--tlscacert=C:\\ProgramData\\docker\\daemoncerts\\ca.pem --tlscert=C:\\ProgramData\\docker\\daemoncerts\\cert.pem "
    "--tlskey=C:\\ProgramData\\docker\\daemoncerts\\key.pem"
)
# Docker Desktop's "Docker Engine" service (docker/for-win#3984): -G is the group, not -g (the old data root).
DESKTOP = (
    '"C:\\Program Files\\Docker\\Docker\\Resources\\dockerd.exe" --run-service --service-name docker '
    "-G TESTERN\\Administrator --config-file C:\\ProgramData\\DockerDesktop\\tmp-d4w\\daemon.json"
)
# An iotedge-moby service moved to its own data root, path unquoted (danielscholl/iac-winedge-quickstart README).
IOTEDGE = (
    "C:\\Program Files\\iotedge-moby\\dockerd.exe -H npipe:////./pipe/docker_engine -H 0.0.0.0:2376 "
    "--exec-opt isolation=process --run-service --data-root C:\\ProgramData\\iotedge-moby "
    "--exec-root C:\\ProgramData\\iotedge-moby\\\\exec-root"
)
# A hand-edited ImagePath with a quoted flag value (MicrosoftDocs/Virtualization-Documentation#1196).
HAND_EDITED = 'C:\\Program Files\\Docker\\dockerd.exe --run-service -H npipe:// -b "none"'


@pytest.mark.parametrize(
    ("command_line", "expected"),
    [
        # Microsoft's table of how command-line arguments are parsed (learn.microsoft.com, "Parsing C++ command-line
        # arguments"), each after a program name.
        ('p "abc" d e', ["p", "abc", "d", "e"]),
        ('p a\\\\\\b d"e f"g h', ["p", "a\\\\\\b", "de fg", "h"]),
        ('p a\\\\\\"b c d', ["p", 'a\\"b', "c", "d"]),
        ('p a\\\\\\\\"b c" d e', ["p", "a\\\\b c", "d", "e"]),
        # The program name takes no escapes: a backslash before its closing quote is part of the name.
        ('"C:\\dir\\" x', ["C:\\dir\\", "x"]),
        ('p "a ""b"" c"', ["p", 'a "b" c']),
        ("  p\t a  ", ["p", "a"]),
        ("", []),
        (HAND_EDITED, ["C:\\Program", "Files\\Docker\\dockerd.exe", "--run-service", "-H", "npipe://", "-b", "none"]),
    ],
)
def test_split_command_line(command_line: str, expected: list[str]) -> None:
    assert split_command_line(command_line) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["dockerd", "--data-root", "D:\\docker"], "D:\\docker"),
        (["dockerd", "--data-root=D:\\docker"], "D:\\docker"),
        (["dockerd", "-g", "E:\\old"], "E:\\old"),
        (["dockerd", "-gE:\\old"], "E:\\old"),
        (["dockerd", "-G", "TESTERN\\Administrator"], None),
        (["dockerd", "--graph", "F:\\g", "--data-root", "D:\\last"], "D:\\last"),
        (["dockerd", "--data-root"], None),
    ],
)
def test_flag_value_reads_dockerd_flags_as_pflag_does(argv: list[str], expected: Optional[str]) -> None:
    assert flag_value(argv, ("--data-root", "--graph", "-g")) == expected


@pytest.mark.parametrize(
    ("image_path", "root", "path", "source", "warned"),
    [
        (SERVER_2019, "C:\\ProgramData\\docker", "C:\\ProgramData\\docker\\config\\daemon.json", "default", None),
        (DESKTOP, None, "C:\\ProgramData\\DockerDesktop\\tmp-d4w\\daemon.json", "--config-file", None),
        (IOTEDGE, None, "C:\\ProgramData\\iotedge-moby\\config\\daemon.json", "--data-root", None),
        (
            IOTEDGE,
            "C:\\ProgramData\\iotedge-moby\\",
            "C:\\ProgramData\\iotedge-moby\\config\\daemon.json",
            "--data-root",
            None,
        ),
        # data-root set inside daemon.json moves the data, not the file: dockerd still reads the default path.
        (SERVER_2019, "D:\\docker", "C:\\ProgramData\\docker\\config\\daemon.json", "default", "DockerRootDir"),
        # Docker Desktop in Linux containers mode answers with the root inside its Linux VM.
        (None, "/var/lib/docker", "C:\\ProgramData\\docker\\config\\daemon.json", "default", "engine runs Linux"),
        (None, None, "C:\\ProgramData\\docker\\config\\daemon.json", "default", "no docker service"),
    ],
)
def test_daemon_json_location(
    image_path: Optional[str], root: Optional[str], path: str, source: str, warned: Optional[str]
) -> None:
    location = daemon_json_location(image_path, root, "C:\\ProgramData")
    assert (location.path, location.source) == (path, source)
    if warned is None:
        assert location.warnings == []
    else:
        assert any(warned in warning for warning in location.warnings), location.warnings


def test_the_location_follows_program_data() -> None:
    location = daemon_json_location(SERVER_2019, None, "D:\\ProgramData\\")
    assert location.path == "D:\\ProgramData\\docker\\config\\daemon.json"
    assert location.as_dict()["data_root"] == "D:\\ProgramData\\docker"


def test_a_relative_config_file_is_warned_about() -> None:
    location = daemon_json_location('"C:\\docker\\dockerd.exe" --run-service --config-file daemon.json', None)
    assert location.path == "daemon.json"
    assert any("relative --config-file" in warning for warning in location.warnings)


def test_located_from_what_the_file_module_returns() -> None:
    locator = {
        "service_image_path": IOTEDGE,
        "program_data": "C:\\ProgramData",
        "docker_root_dir": {"rc": 0, "stdout": "C:\\ProgramData\\iotedge-moby\r\n", "stderr": ""},
    }
    location = located_daemon_json(locator)
    assert location.path == "C:\\ProgramData\\iotedge-moby\\config\\daemon.json" and location.warnings == []
    failed = dict(locator, docker_root_dir={"rc": 1, "stdout": "", "stderr": "error during connect"})
    assert located_daemon_json(failed).path == location.path


@pytest.mark.parametrize(
    "path",
    ["C:\\ProgramData\\docker\\config\\daemon.json", "d:\\x.json", "\\\\server\\share\\daemon.json"],
)
def test_absolute_windows_paths(path: str) -> None:
    assert is_absolute_windows_path(path)


@pytest.mark.parametrize("path", ["daemon.json", "config\\daemon.json", "\\ProgramData\\x.json", "C:x.json", "/etc/x"])
def test_relative_and_drive_relative_paths_are_not_absolute(path: str) -> None:
    assert not is_absolute_windows_path(path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


TEXT = '{"exec-opts": ["isolation=hyperv"], "labels": ["café"]}\r\n'


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (TEXT.encode("utf-8"), "utf-8", TEXT),
        # Notepad's UTF-8: the mark is kept so a rewrite can say it drops it.
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", "\ufeff" + TEXT),
        # What `Out-File` and `>` write in Windows PowerShell 5.1: UTF-16LE with a byte order mark.
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le", TEXT),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be", TEXT),
    ],
)
def test_decode_what_dockerd_accepts(data: bytes, encoding: str, text: str) -> None:
    decoded = decode_file_bytes(_b64(data), "C:\\d.json")
    assert (decoded.text, decoded.encoding) == (text, encoding)
    assert decoded.sha256 == hashlib.sha256(data).hexdigest().upper()


def test_no_file_decodes_to_none() -> None:
    decoded = decode_file_bytes(None, "C:\\d.json")
    assert decoded.text is None and decoded.sha256 == ""


@pytest.mark.parametrize(
    "data",
    [
        b'{"labels": ["caf\xe9"]}',  # Windows-1252 text: not UTF-8
        codecs.BOM_UTF16_LE + b"{\x00\x00\xd8",  # a lone surrogate
        b'{"a": "\xff\xfe"}',  # a UTF-16 mark inside, not at the start
    ],
)
def test_invalid_bytes_fail_instead_of_being_replaced(data: bytes) -> None:
    with pytest.raises(WindowsDockerError, match=r"C:\\d.json is not valid .*left untouched"):
        decode_file_bytes(_b64(data), "C:\\d.json")


def test_a_garbled_answer_is_refused() -> None:
    with pytest.raises(WindowsDockerError, match="not base64"):
        decode_file_bytes("not base64!", "C:\\d.json")


def test_a_utf16_rewrite_is_announced() -> None:
    decoded = decode_file_bytes(_b64(codecs.BOM_UTF16_LE + b"{\x00}\x00"), "C:\\d.json")
    assert encoding_warnings(decoded, "C:\\d.json") == [
        "C:\\d.json is UTF-16-LE with a byte order mark; a rewrite stores it as UTF-8"
    ]
    assert encoding_warnings(decode_file_bytes(_b64(b"{}"), "C:\\d.json"), "C:\\d.json") == []


def test_server_errors() -> None:
    # `docker info` of a stopped engine on Windows (docker/for-win#7310), as the CLI's JSON carries it.
    error = (
        "error during connect: Get http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.40/info: open //./pipe/docker_engine: "
        "The system cannot find the file specified. In the default daemon configuration on Windows, the docker "
        "client must be run elevated to connect. This error may also indicate that the docker daemon is not running."
    )
    assert docker_server_errors([error, " "]) == [error]
    assert docker_server_errors({"ServerVersion": "24.0.7"}) == []
    assert docker_server_errors(None) == []
