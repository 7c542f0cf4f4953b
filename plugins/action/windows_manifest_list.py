# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of ``windows_manifest_list``: assembles and pushes the list on the controller, through the registry API.

Reads each per-build image's manifest and config blob through the session ``plugin_utils.registry_options``
builds from the connection options ``registry_image_info`` shares, builds the list with ``manifest_list``, pushes
it only when the registry's differs, and verifies it against the fleet with ``manifest_list.verify``.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest_list import (
    MEDIA_TYPES,
    Entry,
    assemble,
    entry_from_image,
    list_media_type,
    list_summary,
    ordered_entries,
    same_list,
    serialize,
    verify,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    RegistryReference,
    config_descriptor,
    load_json,
    parse_reference,
    sha256_digest,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    RegistryClient,
    RegistryHTTPError,
)
from ansible_collections.wincontainers.compat.plugins.plugin_utils.registry_options import (
    CONNECTION_SPEC,
    registry_session,
)

ARGUMENT_SPEC: dict[str, Any] = {
    "name": {"type": "str", "required": True},
    "images": {"type": "list", "elements": "str", "required": True},
    "media_type": {"type": "str", "choices": list(MEDIA_TYPES), "default": "auto"},
    "fleet": {"type": "raw"},
    "isolation": {"type": "str", "choices": ["process", "hyperv"], "default": "process"},
    "architecture": {"type": "str", "default": "amd64"},
    **CONNECTION_SPEC,
}


def target_reference(name: str) -> RegistryReference:
    """The list's reference: a tag, no digest (a digest names content, it cannot be pushed to)."""
    ref = parse_reference(name)
    if ref.digest or not ref.tag:
        raise AnsibleActionFail(f"name must be a repository and tag such as registry.example.com/app:1.4; got {name!r}")
    return ref


def image_references(images: list[str], target: RegistryReference) -> list[RegistryReference]:
    """The per-build images: references in the repository of the list (a list only refers to its own)."""
    refs = [parse_reference(image) for image in images]
    foreign = [image for image, ref in zip(images, refs) if ref.name != target.name]
    if foreign:
        raise AnsibleActionFail(
            f"images must be in the repository of the list, {target.name}; these are not: {', '.join(foreign)}"
        )
    if not refs:
        raise AnsibleActionFail("images is empty; give the per-build images to list")
    return refs


def read_entry(client: RegistryClient, ref: RegistryReference, given: str) -> Entry:
    """The list entry of one pushed image: its manifest, then its config blob."""
    content, media_type, digest = client.get_manifest(ref.repository, ref.identifier)
    document = load_json(content, f"the manifest of {given}")
    if "manifests" in document:
        return entry_from_image(given, media_type, digest, len(content), {})
    config = config_descriptor(document)
    blob = client.get_blob(ref.repository, str(config["digest"]))
    return entry_from_image(given, media_type, digest, len(content), load_json(blob, f"the image config of {given}"))


def current_list(client: RegistryClient, target: RegistryReference) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """The document and digest the registry holds under the tag, ``(None, None)`` when the tag does not exist."""
    try:
        content, _media_type, digest = client.get_manifest(target.repository, str(target.tag))
    except RegistryHTTPError as exc:
        if exc.status == 404:
            return None, None
        raise
    return load_json(content, f"the manifest of {target}"), digest


class ActionModule(ActionBase):
    """Assembles a manifest list over per-build Windows images, pushes it when it differs, verifies it."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            result.update(self._apply(args))
        except WinCompatError as exc:  # RegistryError, ManifestListError, reference and option errors
            raise AnsibleActionFail(f"windows_manifest_list: {exc}") from exc
        return result

    def _apply(self, args: dict[str, Any]) -> dict[str, Any]:
        target = target_reference(args["name"])
        refs = image_references(list(args["images"]), target)
        client = registry_session(args).client(target)
        entries = ordered_entries([read_entry(client, ref, given) for ref, given in zip(refs, args["images"])])
        desired = assemble(entries, list_media_type(entries, args["media_type"]))
        current, current_digest = current_list(client, target)
        changed = not same_list(current, desired)
        content = serialize(desired)
        digest = sha256_digest(content) if changed else current_digest
        if changed and not self._task.check_mode:
            digest = client.put_manifest(target.repository, str(target.tag), content, desired["mediaType"])
        out: dict[str, Any] = {
            "changed": changed,
            "name": str(target),
            "digest": digest,
            "media_type": desired["mediaType"],
            "manifests": [entry.summary() for entry in entries],
            "verification": None,
        }
        if args["fleet"] is not None:
            out["verification"] = verify(desired, args["fleet"], args["isolation"], args["architecture"])
        if self._task.diff:
            before = list_summary(current)
            after = [{k: v for k, v in item.items() if k != "reference"} for item in out["manifests"]]
            out["diff"] = {
                "before_header": f"{target} (registry)",
                "after_header": f"{target} (assembled)",
                "before": json.dumps(before, indent=2) + "\n",
                "after": json.dumps(after, indent=2) + "\n",
            }
        return out
