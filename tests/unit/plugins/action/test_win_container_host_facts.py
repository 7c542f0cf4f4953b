"""The action plugin of win_container_host_facts with the PowerShell's raw answer replayed from real hosts."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.plugins.loader import shell_loader
from ansible_collections.wincontainers.compat.plugins.action.win_container_host_facts import ActionModule
from ansible_collections.wincontainers.compat.plugins.module_utils import catalog

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "host_facts"
SECRET = "W1nRM-S3cret!"
TASK_VARS = {
    "inventory_hostname": "win2019-01",
    "ansible_connection": "winrm",
    "ansible_user": "Administrator",
    "ansible_password": SECRET,
    "ansible_winrm_transport": "ntlm",
}


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def make_action(args: dict[str, Any], answer: dict[str, Any], *, check: bool = False, shell: str = "powershell"):
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check
    task.diff = False
    task.action = "wincontainers.compat.win_container_host_facts"
    connection = MagicMock()
    connection._shell = shell_loader.get(shell)
    connection._shell.tmpdir = "C:\\Windows\\Temp"
    action = ActionModule(task, connection, MagicMock(), loader=MagicMock(), templar=MagicMock())
    action._execute_module = MagicMock(return_value=copy.deepcopy(answer))  # type: ignore[method-assign]
    return action


def module_answer(name: str) -> dict[str, Any]:
    """What the PowerShell returns: the raw values plus the invocation Ansible.Basic adds."""
    raw = recorded(name)["raw"]
    return {"changed": False, "raw": raw, "invocation": {"module_args": {"gather_subset": raw["gather_subset"]}}}


@pytest.mark.parametrize("check", [False, True])
def test_facts_from_a_recorded_swarm_manager(check: bool) -> None:
    action = make_action({}, module_answer("server2019_swarm_manager"), check=check)
    result = action.run(task_vars=TASK_VARS)
    facts = result["ansible_facts"]["wincontainers_host"]
    expected = recorded("server2019_swarm_manager")["expected"]
    assert result["changed"] is False
    assert facts["version"]["version"] == expected["version"]
    assert facts["docker"]["swarm"] == expected["docker"]["swarm"]
    assert action._execute_module.call_count == 1, "one round trip"


def test_only_module_options_reach_the_host() -> None:
    action = make_action(
        {"gather_subset": ["version", "docker"], "host_kind": "client", "rules": "containerd"},
        module_answer("win11_24h2_pro"),
    )
    result = action.run(task_vars=TASK_VARS)
    call = action._execute_module.call_args.kwargs
    assert call["module_name"] == "wincontainers.compat.win_container_host_facts"
    assert call["module_args"] == {"gather_subset": ["version", "docker"]}
    assert result["ansible_facts"]["wincontainers_host"]["host_kind"] == "client"


def test_unknown_host_kind_is_a_warning_not_a_guess() -> None:
    result = make_action({}, module_answer("win11_24h2_pro")).run(task_vars=TASK_VARS)
    assert result["ansible_facts"]["wincontainers_host"]["host_kind"] is None
    assert any("host kind unknown" in warning for warning in result["warnings"])


def test_credentials_never_reach_the_result() -> None:
    answer = module_answer("server2019_swarm_manager")
    text = json.dumps(
        {"registry-mirrors": [f"https://ci:{SECRET}@mirror.example.com"], "exec-opts": ["isolation=process"]}
    )
    answer["raw"]["docker"]["daemon_json_files"][0].update(
        exists=True, content_base64=base64.b64encode(text.encode()).decode()
    )
    result = make_action({}, answer).run(task_vars=TASK_VARS)
    dumped = json.dumps(result)
    assert SECRET not in dumped
    assert "invocation" not in result
    mirrors = result["ansible_facts"]["wincontainers_host"]["docker"]["daemon_json"]["registry-mirrors"]
    assert mirrors == ["https://ci:********@mirror.example.com"]


@pytest.mark.parametrize("shell", ["cmd", "powershell"])  # cmd: ansible-core's winrm connection from 2.19 on
def test_windows_shells_of_every_connection_gather(shell: str) -> None:
    action = make_action({}, module_answer("server2019_swarm_manager"), shell=shell)
    facts = action.run(task_vars=TASK_VARS)["ansible_facts"]["wincontainers_host"]
    assert facts["version"]["version"] == recorded("server2019_swarm_manager")["expected"]["version"]
    assert action._execute_module.call_args.kwargs["module_name"] == "wincontainers.compat.win_container_host_facts"


def test_a_posix_target_is_refused_before_running_anything() -> None:
    action = make_action({}, module_answer("server2016_datacenter"), shell="sh")
    with pytest.raises(AnsibleActionFail, match="reached with a POSIX shell"):
        action.run(task_vars=TASK_VARS)
    action._execute_module.assert_not_called()


def test_bad_options_are_refused_before_running_anything() -> None:
    action = make_action({"gather_subset": ["everything"]}, module_answer("server2016_datacenter"))
    with pytest.raises(AnsibleActionFail, match="gather_subset"):
        action.run(task_vars=TASK_VARS)
    action._execute_module.assert_not_called()


def test_a_failing_module_is_reported() -> None:
    action = make_action({}, {"failed": True, "msg": "Access is denied"})
    with pytest.raises(AnsibleActionFail, match="Access is denied"):
        action.run(task_vars=TASK_VARS)


def test_raw_values_that_make_no_version_fail_clearly() -> None:
    action = make_action({}, {"changed": False, "raw": {"registry": {"ProductName": "Windows Server 2019"}}})
    with pytest.raises(AnsibleActionFail, match="win_container_host_facts"):
        action.run(task_vars=TASK_VARS)


def test_a_daemon_json_named_by_the_service_is_read_in_a_second_round_trip() -> None:
    """Docker Desktop's engine service names its --config-file (docker/for-win#3984): that file is the one reported."""
    answer = module_answer("server2019_swarm_manager")
    answer["raw"]["docker"]["service_image_path"] = (
        '"C:\\Program Files\\Docker\\Docker\\Resources\\dockerd.exe" --run-service --service-name docker '
        "-G TESTERN\\Administrator --config-file C:\\ProgramData\\DockerDesktop\\tmp-d4w\\daemon.json"
    )
    path = "C:\\ProgramData\\DockerDesktop\\tmp-d4w\\daemon.json"
    record = {
        "path": path,
        "exists": True,
        "content_base64": base64.b64encode(b'{"experimental": false}').decode(),
        "error": None,
    }
    action = make_action({}, answer)
    action._execute_module.side_effect = [copy.deepcopy(answer), {"changed": False, "file": record}]
    facts = action.run(task_vars=TASK_VARS)["ansible_facts"]["wincontainers_host"]
    second = action._execute_module.call_args_list[1].kwargs
    assert second["module_name"] == "wincontainers.compat.win_daemon_json_file"
    assert second["module_args"] == {"path": path}
    assert facts["docker"]["daemon_json_path"] == path
    assert facts["docker"]["daemon_json_location"]["source"] == "--config-file"
    assert facts["docker"]["daemon_json"] == {"experimental": False}


def test_a_failed_second_read_is_a_fact() -> None:
    answer = module_answer("server2019_swarm_manager")
    answer["raw"]["docker"]["service_image_path"] = '"C:\\docker\\dockerd.exe" --run-service --data-root D:\\docker'
    action = make_action({}, answer)
    action._execute_module.side_effect = [copy.deepcopy(answer), {"failed": True, "msg": "Access is denied"}]
    facts = action.run(task_vars=TASK_VARS)["ansible_facts"]["wincontainers_host"]
    assert facts["docker"]["daemon_json_path"] == "D:\\docker\\config\\daemon.json"
    assert facts["docker"]["daemon_json_error"] == "D:\\docker\\config\\daemon.json cannot be read: Access is denied"


CATALOG = Path(__file__).resolve().parents[4] / "examples" / "catalog" / "windows-server-2028.yml"


def _answer_of_a_2028_host() -> dict[str, Any]:
    """A recorded Windows Server 2025 host's answer, moved to build 30000 (Windows Server 2028 of the example)."""
    text = json.dumps(module_answer("server2025_runner_newer_image")).replace("26100", "30000")
    answer: dict[str, Any] = json.loads(text)
    return answer


def test_catalog_option_makes_the_host_release_known() -> None:
    try:
        action = make_action({"catalog": str(CATALOG)}, _answer_of_a_2028_host())
        facts = action.run(task_vars=TASK_VARS)["ansible_facts"]["wincontainers_host"]
        assert facts["release"]["name"] == "Windows Server 2028" and facts["release"]["known"] is True
        assert "catalog" not in action._execute_module.call_args.kwargs["module_args"], "read on the controller"
        unknown = make_action({}, _answer_of_a_2028_host()).run(task_vars=TASK_VARS)
        assert unknown["ansible_facts"]["wincontainers_host"]["release"]["known"] is False
    finally:
        catalog.activate(None)


def test_a_broken_catalog_fails_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("- {build: 30000, name: x, kind: desktop}\n", encoding="utf-8")
    action = make_action({"catalog": str(broken)}, _answer_of_a_2028_host())
    with pytest.raises(AnsibleActionFail, match=rf"{broken}: entry 1 \(build 30000\), field kind"):
        action.run(task_vars=TASK_VARS)
