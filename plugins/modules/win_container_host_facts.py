#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation-only file: the module is win_container_host_facts.ps1, and the action plugin
# of the same name builds the facts on the controller.

DOCUMENTATION = r"""
---
module: win_container_host_facts
short_description: Gather what Windows container decisions need from a Windows host, in one round trip
version_added: 0.1.0
description:
  - Reads, in one PowerShell run, the version values of
    C(HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion) (with the update revision C(UBR), which
    C(ansible.windows.setup) does not report), the Containers and Hyper-V features, the Docker Engine
    (C(docker info), C(docker version)), its C(daemon.json), containerd, the images with their
    C(OsVersion), and the running containers with their isolation.
  - The PowerShell only reads and returns raw values. The action plugin turns them into
    C(ansible_facts.wincontainers_host) on the controller with the collection's core, namely the parsed version,
    the release, the host kind, for each MCR repository the tags that run on the host per isolation, and a
    verdict for every running container.
  - Missing Docker, a stopped engine and a missing or invalid C(daemon.json) are reported as facts, not failures.
  - The module never changes the host, so it also runs in check mode.
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.catalog
options:
  gather_subset:
    description:
      - What to gather. The version values are always read.
      - V(images) and V(containers) also read the engine (V(docker)); V(containers) also reads their images.
      - A part that was not gathered is left out of the facts rather than reported empty, so a missing
        C(containers) never reads as a host that runs no container.
    type: list
    elements: str
    choices: [all, version, features, docker, containerd, images, containers]
    default: [all]
  daemon_json_path:
    description: The C(daemon.json) to read. Defaults to C(%ProgramData%\\docker\\config\\daemon.json).
    type: str
  docker_path:
    description: The C(docker.exe) to run. Defaults to the one found on the C(PATH).
    type: str
  host_kind:
    description:
      - V(server) or V(client). V(auto) reads it from C(InstallationType), else C(ProductName), else the release.
      - Build 26100 is both Windows Server 2025 and Windows 11 24H2; without either value the kind stays
        unknown and no tags or verdicts are computed, rather than guessed.
    type: str
    choices: [auto, server, client]
    default: auto
  rules:
    description: The rule set of the verdicts and tags, see P(wincontainers.compat.container_compat#filter).
    type: str
    choices: [documented, containerd, docker]
    default: documented
  repositories:
    description: The MCR repositories to list compatible tags for.
    type: list
    elements: str
    default: [servercore, nanoserver, server, windows]
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
  idempotent:
    support: full
    description: Never changes the host.
  facts:
    support: full
    description: Sets C(ansible_facts.wincontainers_host).
  platform:
    support: full
    platforms: windows
    description: Windows hosts reached with C(winrm) or C(psrp), or C(ssh) with a PowerShell or cmd shell.
notes:
  - The connection's credentials are never part of the result; passwords in URLs of the C(daemon.json)
    (for example a registry mirror C(https://user:secret@mirror)) are masked.
seealso:
  - module: wincontainers.compat.docker_daemon_json
  - name: The daemon_isolation role
    description: Sets the default isolation of a host from these facts (P(wincontainers.compat.daemon_isolation#role)).
    link: https://github.com/wincontainers/compat/blob/main/roles/daemon_isolation/README.md
"""

EXAMPLES = r"""
- name: Gather container facts of every Windows host
  wincontainers.compat.win_container_host_facts:

- name: Only the version and the engine, as a Windows 11 host
  wincontainers.compat.win_container_host_facts:
    gather_subset: [version, docker]
    host_kind: client

- name: Show the tag to build on and the containers at risk
  ansible.builtin.debug:
    msg:
      - "{{ ansible_facts.wincontainers_host.compatible_tags.servercore.process }}"
      - "{{ ansible_facts.wincontainers_host.containers | selectattr('borrowed_luck') | map(attribute='name') }}"
"""

RETURN = r"""
ansible_facts:
  description: The facts.
  returned: always
  type: dict
  contains:
    wincontainers_host:
      description: What container decisions need about the host (schema in docs/design.md).
      returned: always
      type: dict
      sample:
        version: {major: 10, minor: 0, build: 17763, revision: 1158, version: "10.0.17763.1158"}
        host_kind: server
        product_name: Windows Server 2019 Standard
        features: {containers: true, hyperv: false, reboot_pending: false}
        docker:
          installed: true
          running: true
          version: 19.03.8
          default_isolation: process
          swarm: {node_id: yekfp7jy5y82ks65sgmpxcdgb, state: active, is_manager: true}
          daemon_json_path: C:\ProgramData\docker\config\daemon.json
          daemon_json: null
        containers:
          - name: web
            image_os_version: 10.0.17763.1158
            isolation: process
            verdict: {status: supported}
            next_host_build: 20348
            survives_build_change: false
            borrowed_luck: false
        compatible_tags:
          servercore:
            process: [ltsc2019, "1809"]
            hyperv: [ltsc2019, "1809", "1803", "1709", ltsc2016]
"""
