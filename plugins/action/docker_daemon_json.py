# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of ``docker_daemon_json``: the module itself on POSIX targets, a controller-side merge on Windows.

A Python module cannot run on a Windows target, so there the file is read and written by the small
``win_daemon_json_file`` PowerShell module and merged here with the same pure functions the POSIX
module runs on its target.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_daemon_json import (
    ARGUMENT_SPEC,
    WINDOWS_PATH,
    DaemonJsonError,
    plan_daemon_json,
    plan_result,
)
from ansible_collections.wincontainers.compat.plugins.plugin_utils.targets import is_windows_target

MODULE = "wincontainers.compat.docker_daemon_json"
WINDOWS_TRANSPORT = "wincontainers.compat.win_daemon_json_file"


class ActionModule(ActionBase):
    """Runs the POSIX module, or reads, merges and writes a Windows daemon.json."""

    TRANSFERS_FILES = False

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Dispatch on the target's shell family."""
        result: dict[str, Any] = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        if not is_windows_target(self._connection):
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
            return result
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result.update(self._run_windows(args, task_vars))
        return result

    def _run_windows(self, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        path = args["path"] or WINDOWS_PATH
        read = self._transport({"path": path}, task_vars)
        try:
            plan = plan_daemon_json(read.get("content"), path, args["settings"], args["exec_opts"], args["remove"])
        except DaemonJsonError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        result = plan_result(plan, path, diff=bool(self._task.diff))
        if plan.changed and not self._task.check_mode:
            written = self._transport({"path": path, "content": plan.after_text, "backup": args["backup"]}, task_vars)
            if written.get("backup_file"):
                result["backup_file"] = written["backup_file"]
        return result

    def _transport(self, module_args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self._execute_module(
            module_name=WINDOWS_TRANSPORT, module_args=module_args, task_vars=task_vars
        )
        if answer.get("failed"):
            raise AnsibleActionFail(f"{WINDOWS_TRANSPORT} failed on {module_args['path']}: {answer.get('msg')}")
        return answer
