#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name, on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: patch_plan
short_description: Predict what a pending Windows update or upgrade does to a host's running containers
version_added: 0.1.0
description:
  - Judges every running container of a Windows host against the version the host moves to, with the
    compatibility rules of this collection, before anything is installed.
  - With O(target_version), each container is judged on that version (a build change by an in-place
    upgrade breaks process-isolated containers; on Windows Server 2016 a revision change does too).
  - Without O(target_version), pending O(updates) still change the update revision; on Windows Server
    2016 that stops every process-isolated container of build 14393.
  - With a target of the same build, process-isolated images whose update revision stays newer than the
    host's are reported too (C(image_revision); they can exit at start with 0xc0370106).
  - Warns, or fails with O(on_breakage=stop), when a running container would not start again.
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.controller
  - wincontainers.compat.catalog
options:
  facts:
    description:
      - The host's C(wincontainers_host) facts before the update. Defaults to the host's
        C(ansible_facts.wincontainers_host).
    type: dict
  target_version:
    description:
      - The Windows version the host has after the update, for example V(10.0.14393.7699), or the build of an
        in-place upgrade, for example V(10.0.20348).
      - A value that names no Windows version (a KB number such as V(KB5049993)) fails the task with the
        reason, rather than being ignored.
    type: str
  updates:
    description:
      - The updates that will be installed, as the RV(ansible.windows.win_updates#module:updates) of
        M(ansible.windows.win_updates) with O(ansible.windows.win_updates#module:state=searched) returns them,
        or a list of titles. Any other type fails the task, naming this option.
    type: raw
    default: {}
  on_breakage:
    description:
      - V(warn) adds a warning per container that would break; V(stop) fails the task, so the host is not patched.
    type: str
    default: warn
    choices: [warn, stop]
  rules:
    description:
      - The rule set of the verdicts.
    type: str
    default: documented
    choices: [documented, containerd, docker]
  registry:
    description:
      - The result of M(wincontainers.compat.registry_image_info) for the images the host runs.
      - With O(target_version), each finding predicts what pulling the image's reference again gives on the
        target build (C(after_pull), the entry Docker pulls, or containerd with O(rules=containerd), or
        C(no_matching_manifest)); when the registry has an entry for the target the fix says to pull it again.
    type: dict
attributes:
  check_mode:
    support: full
    description: Only predicts; it behaves the same in check mode.
  diff_mode:
    support: none
    description: No diff is returned.
  idempotent:
    support: full
    description: Reads only; nothing changes on the host.
  platform:
    support: full
    platforms: windows
    description: Judges Windows hosts; runs on the controller.
seealso:
  - module: wincontainers.compat.win_container_host_facts
  - module: ansible.windows.win_updates
"""

EXAMPLES = r"""
- name: Search the updates patch night installs
  ansible.windows.win_updates:
    category_names: [SecurityUpdates, CriticalUpdates]
    state: searched
  register: pending

- name: Stop before patching a host whose containers would not start again
  wincontainers.compat.patch_plan:
    updates: "{{ pending.updates }}"
    target_version: "{{ wincontainers_target_version | default(omit) }}"
    on_breakage: stop
"""

RETURN = r"""
host_version:
  description: The host's version before the update.
  returned: always
  type: str
  sample: 10.0.14393.7606
target_version:
  description: The version judged against, when given.
  returned: always
  type: str
  sample: 10.0.14393.7699
updates:
  description: The titles of the pending updates.
  returned: always
  type: list
  elements: str
breaks:
  description: Whether a running container would not start again after the update.
  returned: always
  type: bool
containers:
  description: The number of running containers judged.
  returned: always
  type: int
findings:
  description:
    - One finding per container that would break (C(update_impact)) or stay newer than the host (C(image_revision)),
      in the shared findings shape.
    - Each says where the image's build came from (C(image_source) V(host), the host's image store) and, with
      O(registry), C(after_pull) (C(version), C(digest), C(list_digest), C(no_matching_manifest)).
  returned: always
  type: list
  elements: dict
"""
