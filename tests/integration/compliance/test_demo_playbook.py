"""The README's first command: playbooks/demo.yml over the bundled example fleet, with no host and no cluster."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from ansible_collections.wincontainers.compat.plugins.module_utils.tags import base_image_tag
from compliance_fleet import EXAMPLE
from playbook_runner import REPO_ROOT, run_playbook


def test_demo_renders_a_dockerfile_per_host_and_writes_the_reports(tmp_path: Path) -> None:
    run = run_playbook(
        REPO_ROOT / "playbooks" / "demo.yml",
        inventory=EXAMPLE / "inventory.yml",
        extra_vars={"demo_output_dir": str(tmp_path)},
    )
    assert run.returncode == 0, run.explain()
    hosts = sorted(path.stem for path in (EXAMPLE / "state" / "hosts").glob("*.json"))
    assert sorted(path.name[: -len(".Dockerfile")] for path in (tmp_path / "dockerfiles").iterdir()) == hosts
    for name in hosts:
        facts = json.loads((EXAMPLE / "state" / "hosts" / f"{name}.json").read_text())["ansible_facts"]
        host = facts["wincontainers_host"]
        dockerfile = (tmp_path / "dockerfiles" / f"{name}.Dockerfile").read_text()
        tag = re.search(r"^FROM mcr\.microsoft\.com/windows/servercore:(\S+)$", dockerfile, re.M)
        assert tag, dockerfile
        if host["host_kind"] == "server":
            pin = "version" if host["version"]["build"] == 14393 else "release"
            assert tag.group(1) == base_image_tag(host["version"], "servercore", pin=pin), name
        else:
            assert tag.group(1) == host["compatible_tags"]["servercore"][host["docker"]["default_isolation"]][0]
    report = json.loads((tmp_path / "compliance.json").read_text())
    assert report["summary"]["hosts"] == len(hosts) and report["findings"]
    table = run.result("wincontainers.compat.compliance : Show the compliance summary", "localhost")["msg"]
    header = next(line for line in table.splitlines() if line.startswith("image ") and "image version" in line)
    assert header.split()[3:] == hosts
    assert (tmp_path / "compliance.xml").is_file() and (tmp_path / "compliance.html").is_file()


def test_demo_writes_under_the_directory_it_runs_in(tmp_path: Path) -> None:
    """Without demo_output_dir the output goes to reports/ of the working directory (scripts/demo runs it from
    the top of the checkout), never next to the playbook of an installed collection."""
    run = run_playbook(REPO_ROOT / "playbooks" / "demo.yml", inventory=EXAMPLE / "inventory.yml", cwd=tmp_path)
    assert run.returncode == 0, run.explain()
    assert (tmp_path / "reports" / "compliance.html").is_file()
    assert sorted(p.name for p in (tmp_path / "reports" / "dockerfiles").iterdir())
    shown = run.result("Show where the reports are", "localhost")["msg"]
    assert shown[0] == f"Dockerfiles: {tmp_path / 'reports'}/dockerfiles/"
    assert str(tmp_path / "reports" / "compliance.json") in shown[1]


def test_scripts_demo_runs_from_the_top_of_the_checkout() -> None:
    script = (REPO_ROOT / "scripts" / "demo").read_text(encoding="utf-8")
    assert 'cd "$WCC_ROOT"' in script and "playbooks/demo.yml" in script


def test_scripts_demo_needs_only_the_demo_requirements(tmp_path: Path) -> None:
    """scripts/demo on a fresh virtualenv installs requirements-demo.txt alone (not the test tool chain) and runs."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(checkout)], check=True)
    for changed in ("scripts", "requirements-demo.txt", "requirements-dev.txt"):  # the working tree under test
        source, target = REPO_ROOT / changed, checkout / changed
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VIRTUAL_ENV"))}
    run = subprocess.run(
        [str(checkout / "scripts" / "demo")],
        env={**env, "WCC_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (checkout / "reports" / "compliance.json").is_file()
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    assert "ansible-core==" in installed
    assert not {"pytest", "ansible-lint", "molecule", "docker", "kubernetes"} & {
        line.split("==")[0] for line in installed.splitlines()
    }


def test_demo_reports_are_the_golden_copies(tmp_path: Path) -> None:
    """scripts/demo's three reports, byte for byte, against tests/unit/fixtures/golden (the date pinned)."""
    golden = REPO_ROOT / "tests" / "unit" / "fixtures" / "golden"
    as_of = json.loads((golden / "compliance.json").read_text(encoding="utf-8"))["as_of"]
    run = run_playbook(
        REPO_ROOT / "playbooks" / "demo.yml",
        inventory=EXAMPLE / "inventory.yml",
        extra_vars={"demo_output_dir": str(tmp_path), "compliance_today": as_of},
    )
    assert run.returncode == 0, run.explain()
    for name in ("compliance.json", "compliance.xml", "compliance.html"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (golden / name).read_text(encoding="utf-8"), name
