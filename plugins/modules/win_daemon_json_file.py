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
  - The Windows transport of M(wincontainers.compat.docker_daemon_json), which decides the content on the
    controller. Use that module; this one makes no decision about the content.
  - Without O(content), returns the text of the file (a UTF-8 byte order mark is kept so it can be reported).
  - With O(content), writes the text as UTF-8 without a byte order mark to a temporary file in the same
    directory and replaces the file with it in one NTFS operation (C(System.IO.File.Replace)), which also
    produces the backup. Nothing is written when the text is already the same.
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  path:
    description: Path of the C(daemon.json).
    type: str
    required: true
  content:
    description: The complete new text of the file. Omit it to read the file.
    type: str
  backup:
    description: Keep the previous file as C(<path>.<pid>.<yyyyMMdd-HHmmss>.bak) when replacing it.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports whether the text would change without writing.
  diff_mode:
    support: none
    description: M(wincontainers.compat.docker_daemon_json) returns the JSON diff.
  idempotent:
    support: full
    description: Writing the same text again reports no change.
  platform:
    support: full
    platforms: windows
    description: Windows targets only.
seealso:
  - module: wincontainers.compat.docker_daemon_json
"""

EXAMPLES = r"""
- name: Read the daemon.json of a Windows host
  wincontainers.compat.win_daemon_json_file:
    path: C:\ProgramData\docker\config\daemon.json
  register: daemon_json
"""

RETURN = r"""
path:
  description: The file read or written.
  returned: always
  type: str
  sample: C:\ProgramData\docker\config\daemon.json
exists:
  description: Whether the file existed before the task.
  returned: always
  type: bool
  sample: true
content:
  description: The text of the file; V(null) when it does not exist.
  returned: when O(content) is not set
  type: str
  sample: '{"exec-opts": ["isolation=process"]}'
backup_file:
  description: The copy of the previous file.
  returned: changed and O(backup=true) and the file existed
  type: str
  sample: C:\ProgramData\docker\config\daemon.json.4242.20261128-134501.bak
"""
