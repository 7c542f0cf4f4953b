"""The controller-side actions on inputs they cannot read: each fails and names the option or host at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from compliance_fleet import EXAMPLE
from playbook_runner import run_playbook

FACTS = json.loads((EXAMPLE / "state" / "hosts" / "win2016-01.json").read_text(encoding="utf-8"))
FACTS = FACTS["ansible_facts"]["wincontainers_host"]


def run_task(tmp_path: Path, module: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one task of ``module`` on localhost and return its result."""
    playbook = tmp_path / "play.yml"
    task = {"name": "the task", module: args, "ignore_errors": True}
    play = [{"name": "p", "hosts": "localhost", "gather_facts": False, "tasks": [task]}]
    playbook.write_text(json.dumps(play), encoding="utf-8")
    run = run_playbook(playbook)
    return run.result("the task")


@pytest.mark.parametrize("target", ["KB5049993", "garbage"])
def test_patch_plan_fails_on_a_target_version_it_cannot_read(tmp_path: Path, target: str) -> None:
    args = {"facts": FACTS, "target_version": target, "on_breakage": "stop"}
    result = run_task(tmp_path, "wincontainers.compat.patch_plan", args)
    assert result["failed"]
    assert result["msg"].startswith(f"target_version: cannot read a Windows version from '{target}'")


def test_patch_plan_names_the_updates_option_of_the_wrong_type(tmp_path: Path) -> None:
    result = run_task(tmp_path, "wincontainers.compat.patch_plan", {"facts": FACTS, "updates": 5})
    assert result["failed"] and result["msg"].startswith("updates must be the updates dict"), result["msg"]
    assert "got 5" in result["msg"]


def test_patch_plan_judges_a_readable_target(tmp_path: Path) -> None:
    args = {"facts": FACTS, "target_version": "10.0.14393.7699", "updates": ["2025-01 Cumulative Update"]}
    result = run_task(tmp_path, "wincontainers.compat.patch_plan", args)
    assert not result.get("failed") and result["breaks"] and result["target_version"] == "10.0.14393.7699"


def test_compliance_report_fails_on_a_target_it_cannot_read_naming_the_host(tmp_path: Path) -> None:
    args = {"offline_dir": str(EXAMPLE / "state"), "targets": {"win2016-01": "garbage"}}
    result = run_task(tmp_path, "wincontainers.compat.compliance_report", args)
    assert result["failed"]
    assert result["msg"].startswith("the target version of win2016-01: cannot read a Windows version from 'garbage'")
