#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: swarm_node_labels
short_description: Set the Windows version labels of every node of a Docker Swarm in one call
version_added: 0.1.0
description:
  - Labels the nodes of a Swarm the way Microsoft tells operators to do by hand (C(OS=windows),
    C(OsVersion=10.0.17763)), for the whole fleet in one task, so that services can be constrained to the
    nodes whose Windows build matches their image.
  - Lists the nodes once, then updates only the nodes whose labels differ. Labels the module is not told
    about are never touched; O(labels_to_remove) removes only the keys it names.
  - Each update carries the node version read with the list. When another client changed the node in
    between, the engine answers C(update out of sequence); the module reads that node again, keeps the
    other client's change, re-plans and retries (O(conflict_retries) times).
  - A node that is down or drained is reported and skipped (see O(unavailable)); the others still converge.
  - Run it once, against a manager (O(docker_host)).
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  nodes:
    description:
      - Desired labels per node.
    type: list
    elements: dict
    default: []
    suboptions:
      node:
        description:
          - Node id, or hostname when exactly one node has it. An ambiguous or unknown name fails the task.
        type: str
        required: true
      version:
        description:
          - Windows version the node runs, in any form M(wincontainers.compat.windows_version) reads
            (V(10.0.17763.5458), V(ltsc2019), V(Windows Server 2022) ...).
          - Sets O(os_label) to V(windows) and O(version_label) to the version in O(version_format).
        type: raw
      labels:
        description:
          - Further labels to set on this node (values are turned into strings).
        type: dict
        default: {}
      labels_to_remove:
        description:
          - Label keys to remove from this node.
        type: list
        elements: str
        default: []
  from_facts:
    description:
      - Host facts of the play's hosts, by inventory name, each read from the host's
        C(ansible_facts.wincontainers_host) as the first example does (reading the top-level C(wincontainers_host)
        variable instead relies on facts injected as variables, which ansible-core deprecates).
      - Each value may be the C(wincontainers_host) facts, a host's vars holding them, or its C(ansible_facts).
      - A host is matched to a node by C(docker.swarm.node_id) in its facts; the node gets O(os_label) and
        O(version_label) from the host's C(version). Hosts that match no node are listed in RV(unmatched_hosts).
    type: dict
  labels_to_remove:
    description:
      - Label keys to remove from every node named in O(nodes) or matched by O(from_facts); from every node
        of the swarm when neither is given.
    type: list
    elements: str
    default: []
  os_label:
    description:
      - Label set to V(windows) on the nodes whose version is known. An empty string sets no such label.
    type: str
    default: OS
  version_label:
    description:
      - Label holding the Windows version. An empty string sets no such label.
    type: str
    default: OsVersion
  version_format:
    description:
      - How O(version_label) writes the version. V(major.minor.build) gives C(10.0.17763) (the form
        C((Get-CimInstance Win32_OperatingSystem\).Version) returns), V(build) C(17763), V(version)
        C(10.0.17763.5458) (with the revision, when known).
      - Use the same format in M(wincontainers.compat.swarm_service_placement).
    type: str
    choices: [major.minor.build, build, version]
    default: major.minor.build
  unavailable:
    description:
      - What to do with a node that is not C(ready) or is drained and whose labels would change.
      - V(skip) reports it in RV(skipped_nodes) and leaves it as it is, V(fail) fails the task before any update,
        V(update) updates it anyway.
    type: str
    choices: [skip, fail, update]
    default: skip
  conflict_retries:
    description:
      - How many times an update rejected with C(update out of sequence) is re-read and retried.
    type: int
    default: 5
  parallel:
    description:
      - How many node updates are sent at the same time. Each update is one request to the manager, which
        commits it to the Raft log; V(1) sends them one after the other.
    type: int
    default: 8
extends_documentation_fragment:
  - wincontainers.compat.docker
  - wincontainers.compat.catalog
attributes:
  check_mode:
    support: full
    description:
      - Reports, per node, exactly the changes a real run makes (unless another client changes the nodes meanwhile).
  diff_mode:
    support: full
    description: Returns the labels of each changed node before and after.
  idempotent:
    support: full
    description: A second run with the same options reports no change and sends no update.
  action_group:
    support: full
    membership: [wincontainers.compat.swarm]
    description: Part of the C(group/wincontainers.compat.swarm) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.swarm_service_placement
  - module: wincontainers.compat.swarm_compat_info
  - module: community.docker.docker_node
  - name: Windows containers in a Docker Swarm
    description: Microsoft's guide to labelling Windows nodes and constraining services.
    link: https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/swarm-mode
"""

EXAMPLES = r"""
- name: Label every Windows node from the gathered facts
  wincontainers.compat.swarm_node_labels:
    docker_host: tcp://manager1.example.com:2376
    from_facts: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts
         | map('extract', hostvars, ['ansible_facts', 'wincontainers_host']))) }}
  run_once: true
  delegate_to: localhost

- name: Label nodes by hostname, and drop an old label everywhere it was set
  wincontainers.compat.swarm_node_labels:
    nodes:
      - node: win2019-01
        version: 10.0.17763.5458
      - node: win2022-01
        version: ltsc2022
        labels:
          team: payments
    labels_to_remove: [windows_build]
"""

RETURN = r"""
nodes:
  description: One entry per node the task addressed, sorted by hostname.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Node id.
      type: str
      returned: always
    hostname:
      description: Node hostname.
      type: str
      returned: always
    state:
      description: Node state when listed (V(ready), V(down) ...).
      type: str
      returned: always
    availability:
      description: V(active), V(pause) or V(drain).
      type: str
      returned: always
    source:
      description: Where the wanted labels came from (V(input), V(facts), V(labels_to_remove)).
      type: str
      returned: always
    changed:
      description: Whether the node was (or in check mode would be) updated.
      type: bool
      returned: always
    skipped:
      description: Whether the node was left as it is because it is down or drained.
      type: bool
      returned: always
    skip_reason:
      description: Why it was skipped, or null.
      type: str
      returned: always
    added:
      description: Labels added (pending when skipped).
      type: dict
      returned: always
    updated:
      description: "Labels changed: key -> {before, after} (pending when skipped)."
      type: dict
      returned: always
    removed:
      description: Labels removed with their old values (pending when skipped).
      type: dict
      returned: always
    labels:
      description: All labels of the node after the task.
      type: dict
      returned: always
    attempts:
      description: Update requests sent for this node (more than 1 after version conflicts).
      type: int
      returned: always
skipped_nodes:
  description: Hostnames of the nodes skipped because they are down or drained.
  returned: always
  type: list
  elements: str
unmatched_hosts:
  description: Hosts of O(from_facts) that match no node, with the reason.
  returned: always
  type: dict
  sample: {linux-01: no docker.swarm.node_id in its facts (not a swarm node)}
conflicts:
  description: Number of version conflicts (C(update out of sequence)) met and resolved.
  returned: always
  type: int
diff:
  description: Labels before and after, by hostname, for the changed nodes.
  returned: when diff mode is on
  type: dict
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import (
    CATALOG_ARGUMENT_SPEC,
    use_catalog_option,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_client import (
    REQUIRED_TOGETHER,
    APIError,
    DockerClientError,
    api_error_text,
    connect,
    docker_argument_spec,
    engine_errors,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import (
    VERSION_FORMATS,
    Node,
    NodePlan,
    Want,
    check_label_key,
    check_option_keys,
    is_out_of_sequence,
    match_facts,
    merge_want,
    parse_node,
    plan_node,
    resolve_node,
    updated_spec,
    windows_labels,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version


def build_wants(params: dict[str, Any], nodes: list[Node]) -> tuple[dict[str, Want], dict[str, str]]:
    """Wanted labels per node id from O(nodes), O(from_facts) and O(labels_to_remove); unmatched hosts."""
    os_label, version_label, fmt = params["os_label"], params["version_label"], params["version_format"]
    check_option_keys(os_label, version_label)
    wants: dict[str, Want] = {}
    unmatched: dict[str, str] = {}
    if params.get("from_facts"):
        matched = match_facts(params["from_facts"], nodes)
        unmatched = matched.unmatched
        for node_id, (_host, version) in matched.versions.items():
            merge_want(wants, node_id, windows_labels(version, os_label, version_label, fmt), (), "facts")
    for position, entry in enumerate(params.get("nodes") or []):
        where = f"nodes[{position}]"
        node = resolve_node(str(entry["node"]), nodes)
        given = entry.get("labels") or {}
        labels = {check_label_key(k, where): "" if v is None else str(v) for k, v in given.items()}
        if entry.get("version") not in (None, ""):
            labels.update(windows_labels(parse_windows_version(entry["version"]), os_label, version_label, fmt))
        remove = [check_label_key(k, where) for k in entry.get("labels_to_remove") or []]
        merge_want(wants, node.id, labels, remove, "input")
    remove_all = [check_label_key(k, "labels_to_remove") for k in params.get("labels_to_remove") or []]
    if remove_all:
        targets = list(wants) if (params.get("nodes") or params.get("from_facts")) else [n.id for n in nodes]
        for node_id in targets:
            merge_want(wants, node_id, {}, remove_all, "labels_to_remove")
    return wants, unmatched


def apply_plan(api: Any, plan: NodePlan, want: Want, unavailable: str, retries: int) -> tuple[NodePlan, int, int]:
    """Send the update of PLAN; on a version conflict re-read the node, re-plan and retry.

    Returns the final plan (re-planned after conflicts), the update requests sent and the conflicts met.
    """
    attempts = conflicts = 0
    while plan.needs_update:
        attempts += 1
        try:
            api.update_node(plan.node.id, plan.node.version_index, updated_spec(plan.node, plan.after))
            return plan, attempts, conflicts
        except APIError as exc:
            if not is_out_of_sequence(api_error_text(exc)) or conflicts >= retries:
                raise
            conflicts += 1
            plan = plan_node(parse_node(api.inspect_node(plan.node.id)), want, unavailable)
    return plan, attempts, conflicts


def apply_plans(
    api: Any, plans: list[NodePlan], wants: dict[str, Want], params: dict[str, Any]
) -> dict[str, tuple[NodePlan, int, int]]:
    """Send the updates of PLANS, up to O(parallel) at a time; node id -> (final plan, sends, conflicts)."""

    def one(plan: NodePlan) -> tuple[NodePlan, int, int]:
        return apply_plan(api, plan, wants[plan.node.id], params["unavailable"], params["conflict_retries"])

    workers = max(1, min(int(params.get("parallel") or 1), len(plans)))
    if workers == 1:
        return {plan.node.id: one(plan) for plan in plans}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip([plan.node.id for plan in plans], pool.map(one, plans)))


def run(module: AnsibleModule) -> dict[str, Any]:
    """List the nodes, plan every wanted node, update the ones that differ (not in check mode)."""
    params = module.params
    api = connect(params)
    try:
        nodes = [parse_node(raw) for raw in api.nodes()]
        wants, unmatched = build_wants(params, nodes)
        by_id = {node.id: node for node in nodes}
        plans = [plan_node(by_id[node_id], want, params["unavailable"]) for node_id, want in wants.items()]
        plans.sort(key=lambda p: (p.node.hostname, p.node.id))
        results: list[dict[str, Any]] = []
        conflicts = 0
        diff: dict[str, dict[str, Any]] = {"before": {}, "after": {}}
        sent: dict[str, tuple[NodePlan, int, int]] = {}
        if not module.check_mode:
            sent = apply_plans(api, [p for p in plans if p.needs_update], wants, params)
        for plan in plans:
            plan, attempts, met = sent.get(plan.node.id, (plan, 0, 0))
            conflicts += met
            changed = plan.needs_update
            results.append(plan.result(changed, attempts))
            if changed:
                diff["before"][plan.node.hostname] = plan.before
                diff["after"][plan.node.hostname] = plan.after
    finally:
        api.close()
    result: dict[str, Any] = {
        "changed": any(r["changed"] for r in results),
        "nodes": results,
        "skipped_nodes": [r["hostname"] for r in results if r["skipped"]],
        "unmatched_hosts": unmatched,
        "conflicts": conflicts,
    }
    if module._diff:
        result["diff"] = diff
    return result


def main() -> None:
    argument_spec: dict[str, Any] = {**docker_argument_spec(), **CATALOG_ARGUMENT_SPEC}
    argument_spec.update(
        nodes={
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "node": {"type": "str", "required": True},
                "version": {"type": "raw"},
                "labels": {"type": "dict", "default": {}},
                "labels_to_remove": {"type": "list", "elements": "str", "default": [], "no_log": False},
            },
        },
        from_facts={"type": "dict"},
        labels_to_remove={"type": "list", "elements": "str", "default": [], "no_log": False},
        os_label={"type": "str", "default": "OS"},
        version_label={"type": "str", "default": "OsVersion"},
        version_format={"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
        unavailable={"type": "str", "default": "skip", "choices": ["skip", "fail", "update"]},
        conflict_retries={"type": "int", "default": 5},
        parallel={"type": "int", "default": 8},
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, required_together=REQUIRED_TOGETHER)
    use_catalog_option(module)
    error: Optional[str] = None
    try:
        with engine_errors(module.params["docker_host"]):
            result = run(module)
        module.exit_json(**result)
    except WinCompatError as exc:
        error = str(exc)
    except DockerClientError as exc:
        error = str(exc)
    except APIError as exc:
        error = f"Docker Engine API error: {api_error_text(exc)}"
    module.fail_json(msg=error)


if __name__ == "__main__":
    main()
