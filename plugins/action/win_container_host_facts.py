# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs ``win_container_host_facts.ps1`` (read-only) and builds ``wincontainers_host`` on the controller."""

from __future__ import annotations

from typing import Any, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import RULE_SETS
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.plugin_utils.catalog import use_catalog
from ansible_collections.wincontainers.compat.plugins.plugin_utils.targets import is_windows_target

_MODULE = "wincontainers.compat.win_container_host_facts"
_SUBSETS = ["all", "version", "features", "docker", "containerd", "images", "containers"]
_MODULE_OPTIONS = ("gather_subset", "daemon_json_path", "docker_path", "command_timeout")
_FILE_MODULE = "wincontainers.compat.win_daemon_json_file"
_ARGUMENT_SPEC: dict[str, Any] = {
    "gather_subset": {"type": "list", "elements": "str", "default": ["all"], "choices": _SUBSETS},
    "daemon_json_path": {"type": "str"},
    "docker_path": {"type": "str"},
    "command_timeout": {"type": "int"},
    "host_kind": {"type": "str", "default": "auto", "choices": ["auto", "server", "client"]},
    "rules": {"type": "str", "default": "documented", "choices": list(RULE_SETS)},
    "repositories": {"type": "list", "elements": "str", "default": ["servercore", "nanoserver", "server", "windows"]},
    "catalog": {"type": "path"},
}


class ActionModule(ActionBase):
    """Gathers the raw values in one round trip, then decides everything with the core."""

    TRANSFERS_FILES = False

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Run the PowerShell, build the facts; never changes the host, so it runs in check mode too."""
        result: dict[str, Any] = super().run(tmp, task_vars)
        if not is_windows_target(self._connection):
            raise AnsibleActionFail(
                f"{_MODULE} gathers facts of Windows hosts; {task_vars and task_vars.get('inventory_hostname')!s} "
                "is reached with a POSIX shell (use ansible_connection winrm or psrp, or ssh with "
                "ansible_shell_type powershell or cmd)"
            )
        _validation, args = self.validate_argument_spec(argument_spec=_ARGUMENT_SPEC)
        module_args = {name: args[name] for name in _MODULE_OPTIONS if args.get(name) is not None}
        # Imported here: the facts builder loads the whole core, which only a run needs.
        from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import (
            build_host_facts,
        )

        answer = self._execute_module(module_name=_MODULE, module_args=module_args, task_vars=task_vars or {})
        if answer.get("failed") or "raw" not in answer:
            raise AnsibleActionFail(f"{_MODULE} failed on the host: {answer.get('msg', 'no raw values returned')}")
        self._read_located_daemon_json(answer["raw"], task_vars or {})
        try:
            use_catalog(args["catalog"])
            facts = build_host_facts(
                answer["raw"],
                host_kind=None if args["host_kind"] == "auto" else args["host_kind"],
                rules=args["rules"],
                repositories=args["repositories"],
            )
        except WinCompatError as exc:
            raise AnsibleActionFail(f"{_MODULE}: {exc}") from exc
        result.update(changed=False, ansible_facts={"wincontainers_host": facts})
        if facts["warnings"]:
            result["warnings"] = list(facts["warnings"])
        return result

    def _read_located_daemon_json(self, raw: dict[str, Any], task_vars: dict[str, Any]) -> None:
        """Read the daemon.json dockerd uses when the service names one the facts module did not read."""
        from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import unread_daemon_json

        path = unread_daemon_json(raw.get("docker"))
        if path is None:
            return
        answer = self._execute_module(module_name=_FILE_MODULE, module_args={"path": path}, task_vars=task_vars)
        record = answer.get("file") or {"path": path, "exists": False, "content_base64": None, "error": None}
        if answer.get("failed"):
            record = {"path": path, "exists": False, "content_base64": None, "error": str(answer.get("msg"))}
        raw["docker"]["daemon_json_files"] = [*(raw["docker"].get("daemon_json_files") or []), record]
