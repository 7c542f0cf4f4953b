# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of ``patch_plan``: predicts, on the controller, what a host's pending update does to its containers."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import RULE_SETS
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance import make_policy, patch_impact
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, WinCompatError, describe
from ansible_collections.wincontainers.compat.plugins.plugin_utils.catalog import use_catalog

ARGUMENT_SPEC: dict[str, Any] = {
    "facts": {"type": "dict"},
    "target_version": {"type": "str"},
    "updates": {"type": "raw", "default": {}},
    "on_breakage": {"type": "str", "default": "warn", "choices": ["warn", "stop"]},
    "rules": {"type": "str", "default": "documented", "choices": list(RULE_SETS)},
    "registry": {"type": "dict"},
    "catalog": {"type": "path"},
}


def update_titles(updates: Any) -> list[str]:
    """The titles of the updates ``ansible.windows.win_updates`` found (its ``updates`` is a dict by id).

    Raises:
        OptionError: ``updates`` is neither a dict nor a list (the message names the option).
    """
    if updates in (None, ""):
        return []
    if isinstance(updates, (str, bytes)) or not isinstance(updates, (Mapping, list, tuple)):
        raise OptionError(
            "updates must be the updates dict of ansible.windows.win_updates (state=searched) or a list of update "
            f"titles; got {describe(updates)}"
        )
    items = updates.values() if isinstance(updates, Mapping) else updates
    titles = []
    for item in items:
        if isinstance(item, Mapping):
            titles.append(str(item.get("title") or item.get("id") or "update"))
        elif item:
            titles.append(str(item))
    return titles


class ActionModule(ActionBase):
    """Judges every running container of the host against the version it moves to."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Return the prediction; warn, or fail when O(on_breakage=stop), if a running container would break."""
        result: dict[str, Any] = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        facts = args["facts"] or (task_vars.get("ansible_facts") or {}).get("wincontainers_host")
        if not facts:
            raise AnsibleActionFail(
                "no wincontainers_host facts: gather them with wincontainers.compat.win_container_host_facts "
                "or pass them in facts"
            )
        name = str(task_vars.get("inventory_hostname", "host"))
        try:
            use_catalog(args["catalog"])
            titles = update_titles(args["updates"])
            impact = patch_impact(
                name,
                facts,
                target=args["target_version"],
                updates_pending=bool(titles),
                policy=make_policy({"rules": args["rules"]}),
                registry=args["registry"],
            )
        except WinCompatError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        result.update(changed=False, updates=titles, **impact)
        if impact["breaks"]:
            lines = [f"{f['subject']}: {f['message']}; fix: {f['fix']}" for f in impact["findings"]]
            if args["on_breakage"] == "stop":
                result.update(failed=True, msg="the update would stop running containers: " + " | ".join(lines))
            else:
                result["warnings"] = lines
        return result
