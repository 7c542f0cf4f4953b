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
    DaemonJsonError,
    plan_daemon_json,
    plan_result,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.windows_docker import (
    WindowsDockerError,
    decode_file_bytes,
    encoding_warnings,
    is_absolute_windows_path,
    located_daemon_json,
    same_windows_path,
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
        """Locate (unless ``path`` is given), read, merge on the controller, and write only on a change."""
        path, location, record = self._windows_file(args["path"], task_vars)
        try:
            if record.get("error"):
                raise WindowsDockerError(f"{path} cannot be read: {record['error']}")
            decoded = decode_file_bytes(record.get("content_base64"), path)
            plan = plan_daemon_json(decoded.text, path, args["settings"], args["exec_opts"], args["remove"])
        except (DaemonJsonError, WindowsDockerError) as exc:
            raise AnsibleActionFail(str(exc)) from exc
        result = plan_result(plan, path, diff=bool(self._task.diff))
        result["location"] = location
        warnings = [*result.get("warnings", []), *location["warnings"]]
        warnings += encoding_warnings(decoded, path) if plan.changed else []
        if warnings:
            result["warnings"] = warnings
        if plan.changed and not self._task.check_mode:
            written = self._transport(
                {"path": path, "content": plan.after_text, "backup": args["backup"], "previous_sha256": decoded.sha256},
                task_vars,
            )
            if written.get("backup_file"):
                result["backup_file"] = written["backup_file"]
        return result

    def _windows_file(self, path: Optional[str], task_vars: dict[str, Any]) -> tuple[str, dict[str, Any], Any]:
        """The path to manage, how it was found, and the file record the host returned for it."""
        if path is not None:
            if not is_absolute_windows_path(path):
                raise AnsibleActionFail(
                    f"path must be an absolute Windows path such as C:\\ProgramData\\docker\\config\\daemon.json; "
                    f"got {path!r}"
                )
            read = self._transport({"path": path}, task_vars)
            return path, {"path": path, "source": "path", "data_root": None, "warnings": []}, read.get("file") or {}
        answer = self._transport({}, task_vars)
        location = located_daemon_json(answer.get("locator") or {})
        record = answer.get("file") or {}
        if not same_windows_path(str(record.get("path") or ""), location.path):
            record = self._transport({"path": location.path}, task_vars).get("file") or {}
        return location.path, location.as_dict(), record

    def _transport(self, module_args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self._execute_module(
            module_name=WINDOWS_TRANSPORT, module_args=module_args, task_vars=task_vars
        )
        if answer.get("failed"):
            where = module_args.get("path", "the daemon.json of the docker service")
            raise AnsibleActionFail(f"{WINDOWS_TRANSPORT} failed on {where}: {answer.get('msg')}")
        return answer
