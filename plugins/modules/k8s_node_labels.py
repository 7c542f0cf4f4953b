#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_node_labels
short_description: Label every Windows node of a cluster with its build and release, in one call
version_added: 0.1.0
description:
  - Reads every node of the cluster in one list call, keeps the Windows ones (label C(kubernetes.io/os=windows),
    C(beta.kubernetes.io/os=windows) or C(nodeInfo.operatingSystem=windows)) and derives each node's build
    and update revision from C(status.nodeInfo.kernelVersion) (both the old C(10.0 14393 (BuildLabEx)) form and
    the C(10.0.17763.1397) form of current kubelets), then C(osImage), or from gathered host facts.
  - Sets the labels chosen here, the seed-style osbuild label (V(beta.kubernetes.io/osbuild) by default, value
    C(build.revision) on build 14393, where containers need the host's revision, and C(build) elsewhere) and the
    collection's release label (V(wincontainers.compat/release), for example V(ltsc2022)).
  - Checks kubelet's own C(node.kubernetes.io/windows-build) label against the node's build and reports nodes
    where it is missing or wrong.
  - Patches only the nodes whose labels differ, with a JSON merge patch that names only those labels, so every
    other label stays as it is. The patch carries the C(resourceVersion) that was listed; when the node changed
    in between (HTTP 409) it is read again, planned again and patched again. Requests failing with HTTP 429 or
    5xx are retried with exponential backoff. A node deleted between the list and the patch is reported in
    RV(deleted), not treated as a failure.
  - A build whose label needs a revision the node does not report (old kubelets on Windows Server 2016) gets
    no osbuild label; the node is reported in RV(findings) with the fix (pass O(host_facts)).
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.k8s
  - wincontainers.compat.catalog
options:
  osbuild_label:
    description:
      - Key of the osbuild label. An empty string manages no osbuild label.
    type: str
    default: beta.kubernetes.io/osbuild
  osbuild_format:
    description:
      - Value of the osbuild label. V(auto) is C(build.revision) for build 14393 and C(build) otherwise;
        V(build) is C(17763); V(build.revision) is C(17763.1397); V(major.minor.build) is C(10.0.17763);
        V(version) is C(10.0.17763.1397).
      - Formats with a revision leave the label unset on nodes whose revision is unknown.
    type: str
    choices: [auto, build, build.revision, major.minor.build, version]
    default: auto
  release_label:
    description:
      - Key of the release label (value such as V(ltsc2019), V(ltsc2022), V(2004)). An empty string manages no
        release label.
    type: str
    default: wincontainers.compat/release
  windows_build_label:
    description:
      - Also set kubelet's C(node.kubernetes.io/windows-build) label (C(10.0.17763)) where it is missing or wrong,
        for nodes whose kubelet is older than v1.17. Kubelet owns this label; by default it is only checked.
    type: bool
    default: false
  labels:
    description:
      - Further labels to set on every Windows node, as a dictionary.
    type: dict
    default: {}
  host_facts:
    description:
      - Gathered host facts by node name, from M(wincontainers.compat.win_container_host_facts)
        (the C(wincontainers_host) dictionary, its C(version), or a version string such as C(10.0.14393.1715)).
      - They supply the revision where the node does not report it. Facts naming another build than the node
        reports are ignored and reported.
    type: dict
    default: {}
  label_selector:
    description:
      - Only nodes matching this label selector are listed (for example V(agentpool=win22)).
    type: str
  names:
    description:
      - Only these nodes are labelled (the list call still reads the cluster once).
    type: list
    elements: str
  concurrency:
    description:
      - How many patches are in flight at once; 1 or more.
    type: int
    default: 8
attributes:
  check_mode:
    support: full
    description: Lists the nodes and reports the patches it would send; it needs only C(get) and C(list) on nodes.
  diff_mode:
    support: full
    description: One diff per changed node, showing its managed labels before and after.
  idempotent:
    support: full
    description: A second run reports no change and sends no patch.
  action_group:
    support: full
    membership: [wincontainers.compat.k8s]
    description: Part of the C(group/wincontainers.compat.k8s) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.k8s_workload_selector
  - module: wincontainers.compat.k8s_runtime_classes
  - module: wincontainers.compat.k8s_compat_info
  - name: Well-known labels, node.kubernetes.io/windows-build
    description: The label kubelet sets on Windows nodes.
    link: https://kubernetes.io/docs/reference/labels-annotations-taints/#nodekubernetesiowindows-build
"""

EXAMPLES = r"""
- name: Predict the labels (needs only read access)
  wincontainers.compat.k8s_node_labels:
    kubeconfig: ~/.kube/config
  check_mode: true
  register: plan

- name: Label every Windows node
  wincontainers.compat.k8s_node_labels:
    kubeconfig: ~/.kube/config

- name: Use gathered facts for the revision of Windows Server 2016 nodes (auto labels 14393.<revision> there)
  wincontainers.compat.k8s_node_labels:
    host_facts: >-
      {{ dict(win_nodes | zip(win_nodes | map('extract', hostvars, ['ansible_facts', 'wincontainers_host']))) }}
  vars:
    # Inventory names that are the node names, with facts from wincontainers.compat.win_container_host_facts
    win_nodes: "{{ groups['k8s_windows'] }}"
"""

RETURN = r"""
results:
  description:
    - One entry per Windows node the task addressed, in the order handled, with what happened to it.
    - Every one is tried; when any failed, the task fails after the others were tried, and C(msg) names
      each failed one with its error.
    - A node deleted between the list and the patch is V(skipped).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
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
nodes:
  description: Every Windows node listed, with its version, where it came from, its managed labels and the change.
  returned: always
  type: list
  elements: dict
  sample:
    - name: akswspool000000
      version: 10.0.26100.32995
      build: 26100
      revision: 32995
      release: ltsc2025
      source: nodeInfo
      labels: {beta.kubernetes.io/osbuild: "26100", wincontainers.compat/release: ltsc2025}
      changes: {wincontainers.compat/release: ltsc2025}
      changed: true
      outcome: patched
patched:
  description: Names of the nodes patched (in check mode, those that would be).
  returned: always
  type: list
  elements: str
deleted:
  description: Nodes that were listed but no longer existed when patched.
  returned: always
  type: list
  elements: str
failed_nodes:
  description: Nodes whose patch failed, with the error.
  returned: always
  type: dict
findings:
  description: Problems found, in the shared findings shape (check, severity, subject, host, message, fix).
  returned: always
  type: list
  elements: dict
api_requests:
  description: Number of API requests this run sent.
  returned: always
  type: int
"""

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import OSBUILD_FORMATS
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_runner import run_k8s_module, run_node_labels


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "osbuild_label": {"type": "str", "default": "beta.kubernetes.io/osbuild"},
        "osbuild_format": {"type": "str", "default": "auto", "choices": list(OSBUILD_FORMATS)},
        "release_label": {"type": "str", "default": "wincontainers.compat/release"},
        "windows_build_label": {"type": "bool", "default": False},
        "labels": {"type": "dict", "default": {}},
        "host_facts": {"type": "dict", "default": {}},
        "label_selector": {"type": "str"},
        "names": {"type": "list", "elements": "str"},
        "concurrency": {"type": "int", "default": 8},
    }


def main() -> None:
    run_k8s_module(argument_spec(), run_node_labels)


if __name__ == "__main__":
    main()
