"""Runs real ``ansible-playbook`` processes for the integration tests and parses their results."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class PlaybookRun:
    """The outcome of one ``ansible-playbook`` run, parsed from the ``ansible.posix.json`` callback."""

    returncode: int
    output: dict[str, Any]
    stderr: str
    command: list[str] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        return self.output.get("stats", {})

    @property
    def changed(self) -> int:
        return sum(host.get("changed", 0) for host in self.stats.values())

    @property
    def failed(self) -> int:
        return sum(host.get("failures", 0) + host.get("unreachable", 0) for host in self.stats.values())

    def task_results(self, task_name: str) -> dict[str, dict[str, Any]]:
        """Return ``{host: result}`` of the first task whose name equals ``task_name``.

        A role's task is named ``ROLE : NAME`` in the output; its bare ``NAME`` matches it when no task of
        the plays themselves has that name.
        """
        tasks = [task for play in self.output.get("plays", []) for task in play.get("tasks", [])]
        for matches in (lambda name: name == task_name, lambda name: name.rpartition(" : ")[2] == task_name):
            for task in tasks:
                if matches(task["task"]["name"]):
                    return task["hosts"]
        raise KeyError(f"no task named {task_name!r} in the run of {' '.join(self.command)}")

    def result(self, task_name: str, host: str = "localhost") -> dict[str, Any]:
        return self.task_results(task_name)[host]

    def explain(self) -> str:
        output_tail = json.dumps(self.output, indent=1)[-8000:]
        command = " ".join(self.command)
        return f"command: {command}\nrc={self.returncode}\nstderr:\n{self.stderr[-4000:]}\n{output_tail}"


def run_playbook(
    playbook: str | Path,
    *,
    inventory: str | Path | None = None,
    extra_vars: dict[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    tags: list[str] | None = None,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: int = 600,
) -> PlaybookRun:
    """Run ``ansible-playbook`` with the JSON callback and return the parsed result."""
    command = ["ansible-playbook", str(playbook)]
    command += ["-i", str(inventory) if inventory else "localhost,"]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if tags:
        command += ["--tags", ",".join(tags)]
    run_env = dict(os.environ)
    run_env.update(
        {
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
        }
    )
    run_env.setdefault("ANSIBLE_CONFIG", str(REPO_ROOT / "ansible.cfg"))
    if env:
        run_env.update(env)
    proc = subprocess.run(
        command, capture_output=True, text=True, env=run_env, cwd=cwd or REPO_ROOT, timeout=timeout, check=False
    )
    try:
        output = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        output = {"unparsed_stdout": proc.stdout}
    return PlaybookRun(returncode=proc.returncode, output=output, stderr=proc.stderr, command=command)
