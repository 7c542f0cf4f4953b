"""Base image currency through a real ``ansible-playbook`` run of the compliance role on recorded tag lists.

The example fleet's recorded ``registry_image_info`` answer of MCR (``state/registry/mcr.json``, only ``tag_lists``)
is replaced by another recording of servercore's tags (``/v2/.../tags/list``), whose newest 17763 image is a month
later than the bundled one. Images more than one monthly image behind their build's newest tag must
get a ``base_image_stale`` finding naming the tag to rebuild on, in the JSON, JUnit and HTML reports; images of
builds the list does not publish, and tags without a revision, get none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance_fleet import TODAY, copy_example
from playbook_runner import REPO_ROOT, run_playbook

PLAYBOOK = REPO_ROOT / "playbooks" / "compliance.yml"
SERVERCORE = "mcr.microsoft.com/windows/servercore"
TAGS = ["ltsc2016", "ltsc2019", "ltsc2022", "10.0.14393.7515", "10.0.14393.7606", "10.0.14393.7699"]
TAGS += ["10.0.17763.6659", "10.0.17763.6775", "10.0.17763.6893", "10.0.20348.2849", "10.0.20348.2966"]


def _record_tag_lists(inventory: Path) -> None:
    recorded = {"changed": False, "images": {}, "tag_lists": {SERVERCORE: {"tags": TAGS, "error": None}}}
    path = inventory.parent / "state" / "registry" / "mcr.json"  # replaces the bundled recording
    path.write_text(json.dumps(recorded), encoding="utf-8")


def _run(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    inventory = copy_example(tmp_path / "fleet")
    _record_tag_lists(inventory)
    variables = {"compliance_report_dir": str(tmp_path / "reports"), "compliance_today": TODAY, **extra}
    run = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=variables)
    assert run.returncode == 0, run.explain()
    return json.loads((tmp_path / "reports" / "compliance.json").read_text(encoding="utf-8"))


def test_recorded_tag_lists_report_stale_base_images(tmp_path: Path) -> None:
    report = _run(tmp_path)
    stale = {
        (f["image"], f["behind"], f["severity"], f["rebuild_on"])
        for f in report["findings"]
        if f["check"] == "base_image_stale"
    }
    assert stale == {
        (f"{SERVERCORE}/iis:windowsservercore-ltsc2016", 2, "low", f"{SERVERCORE}:10.0.14393.7699"),
        ("contoso/agent:latest", 2, "low", f"{SERVERCORE}:10.0.17763.6893"),
        ("contoso/web:2.3-ltsc2019", 2, "low", f"{SERVERCORE}:10.0.17763.6893"),
        ("contoso/monitor:latest", 2, "low", f"{SERVERCORE}:10.0.17763.6893"),  # its 17763 entry; 20348 is current
    }
    assert report["policy"]["base_image_max_behind"] == 1
    stale_of = {f["image"]: f for f in report["findings"] if f["check"] == "base_image_stale"}
    web = stale_of["contoso/web:2.3-ltsc2019"]
    assert web["message"] == (
        "image contoso/web:2.3-ltsc2019 is built on 10.0.17763.6659, 2 monthly image(s) behind the newest "
        f"10.0.17763.6893 of {SERVERCORE} (assumed: the image's base repository is not known)"
    )
    assert web["base_repository_assumed"] is True
    assert stale_of[f"{SERVERCORE}/iis:windowsservercore-ltsc2016"]["base_repository_assumed"] is False
    assert web["image_source"] == "host"
    junit = (tmp_path / "reports" / "compliance.xml").read_text(encoding="utf-8")
    html = (tmp_path / "reports" / "compliance.html").read_text(encoding="utf-8")
    assert f"({SERVERCORE}:10.0.17763.6893 if it is {SERVERCORE})" in junit
    assert "base_image_stale" in html


def test_the_threshold_is_the_role_policy(tmp_path: Path) -> None:
    report = _run(tmp_path, compliance_base_image_max_behind=2)
    assert [f for f in report["findings"] if f["check"] == "base_image_stale"] == []
    assert report["policy"]["base_image_max_behind"] == 2
