#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: swarm_compat_info
short_description: Report Windows build mismatches in a Docker Swarm, with the failing tasks and the fix for each
version_added: 0.1.0
description:
  - Read-only. Lists nodes, services and tasks once (three API requests) and reports
  - the nodes with their Windows build (from the host facts in O(from_facts), else the engine label, else the
    node label O(version_label)) and labels;
  - the services with the build of their image, their constraints, desired and running replicas, and their
    failing tasks, each error classified by M(wincontainers.compat.container_error) (the text
    C(docker service ps --no-trunc) shows);
  - findings in the shared shape (C(check), C(severity), C(subject), C(host), C(message), C(fix)), each with the fix
    (rebuild on tag X, constrain to nodes Y, use Hyper-V isolation).
  - The result is also the offline input of the P(wincontainers.compat.compliance#role) role.
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  from_facts:
    description:
      - Host facts of the play's hosts, by inventory name (as in M(wincontainers.compat.swarm_node_labels)).
        A host's build then takes precedence over what its node's labels say, and wrong labels are reported.
    type: dict
  image_versions:
    description:
      - Windows version of service images whose tag does not name one, by service name.
    type: dict
    default: {}
  registry:
    description:
      - The result of M(wincontainers.compat.registry_image_info) for the service images (or its
        RV(wincontainers.compat.registry_image_info#module:images)).
      - An image the registry answered for gets its build from the registry; for a manifest list, per node, the
        entry the node's Docker Engine pulls (moby's rules, as P(wincontainers.compat.select_manifest#filter) with
        C(rules=docker)), listed in C(pulls) of RV(services); a node no entry fits gets a C(no_matching_manifest)
        finding before anything is deployed there.
      - Without it (or for an image the registry did not answer) the build comes from the tag text, a guess.
    type: dict
  os_label:
    description: Node label holding V(windows).
    type: str
    default: OS
  version_label:
    description: Node label holding the Windows version.
    type: str
    default: OsVersion
  version_format:
    description: How the version is written in O(version_label), to compare labels with host facts.
    type: str
    choices: [major.minor.build, build, version]
    default: major.minor.build
extends_documentation_fragment:
  - wincontainers.compat.docker
  - wincontainers.compat.catalog
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
  idempotent:
    support: full
    description: Never changes anything.
  action_group:
    support: full
    membership: [wincontainers.compat.swarm]
    description: Part of the C(group/wincontainers.compat.swarm) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.swarm_node_labels
  - module: wincontainers.compat.swarm_service_placement
"""

EXAMPLES = r"""
- name: Find services stuck at 0/N and why
  wincontainers.compat.swarm_compat_info:
    docker_host: tcp://manager1.example.com:2376
  register: swarm_report

- name: Show the critical findings
  ansible.builtin.debug:
    msg: "{{ swarm_report.findings | selectattr('severity', 'equalto', 'critical') | list }}"

- name: Read the service images' builds from their registry
  wincontainers.compat.registry_image_info:
    images: ["contoso.azurecr.io/orders:2024.11.3"]
  register: registry

- name: Predict, per node, the manifest-list entry each node pulls
  wincontainers.compat.swarm_compat_info:
    docker_host: tcp://manager1.example.com:2376
    registry: "{{ registry }}"
  register: swarm_report
"""

RETURN = r"""
nodes:
  description: Every node, sorted by hostname.
  returned: always
  type: list
  elements: dict
  sample:
    - {id: k2p8w5n1x7c4v9b3m6q0t2r8z, hostname: WIN2022-01, role: manager, availability: active, state: ready,
       os: windows, architecture: x86_64, engine_version: 24.0.7, labels: {OS: windows, OsVersion: 10.0.20348},
       version: 10.0.20348, build: 20348, version_source: node_labels}
services:
  description: >-
    Every service with C(image_version), C(constraints), C(isolation), C(desired) and C(running) replicas and
    C(failing_tasks) (C(id), C(hostname), C(state), C(error), C(class), C(hresult), C(advice)).
    C(image_source) says where the image's build came from (C(registry), C(given) in O(image_versions), or C(tag):
    the tag text, a guess, C(image_build_guess) true), C(image_digest) the digest the registry gave, and C(pulls)
    (with O(registry)) per Windows node the constraints allow the entry its engine pulls
    (C(hostname), C(node_version), C(digest), C(os_version), C(no_matching_manifest)).
  returned: always
  type: list
  elements: dict
findings:
  description:
    - Problems found, critical first, each with C(check), C(severity), C(subject), C(host), C(message), C(fix).
    - A service's findings also say where its image's build came from, C(image_source), C(image_digest),
      C(image_build_guess) and C(image_source_label) (C(registry sha256:...), C(tag (guess))).
  returned: always
  type: list
  elements: dict
summary:
  description: Counts of nodes, services, services not converged, failing tasks and findings by severity.
  returned: always
  type: dict
unmatched_hosts:
  description: Hosts of O(from_facts) that match no node, with the reason.
  returned: always
  type: dict
"""

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import VERSION_FORMATS
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm_runner import run_compat_info, run_swarm_module


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "from_facts": {"type": "dict"},
        "image_versions": {"type": "dict", "default": {}},
        "registry": {"type": "dict"},
        "os_label": {"type": "str", "default": "OS"},
        "version_label": {"type": "str", "default": "OsVersion"},
        "version_format": {"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
    }


def main() -> None:
    run_swarm_module(argument_spec(), run_compat_info)


if __name__ == "__main__":
    main()
