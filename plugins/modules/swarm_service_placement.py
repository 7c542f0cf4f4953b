#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: swarm_service_placement
short_description: Constrain Docker Swarm services to the nodes whose Windows build matches their image
version_added: 0.1.0
description:
  - Adds or replaces the collection's own placement constraints on existing services,
    C(node.labels.OS==windows) and C(node.labels.OsVersion==<build of the image>), the constraints Microsoft
    tells operators to add by hand. Every other constraint, placement preference and field of the service
    spec is kept as it is.
  - The wanted build comes from the image tag (C(...:ltsc2019), C(...-ltsc2022), C(...:10.0.17763.5458)),
    read by M(wincontainers.compat.windows_version), or from O(services[].image_version).
  - With O(isolation=auto), a service whose image is older than every Windows node (so it runs nowhere with
    process isolation, but everywhere with Hyper-V isolation) gets C(--isolation=hyperv) and no build
    constraint. Windows nodes are the nodes whose platform is Windows or that carry O(os_label)=V(windows);
    their build is read from the engine label, else the node label, O(version_label). Only Windows engines
    honour the isolation setting.
  - Lists services and nodes once, then updates only the services whose constraints or isolation differ.
    A version conflict (C(update out of sequence)) is re-read and retried.
  - Node labels are set by M(wincontainers.compat.swarm_node_labels); use the same O(version_format) in both.
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  services:
    description:
      - Services to place. When empty, every service whose image tag names a Windows build; the others are
        listed in RV(skipped_services).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Service name or id. An unknown service fails the task.
        type: str
        required: true
      image_version:
        description:
          - Windows version of the service's image, when its tag does not tell (V(ltsc2019), V(10.0.17763) ...).
        type: raw
      isolation:
        description: Overrides O(isolation) for this service.
        type: str
        choices: [auto, process, hyperv, keep]
  isolation:
    description:
      - V(auto) picks Hyper-V isolation for an image older than every Windows node and keeps the service's
        isolation otherwise. V(process) and V(hyperv) set it. V(keep) never changes it.
    type: str
    choices: [auto, process, hyperv, keep]
    default: auto
  os_label:
    description: Node label holding V(windows); an empty string adds no such constraint.
    type: str
    default: OS
  version_label:
    description: Node label holding the Windows version; an empty string adds no such constraint.
    type: str
    default: OsVersion
  version_format:
    description: How the version is written in O(version_label) (as in M(wincontainers.compat.swarm_node_labels)).
    type: str
    choices: [major.minor.build, build, version]
    default: major.minor.build
  conflict_retries:
    description: How many times an update rejected with C(update out of sequence) is re-read and retried.
    type: int
    default: 5
extends_documentation_fragment:
  - wincontainers.compat.docker
  - wincontainers.compat.catalog
attributes:
  check_mode:
    support: full
    description: Reports, per service, exactly the constraints and isolation a real run sets.
  diff_mode:
    support: full
    description: Returns the constraints and isolation of each changed service before and after.
  idempotent:
    support: full
    description: A second run with the same options reports no change and sends no update.
  action_group:
    support: full
    membership: [wincontainers.compat.swarm]
    description: Part of the C(group/wincontainers.compat.swarm) action group for C(module_defaults).
seealso:
  - module: wincontainers.compat.swarm_node_labels
  - module: wincontainers.compat.swarm_compat_info
  - name: Windows containers in a Docker Swarm
    description: Microsoft's guide to labelling Windows nodes and constraining services.
    link: https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/swarm-mode
"""

EXAMPLES = r"""
- name: Constrain every Windows service to the nodes of its image's build
  wincontainers.compat.swarm_service_placement:
    docker_host: tcp://manager1.example.com:2376

- name: Place a service whose tag does not name the build, never changing its isolation
  wincontainers.compat.swarm_service_placement:
    services:
      - name: billing
        image_version: ltsc2022
    isolation: keep
"""

RETURN = r"""
services:
  description: One entry per service placed (or that would be), sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Service id.
      type: str
      returned: always
    name:
      description: Service name.
      type: str
      returned: always
    image:
      description: Image of the service.
      type: str
      returned: always
    image_version:
      description: Windows version the constraints are built for.
      type: str
      returned: always
    changed:
      description: Whether the service was (or in check mode would be) updated.
      type: bool
      returned: always
    constraints_before:
      description: Placement constraints before.
      type: list
      elements: str
      returned: always
    constraints:
      description: Placement constraints after.
      type: list
      elements: str
      returned: always
    isolation_before:
      description: Isolation before (V(default) when unset).
      type: str
      returned: always
    isolation:
      description: Isolation after.
      type: str
      returned: always
    reason:
      description: Why these constraints and this isolation.
      type: str
      returned: always
    attempts:
      description: Update requests sent (more than 1 after version conflicts).
      type: int
      returned: always
skipped_services:
  description: Services left alone, with the reason (no Windows build in the image tag).
  returned: always
  type: dict
conflicts:
  description: Number of version conflicts met and resolved.
  returned: always
  type: int
diff:
  description: Constraints and isolation before and after, by service name, for the changed services.
  returned: when diff mode is on
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
    post_json,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import (
    ISOLATION_CHOICES,
    VERSION_FORMATS,
    Node,
    PlacementPlan,
    ServiceView,
    SwarmPlanError,
    check_option_keys,
    image_version,
    is_out_of_sequence,
    is_windows_node,
    parse_node,
    parse_service,
    plan_placement,
    reported_version,
    updated_service_spec,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import WindowsVersion


def windows_node_versions(nodes: list[Node], os_label: str, version_label: str) -> list[WindowsVersion]:
    """Builds of the Windows nodes (platform Windows, or labelled OS_LABEL=windows) that tell their build."""
    versions = []
    for node in nodes:
        if is_windows_node(node, os_label):
            version, _source = reported_version(node, version_label)
            if version is not None:
                versions.append(version)
    return versions


def resolve_service(ref: str, services: list[ServiceView]) -> ServiceView:
    """The service whose name or id is REF."""
    for svc in services:
        if ref in (svc.name, svc.id):
            return svc
    known = ", ".join(sorted(s.name for s in services)) or "none"
    raise SwarmPlanError(f"service {ref!r} is neither a service name nor an id of this swarm (services: {known})")


def selections(params: dict[str, Any], services: list[ServiceView]) -> tuple[list[tuple[ServiceView, Any, str]], dict]:
    """(service, given image version, isolation) to place, and the services skipped with the reason."""
    chosen: list[tuple[ServiceView, Any, str]] = []
    skipped: dict[str, str] = {}
    if params["services"]:
        for entry in params["services"]:
            svc = resolve_service(str(entry["name"]), services)
            chosen.append((svc, entry.get("image_version"), entry.get("isolation") or params["isolation"]))
    else:
        chosen = [(svc, None, params["isolation"]) for svc in services]
    kept = []
    for svc, given, isolation in chosen:
        if image_version(svc.image, given) is None:
            skipped[svc.name] = f"the tag of {svc.image} names no Windows build; give services[].image_version"
        else:
            kept.append((svc, given, isolation))
    return kept, skipped


def plan_for(svc: ServiceView, given: Any, isolation: str, nodes: list[WindowsVersion], p: dict) -> PlacementPlan:
    version = image_version(svc.image, given)
    if version is None:  # pragma: no cover - filtered by selections()
        raise SwarmPlanError(f"service {svc.name}: no Windows build")
    return plan_placement(
        svc,
        version,
        nodes,
        isolation=isolation,
        os_label=p["os_label"],
        version_label=p["version_label"],
        version_format=p["version_format"],
    )


def differs(svc: ServiceView, plan: PlacementPlan) -> bool:
    return plan.constraints != svc.constraints or plan.isolation != svc.isolation


def apply(
    api: Any, svc: ServiceView, given: Any, isolation: str, nodes: list[WindowsVersion], p: dict
) -> tuple[ServiceView, PlacementPlan, int, int]:
    """Update SVC; on a version conflict re-read it, re-plan and retry.

    Returns the service as last read, the plan sent, the update requests sent and the conflicts met.
    """
    attempts = conflicts = 0
    plan = plan_for(svc, given, isolation, nodes, p)
    while differs(svc, plan):
        attempts += 1
        try:
            spec = updated_service_spec(svc, plan)
            post_json(api, f"/services/{svc.id}/update", spec, {"version": svc.version_index})
            return svc, plan, attempts, conflicts
        except APIError as exc:
            if not is_out_of_sequence(api_error_text(exc)) or conflicts >= p["conflict_retries"]:
                raise
            conflicts += 1
            svc = parse_service(api.inspect_service(svc.id))
            plan = plan_for(svc, given, isolation, nodes, p)
    return svc, plan, attempts, conflicts


def run(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    check_option_keys(p["os_label"], p["version_label"])
    api = connect(p)
    results = []
    conflicts = 0
    diff: dict[str, dict[str, Any]] = {"before": {}, "after": {}}
    try:
        services = sorted((parse_service(raw) for raw in api.services()), key=lambda s: s.name)
        nodes = [parse_node(raw) for raw in api.nodes()]
        versions = windows_node_versions(nodes, p["os_label"], p["version_label"])
        chosen, skipped = selections(p, services)
        for svc, given, isolation in chosen:
            before = svc
            plan = plan_for(svc, given, isolation, versions, p)
            attempts = 0
            if differs(svc, plan) and not module.check_mode:
                svc, plan, attempts, met = apply(api, svc, given, isolation, versions, p)
                conflicts += met
            changed = differs(svc, plan)
            version = image_version(svc.image, given)
            results.append(
                {
                    "id": svc.id,
                    "name": svc.name,
                    "image": svc.image,
                    "image_version": version.version if version else None,
                    "changed": changed,
                    "constraints_before": list(before.constraints),
                    "constraints": list(plan.constraints),
                    "isolation_before": before.isolation,
                    "isolation": plan.isolation,
                    "reason": plan.reason,
                    "attempts": attempts,
                }
            )
            if changed:
                diff["before"][svc.name] = {"constraints": before.constraints, "isolation": before.isolation}
                diff["after"][svc.name] = {"constraints": plan.constraints, "isolation": plan.isolation}
    finally:
        api.close()
    result: dict[str, Any] = {
        "changed": any(r["changed"] for r in results),
        "services": results,
        "skipped_services": skipped,
        "conflicts": conflicts,
    }
    if module._diff:
        result["diff"] = diff
    return result


def main() -> None:
    argument_spec: dict[str, Any] = {**docker_argument_spec(), **CATALOG_ARGUMENT_SPEC}
    argument_spec.update(
        services={
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "image_version": {"type": "raw"},
                "isolation": {"type": "str", "choices": list(ISOLATION_CHOICES)},
            },
        },
        isolation={"type": "str", "default": "auto", "choices": list(ISOLATION_CHOICES)},
        os_label={"type": "str", "default": "OS"},
        version_label={"type": "str", "default": "OsVersion"},
        version_format={"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
        conflict_retries={"type": "int", "default": 5},
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, required_together=REQUIRED_TOGETHER)
    use_catalog_option(module)
    error: Optional[str] = None
    try:
        with engine_errors(module.params["docker_host"]):
            result = run(module)
        module.exit_json(**result)
    except (WinCompatError, DockerClientError) as exc:
        error = str(exc)
    except APIError as exc:
        error = f"Docker Engine API error: {api_error_text(exc)}"
    module.fail_json(msg=error)


if __name__ == "__main__":
    main()
