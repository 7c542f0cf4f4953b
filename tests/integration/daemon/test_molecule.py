"""Runs the daemon_isolation role's molecule scenario (converge, idempotence, verify) on a real engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from dockerd import Engine, start_engine
from playbook_runner import REPO_ROOT

pytestmark = pytest.mark.docker

ROLE = REPO_ROOT / "roles" / "daemon_isolation"
FOREIGN = {"labels": ["wcc-test=molecule"], "exec-opts": ["native.cgroupdriver=cgroupfs", "isolation=process"]}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    started = start_engine(tmp_path_factory.mktemp("mol"), "mol", daemon_json=FOREIGN)
    try:
        yield started
    finally:
        started.stop()


def test_molecule_converge_idempotence_verify(engine: Engine) -> None:
    pid = engine.pid
    env = {
        **os.environ,
        "WCC_PYTHON": sys.executable,
        "WCC_HARNESS": str(REPO_ROOT / "tests" / "harness" / "dockerd.py"),
        "WCC_ENGINE_BASE": str(engine.base_dir.parent),
        "WCC_ENGINE_NAME": engine.name,
        "WCC_ENGINE_CONFIG": str(engine.config_file),
        "WCC_DOCKER_HOST": engine.docker_host,
        "ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "molecule", "test", "--scenario-name", "default"],
        cwd=ROLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-4000:]
    # Independent of molecule: the engine was restarted once, runs, and reads the file the role wrote.
    assert engine.pid is not None and engine.pid != pid
    config = json.loads(engine.config_file.read_text())
    assert config["exec-opts"] == ["native.cgroupdriver=cgroupfs", "isolation=hyperv"]
    client = engine.client()
    try:
        assert "wcc-test=molecule" in client.info()["Labels"]
    finally:
        client.close()
