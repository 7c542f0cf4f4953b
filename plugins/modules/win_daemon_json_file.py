#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation-only file: the module is win_daemon_json_file.ps1.

DOCUMENTATION = r"""
---
module: win_daemon_json_file
short_description: Read a Docker C(daemon.json) on Windows, or replace it atomically
version_added: 0.1.0
description:
  - The Windows transport of M(wincontainers.compat.docker_daemon_json), which decides the location and the
    content on the controller. Use that module; this one makes no decision about either.
  - Without O(path), returns the values the controller locates the file with (C(locator)) and the bytes of
    C(%ProgramData%\docker\config\daemon.json). dockerd reads C(<data-root>\config\daemon.json), or the
    file its C(--config-file) names; the controller finds both in the docker service's command line and
    cross-checks the data root with C(docker info).
  - With O(path) and without O(content), returns the bytes of the file (base64), never decoded on the host;
    the controller accepts UTF-8, and UTF-8 or UTF-16 with a byte order mark as dockerd 23.0 and later do
    (L(moby/moby#44790,https://github.com/moby/moby/pull/44790), backported to 23.0 in
    L(moby/moby#44832,https://github.com/moby/moby/pull/44832)), and refuses bytes that are not valid text.
  - With O(content), checks that the file still has the SHA-256 the controller read (O(previous_sha256)), writes
    the text as UTF-8 without a byte order mark to a temporary file in the same directory and replaces the file
    with it in one NTFS operation (C(System.IO.File.Replace)), retrying while another process (antivirus,
    dockerd) holds it. If the replace fails after the original was renamed, the original is put back; when
    that fails too, the error names the file that holds it.
  - A missing directory is created with an access list of Administrators and SYSTEM only, as dockerd sets on
    the directories it creates (C(ProgramData) lets Users create files).
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  path:
    description:
      - Absolute path of the C(daemon.json), such as C(C:\ProgramData\docker\config\daemon.json).
      - Omit it to get the locator values and the default file.
    type: str
  content:
    description: The complete new text of the file. Omit it to read the file. Needs O(path) and O(previous_sha256).
    type: str
  previous_sha256:
    description:
      - The SHA-256 (hex) of the bytes the controller read; an empty string when the file did not exist.
      - The write fails, and changes nothing, if the file changed since.
    type: str
  backup:
    description: Keep the previous file as C(<path>.<pid>.<yyyyMMdd-HHmmss>.bak) when replacing it.
    type: bool
    default: false
  docker_path:
    description: The C(docker.exe) that reports C(DockerRootDir). Defaults to the one found on the C(PATH), in the
      docker service's folder, in C(%ProgramFiles%\Docker) or in Docker Desktop's C(resources\bin).
    type: str
  command_timeout:
    description: Seconds C(docker info) may take before it is stopped (a wedged engine must not hang the task).
    type: int
    default: 60
attributes:
  check_mode:
    support: full
    description: Reads only; M(wincontainers.compat.docker_daemon_json) does not call it to write in check mode.
  diff_mode:
    support: none
    description: M(wincontainers.compat.docker_daemon_json) returns the JSON diff.
  idempotent:
    support: full
    description: M(wincontainers.compat.docker_daemon_json) calls it to write only when the content changes.
  platform:
    support: full
    platforms: windows
    description: Windows targets only.
seealso:
  - module: wincontainers.compat.docker_daemon_json
"""

EXAMPLES = r"""
- name: Read the bytes of a daemon.json
  wincontainers.compat.win_daemon_json_file:
    path: C:\ProgramData\docker\config\daemon.json
  register: daemon_json

- name: Read what locates the daemon.json dockerd uses
  wincontainers.compat.win_daemon_json_file:
  register: daemon_json_locator
"""

RETURN = r"""
file:
  description: The file as read (before a write).
  returned: when O(path) is set, or without it for the default path
  type: dict
  contains:
    path: {description: The file., type: str, returned: always, sample: C:\ProgramData\docker\config\daemon.json}
    exists: {description: Whether the file exists., type: bool, returned: always, sample: true}
    content_base64: {description: Its bytes in base64; V(null) when it does not exist., type: str, returned: always}
    error: {description: Why it could not be read; V(null) when it was read., type: str, returned: always}
locator:
  description: What the controller locates the file with.
  returned: when O(path) is not set
  type: dict
  contains:
    service_image_path:
      description: The command line of the C(docker) service; V(null) when there is no such service.
      type: str
      returned: always
      sample: '"C:\Program Files\Docker\dockerd.exe" --run-service --data-root D:\docker'
    program_data: {description: "C(%ProgramData%).", type: str, returned: always, sample: C:\ProgramData}
    docker_root_dir:
      description: What C(docker info --format {{.DockerRootDir}}) printed (C(rc), C(stdout), C(stderr),
        C(timed_out), C(start_error)); V(null) when no C(docker.exe) was found.
      type: dict
      returned: always
backup_file:
  description: The copy of the previous file.
  returned: changed and O(backup=true) and the file existed
  type: str
  sample: C:\ProgramData\docker\config\daemon.json.4242.20261128-134501.bak
"""
