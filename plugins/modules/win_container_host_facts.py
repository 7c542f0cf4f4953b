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
  - Missing Docker, a stopped engine (also when C(docker info) of a CLI before 28.1 exits 0 with the error only
    in C(ServerErrors)), a C(docker) call that cannot start or outlives O(command_timeout), a DISM error, and a
    missing, unreadable or invalid C(daemon.json) are reported as facts, not failures.
  - C(docker.exe) is looked for on the session's C(PATH) (which a WinRM session does not refresh after Docker is
    installed), then in the C(docker) service's folder, C(%ProgramFiles%\Docker) and Docker Desktop's
    C(resources\bin). Its output is read as UTF-8 whatever the console code page. Image and container IDs
    are inspected 100 a call (one command line holds at most 32,767 characters), and only the fields the facts
    need are printed (C(--format)).
  - The C(daemon.json) reported is the one dockerd reads - the file named by C(--config-file), else
    C(<data-root>\config\daemon.json) with the data root of C(--data-root) (or C(-g)) - read from the
    C(docker) service's command line (C(ImagePath)) and cross-checked with C(DockerRootDir) of C(docker info).
    When it is not the default file, the action reads it with a second call. UTF-8, and UTF-8 or UTF-16 with a
    byte order mark (what C(Out-File) writes in Windows PowerShell) are read as dockerd 23.0 and later read them.
  - Docker Desktop (no C(docker) service, C(com.docker.service)) and an engine that runs Linux containers are
    flagged (C(docker.desktop), C(docker.windows_engine)) and warned about.
  - The restart signals Windows itself uses are read (C(Component Based Servicing\RebootPending), Windows
    Update C(RebootRequired), C(PendingFileRenameOperations)); while an update waits for a restart the
    registry's C(UBR) is not yet the running kernel's, which C(revision_running) and a warning say.
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
    description:
      - The C(daemon.json) to read.
      - Defaults to the one dockerd reads, found from the C(docker) service's command line and C(docker info).
    type: str
  docker_path:
    description:
      - The C(docker.exe) to run.
      - Defaults to the one on the C(PATH), else in the C(docker) service's folder, C(%ProgramFiles%\\Docker) or
        Docker Desktop's C(resources\\bin).
    type: str
  command_timeout:
    description: Seconds each C(docker) or C(containerd) call may take before it is stopped. Defaults to 60.
    type: int
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
        features: {containers: true, hyperv: false, reboot_pending: false, error: null}
        reboot:
          pending: false
          update_pending: false
          signals: {cbs_reboot_pending: false, wu_reboot_required: false, pending_file_rename_operations: false}
        revision_running: true
        docker:
          installed: true
          cli: C:\Program Files\Docker\docker.exe
          running: true
          version: 19.03.8
          desktop: false
          platform: Docker Engine - Community
          os_type: windows
          windows_engine: true
          root_dir: D:\docker
          default_isolation: process
          swarm: {node_id: yekfp7jy5y82ks65sgmpxcdgb, state: active, is_manager: true}
          daemon_json_path: D:\docker\config\daemon.json
          daemon_json_location:
            path: D:\docker\config\daemon.json
            source: --data-root
            data_root: D:\docker
            warnings: []
          daemon_json: {exec-opts: [isolation=process]}
          daemon_json_encoding: utf-8
          daemon_json_error: null
          error: null
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
