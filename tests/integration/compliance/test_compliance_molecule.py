"""Runs the compliance role's molecule scenario (converge, idempotence, verify) over the example fleet."""

from __future__ import annotations

import os
import subprocess
import sys

from playbook_runner import REPO_ROOT

ROLE = REPO_ROOT / "roles" / "compliance"


def test_molecule_converge_idempotence_verify() -> None:
    env = {**os.environ, "WCC_PYTHON": sys.executable, "ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg")}
    proc = subprocess.run(
        [sys.executable, "-m", "molecule", "test", "--scenario-name", "default"],
        cwd=ROLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-8000:]
    assert "idempotence" in output.lower()
