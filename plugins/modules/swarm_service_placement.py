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
  - The wanted build comes from O(services[].image_version), else from O(registry) (the image config's
    C(os.version) of a single-manifest image), else from the image tag (C(...:ltsc2019), C(...-ltsc2022),
    C(...:10.0.17763.5458)), read by M(wincontainers.compat.windows_version). RV(services[].image_source) says which.
  - With O(isolation=auto), a service whose image is older than every Windows node (so it runs nowhere with
    process isolation, but everywhere with Hyper-V isolation) gets C(--isolation=hyperv) and no build
    constraint. Windows nodes are the nodes whose platform is Windows or that carry O(os_label)=V(windows);
    their build is read from the engine label, else the node label, O(version_label). Only Windows engines
    honour the isolation setting.
  - Lists services and nodes once, then updates only the services whose constraints or isolation differ.
    A version conflict (C(update out of sequence)) is re-read and retried.
  - Every service is tried. A service whose update fails (for example one removed after the list) is reported in
    RV(results) and RV(services) with its error, the others are still placed, and the task fails afterwards
    naming the failed services.
  - Node labels are set by M(wincontainers.compat.swarm_node_labels); use the same O(version_format) in both.
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  services:
    description:
      - Services to place. When empty, every service whose image's Windows build is known (from O(registry) or its
        tag); the others are listed in RV(skipped_services).
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
  registry:
    description:
      - The result of M(wincontainers.compat.registry_image_info) for the service images (or its
        RV(wincontainers.compat.registry_image_info#module:images)).
      - A service whose image is a single manifest there (and that has no O(services[].image_version)) gets the build
        of its image config (C(os.version)), not the one its tag names; such a service is placed even when its tag
        names no build.
      - A service whose image is a manifest list there (and that has no O(services[].image_version) and does not
        run with Hyper-V isolation) is placed by the builds its entries really serve, not by its tag text. Per
        Windows node build, the entry the node's Docker Engine pulls (moby's rules, as
        P(wincontainers.compat.select_manifest#filter) with C(rules=docker)) must run there with process isolation;
        the service gets O(os_label)C(==windows), no build pinned in O(version_label), and
        O(version_label)C(!=<build>) for each node build no entry serves. O(isolation=auto) then means process.
      - Such a service is placed even when its tag names no build.
    type: dict
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

- name: Read the service images from their registry
  wincontainers.compat.registry_image_info:
    images:
      - registry.example.com/shop/web:2024.11.3
  register: shop_images

- name: Constrain the services by the builds the registry reports, not by their tags
  wincontainers.compat.swarm_service_placement:
    registry: "{{ shop_images }}"

- name: Place a service whose tag does not name the build, never changing its isolation
  wincontainers.compat.swarm_service_placement:
    services:
      - name: billing
        image_version: ltsc2022
    isolation: keep
"""

RETURN = r"""
results:
  description:
    - One entry per service the task addressed, in the order handled, with what happened to it.
    - Every one is tried; when any failed, the task fails after the others were tried, and C(msg) names
      each failed one with its error.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Service name.
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
      description: Windows version the constraints are built for (null for a manifest list of several builds).
      type: str
      returned: always
    image_source:
      description:
        - Where RV(services[].image_version) came from, V(given) (O(services[].image_version)), V(registry)
          (O(registry)) or V(tag) (the tag text, a guess).
      type: str
      returned: always
      sample: registry
    image_digest:
      description: The digest of the image (of the manifest list for a list) when the build came from the registry.
      type: str
      returned: always
    image_build_guess:
      description: Whether the build is a guess read from the tag text.
      type: bool
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
    outcome:
      description: V(updated), V(unchanged), V(skipped) or V(failed), as in RV(results).
      type: str
      returned: always
    error:
      description: Why the update failed (the Engine's answer, translated), or null.
      type: str
      returned: always
skipped_services:
  description: Services left alone, with the reason (no Windows build given, in the registry answer or in the tag).
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

from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import ISOLATION_CHOICES, VERSION_FORMATS
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm_runner import (
    run_service_placement,
    run_swarm_module,
)


def argument_spec() -> dict[str, Any]:
    """The options of this module; the runner adds the connection options."""
    return {
        "services": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "image_version": {"type": "raw"},
                "isolation": {"type": "str", "choices": list(ISOLATION_CHOICES)},
            },
        },
        "isolation": {"type": "str", "default": "auto", "choices": list(ISOLATION_CHOICES)},
        "os_label": {"type": "str", "default": "OS"},
        "version_label": {"type": "str", "default": "OsVersion"},
        "version_format": {"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
        "conflict_retries": {"type": "int", "default": 5},
        "registry": {"type": "dict"},
    }


def main() -> None:
    run_swarm_module(argument_spec(), run_service_placement)


if __name__ == "__main__":
    main()
