#!/usr/bin/python
# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docker_daemon_json
short_description: Merge settings into a Docker Engine C(daemon.json), keeping every other key
version_added: 0.1.0
description:
  - Sets top-level keys of a Docker Engine C(daemon.json), merges C(exec-opts) entries by option name
    and removes keys, on Linux and Windows targets. Keys it is not told about keep their values and their order.
  - C(exec-opts) is managed per option name, the way dockerd reads it (name compared without case,
    value after the first C(=)). Setting O(exec_opts=isolation=hyperv) replaces an C(isolation=process)
    entry in place and keeps every other entry.
  - Nothing is written when the merged content equals the current one (compared as JSON, not as text).
    A write goes to a temporary file in the same directory, which then replaces the file atomically.
  - Invalid JSON in the existing file fails the task with the line and column of the error; the file is left untouched.
  - On POSIX targets the merge runs in this module on the target. On Windows targets the action plugin
    reads the file with M(wincontainers.compat.win_daemon_json_file), merges it on the controller with the
    same code, and writes it back with that module, which replaces the file atomically.
  - This module does not restart the engine; the role P(wincontainers.compat.daemon_isolation#role) does,
    verifies the engine and rolls back.
author:
  - wincontainers.compat maintainers (@wincontainers)
options:
  path:
    description:
      - Path of the C(daemon.json) on the target.
      - Defaults to C(/etc/docker/daemon.json) on POSIX. On Windows it defaults to the file dockerd reads, the one
        C(--config-file) names in the C(docker) service's command line, else C(<data-root>\\config\\daemon.json)
        with the data root of C(--data-root) (C(-g)) or C(%ProgramData%\\docker), cross-checked with
        C(DockerRootDir) of C(docker info); RV(location) says which.
      - On Windows a given path must be absolute (C(C:\\...) or C(\\\\server\\share\\...)).
      - A missing file, and a missing parent directory, is created when something is to be set.
    type: str
  settings:
    description:
      - Top-level keys to set, with their values (any JSON value). Keys not listed are kept.
      - Must not contain C(exec-opts); use O(exec_opts).
    type: dict
    default: {}
  exec_opts:
    description:
      - C(exec-opts) entries to set, by option name, for example V(isolation=hyperv) as O(exec_opts=isolation=hyperv).
      - A value of V(null) removes every entry of that name. Entries of other names are kept.
      - Values dockerd checks when it starts are checked here too, case-insensitively, so a typo fails the task
        instead of stopping the engine; C(isolation) takes V(process), V(hyperv) or V(default) (Windows) and
        C(native.cgroupdriver) takes V(cgroupfs) or V(systemd) (Linux).
    type: dict
    default: {}
  remove:
    description:
      - Top-level keys to delete. Keys that are absent are ignored.
    type: list
    elements: str
    default: []
  backup:
    description:
      - Keep a copy of the file, with a timestamp in its name, before changing it.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports what would change without writing.
  diff_mode:
    support: full
    description: Returns the JSON before and after.
  idempotent:
    support: full
    description: A second run with the same options reports no change and does not write.
  platform:
    support: full
    platforms: posix, windows
    description: POSIX targets run this module; Windows targets are served by the action plugin.
seealso:
  - module: wincontainers.compat.win_daemon_json_file
  - module: wincontainers.compat.win_container_host_facts
  - name: Docker daemon configuration file
    description: The keys dockerd reads from C(daemon.json).
    link: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file
"""

EXAMPLES = r"""
- name: Run Windows containers under Hyper-V isolation by default
  wincontainers.compat.docker_daemon_json:
    exec_opts:
      isolation: hyperv
    backup: true

- name: Set log options on a Linux engine and drop an old key
  wincontainers.compat.docker_daemon_json:
    path: /etc/docker/daemon.json
    settings:
      log-driver: json-file
      log-opts:
        max-size: 10m
    remove:
      - debug
"""

RETURN = r"""
path:
  description: The file that was read and, when changed, written.
  returned: always
  type: str
  sample: /etc/docker/daemon.json
config:
  description: The content of the file after the task (the wanted content in check mode).
  returned: always
  type: dict
  sample: {"exec-opts": ["isolation=hyperv"], "data-root": "D:\\docker"}
previous_config:
  description: The content before the task; V(null) when the file did not exist.
  returned: always
  type: dict
  sample: {"exec-opts": ["isolation=process"], "data-root": "D:\\docker"}
location:
  description:
    - Windows targets. How the file was found; C(source) is V(path) (given), V(--config-file), V(--data-root) or
      V(default), and C(warnings) name what disagreed (for example a C(DockerRootDir) other than the service's).
    - The write fails, and writes nothing, if the file changed between the read and the write; a UTF-16 file is
      rewritten as UTF-8 (with a warning); bytes that are not valid text fail the task.
  returned: on Windows targets
  type: dict
  sample:
    path: D:\docker\config\daemon.json
    source: --data-root
    data_root: D:\docker
    warnings: []
backup_file:
  description: The timestamped copy made before the write.
  returned: changed and O(backup=true) and the file existed
  type: str
  sample: /etc/docker/daemon.json.12345.2026-11-28@13:45:01~
"""

import os
import tempfile
from typing import Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_daemon_json import (
    ARGUMENT_SPEC,
    POSIX_PATH,
    DaemonJsonError,
    plan_daemon_json,
    plan_result,
)


def read_text(path: str) -> Optional[str]:
    """Return the text of ``path`` or ``None`` when it does not exist."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write_atomic(module: AnsibleModule, path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and move it over ``path``."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".daemon.json.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(to_bytes(text, encoding="utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        module.atomic_move(tmp, path, unsafe_writes=False)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main() -> None:
    """Run the module."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    path = module.params["path"] or POSIX_PATH
    try:
        text = read_text(path)
        plan = plan_daemon_json(
            text, path, module.params["settings"], module.params["exec_opts"], module.params["remove"]
        )
    except (DaemonJsonError, UnicodeDecodeError, OSError) as exc:
        module.fail_json(msg=f"{path}: {to_native(exc)}" if not isinstance(exc, DaemonJsonError) else str(exc))
    result = plan_result(plan, path, diff=module._diff)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if plan.changed and not module.check_mode:
        try:
            if module.params["backup"] and text is not None:
                result["backup_file"] = module.backup_local(path)
            write_atomic(module, path, plan.after_text)
        except OSError as exc:
            module.fail_json(msg=f"could not write {path}: {to_native(exc)}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
