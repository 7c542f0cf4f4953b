"""The docker calls of ``win_container_host_facts.ps1``, run by the real docker CLI against a real engine.

No Windows host runs here, but the ``--format`` templates are Go templates the docker CLI executes the same on
every OS. The argument lists are read from the script, quoted with the module util's quoting rule, split back
with the rules of ``CommandLineToArgvW``, run by the real ``docker`` CLI, and what it prints is fed to the
builder as the script would return it: the engine, its images and its containers come out as docker's own API
reports them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any, Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import docker_facts, image_facts
from ansible_collections.wincontainers.compat.plugins.module_utils.windows_docker import split_command_line
from dockerd import DEFAULT_TEST_IMAGE, Engine
from playbook_runner import REPO_ROOT

pytestmark = pytest.mark.docker

SCRIPT = (REPO_ROOT / "plugins" / "modules" / "win_container_host_facts.ps1").read_text(encoding="utf-8")
UTIL = (REPO_ROOT / "plugins" / "module_utils" / "DockerHost.psm1").read_text(encoding="utf-8")


def script_argv(first: str, second: Optional[str] = None) -> list[str]:
    """The fixed argument list the script passes to docker, found by its first words (single-quoted literals)."""
    for array in re.findall(r"@\(('(?:[^']|'')*'(?:,\s*'(?:[^']|'')*')*)\)", SCRIPT):
        items = [item.replace("''", "'") for item in re.findall(r"'((?:[^']|'')*)'", array)]
        if items[0] == first and (second is None or items[1:2] == [second]) and "--format" in items:
            return items
    raise AssertionError(f"no docker call {first} {second or ''} with --format in the script")


def quoted(argument: str) -> str:
    """The module util's quoting (ConvertTo-CommandLineArgument), applied with its own two patterns."""
    patterns = re.findall(r"-replace '([^']+)', '([^']+)'", UTIL)
    assert len(patterns) == 2, patterns
    if argument and not re.search(r'[\s"]', argument):
        return argument
    for pattern, replacement in patterns:
        argument = re.sub(pattern, replacement.replace("\\", "\\\\").replace("$1", r"\1"), argument)
    return f'"{argument}"'


def run_docker(engine_host: str, argv: list[str]) -> dict[str, Any]:
    """Run the real CLI as Invoke-Native does, after a round trip through the Windows command line."""
    command_line = " ".join(["docker.exe", *(quoted(arg) for arg in argv)])
    assert split_command_line(command_line)[1:] == argv, "the quoting does not survive CommandLineToArgvW"
    env = {**os.environ, "DOCKER_HOST": engine_host}
    done = subprocess.run(["docker", *argv], capture_output=True, text=True, env=env, check=False, timeout=60)
    return {
        "rc": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr,
        "timed_out": False,
        "start_error": None,
    }


@pytest.fixture(scope="module")
def running_container(docker_engine: Engine) -> Any:
    client = docker_engine.client()
    container = client.containers.run(DEFAULT_TEST_IMAGE, ["sleep", "300"], network_mode="none", detach=True)
    try:
        yield container
    finally:
        container.remove(force=True)
        client.close()


def test_the_engine_images_and_containers_read_through_the_templates(
    docker_engine: Engine, running_container: Any
) -> None:
    host = docker_engine.docker_host
    info = run_docker(host, script_argv("info"))
    ids = run_docker(host, ["ps", "--quiet", "--no-trunc"])["stdout"].split()
    images = run_docker(host, ["images", "--quiet", "--no-trunc"])["stdout"].split()
    raw = {
        "cli": "C:\\Program Files\\Docker\\docker.exe",
        "service": "Running",
        "info": info,
        "version": run_docker(host, script_argv("version")),
        "containers": [run_docker(host, script_argv("container", "inspect") + ids)],
        "images": [run_docker(host, script_argv("image", "inspect") + images)],
        "daemon_json_files": [],
    }
    client = docker_engine.client()
    try:
        api_info, api_version = client.info(), client.version()
    finally:
        client.close()
    facts = docker_facts(raw)
    assert info["rc"] == 0 and facts["running"] is True and facts["error"] is None
    assert facts["version"] == api_info["ServerVersion"] and facts["os_type"] == api_info["OSType"] == "linux"
    assert facts["windows_engine"] is False and facts["root_dir"] == str(docker_engine.data_root)
    assert facts["platform"] == (api_version.get("Platform", {}).get("Name") or None) and facts["client_version"]
    assert facts["swarm"]["state"] == api_info["Swarm"]["LocalNodeState"]
    (image,) = [image for image in image_facts(raw["images"]) if image["id"] == running_container.image.id]
    assert image["repo_tags"] == [DEFAULT_TEST_IMAGE] and image["os"] == "linux"
    inspected = [json.loads(line) for line in raw["containers"][0]["stdout"].splitlines()]
    assert [c["Id"] for c in inspected] == [running_container.id]
    assert inspected[0]["Config"]["Image"] == DEFAULT_TEST_IMAGE and inspected[0]["State"]["Running"] is True


def test_inspect_prints_one_object_a_line_for_every_id_of_a_batch(docker_engine: Engine) -> None:
    host = docker_engine.docker_host
    image_id = run_docker(host, ["images", "--quiet", "--no-trunc", DEFAULT_TEST_IMAGE])["stdout"].strip()
    batch = run_docker(host, script_argv("image", "inspect") + [image_id] * 3)
    assert batch["rc"] == 0, batch
    assert len(image_facts([batch])) == 3


def test_a_stopped_engine_is_reported_from_the_real_cli(tmp_path: Path) -> None:
    host = f"unix://{tmp_path / 'no-engine.sock'}"
    raw = {
        "cli": "C:\\Program Files\\Docker\\docker.exe",
        "service": "Stopped",
        "info": run_docker(host, script_argv("info")),
        "server_errors": run_docker(host, ["info", "--format", "{{json .ServerErrors}}"]),
        "version": run_docker(host, script_argv("version")),
    }
    facts = docker_facts(raw)
    assert facts["running"] is False and facts["version"] is None
    assert facts["client_version"], "docker version prints the client part when the engine is down"
    assert "no-engine.sock" in facts["error"], facts["error"]
