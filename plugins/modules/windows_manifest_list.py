#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name, on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: windows_manifest_list
short_description: Publish per-build Windows images under one tag as a manifest list every host pulls right
version_added: 0.2.0
description:
  - Assembles a manifest list (Docker) or image index (OCI) over per-build images already pushed, and pushes it
    under the tag of O(name) through the registry API, so each engine pulls the entry its Windows build runs.
  - Each entry's C(os), C(architecture) and C(os.version) are read from the image's own config blob in the
    registry, never from its tag. An image whose config has no C(os.version) is refused, since engines would
    pull it on any build.
  - Windows entries are ordered by C(os.version), newest first. containerd sorts the entries itself, but the
    classic Docker Engine keeps the list order for entries not of the host's own build, so a host without an
    entry of its own build pulls the newest entry not newer than itself.
  - The list is a Docker manifest list when every image is a Docker image manifest, else an OCI image index
    (O(media_type) may insist).
  - Idempotent - nothing is pushed when the registry already holds an equal list (same media type and entries in
    the same order), whatever its formatting. Check mode and diff mode show the entries before and after.
  - With O(fleet), it then tells for every host which entry containerd and the classic Docker Engine pull
    (P(wincontainers.compat.select_manifest#filter)) and whether it runs there with O(isolation)
    (P(wincontainers.compat.container_compat#filter)), and names the hosts left without one.
  - Reaches registries as M(wincontainers.compat.registry_image_info) does (same options; auth, TLS, retries).
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.controller
  - wincontainers.compat.registry
options:
  name:
    description:
      - The repository and tag of the list, C(registry.example.com/team/app:1.4.0).
    type: str
    required: true
  images:
    description:
      - The per-build images, by tag or digest, in the repository of O(name)
        (C(registry.example.com/team/app:1.4.0-ltsc2022), C(registry.example.com/team/app@sha256:...)).
        Single-platform image manifests, not lists.
      - The same image given twice is listed once; two images of the same platform and C(os.version) are refused.
    type: list
    elements: str
    required: true
  media_type:
    description:
      - V(auto) - a Docker manifest list over Docker image manifests, else an OCI image index.
      - V(oci) - always an OCI image index. V(docker) - a Docker manifest list; fails when an image is an OCI one.
    type: str
    choices: [auto, oci, docker]
    default: auto
  fleet:
    description:
      - The hosts to verify the list for, in any form P(wincontainers.compat.build_matrix#filter) reads -
        C(wincontainers_host) facts, C(hostvars) entries, the nodes of M(wincontainers.compat.swarm_compat_info)
        or M(wincontainers.compat.k8s_compat_info), Windows versions.
    type: raw
  isolation:
    description: The isolation the fleet runs the image with, for the verification.
    type: str
    choices: [process, hyperv]
    default: process
  architecture:
    description: The CPU architecture of the fleet's hosts, for the verification.
    type: str
    default: amd64
attributes:
  check_mode:
    support: full
    description: Reads the images and the registry's list and predicts the change and the verification; pushes nothing.
  diff_mode:
    support: full
    description: The entries (digest, os, architecture, os_version) of the registry's list and of the assembled one.
  idempotent:
    support: full
    description: Pushes only when the registry's list differs from the assembled one.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
notes:
  - The per-build images must be in the repository of the list - a registry checks that every entry exists
    there.
  - A registry keeps what was listed before; the old per-build images stay reachable by digest.
  - Images pushed by the classic Docker Engine are Docker image manifests, so V(auto) makes a Docker manifest
    list, which every Docker CLI reads; C(docker manifest inspect) of Docker 20.10 (Debian 12) cannot read an OCI
    index whose entries are OCI manifests.
seealso:
  - module: wincontainers.compat.registry_image_info
  - plugin: wincontainers.compat.build_matrix
    plugin_type: filter
  - plugin: wincontainers.compat.select_manifest
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Publish app:1.4.0 over the images built per Windows build, and check what every host pulls
  wincontainers.compat.windows_manifest_list:
    name: registry.example.com/team/app:1.4.0
    images:
      - registry.example.com/team/app:1.4.0-ltsc2019
      - registry.example.com/team/app:1.4.0-ltsc2022
      - registry.example.com/team/app@sha256:68ea6d9793eaecdaaf361722a3030aec0142209901ac3e1bb61bc2e3951765aa
    fleet: "{{ groups['windows'] | map('extract', hostvars) | list }}"
    auth:
      registry.example.com:
        username: "{{ registry_user }}"
        password: "{{ registry_password }}"
  run_once: true
  delegate_to: localhost
  register: published

- name: Fail when a host of the fleet has no entry it can run
  ansible.builtin.assert:
    that: not published.verification.unserved
    fail_msg: "{{ published.verification.unserved | map(attribute='message') | join('; ') }}"
  run_once: true
"""

RETURN = r"""
name:
  description: The list's reference, normalised (C(docker.io/...) for Docker Hub).
  returned: always
  type: str
  sample: registry.example.com/team/app:1.4.0
digest:
  description: The digest of the list under the tag - the one pushed, the registry's when nothing changed, or in
    check mode the one that would be pushed.
  returned: always
  type: str
  sample: sha256:3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a
media_type:
  description: The media type of the list.
  returned: always
  type: str
  sample: application/vnd.docker.distribution.manifest.list.v2+json
manifests:
  description: The entries in list order, each with the C(reference) given, C(digest), C(os), C(architecture) and
    C(os_version) (from the image config).
  returned: always
  type: list
  elements: dict
  sample:
    - {reference: "registry.example.com/team/app:1.4.0-ltsc2022", digest: "sha256:68ea...",
       os: windows, architecture: amd64, os_version: 10.0.20348.2966}
verification:
  description:
    - With O(fleet), C(hosts) (per host C(host), C(version), and for C(containerd) and C(docker) the entry pulled,
      C(digest), C(os_version), C(status) and C(reason)), C(unserved) (per host and engine left without an entry
      that runs, C(host), C(version), C(engine), C(message)) and C(report) (one line per host). Null without O(fleet).
  returned: always
  type: dict
  sample:
    report:
      - >-
        win2019-01 10.0.17763.6659: containerd pulls 10.0.17763.6659 (supported);
        docker pulls 10.0.17763.6659 (supported)
      - "win2016-01 10.0.14393.7606: containerd: none (unsupported); docker: none (unsupported)"
    unserved:
      - host: win2016-01
        version: 10.0.14393.7606
        engine: containerd
        message: "win2016-01 (10.0.14393.7606, containerd): no matching manifest for windows/amd64 10.0.14393 ..."
"""
