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
    Values compare with their JSON types, as dockerd reads them, so V(true) is not V(1) and V(1) is not V(1.0).
  - A write goes to a temporary file in the same directory, flushed to disk, which then replaces the file atomically
    (and the timestamped backup is made just before, when O(backup=true)).
  - On POSIX targets, when O(path) is a symbolic link, the file it leads to is read and replaced (the temporary
    file is made in that file's directory) and the link is kept. A dangling link or a link loop fails the task;
    nothing is created.
  - On POSIX targets, a write the system refuses (read-only file system, no space left, file size limit,
    permission) fails the task with the path and the errno (for example C(EROFS), C(ENOSPC), C(EFBIG)); the file,
    and its directory, are left as they were, and the task never reports a change it did not make.
  - Invalid JSON in the existing file fails the task with the line and column of the error; the file is left untouched.
  - The existing file is read as dockerd reads it. C(NaN), C(Infinity) and numbers beyond the range of a 64-bit float
    (C(1e400)), which dockerd refuses, fail the task naming their key path (a JSON Pointer such as
    C(/log-opts/max-size)) rather than being rewritten as something that is not JSON. A key given twice in one
    object is warned about with its key path; its last value wins, as in dockerd, and a rewrite keeps only that one.
  - Credentials are redacted in what the task shows (RV(config), RV(previous_config) and the diff), never in what
    it writes. Redacted are the password or token of any URL with a userinfo (C(https://user:secret@mirror),
    C(https://TOKEN@host), C(socks5://:secret@proxy), passwords containing C(@)), proxy settings without a scheme
    (C(user:secret@proxy:3128)), and values of keys named like a secret (C(splunk-token)). The diff shows the file
    re-rendered from the redacted content when its text holds a secret.
  - Secrets given in O(settings) are module arguments; use C(no_log) on the task to keep them out of the log.
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
      - On POSIX targets a symbolic link is followed; the file it leads to is replaced and the link is kept.
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
      - The copy is made beside the file that is replaced (the target of a symbolic link), byte for byte, with its
        mode and owner. When the write fails, the copy is removed again.
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
  description:
    - The content of the file after the task (the wanted content in check mode), with credentials redacted.
  returned: success
  type: dict
  sample: {"exec-opts": ["isolation=hyperv"], "data-root": "D:\\docker"}
previous_config:
  description: The content before the task, with credentials redacted; V(null) when the file did not exist.
  returned: success, and when the write failed
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
errno:
  description: The error of a write the system refused (the file was left untouched).
  returned: when the write failed
  type: str
  sample: ENOSPC
"""

import os
from typing import Callable, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_daemon_json import (
    ARGUMENT_SPEC,
    POSIX_PATH,
    DaemonJsonError,
    plan_daemon_json,
    plan_result,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.posix_file import (
    FileOperationError,
    read_text,
    replace_file,
    resolve_target,
)


def selinux_labeller(module: AnsibleModule, target: str) -> Optional[Callable[[str], None]]:
    """Give the new file the SELinux context of the one it replaces (or the default one), as Ansible does."""
    if not module.selinux_enabled():
        return None
    exists = os.path.exists(target)
    context = module.selinux_context(target) if exists else module.selinux_default_context(target)
    return lambda temporary: module.set_context_if_different(temporary, context, False)


def main() -> None:
    """Run the module."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    path = module.params["path"] or POSIX_PATH
    try:
        target = resolve_target(path)
        text = read_text(target)
        plan = plan_daemon_json(
            text, path, module.params["settings"], module.params["exec_opts"], module.params["remove"]
        )
    except (DaemonJsonError, FileOperationError) as exc:
        module.fail_json(msg=str(exc), path=path)
    result = plan_result(plan, path, diff=module._diff)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if plan.changed and not module.check_mode:
        backup = module.params["backup"] and text is not None
        try:
            backup_file = replace_file(
                target, plan.after_text.encode("utf-8"), backup=backup, prepare=selinux_labeller(module, target)
            )
        except FileOperationError as exc:
            where = "" if target == path else f" (the target of the symbolic link {path})"
            module.fail_json(
                msg=f"{exc}{where}", path=path, errno=exc.errno_name, previous_config=result["previous_config"]
            )
        if backup_file:
            result["backup_file"] = backup_file
    module.exit_json(**result)


if __name__ == "__main__":
    main()
