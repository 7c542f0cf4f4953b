#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_compat_info
short_description: Report Windows nodes, workloads that cannot run where their selectors send them, and failing pods
version_added: 0.1.0
description:
  - Read-only. Lists nodes, RuntimeClasses, workloads, pods and pod events once each and reports
  - RV(nodes), every Windows node with its build, revision, release and the labels that select on them, and
    whether kubelet's C(node.kubernetes.io/windows-build) label and the collection's labels are right;
  - RV(workloads), every Deployment, StatefulSet, DaemonSet, Job and CronJob with a Windows image, the Windows
    nodes its C(nodeSelector), RuntimeClass and required node affinity allow, and which of them can run its
    images with the isolation its RuntimeClass gives (process unless the handler is a Hyper-V one), by the
    rules of M(wincontainers.compat.k8s_workload_selector)'s core (C(container_compat));
  - RV(pods), every pod whose container statuses (waiting and terminated messages, C(ContainerCannotRun)) or
    events carry a Windows version error, each classified (C(os_mismatch) for 0xc0370101,
    C(image_newer_than_host), C(no_matching_manifest), C(container_exited_unexpectedly) ...) with the fix;
  - RV(findings), every problem in the shared findings shape, the input of the compliance role.
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.k8s
  - wincontainers.compat.catalog
options:
  namespace:
    description:
      - Only workloads and pods of this namespace. All namespaces when omitted.
    type: str
  images:
    description:
      - Builds of images whose tags do not tell, by full reference or repository (see
        M(wincontainers.compat.k8s_workload_selector)).
    type: dict
    default: {}
  registry:
    description:
      - The result of M(wincontainers.compat.registry_image_info) for the workload images (or its
        RV(wincontainers.compat.registry_image_info#module:images)).
      - An image the registry answered for gets its build from the registry. For a manifest list, each node's build
        is that of the entry containerd pulls there (containerd's platform matcher, as
        P(wincontainers.compat.select_manifest#filter) chooses it), listed in C(pulls) of RV(workloads); a node
        no entry fits gets a C(no_matching_manifest) finding before anything is deployed there.
      - Without it the build is read from the tag text, a guess (C(image_build_guess) in the findings).
    type: dict
  host_facts:
    description:
      - Gathered host facts by node name (see M(wincontainers.compat.k8s_node_labels)).
    type: dict
    default: {}
  rules:
    description:
      - The compatibility rule set, see the C(container_compat) filter. V(containerd) decides as containerd
        and hcsshim do on the nodes; V(documented) follows Microsoft's published matrix.
    type: str
    choices: [documented, containerd, docker]
    default: documented
  osbuild_label:
    description:
      - Osbuild label key checked on the nodes; an empty string skips the check.
    type: str
    default: beta.kubernetes.io/osbuild
  release_label:
    description:
      - Release label key checked on the nodes; an empty string skips the check.
    type: str
    default: wincontainers.compat/release
  events:
    description:
      - Also read pod events (one list call) for Windows version errors.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  idempotent:
    support: full
    description: It never changes anything.
  action_group:
    support: full
    membership: [wincontainers.compat.k8s]
    description: Part of the C(group/wincontainers.compat.k8s) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.k8s_node_labels
  - module: wincontainers.compat.k8s_workload_selector
"""

EXAMPLES = r"""
- name: Report what cannot run where
  wincontainers.compat.k8s_compat_info:
    rules: containerd
  register: report

- name: Show the critical findings
  ansible.builtin.debug:
    msg: "{{ report.findings | selectattr('severity', 'equalto', 'critical') | list }}"
"""

RETURN = r"""
nodes:
  description: Windows nodes with version, release, labels and label problems.
  returned: always
  type: list
  elements: dict
  sample:
    - name: akspoolws000000
      version: 10.0.20348.825
      build: 20348
      revision: 825
      release: ltsc2022
      source: nodeInfo
      labels: {node.kubernetes.io/windows-build: "10.0.20348", wincontainers.compat/release: ltsc2022}
      labels_up_to_date: true
workloads:
  description: Windows workloads, the nodes they may land on and the nodes that can run them.
  returned: always
  type: list
  elements: dict
  sample:
    - kind: Deployment
      namespace: shop
      name: web
      isolation: process
      images: [{image: "mcr.microsoft.com/windows/servercore:ltsc2019", version: "10.0.17763", source: tag,
                digest: null, guess: true}]
      pulls: []
      node_selector: {kubernetes.io/os: windows}
      runtime_class: null
      allowed_nodes: [worker-win-2, akspoolws000000]
      runnable_nodes: [worker-win-2]
      blocked_nodes: {akspoolws000000: ["mcr.microsoft.com/windows/servercore:ltsc2019: ..."]}
workload_images:
  description:
    - The container images of every workload read, Windows or not, known build or not, except those of workloads
      pinned to Linux nodes (C(nodeSelector) C(kubernetes.io/os=linux)); sorted, each once.
    - The images to read with M(wincontainers.compat.registry_image_info) and give back as O(registry), so that
      images whose tags name no build (C(app:2024.11.3)) are judged by the build their registry serves.
  returned: always
  type: list
  elements: str
  sample: ["contoso.azurecr.io/app:2024.11.3", "mcr.microsoft.com/windows/servercore:ltsc2019"]
pods:
  description: Pods whose statuses or events carry a Windows version error, with each error classified.
  returned: always
  type: list
  elements: dict
findings:
  description:
    - Every problem found, in the shared findings shape (check, severity, subject, host, message, fix).
    - A workload's findings say where its images' builds came from, C(image_source) (C(registry), C(given),
      C(tag); the least certain of its images), C(image_digest), C(image_build_guess), C(image_source_label) and
      C(image_sources) per image.
  returned: always
  type: list
  elements: dict
summary:
  description: Counts of nodes, workloads, pods and findings by severity.
  returned: always
  type: dict
api_requests:
  description: Number of API requests this run sent.
  returned: always
  type: int
"""

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.compat import RULE_SETS
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_runner import run_compat_info, run_k8s_module


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "namespace": {"type": "str"},
        "images": {"type": "dict", "default": {}},
        "registry": {"type": "dict"},
        "host_facts": {"type": "dict", "default": {}},
        "rules": {"type": "str", "choices": list(RULE_SETS), "default": "documented"},
        "osbuild_label": {"type": "str", "default": "beta.kubernetes.io/osbuild"},
        "release_label": {"type": "str", "default": "wincontainers.compat/release"},
        "events": {"type": "bool", "default": True},
    }


def main() -> None:
    run_k8s_module(argument_spec(), run_compat_info)


if __name__ == "__main__":
    main()
