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
  - Every node is tried. A node whose update fails (for example one removed from the swarm after the list,
    which the Engine answers with 404) is reported in RV(results) and RV(nodes) with its error, the other nodes
    are still updated, and the task fails afterwards naming the failed nodes (RV(results) tells what changed).
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
results:
  description:
    - One entry per node the task addressed, in the order handled, with what happened to it.
    - Every one is tried; when any failed, the task fails after the others were tried, and C(msg) names
      each failed one with its error.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node hostname.
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
    outcome:
      description: V(updated), V(unchanged), V(skipped) or V(failed), as in RV(results).
      type: str
      returned: always
    error:
      description: Why the update failed (the Engine's answer, translated), or null.
      type: str
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

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import UNAVAILABLE_CHOICES, VERSION_FORMATS
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm_runner import run_node_labels, run_swarm_module


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "nodes": {
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
        "from_facts": {"type": "dict"},
        "labels_to_remove": {"type": "list", "elements": "str", "default": [], "no_log": False},
        "os_label": {"type": "str", "default": "OS"},
        "version_label": {"type": "str", "default": "OsVersion"},
        "version_format": {"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
        "unavailable": {"type": "str", "default": "skip", "choices": list(UNAVAILABLE_CHOICES)},
        "conflict_retries": {"type": "int", "default": 5},
        "parallel": {"type": "int", "default": 8},
    }


def main() -> None:
    run_swarm_module(argument_spec(), run_node_labels)


if __name__ == "__main__":
    main()
