# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of ``registry_image_info``: asks the registries on the controller, reads nothing on the hosts.

Validates the options, builds the session of ``plugin_utils.registry_options`` (connection options and the
Docker ``config.json``), then hands over to ``registry_client`` (``inspect_images``, ``fetch_tag_lists``).
Read-only, so check mode runs it in full.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    DigestCache,
    fetch_tag_lists,
    inspect_images,
)
from ansible_collections.wincontainers.compat.plugins.plugin_utils.registry_options import (
    CONNECTION_SPEC,
    registry_session,
)

ARGUMENT_SPEC: dict[str, Any] = {
    "images": {"type": "list", "elements": "str", "default": []},
    "tag_lists": {"type": "list", "elements": "str", "default": []},
    **CONNECTION_SPEC,
    "concurrency": {"type": "int", "default": 8},
    "cache_dir": {"type": "path"},
    "fail_on_error": {"type": "bool", "default": False},
}


def _check_concurrency(args: Mapping[str, Any]) -> None:
    if args["concurrency"] < 1:
        raise AnsibleActionFail(f"concurrency must be 1 or more; got {args['concurrency']}")


class ActionModule(ActionBase):
    """Reads image manifests and tag lists from registries, on the controller."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Resolve every image and tag list; fail only with ``fail_on_error`` and an error."""
        result: dict[str, Any] = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        _check_concurrency(args)
        session = registry_session(args, DigestCache(args["cache_dir"]))
        images = inspect_images(session, list(args["images"]), args["concurrency"])
        tag_lists = fetch_tag_lists(session, list(args["tag_lists"]), args["concurrency"])
        errors = [e["error"] for e in (*images.values(), *tag_lists.values()) if e["error"]]
        result.update(changed=False, images=images, tag_lists=tag_lists, errors=errors)
        if errors and args["fail_on_error"]:
            result.update(failed=True, msg=f"{len(errors)} registry lookup(s) failed; the first: {errors[0]}")
        return result
