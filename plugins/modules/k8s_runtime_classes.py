#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_runtime_classes
short_description: One RuntimeClass per Windows build present in the cluster, plus Hyper-V ones for older images
version_added: 0.1.0
description:
  - Lists the nodes once, finds the Windows builds present (from C(status.nodeInfo), as
    M(wincontainers.compat.k8s_node_labels) does), and makes one C(node.k8s.io/v1) RuntimeClass per build, named
    C(<prefix>-<release>) (for example C(windows-ltsc2022)), whose C(scheduling.nodeSelector) is
    C(kubernetes.io/os=windows) and C(node.kubernetes.io/windows-build=10.0.<build>) and whose tolerations
    are those Kubernetes documents for Windows nodes (C(os=windows:NoSchedule)), so pods naming the class land
    on nodes of that build.
  - With O(hyperv_image_builds), also makes Hyper-V classes for older images, one per image build and host build
    it can run on (Hyper-V isolation runs images of the same or an older build), named
    C(<prefix>-<image release>-hyperv-<host release>), with the handler O(hyperv_handler).
  - Only classes labelled C(app.kubernetes.io/managed-by=wincontainers.compat) are changed or, with O(prune),
    deleted. A class whose handler differs is deleted and created again (the handler is immutable).
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.k8s
  - wincontainers.compat.catalog
options:
  handler:
    description:
      - The CRI handler of the process-isolation classes, as configured in containerd.
    type: str
    default: runhcs-wcow-process
  prefix:
    description:
      - Prefix of the class names.
    type: str
    default: windows
  tolerations:
    description:
      - Tolerations of the classes. Defaults to the C(os=windows:NoSchedule) toleration Kubernetes documents.
    type: list
    elements: dict
  hyperv_image_builds:
    description:
      - Image builds or releases (for example V(ltsc2019), V(17763)) to make Hyper-V classes for.
    type: list
    elements: str
    default: []
  hyperv_handler:
    description:
      - Handler of the Hyper-V classes; C({image_build}) and C({host_build}) are replaced by the build numbers.
    type: str
    default: runhcs-wcow-hypervisor-{image_build}
  builds:
    description:
      - Make classes for these builds (or releases) instead of the builds found on the nodes.
    type: list
    elements: str
  prune:
    description:
      - Delete managed classes of this O(prefix) that are no longer wanted (no node of their build is left).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports what it would create, replace, patch or delete; it needs only C(get) and C(list).
  diff_mode:
    support: full
    description: One diff per class created, changed or deleted.
  idempotent:
    support: full
    description: A second run reports no change.
  action_group:
    support: full
    membership: [wincontainers.compat.k8s]
    description: Part of the C(group/wincontainers.compat.k8s) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.k8s_workload_selector
  - name: RuntimeClass scheduling for Windows
    description: Kubernetes' example of a RuntimeClass per Windows build.
    link: https://kubernetes.io/docs/concepts/containers/runtime-class/#scheduling
"""

EXAMPLES = r"""
- name: One RuntimeClass per Windows build, and Hyper-V classes for ltsc2019 images
  wincontainers.compat.k8s_runtime_classes:
    hyperv_image_builds: [ltsc2019]
    prune: true
"""

RETURN = r"""
runtime_classes:
  description: The wanted classes, each with the action taken (create, replace, patch, delete or none).
  returned: always
  type: list
  elements: dict
  sample:
    - name: windows-ltsc2022
      handler: runhcs-wcow-process
      node_selector: {kubernetes.io/os: windows, node.kubernetes.io/windows-build: "10.0.20348"}
      action: create
builds:
  description: The Windows builds the classes were made for.
  returned: always
  type: list
  elements: int
api_requests:
  description: Number of API requests this run sent.
  returned: always
  type: int
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import (
    CATALOG_ARGUMENT_SPEC,
    use_catalog_option,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    desired_runtime_classes,
    is_windows_node,
    name_of,
    node_version,
    runtime_class_action,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_client import (
    REQUIRED_TOGETHER,
    KubeApi,
    KubeError,
    auth_argument_spec,
    hide_kubeconfig_secrets,
    node_path,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version

RC_PATH = "/apis/node.k8s.io/v1/runtimeclasses"


def argument_spec() -> dict[str, Any]:
    spec = {**auth_argument_spec(), **CATALOG_ARGUMENT_SPEC}
    spec.update(
        handler={"type": "str", "default": "runhcs-wcow-process"},
        prefix={"type": "str", "default": "windows"},
        tolerations={"type": "list", "elements": "dict"},
        hyperv_image_builds={"type": "list", "elements": "str", "default": []},
        hyperv_handler={"type": "str", "default": "runhcs-wcow-hypervisor-{image_build}"},
        builds={"type": "list", "elements": "str"},
        prune={"type": "bool", "default": False},
    )
    return spec


def summary(rc: dict[str, Any], action: Any) -> dict[str, Any]:
    return {
        "name": name_of(rc),
        "handler": rc.get("handler"),
        "node_selector": (rc.get("scheduling") or {}).get("nodeSelector"),
        "action": action or "none",
    }


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True, required_together=REQUIRED_TOGETHER)
    use_catalog_option(module)
    hide_kubeconfig_secrets(module)
    params = module.params
    try:
        api = KubeApi(params)
        hyperv = [parse_windows_version(b).build for b in params["hyperv_image_builds"]]
        if params["builds"]:
            builds = sorted({parse_windows_version(b).build for b in params["builds"]})
        else:
            nodes = [n for n in api.list(node_path()) if is_windows_node(n)]
            found = [node_version(n).version for n in nodes]
            builds = sorted({v.build for v in found if v is not None})
        wanted = desired_runtime_classes(
            builds, params["handler"], params["prefix"], params["tolerations"], hyperv, params["hyperv_handler"]
        )
        existing = {name_of(rc): rc for rc in api.list(RC_PATH)}
    except (WinCompatError, KeyError, IndexError, ValueError) as exc:
        module.fail_json(msg=f"cannot plan the RuntimeClasses: {exc}")
    except KubeError as exc:
        module.fail_json(msg=str(exc))
    results: list[dict[str, Any]] = []
    diffs: list[dict[str, Any]] = []
    try:
        for name, rc in wanted.items():
            action = runtime_class_action(existing.get(name), rc)
            current = existing.get(name)
            if (
                action
                and current is not None
                and (current["metadata"].get("labels") or {}).get(MANAGED_BY_LABEL) != MANAGED_BY
            ):
                action = "conflict"  # a class of that name the collection does not own: left alone
            if action in ("create", "replace", "patch"):
                diffs.append(
                    {
                        "before_header": f"runtimeclass/{name}",
                        "after_header": f"runtimeclass/{name}",
                        "before": current or {},
                        "after": rc,
                    }
                )
                if not module.check_mode:
                    if action == "replace":
                        api.delete(f"{RC_PATH}/{name}")
                    if action in ("create", "replace"):
                        api.create(RC_PATH, rc)
                    else:
                        api.merge_patch(f"{RC_PATH}/{name}", {k: rc[k] for k in ("metadata", "scheduling")})
            results.append(summary(rc, action))
        if params["prune"]:
            for name, rc in existing.items():
                labels = (rc.get("metadata") or {}).get("labels") or {}
                if name in wanted or labels.get(MANAGED_BY_LABEL) != MANAGED_BY:
                    continue
                if not name.startswith(f"{params['prefix']}-"):
                    continue
                diffs.append(
                    {
                        "before_header": f"runtimeclass/{name}",
                        "after_header": f"runtimeclass/{name}",
                        "before": rc,
                        "after": {},
                    }
                )
                if not module.check_mode:
                    api.delete(f"{RC_PATH}/{name}")
                results.append(summary(rc, "delete"))
    except KubeError as exc:
        module.fail_json(msg=str(exc), runtime_classes=results, api_requests=api.requests)
    changed = any(r["action"] in ("create", "replace", "patch", "delete") for r in results)
    output: dict[str, Any] = {
        "changed": changed,
        "runtime_classes": results,
        "builds": builds,
        "api_requests": api.requests,
    }
    if module._diff:
        output["diff"] = diffs
    module.exit_json(**output)


if __name__ == "__main__":
    main()
