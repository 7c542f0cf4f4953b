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
      images: [{image: "mcr.microsoft.com/windows/servercore:ltsc2019", version: "10.0.17763"}]
      node_selector: {kubernetes.io/os: windows}
      runtime_class: null
      allowed_nodes: [worker-win-2, akspoolws000000]
      runnable_nodes: [worker-win-2]
      blocked_nodes: {akspoolws000000: ["mcr.microsoft.com/windows/servercore:ltsc2019: ..."]}
pods:
  description: Pods whose statuses or events carry a Windows version error, with each error classified.
  returned: always
  type: list
  elements: dict
findings:
  description: Every problem found, in the shared findings shape (check, severity, subject, host, message, fix).
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

from collections import defaultdict
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import (
    CATALOG_ARGUMENT_SPEC,
    use_catalog_option,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import (
    WINDOWS_BUILD_LABEL,
    WORKLOAD_KINDS,
    LabelOptions,
    finding,
    is_windows_node,
    name_of,
    plan_node,
    pod_report,
    windows_nodes,
    workload_report,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_client import (
    REQUIRED_TOGETHER,
    KubeApi,
    KubeError,
    auth_argument_spec,
    collection_path,
    hide_kubeconfig_secrets,
    list_workloads,
    node_path,
)

SEVERITIES = ("critical", "high", "medium", "low", "info")


def argument_spec() -> dict[str, Any]:
    spec = {**auth_argument_spec(), **CATALOG_ARGUMENT_SPEC}
    spec.update(
        namespace={"type": "str"},
        images={"type": "dict", "default": {}},
        host_facts={"type": "dict", "default": {}},
        rules={"type": "str", "choices": ["documented", "containerd", "docker"], "default": "documented"},
        osbuild_label={"type": "str", "default": "beta.kubernetes.io/osbuild"},
        release_label={"type": "str", "default": "wincontainers.compat/release"},
        events={"type": "bool", "default": True},
    )
    return spec


def node_section(listed: list[dict[str, Any]], params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict]]:
    options = LabelOptions(osbuild_label=params["osbuild_label"] or None, release_label=params["release_label"] or None)
    nodes, findings = [], []
    for node in listed:
        if not is_windows_node(node):
            continue
        plan = plan_node(node, options, params["host_facts"].get(name_of(node)))
        result = plan.result()
        labels = (node.get("metadata") or {}).get("labels") or {}
        result["labels"] = {k: labels[k] for k in [WINDOWS_BUILD_LABEL, *options.owned_keys()] if k in labels}
        result["labels_up_to_date"] = not plan.changes
        del result["changes"], result["changed"]
        nodes.append(result)
        findings.extend(plan.findings)
        if plan.changes:
            findings.append(
                finding(
                    "node_labels_out_of_date",
                    "medium",
                    f"node {plan.name}",
                    f"labels {', '.join(f'{k}={v}' for k, v in plan.changes.items())} are missing or wrong",
                    "run wincontainers.compat.k8s_node_labels (role wincontainers.compat.k8s_labels)",
                    host=plan.name,
                )
            )
    return nodes, findings


def events_by_pod(api: KubeApi, namespace: str | None) -> dict[tuple[str, str], list[dict[str, Any]]]:
    path = collection_path("/api/v1", "events", namespace)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for event in api.list(path, fieldSelector="involvedObject.kind=Pod"):
        obj = event.get("involvedObject") or {}
        grouped[(str(obj.get("namespace", "")), str(obj.get("name", "")))].append(event)
    return grouped


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True, required_together=REQUIRED_TOGETHER)
    use_catalog_option(module)
    hide_kubeconfig_secrets(module)
    params = module.params
    namespace = params["namespace"]
    try:
        api = KubeApi(params)
        listed = api.list(node_path())
        nodes, findings = node_section(listed, params)
        win_nodes = windows_nodes(listed, params["host_facts"])
        try:
            classes = {name_of(rc): rc for rc in api.list("/apis/node.k8s.io/v1/runtimeclasses")}
        except KubeError as exc:
            if exc.status != 404:
                raise
            classes = {}
        workloads = []
        for kind in WORKLOAD_KINDS:
            _group, items = list_workloads(api, kind, namespace)
            for obj in items:
                report, found = workload_report(obj, kind, win_nodes, classes, params["images"], params["rules"])
                if report is not None:
                    workloads.append(report)
                    findings.extend(found)
        pods = []
        grouped = events_by_pod(api, namespace) if params["events"] else {}
        for pod in api.list(collection_path("/api/v1", "pods", namespace)):
            meta = pod.get("metadata") or {}
            events = grouped.get((str(meta.get("namespace", "")), str(meta.get("name", ""))), [])
            report, found = pod_report(pod, events)
            if report is not None:
                pods.append(report)
                findings.extend(found)
    except KubeError as exc:
        module.fail_json(msg=str(exc))
    except WinCompatError as exc:
        module.fail_json(msg=f"cannot assess the cluster: {exc}")
    by_severity = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}
    module.exit_json(
        changed=False,
        nodes=nodes,
        workloads=workloads,
        pods=pods,
        findings=findings,
        runtime_classes=sorted(classes),
        summary={
            "nodes": len(nodes),
            "workloads": len(workloads),
            "pods": len(pods),
            "findings": len(findings),
            "by_severity": by_severity,
        },
        api_requests=api.requests,
    )


if __name__ == "__main__":
    main()
