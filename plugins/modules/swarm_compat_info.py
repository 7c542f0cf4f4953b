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
  returned: always
  type: list
  elements: dict
findings:
  description: Problems found, critical first, each with C(check), C(severity), C(subject), C(host), C(message), C(fix).
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
    FactsMatch,
    by_severity,
    check_option_keys,
    fleet_versions,
    label_findings,
    match_facts,
    node_summary,
    parse_node,
    parse_service,
    service_report,
)

SEVERITIES = ("critical", "high", "medium", "low", "info")


def report(params: dict[str, Any], raw_nodes: list, raw_services: list, tasks: list) -> dict[str, Any]:
    """The whole report from the three lists (pure)."""
    check_option_keys(params["os_label"], params["version_label"])
    nodes = sorted((parse_node(n) for n in raw_nodes), key=lambda n: (n.hostname, n.id))
    facts: Optional[FactsMatch] = match_facts(params["from_facts"], nodes) if params.get("from_facts") else None
    fleet = fleet_versions(nodes, facts, params["version_label"])
    findings = label_findings(fleet, params["version_label"], params["version_format"]) if facts else []
    services = []
    given = params.get("image_versions") or {}
    for svc in sorted((parse_service(s) for s in raw_services), key=lambda s: s.name):
        entry, found = service_report(
            svc, tasks, fleet, given.get(svc.name), params["version_label"], params["os_label"]
        )
        services.append(entry)
        findings += found
    findings = by_severity(findings)
    return {
        "changed": False,
        "nodes": [node_summary(n, *fleet.versions[n.id]) for n in nodes],
        "services": services,
        "findings": findings,
        "unmatched_hosts": facts.unmatched if facts else {},
        "summary": {
            "nodes": len(nodes),
            "services": len(services),
            "services_not_converged": sum(1 for s in services if s["desired"] and s["running"] < s["desired"]),
            "failing_tasks": sum(len(s["failing_tasks"]) for s in services),
            "findings": {sev: sum(1 for f in findings if f["severity"] == sev) for sev in SEVERITIES},
        },
    }


def main() -> None:
    argument_spec: dict[str, Any] = {**docker_argument_spec(), **CATALOG_ARGUMENT_SPEC}
    argument_spec.update(
        from_facts={"type": "dict"},
        image_versions={"type": "dict", "default": {}},
        os_label={"type": "str", "default": "OS"},
        version_label={"type": "str", "default": "OsVersion"},
        version_format={"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, required_together=REQUIRED_TOGETHER)
    use_catalog_option(module)
    error: Optional[str] = None
    try:
        with engine_errors(module.params["docker_host"]):
            api = connect(module.params)
            try:
                raw_nodes, raw_services, tasks = api.nodes(), api.services(), api.tasks()
            finally:
                api.close()
        module.exit_json(**report(module.params, raw_nodes, raw_services, tasks))
    except (WinCompatError, DockerClientError) as exc:
        error = str(exc)
    except APIError as exc:
        error = f"Docker Engine API error: {api_error_text(exc)}"
    module.fail_json(msg=error)


if __name__ == "__main__":
    main()
