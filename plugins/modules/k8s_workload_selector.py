#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_workload_selector
short_description: Pin Windows workloads to nodes of the build their images need
version_added: 0.1.0
description:
  - For Deployments, StatefulSets, DaemonSets, Jobs and CronJobs, reads the Windows container images of the pod
    template, takes the build of each from O(images), else from O(registry), else from its tag (for example
    C(ltsc2019), C(4.8-windowsservercore-ltsc2022), C(10.0.17763.1397)), and sets the C(nodeSelector) (or the
    C(runtimeClassName)) that sends the pods to nodes of that build.
  - With O(registry), a manifest list (or OCI index) may run on several builds. The workload then gets a required
    node affinity, C(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution), with the expression
    C(<selector_label> In [builds...]), since a C(nodeSelector) cannot say "build A or build B".
  - Only the keys it manages are written (C(kubernetes.io/os) and O(selector_label) in the C(nodeSelector), the
    expression on O(selector_label) in the required node affinity); every other C(nodeSelector) key, node selector
    term and expression is kept. The write is a JSON merge patch of those keys (and of the term list when it
    changes).
  - Workloads whose images need different builds are reported in RV(findings) and not changed, since no node runs them
    all with process isolation. Workloads with no image of a known Windows build, and no
    C(kubernetes.io/os=windows) selector, are treated as Linux workloads and left alone.
  - One list call per kind. A Job's pod template is immutable on most clusters; the refusal is reported in
    RV(failed_workloads) and the other workloads are still updated.
  - Every workload is tried. Any other failed patch (HTTP 403, 5xx ...) is reported in RV(results) and
    RV(failed_workloads), and the task fails after the other workloads were handled, naming each failed one.
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.k8s
  - wincontainers.compat.catalog
options:
  kinds:
    description:
      - The workload kinds to handle.
    type: list
    elements: str
    choices: [Deployment, StatefulSet, DaemonSet, Job, CronJob]
    default: [Deployment, StatefulSet, DaemonSet, Job, CronJob]
  namespace:
    description:
      - Only this namespace. All namespaces when omitted.
    type: str
  label_selector:
    description:
      - Only workloads matching this label selector.
    type: str
  names:
    description:
      - Only workloads of these names.
    type: list
    elements: str
  mode:
    description:
      - V(node_selector) sets C(nodeSelector); V(runtime_class) sets C(runtimeClassName) to the class
        M(wincontainers.compat.k8s_runtime_classes) creates for the build (C(<prefix>-<release>)).
    type: str
    choices: [node_selector, runtime_class]
    default: node_selector
  selector_label:
    description:
      - The node label to select on. V(node.kubernetes.io/windows-build) (set by kubelet, value C(10.0.17763)),
        V(wincontainers.compat/release) (value C(ltsc2019)) or the osbuild label of
        M(wincontainers.compat.k8s_node_labels) (value per O(osbuild_format)).
    type: str
    default: node.kubernetes.io/windows-build
  osbuild_format:
    description:
      - Value format when O(selector_label) is an osbuild label; see M(wincontainers.compat.k8s_node_labels).
    type: str
    choices: [auto, build, build.revision, major.minor.build, version]
    default: auto
  set_os_label:
    description:
      - Also set C(kubernetes.io/os=windows) in the selector.
    type: bool
    default: true
  runtime_class_prefix:
    description:
      - Prefix of the RuntimeClass names in O(mode=runtime_class).
    type: str
    default: windows
  images:
    description:
      - Builds of images whose tags do not tell, by full image reference or by repository, for example
        C(registry.example.com/shop/web) mapped to V(ltsc2022). Values take anything the version parser reads.
      - A build given here wins over O(registry) and the tag.
    type: dict
    default: {}
  registry:
    description:
      - The result of M(wincontainers.compat.registry_image_info) for the workload images (or its
        RV(wincontainers.compat.registry_image_info#module:images)). The Windows nodes are then listed once too.
      - A single-manifest image gets the build of its image config (C(os.version)) instead of the one its tag names.
      - A manifest list (no build given in O(images)) runs on every Windows node build of the cluster where the entry
        containerd pulls (containerd's platform matcher, as P(wincontainers.compat.select_manifest#filter) chooses
        it) runs with process isolation. When those nodes share one value of O(selector_label), it is set in the
        C(nodeSelector) as for any image. When they have several, the values go into an C(In) expression on
        O(selector_label) in every term of the required node affinity (or in a new term when there is none; terms
        are ORed, expressions ANDed), replacing only an expression on that key, and O(selector_label) leaves the
        C(nodeSelector). Moving back to one value removes the expression again (and a term that held nothing else).
      - A workload whose list runs on no Windows node build of the cluster is V(skipped) with the reason, and a
        C(no_node_runs_image) finding; it is not changed. So is a list serving several builds in
        O(mode=runtime_class), since a RuntimeClass selects one build.
      - Without it the build is read from the tag text, a guess (C(images[].guess) in RV(workloads)).
    type: dict
attributes:
  check_mode:
    support: full
    description: Reports the selectors it would set without writing; it needs only C(get) and C(list).
  diff_mode:
    support: full
    description: One diff per changed workload with its C(nodeSelector), required node affinity terms and
      C(runtimeClassName).
  idempotent:
    support: full
    description: A second run reports no change and sends no patch.
  action_group:
    support: full
    membership: [wincontainers.compat.k8s]
    description: Part of the C(group/wincontainers.compat.k8s) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.k8s_node_labels
  - module: wincontainers.compat.k8s_runtime_classes
  - name: Handling multiple Windows versions in the same cluster
    description: Kubernetes' guide to nodeSelector and RuntimeClass for Windows builds.
    link: https://kubernetes.io/docs/concepts/windows/user-guide/#handling-multiple-windows-versions-in-the-same-cluster
"""

EXAMPLES = r"""
- name: Pin every Windows workload of the shop namespace to the build of its images
  wincontainers.compat.k8s_workload_selector:
    namespace: shop
    images:
      registry.example.com/shop/web: ltsc2022

- name: Use the RuntimeClasses of wincontainers.compat.k8s_runtime_classes instead
  wincontainers.compat.k8s_workload_selector:
    mode: runtime_class

- name: Read the images' builds from their registry (manifest lists get a node affinity on the builds they serve)
  wincontainers.compat.registry_image_info:
    images:
      - registry.example.com/shop/web:2024.11.3
      - registry.example.com/shop/api:latest
  register: shop_images

- name: Pin the shop workloads by the registry's answer
  wincontainers.compat.k8s_workload_selector:
    namespace: shop
    registry: "{{ shop_images }}"
"""

RETURN = r"""
results:
  description:
    - One entry per workload the task addressed (and per kind whose list failed), in the order handled, with
      what happened to it.
    - Every one is tried; when any failed, the task fails after the others were tried, and C(msg) names
      each failed one with its error.
    - A workload deleted between the list and the patch is V(skipped); a patch refused with HTTP 422 (the immutable
      pod template of a Job) is V(refused) and does not fail the task.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: C(<kind> <namespace>/<name>), or C(<Kind> objects) when listing that kind failed.
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
workloads:
  description:
    - Every Windows workload found, with its image builds and where each came from, its scheduling before and after,
      and the change.
    - C(build) is the one build the workload is pinned to (null when several or none), C(builds) every build it may
      run on. C(images[].source) is V(given), V(registry) (with C(digest), the list's digest for a manifest list) or
      V(tag) (C(guess) true).
    - C(before) and C(after) hold C(nodeSelector), C(nodeSelectorTerms) (the required node affinity terms, empty when
      none) and C(runtimeClassName).
    - C(outcome) is V(patched), V(would patch) (check mode), V(unchanged), V(skipped) (see RV(results[].error)),
      V(deleted) or V(failed).
  returned: always
  type: list
  elements: dict
  sample:
    - kind: Deployment
      namespace: shop
      name: web
      build: 17763
      builds: [17763]
      images: [{image: "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019",
                version: "10.0.17763", source: tag, digest: null, guess: true}]
      before: {nodeSelector: {pool: win}, nodeSelectorTerms: [], runtimeClassName: null}
      after: {nodeSelector: {pool: win, kubernetes.io/os: windows, node.kubernetes.io/windows-build: "10.0.17763"},
              nodeSelectorTerms: [], runtimeClassName: null}
      changed: true
      outcome: patched
    - kind: Deployment
      namespace: shop
      name: orders
      build: null
      builds: [17763, 20348, 26100]
      images: [{image: "registry.example.com/shop/orders:2024.11.3", version: null, source: registry,
                digest: "sha256:4f0c...", guess: false}]
      before: {nodeSelector: {}, nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [win]}]}],
               runtimeClassName: null}
      after: {nodeSelector: {kubernetes.io/os: windows},
              nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [win]},
                                                      {key: node.kubernetes.io/windows-build, operator: In,
                                                       values: ["10.0.17763", "10.0.20348", "10.0.26100"]}]}],
              runtimeClassName: null}
      changed: true
      outcome: patched
failed_workloads:
  description: Workloads the API refused to change (for example a Job's immutable pod template), with the error.
  returned: always
  type: dict
findings:
  description:
    - Problems found (mixed image builds, unknown image builds, a manifest list no node of the cluster runs), in the
      shared findings shape.
  returned: always
  type: list
  elements: dict
api_requests:
  description: Number of API requests this run sent.
  returned: always
  type: int
"""

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import OSBUILD_FORMATS, WORKLOAD_KINDS
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_runner import (
    run_k8s_module,
    run_workload_selector,
)


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "kinds": {"type": "list", "elements": "str", "choices": list(WORKLOAD_KINDS), "default": list(WORKLOAD_KINDS)},
        "namespace": {"type": "str"},
        "label_selector": {"type": "str"},
        "names": {"type": "list", "elements": "str"},
        "mode": {"type": "str", "choices": ["node_selector", "runtime_class"], "default": "node_selector"},
        "selector_label": {"type": "str", "default": "node.kubernetes.io/windows-build"},
        "osbuild_format": {"type": "str", "default": "auto", "choices": list(OSBUILD_FORMATS)},
        "set_os_label": {"type": "bool", "default": True},
        "runtime_class_prefix": {"type": "str", "default": "windows"},
        "images": {"type": "dict", "default": {}},
        "registry": {"type": "dict"},
    }


def main() -> None:
    run_k8s_module(argument_spec(), run_workload_selector)


if __name__ == "__main__":
    main()
