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
    deleted.
  - A class whose handler differs is replaced (the handler is immutable). The new class is first checked by a
    server-side dry run under a temporary name, so a class the API server would refuse (HTTP 422) leaves the old
    one in place; only then is the old class deleted and the new one created. Should that create still fail,
    the old class is created again, and RV(runtime_classes[].restored) tells whether that worked.
  - Every class is tried; when any failed, the task fails after the others were handled, naming each failed class.
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
results:
  description:
    - One entry per RuntimeClass the task addressed, in the order handled, with what happened to it.
    - Every one is tried; when any failed, the task fails after the others were tried, and C(msg) names
      each failed one with its error.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Class name.
      type: str
      returned: always
    id:
      description: Its id (the Swarm object id, or the Kubernetes C(metadata.uid); empty when not known).
      type: str
      returned: always
    changed:
      description: Whether it was (or in check mode would be) changed.
      type: bool
      returned: always
    outcome:
      description:
        - V(updated) (changed; in check mode, would be), V(unchanged), V(skipped) (left alone, see RV(results[].error)),
          V(refused) (the API refused the change as invalid; reported, does not fail the task) or V(failed).
      type: str
      returned: always
      sample: updated
    error:
      description: Why it failed, was refused or skipped; null otherwise.
      type: str
      returned: always
runtime_classes:
  description:
    - The wanted classes, each with the action planned (create, replace, patch, delete, none, or conflict for a
      class of that name the collection does not manage) and its C(outcome) and C(error) as in RV(results).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Class name.
      type: str
      returned: always
    handler:
      description: CRI handler of the wanted class (of the deleted one for V(delete)).
      type: str
      returned: always
    node_selector:
      description: Its C(scheduling.nodeSelector).
      type: dict
      returned: always
    action:
      description: V(create), V(replace), V(patch), V(delete), V(none) or V(conflict).
      type: str
      returned: always
    outcome:
      description: As in RV(results).
      type: str
      returned: always
    error:
      description: Why it failed or was skipped, or null.
      type: str
      returned: always
    restored:
      description:
        - Only for a replaced class whose new version could not be created after the old one was deleted.
        - True when the old class was created again, false when it is now absent.
      type: bool
      returned: when the create of a replacement failed after the delete
  sample:
    - name: windows-ltsc2022
      handler: runhcs-wcow-process
      node_selector: {kubernetes.io/os: windows, node.kubernetes.io/windows-build: "10.0.20348"}
      action: create
      outcome: updated
      error: null
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

from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_runner import run_k8s_module, run_runtime_classes


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "handler": {"type": "str", "default": "runhcs-wcow-process"},
        "prefix": {"type": "str", "default": "windows"},
        "tolerations": {"type": "list", "elements": "dict"},
        "hyperv_image_builds": {"type": "list", "elements": "str", "default": []},
        "hyperv_handler": {"type": "str", "default": "runhcs-wcow-hypervisor-{image_build}"},
        "builds": {"type": "list", "elements": "str"},
        "prune": {"type": "bool", "default": False},
    }


def main() -> None:
    run_k8s_module(argument_spec(), run_runtime_classes)


if __name__ == "__main__":
    main()
