#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name, on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: registry_image_info
short_description: Read the Windows build of container images from their registries
version_added: 0.1.0
description:
  - Asks each image's registry (OCI distribution API) for its manifest and returns, per reference, the digest,
    the media type and one platform per manifest-list entry with its C(os.version), the Windows build the
    engine compares with the host. A single-manifest image has one platform, read from its image config blob.
  - Works with OCI image indexes and manifests and with Docker manifest lists v2 and image manifests schema 2.
  - Authenticates as registries do - anonymously, with the Bearer token flow of the C(WWW-Authenticate)
    challenge (Docker Hub, MCR, ACR, GHCR, Harbor) or with HTTP basic auth - with the credentials of O(auth) or
    of the Docker C(config.json) (O(docker_config)), its credential helpers (C(credHelpers), C(credsStore))
    included.
  - A tag is turned into a digest with a C(HEAD) request when O(cache_dir) is set; content already known by its
    digest in the run or in O(cache_dir) is never fetched again. C(429) and C(5xx) answers are retried after
    their C(Retry-After).
  - One image that fails does not fail the others; its C(error) says why. The task fails only with
    O(fail_on_error=true).
  - O(tag_lists) also returns the tags of repositories such as C(mcr.microsoft.com/windows/servercore), for the
    P(wincontainers.compat.base_image_currency#filter) filter.
  - Runs on the controller only and changes nothing.
author:
  - wincontainers.compat maintainers (@wincontainers)
extends_documentation_fragment:
  - wincontainers.compat.controller
  - wincontainers.compat.registry
options:
  images:
    description:
      - Image references as users write them - C(mcr.microsoft.com/windows/servercore:ltsc2022),
        C(contoso.azurecr.io/orders:2024.11.3), C(name@sha256:...), C(name:tag@sha256:...), or Docker Hub short
        names such as C(contoso/app) and C(nginx), read as C(docker.io/contoso/app:latest) and
        C(docker.io/library/nginx:latest) as the Docker CLI reads them.
      - With a digest, the digest is what is read; the tag beside it is informational.
      - The same image written in several ways is asked for once.
    type: list
    elements: str
    default: []
  tag_lists:
    description:
      - Repositories (without tag) whose complete tag list to return in RV(tag_lists), following the registry's
        pagination (C(Link) header).
    type: list
    elements: str
    default: []
  concurrency:
    description:
      - How many images are read at the same time.
    type: int
    default: 8
  cache_dir:
    description:
      - A directory where manifests and image configs are kept by digest across runs. Content is checked
        against its digest on every read, so the directory can be shared and needs no expiry.
      - With it, a tag costs one C(HEAD) request when its manifest is already kept.
    type: path
  fail_on_error:
    description:
      - Fail the task when any image or tag list could not be read (after the others were read).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Read-only; check mode reads the registries as a normal run does.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  idempotent:
    support: full
    description: Never changes anything; RV(ignore:changed) is always false.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
notes:
  - Run it once per play (C(run_once), or a play on C(localhost)); the results are the same for every host.
  - An entry of a manifest list without C(os.version) is returned with C(os_version=null), as the engines see
    it (containerd treats such an entry as matching every build).
seealso:
  - plugin: wincontainers.compat.select_manifest
    plugin_type: filter
  - plugin: wincontainers.compat.container_compat
    plugin_type: filter
  - plugin: wincontainers.compat.base_image_currency
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the Windows builds of the fleet's images from their registries
  wincontainers.compat.registry_image_info:
    images:
      - mcr.microsoft.com/windows/servercore:ltsc2022
      - contoso.azurecr.io/orders:2024.11.3
      - contoso/app
    auth:
      contoso.azurecr.io:
        username: "{{ acr_user }}"
        password: "{{ acr_password }}"
    cache_dir: ~/.cache/wincontainers-registry
  run_once: true
  register: registry

- name: The entry the host's engine pulls, and whether it runs there with process isolation
  ansible.builtin.debug:
    msg: >-
      {{ registry.images['contoso.azurecr.io/orders:2024.11.3']
         | wincontainers.compat.select_manifest(host_version) }}
      {{ registry.images['contoso.azurecr.io/orders:2024.11.3']
         | wincontainers.compat.container_compat(host_version, isolation='process') }}
  vars:
    host_version: "{{ ansible_facts.wincontainers_host.version.version }}"

- name: Fail the play when an image cannot be read (unknown tag, no access, rate limit)
  wincontainers.compat.registry_image_info:
    images: "{{ deployed_images }}"
    fail_on_error: true
  run_once: true

- name: How many monthly base images behind is an image built on servercore 10.0.20348.2700
  wincontainers.compat.registry_image_info:
    tag_lists:
      - mcr.microsoft.com/windows/servercore
  run_once: true
  register: base

- name: Show the tag to rebuild on
  ansible.builtin.debug:
    msg: >-
      {{ base.tag_lists['mcr.microsoft.com/windows/servercore']
         | wincontainers.compat.base_image_currency('10.0.20348.2700', 'mcr.microsoft.com/windows/servercore') }}
"""

RETURN = r"""
images:
  description:
    - One entry per reference of O(images), keyed by the reference exactly as given.
    - C(digest) is the digest of the manifest or manifest list the reference names, C(media_type) its media type.
    - C(platforms) has one entry per manifest-list / index entry, in list order, each with C(os),
      C(architecture), C(variant), C(os_version) (the entry's C(os.version), null when absent) and C(digest)
      (the entry's manifest); for a single-manifest image, one entry from the image config, whose C(digest) is
      the manifest's.
    - C(error) is null, or a message naming the reference, the registry and what went wrong (the HTTP status
      with C(unauthorized), C(not found), C(rate-limited), a TLS failure, an unreachable registry). Then
      C(digest) and C(media_type) are null and C(platforms) is empty.
  returned: always
  type: dict
  sample:
    "contoso.azurecr.io/orders:2024.11.3":
      digest: "sha256:4f7f5ffbf8fd666b0988fa37cd4691622e1c5e365b062a923f812129c8071e47"
      media_type: application/vnd.oci.image.index.v1+json
      platforms:
        - {os: windows, architecture: amd64, variant: null, os_version: "10.0.17763.6659",
           digest: "sha256:2e9956ee7007c6b25df52d05332096341b33935f3903253926fae94a890b1e5d"}
        - {os: windows, architecture: amd64, variant: null, os_version: "10.0.20348.2966",
           digest: "sha256:68ea6d9793eaecdaaf361722a3030aec0142209901ac3e1bb61bc2e3951765aa"}
      error: null
    "contoso/app":
      digest: null
      media_type: null
      platforms: []
      error: >-
        contoso/app: registry registry-1.docker.io answered 401 (unauthorized) to GET contoso/app:latest
tag_lists:
  description: For each repository of O(tag_lists), C(tags) (every tag, in the registry's order) and C(error).
  returned: always
  type: dict
  sample:
    mcr.microsoft.com/windows/servercore:
      tags: ["10.0.20348.2966", "10.0.20348.3091", "ltsc2022"]
      error: null
errors:
  description: The C(error) of every image and tag list that failed.
  returned: always
  type: list
  elements: str
"""
