# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of ``registry_image_info``: asks the registries on the controller, reads nothing on the hosts.

Validates the options, loads the Docker ``config.json``, then hands over to ``registry_client``
(``RegistrySession``, ``inspect_images``, ``fetch_tag_lists``). Read-only, so check mode runs it in full.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import RegistryError, credentials_for
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    ClientOptions,
    DigestCache,
    RegistrySession,
    fetch_tag_lists,
    inspect_images,
)

ARGUMENT_SPEC: dict[str, Any] = {
    "images": {"type": "list", "elements": "str", "default": []},
    "tag_lists": {"type": "list", "elements": "str", "default": []},
    "auth": {"type": "dict", "default": {}, "no_log": True},
    "docker_config": {"type": "path"},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "insecure_registries": {"type": "list", "elements": "str", "default": []},
    "concurrency": {"type": "int", "default": 8},
    "timeout": {"type": "float", "default": 30.0},
    "retries": {"type": "int", "default": 3},
    "cache_dir": {"type": "path"},
    "fail_on_error": {"type": "bool", "default": False},
}


def default_docker_config() -> Optional[str]:
    """``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``, when the file exists (as the Docker CLI)."""
    directory = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    path = os.path.join(directory, "config.json")
    return path if os.path.isfile(path) else None


def load_docker_config(path: Optional[str], explicit: bool) -> Optional[dict[str, Any]]:
    """The parsed ``config.json``; an explicit path that cannot be read fails, a default one is skipped."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        if explicit:
            raise AnsibleActionFail(f"docker_config {path} cannot be read as a Docker config.json: {exc}") from exc
        return None
    if not isinstance(data, dict):
        raise AnsibleActionFail(f"docker_config {path} is not a JSON object with an auths entry")
    return data


def _check_numbers(args: Mapping[str, Any]) -> None:
    if args["concurrency"] < 1:
        raise AnsibleActionFail(f"concurrency must be 1 or more; got {args['concurrency']}")
    if args["timeout"] <= 0:
        raise AnsibleActionFail(f"timeout must be a positive number of seconds; got {args['timeout']}")
    if args["retries"] < 0:
        raise AnsibleActionFail(f"retries must be 0 or more; got {args['retries']}")


def _check_auth(auth: Mapping[str, Any]) -> None:
    """Every ``auth`` entry must hold username and password, or token (named by host, never by secret)."""
    for host in auth:
        try:
            credentials_for(str(host), {host: auth[host]})
        except RegistryError as exc:
            raise AnsibleActionFail(str(exc)) from exc


class ActionModule(ActionBase):
    """Reads image manifests and tag lists from registries, on the controller."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Resolve every image and tag list; fail only with ``fail_on_error`` and an error."""
        result: dict[str, Any] = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        _check_numbers(args)
        _check_auth(args["auth"])
        explicit = args["docker_config"] is not None
        config = load_docker_config(args["docker_config"] or default_docker_config(), explicit)
        options = ClientOptions(
            validate_certs=args["validate_certs"],
            ca_path=args["ca_path"],
            timeout=args["timeout"],
            retries=args["retries"],
            insecure_registries=tuple(args["insecure_registries"]),
        )
        session = RegistrySession(options, args["auth"], config, DigestCache(args["cache_dir"]))
        images = inspect_images(session, list(args["images"]), args["concurrency"])
        tag_lists = fetch_tag_lists(session, list(args["tag_lists"]), args["concurrency"])
        errors = [e["error"] for e in (*images.values(), *tag_lists.values()) if e["error"]]
        result.update(changed=False, images=images, tag_lists=tag_lists, errors=errors)
        if errors and args["fail_on_error"]:
            result.update(failed=True, msg=f"{len(errors)} registry lookup(s) failed; the first: {errors[0]}")
        return result
