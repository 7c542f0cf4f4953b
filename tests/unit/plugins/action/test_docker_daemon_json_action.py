"""The docker_daemon_json action on a Windows target, with the PowerShell transport simulated in memory."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Optional
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.plugins.loader import shell_loader
from ansible_collections.wincontainers.compat.plugins.action.docker_daemon_json import ActionModule

WINDOWS_PATH = "C:\\ProgramData\\docker\\config\\daemon.json"


class FakeWindowsHost:
    """Plays win_daemon_json_file.ps1: locates, returns the file bytes, or replaces the file and keeps a backup."""

    # The docker service command line of a Windows Server 2019 host (MicrosoftDocs/Virtualization-Documentation#1314).
    IMAGE_PATH = (
        '"C:\\Program Files\\Docker\\dockerd.exe" --run-service -H npipe:// -H 0.0.0.0:2376 --tlsverify '
        "--tlscacert=C:\\ProgramData\\docker\\daemoncerts\\ca.pem"
    )

    def __init__(self, files: dict[str, str], image_path: Optional[str] = IMAGE_PATH, root: str = "") -> None:
        self.files = dict(files)
        self.image_path = image_path
        self.root = root
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def record(self, path: str) -> dict[str, Any]:
        text = self.files.get(path)
        encoded = None if text is None else base64.b64encode(text.encode("utf-8")).decode("ascii")
        return {"path": path, "exists": text is not None, "content_base64": encoded, "error": None}

    def execute_module(self, module_name: str, module_args: dict[str, Any], task_vars: Any = None) -> dict[str, Any]:
        self.calls.append((module_name, dict(module_args)))
        path = module_args.get("path")
        if path is None:
            root = {"rc": 0, "stdout": self.root, "stderr": "", "timed_out": False, "start_error": None}
            locator = {
                "service_image_path": self.image_path,
                "program_data": "C:\\ProgramData",
                "docker_root_dir": root,
            }
            return {"changed": False, "locator": locator, "file": self.record(WINDOWS_PATH)}
        if "content" not in module_args:
            return {"changed": False, "file": self.record(path)}
        current = self.files.get(path)
        digest = "" if current is None else hashlib.sha256(current.encode("utf-8")).hexdigest().upper()
        if module_args["previous_sha256"] != digest:
            return {"failed": True, "msg": f"{path} changed since it was read"}
        result: dict[str, Any] = {"changed": True, "file": None}
        if module_args.get("backup") and path in self.files:
            result["backup_file"] = path + ".4242.20261128-134501.bak"
            self.files[result["backup_file"]] = self.files[path]
        self.files[path] = module_args["content"]
        return result


def make_action(args: dict[str, Any], host: Any, *, check: bool = False, diff: bool = False, shell: str = "powershell"):
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check
    task.diff = diff
    task.action = "wincontainers.compat.docker_daemon_json"
    connection = MagicMock()
    connection._shell = shell_loader.get(shell)
    connection._shell.tmpdir = "C:\\tmp"
    action = ActionModule(task, connection, MagicMock(), loader=MagicMock(), templar=MagicMock())
    action._execute_module = host.execute_module  # type: ignore[method-assign]
    return action


def run(args: dict[str, Any], host: Any, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = make_action(args, host, **kwargs).run(task_vars={})
    return result


def written(host: FakeWindowsHost, path: str = WINDOWS_PATH) -> Optional[dict[str, Any]]:
    return json.loads(host.files[path]) if path in host.files else None


def test_check_real_idempotent_idempotent_check() -> None:
    host = FakeWindowsHost({WINDOWS_PATH: '{"exec-opts": ["isolation=process"], "data-root": "D:\\\\docker"}'})
    args = {"exec_opts": {"isolation": "hyperv"}, "backup": True}

    check = run(args, host, check=True, diff=True)
    assert check["changed"] is True
    assert written(host) == {"exec-opts": ["isolation=process"], "data-root": "D:\\docker"}
    assert json.loads(check["diff"]["after"]) == {"exec-opts": ["isolation=hyperv"], "data-root": "D:\\docker"}
    assert [call[0] for call in host.calls] == ["wincontainers.compat.win_daemon_json_file"], (
        "check mode must not write"
    )

    real = run(args, host)
    assert real["changed"] is True
    assert written(host) == {"exec-opts": ["isolation=hyperv"], "data-root": "D:\\docker"}
    assert host.files[real["backup_file"]].startswith('{"exec-opts": ["isolation=process"]')

    calls_before = len(host.calls)
    assert run(args, host)["changed"] is False
    assert run(args, host, check=True)["changed"] is False
    assert all("content" not in args for _name, args in host.calls[calls_before:]), "an idempotent run must not write"


def test_default_path_on_windows_and_missing_file() -> None:
    host = FakeWindowsHost({})
    result = run({"settings": {"debug": True}}, host)
    assert result["path"] == WINDOWS_PATH and result["previous_config"] is None
    assert written(host) == {"debug": True}


def test_invalid_json_fails_without_writing() -> None:
    host = FakeWindowsHost({WINDOWS_PATH: "{not json"})
    with pytest.raises(AnsibleActionFail, match="is not valid JSON"):
        run({"exec_opts": {"isolation": "hyperv"}}, host)
    assert host.files[WINDOWS_PATH] == "{not json"
    assert all("content" not in args for _name, args in host.calls)


def test_bad_options_are_refused_before_reaching_the_host() -> None:
    host = FakeWindowsHost({})
    with pytest.raises(AnsibleActionFail, match="exec_opts"):
        run({"exec_opts": ["isolation=hyperv"]}, host)
    with pytest.raises(AnsibleActionFail, match="isolation"):
        run({"isolation": "hyperv"}, host)
    assert host.calls == []


def test_transport_failure_is_reported() -> None:
    host = MagicMock()
    host.execute_module.return_value = {"failed": True, "msg": "Access to the path is denied"}
    with pytest.raises(AnsibleActionFail, match="Access to the path is denied"):
        run({"settings": {"debug": True}}, host)


def test_winrm_cmd_shell_is_a_windows_target() -> None:
    """ansible-core's winrm connection reaches Windows through the cmd shell: merged here, never the POSIX module."""
    host = FakeWindowsHost({WINDOWS_PATH: '{"debug": false}'})
    result = run({"settings": {"debug": True}}, host, shell="cmd")
    assert result["changed"] is True and written(host) == {"debug": True}
    assert {name for name, _args in host.calls} == {"wincontainers.compat.win_daemon_json_file"}


def test_posix_targets_run_the_module_itself() -> None:
    host = MagicMock()
    host.execute_module.return_value = {"changed": False, "path": "/etc/docker/daemon.json"}
    result = run({"settings": {"debug": True}}, host, shell="sh")
    assert result["path"] == "/etc/docker/daemon.json"
    name = host.execute_module.call_args.kwargs["module_name"]
    assert name == "wincontainers.compat.docker_daemon_json"
    assert host.execute_module.call_args.kwargs["module_args"] == {"settings": {"debug": True}}


def test_a_relative_path_is_refused_before_reaching_the_host() -> None:
    host = FakeWindowsHost({})
    with pytest.raises(
        AnsibleActionFail, match=r"path must be an absolute Windows path .* got 'config\\\\daemon.json'"
    ):
        run({"path": "config\\daemon.json", "settings": {"debug": True}}, host)
    assert host.calls == []


def test_the_data_root_of_the_service_decides_the_file() -> None:
    """A data root moved with --data-root moves daemon.json: that file is read, written and reported."""
    moved = "C:\\ProgramData\\iotedge-moby\\config\\daemon.json"
    image_path = (
        "C:\\Program Files\\iotedge-moby\\dockerd.exe -H npipe:////./pipe/docker_engine --run-service "
        "--data-root C:\\ProgramData\\iotedge-moby"
    )
    host = FakeWindowsHost({WINDOWS_PATH: '{"debug": false}', moved: '{"debug": false}'}, image_path=image_path)
    result = run({"settings": {"debug": True}}, host)
    assert result["path"] == moved and result["location"]["source"] == "--data-root"
    assert written(host, moved) == {"debug": True}
    assert written(host) == {"debug": False}, "the ignored default file is left alone"


def test_a_file_changed_between_read_and_write_is_not_overwritten() -> None:
    host = FakeWindowsHost({WINDOWS_PATH: '{"debug": false}'})
    original = host.execute_module

    def edited_meanwhile(module_name: str, module_args: dict[str, Any], task_vars: Any = None) -> dict[str, Any]:
        if "content" in module_args:
            host.files[WINDOWS_PATH] = '{"debug": false, "labels": ["edited"]}'
        return original(module_name, module_args, task_vars)

    host.execute_module = edited_meanwhile  # type: ignore[method-assign]
    with pytest.raises(AnsibleActionFail, match="changed since it was read"):
        run({"settings": {"debug": True}}, host)
    assert written(host) == {"debug": False, "labels": ["edited"]}


def test_utf16_daemon_json_is_merged_and_rewritten_as_utf8() -> None:
    """`Out-File` in Windows PowerShell writes UTF-16LE with a BOM, which dockerd 23+ reads."""
    text = '{"exec-opts": ["isolation=process"]}'
    host = FakeWindowsHost({})
    utf16 = base64.b64encode(b"\xff\xfe" + text.encode("utf-16-le")).decode()
    host.record = lambda path: {"path": path, "exists": True, "content_base64": utf16, "error": None}  # type: ignore[method-assign]
    writes: list[dict[str, Any]] = []
    original = host.execute_module

    def capture(module_name: str, module_args: dict[str, Any], task_vars: Any = None) -> dict[str, Any]:
        if "content" in module_args:
            writes.append(module_args)
            return {"changed": True}
        return original(module_name, module_args, task_vars)

    host.execute_module = capture  # type: ignore[method-assign]
    result = run({"exec_opts": {"isolation": "hyperv"}}, host)
    assert json.loads(writes[0]["content"]) == {"exec-opts": ["isolation=hyperv"]}
    assert writes[0]["previous_sha256"] == hashlib.sha256(base64.b64decode(utf16)).hexdigest().upper()
    assert any("UTF-16-LE" in warning for warning in result["warnings"])


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"exists": True, "content_base64": base64.b64encode(b'{"a": "\xe9"}').decode(), "error": None},
            "not valid UTF-8",
        ),
        ({"exists": True, "content_base64": None, "error": "The process cannot access the file"}, "cannot be read"),
    ],
)
def test_undecodable_or_unreadable_files_fail_without_writing(record: dict[str, Any], message: str) -> None:
    host = FakeWindowsHost({})
    host.record = lambda path: {"path": path, **record}  # type: ignore[method-assign]
    with pytest.raises(AnsibleActionFail, match=message):
        run({"settings": {"debug": True}}, host)
    assert all("content" not in args for _name, args in host.calls)
