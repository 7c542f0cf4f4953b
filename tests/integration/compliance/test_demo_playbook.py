"""The README's first command: playbooks/demo.yml over the bundled example fleet, with no host and no cluster."""

from __future__ import annotations

import json
import re
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
