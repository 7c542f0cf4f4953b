"""Real ``ansible-playbook`` runs of playbooks/compliance.yml over the example fleet and its fixed twin.

The reports are read back from disk: the JUnit XML is validated against Jenkins' junit-10.xsd, the HTML
page is opened in headless Chromium and the matrix is read from the DOM Chromium rendered.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from compliance_fleet import EXAMPLE, TODAY, copy_example, fix_example
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook

PLAYBOOK = REPO_ROOT / "playbooks" / "compliance.yml"
XSD = REPO_ROOT / "tests" / "unit" / "fixtures" / "junit" / "junit-10.xsd"
ROLE = "wincontainers.compat.compliance : "
REPORT_TASK = ROLE + "Check the fleet and write the reports"
EXPECTED_CHECKS = {
    "base_image_stale": 1,  # the IIS image, by the recorded servercore tag list
    "container_compat": 1,
    "daemon_isolation": 2,
    "host_support": 1,
    "image_revision": 1,
    "image_support": 2,
    "image_tag_pinned": 2,
    "k8s_node_labels": 1,
    "k8s_placement": 2,
    "swarm_node_labels": 1,
    "swarm_placement": 1,
    "update_impact": 1,
}


def compliance(inventory: Path, report_dir: Path, *, check: bool = False, **extra: Any) -> PlaybookRun:
    return run_playbook(
        PLAYBOOK,
        inventory=inventory,
        extra_vars={"compliance_report_dir": str(report_dir), "compliance_today": TODAY, **extra},
        check=check,
    )


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlaybookRun, Path]:
    reports = tmp_path_factory.mktemp("reports")
    run = compliance(EXAMPLE / "inventory.yml", reports)
    assert run.returncode == 0, run.explain()
    return run, reports


def test_example_fleet_has_the_expected_findings(example: tuple[PlaybookRun, Path]) -> None:
    run, reports = example
    result = run.result(REPORT_TASK)
    assert result["summary"]["by_check"] == EXPECTED_CHECKS
    assert result["summary"]["hosts"] == 7 and result["summary"]["worst"] == "critical"
    written = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    assert written["summary"] == result["summary"]
    assert written["findings"] == result["findings"]
    assert {f["host"] for f in written["findings"] if f["check"] == "update_impact"} == {"win2016-01"}
    assert result["reports"] == {
        "json": str(reports / "compliance.json"),
        "junit": str(reports / "compliance.xml"),
        "html": str(reports / "compliance.html"),
    }
    table = run.result(ROLE + "Show the compliance summary")["msg"]
    assert "win2019-02" in table and "fix:" in table


def test_counts_host_rows_junit_and_html_agree_on_where_each_finding_is(example: tuple[PlaybookRun, Path]) -> None:
    """A finding counted for a host is found under that host in the JSON, the HTML and the JUnit report."""
    _run, reports = example
    report = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    named = [f["host"] for f in report["findings"] if f["host"]]
    assert {row["name"]: row["findings"] for row in report["hosts"]} == {
        row["name"]: named.count(row["name"]) for row in report["hosts"]
    }
    assert report["summary"]["hosts_with_findings"] == len(set(named))
    page = (reports / "compliance.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-check="[^"]*" data-severity="[^"]*" data-host="([^"]*)">', page)
    assert sorted(name for name in rows if name) == sorted(named)
    root = ET.fromstring((reports / "compliance.xml").read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    for case in root.iter("testcase"):
        body = "".join(case.itertext())
        texts[case.get("classname") or ""] = texts.get(case.get("classname") or "", "") + body
    for item in report["findings"]:
        if not item["host"]:
            continue
        if item["suite"] == "hosts":
            assert item["message"] in texts[f"hosts.{item['host']}"]
        else:
            assert f"{item['host']}: {item['message']}" in texts[f"{item['suite']}.{item['subject']}"]
    assert report["summary"]["by_check"].get("task_failed") is None  # folded into the billing placement


def test_junit_file_validates_and_fails_the_right_cases(example: tuple[PlaybookRun, Path]) -> None:
    _run, reports = example
    xml = (reports / "compliance.xml").read_text(encoding="utf-8")
    xmlschema.XMLSchema(str(XSD)).validate(xml)
    root = ET.fromstring(xml)
    failed = {
        (case.get("classname"), case.get("name")) for case in root.iter("testcase") if case.find("failure") is not None
    }
    assert ("hosts.win2016-01", "container_compat") in failed
    assert ("hosts.win2016-01", "update_impact") in failed
    assert ("swarm prod-swarm.service billing", "swarm_placement") in failed
    assert ("hosts.win2022-01", "container_compat") not in failed
    passed = {(case.get("classname"), case.get("name")) for case in root.iter("testcase")} - failed
    assert ("hosts.win2022-01", "container_compat") in passed


def test_fail_on_severity_fails_after_writing_the_reports(tmp_path: Path) -> None:
    run = compliance(EXAMPLE / "inventory.yml", tmp_path, compliance_fail_on="critical")
    assert run.returncode != 0
    assert (tmp_path / "compliance.html").is_file() and (tmp_path / "compliance.xml").is_file()
    failure = run.result(ROLE + "Fail on findings at or above the chosen severity")
    assert failure["failed"] and "severity critical or worse" in failure["msg"]


def test_fixed_fleet_is_clean_and_passes_the_strictest_gate(tmp_path: Path) -> None:
    inventory = copy_example(tmp_path / "fleet")
    fix_example(tmp_path / "fleet")
    run = compliance(inventory, tmp_path / "reports", compliance_fail_on="info")
    assert run.returncode == 0, run.explain()
    result = run.result(REPORT_TASK)
    assert result["findings"] == [] and result["summary"]["worst"] is None
    root = ET.fromstring((tmp_path / "reports" / "compliance.xml").read_text(encoding="utf-8"))
    assert root.get("failures") == "0" and int(root.get("tests", "0")) > 40


def test_check_mode_writes_nothing_and_rerun_is_idempotent(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    inventory = copy_example(fleet)
    before = tree_digest(fleet)
    checked = compliance(inventory, tmp_path / "reports", check=True)
    assert checked.returncode == 0, checked.explain()
    assert not (tmp_path / "reports").exists(), "check mode must not write reports"
    assert checked.result(REPORT_TASK)["changed"] is True  # predicts the first real run
    assert tree_digest(fleet) == before
    first = compliance(inventory, tmp_path / "reports")
    second = compliance(inventory, tmp_path / "reports")
    assert first.result(REPORT_TASK)["changed"] is True
    assert second.returncode == 0 and second.changed == 0, second.explain()
    again = compliance(inventory, tmp_path / "reports", check=True)
    assert again.result(REPORT_TASK)["changed"] is False
    assert tree_digest(fleet) == before


class _MatrixReader(HTMLParser):
    """Reads the matrix cells (and the header row) of the page Chromium rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.in_matrix = False
        self.cells: list[dict[str, str | None]] = []
        self.headers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table" and values.get("id") == "matrix":
            self.in_matrix = True
        elif self.in_matrix and tag == "td" and "data-status" in values:
            self.cells.append(values)
        elif self.in_matrix and tag == "th" and values.get("data-image"):
            self.headers.append(values["data-image"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_matrix = False


@pytest.mark.chromium
def test_html_opens_in_headless_chromium_and_shows_the_matrix(
    example: tuple[PlaybookRun, Path], tmp_path: Path
) -> None:
    _run, reports = example
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed (scripts/install-system-deps installs it)")
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        (reports / "compliance.html").as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    reader = _MatrixReader()
    reader.feed(dom)
    report = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    assert reader.headers == [image["ref"] for image in report["images"]]
    rendered = {(c["data-host"], c["data-image"]): c for c in reader.cells}
    expected = {(row["host"], cell["image"]): cell for row in report["matrix"] for cell in row["cells"]}
    assert rendered.keys() == expected.keys()
    for key, cell in expected.items():
        assert rendered[key]["data-status"] == cell["status"], key
        assert f"v-{cell['status']}" in (rendered[key]["class"] or "").split(), key
        assert (rendered[key]["data-running"] == "true") is cell["running"], key
        assert (rendered[key]["data-caveat"] == "true") is bool(cell["caveats"].get(cell["isolation"])), key
    # the only risky cell: win2019-01 runs a newer-revision ltsc2019 image process-isolated (0xc0370106)
    risky = [key for key, cell in rendered.items() if cell["data-caveat"] == "true"]
    assert risky == [("win2019-01", "mcr.microsoft.com/windows/servercore:ltsc2019")]
    assert "caveat" in (rendered[risky[0]]["class"] or "").split()
    assert "0xc0370106" in (rendered[risky[0]]["title"] or "")
    # the Server 2016 host's Nov 2024 IIS image is running there on borrowed luck: shown red and running
    iis = rendered[("win2016-01", "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2016")]
    assert iis["data-status"] == "unsupported" and iis["data-running"] == "true"
    assert 'id="findings"' in dom and "rebuild it on" in dom
    assert "<td>k8s prod-aks</td>" in dom and "<td>swarm prod-swarm</td>" in dom  # cluster objects name their cluster


def test_reports_go_under_the_directory_ansible_playbook_runs_in(tmp_path: Path) -> None:
    """The default report directory is reports/ of the working directory, never the playbook's collection."""
    extra = {"compliance_today": TODAY}
    run = run_playbook(PLAYBOOK, inventory=EXAMPLE / "inventory.yml", extra_vars=extra, cwd=tmp_path)
    assert run.returncode == 0, run.explain()
    paths = run.result(REPORT_TASK)["reports"]
    assert paths == {
        "json": str(tmp_path / "reports" / "compliance.json"),
        "junit": str(tmp_path / "reports" / "compliance.xml"),
        "html": str(tmp_path / "reports" / "compliance.html"),
    }
    assert all(Path(path).is_file() for path in paths.values())
    shown = run.result(ROLE + "Show where the reports are")["msg"]
    assert str(tmp_path / "reports" / "compliance.html") in shown


def test_fail_on_message_points_only_at_what_exists(tmp_path: Path) -> None:
    fail_task = ROLE + "Fail on findings at or above the chosen severity"
    checked = compliance(EXAMPLE / "inventory.yml", tmp_path / "reports", check=True, compliance_fail_on="high")
    message = checked.result(fail_task)["msg"]
    assert "compliance.html" not in message and "see the summary above" in message
    # the first finding is a cluster object: the message names its cluster, as the reports do
    assert "first: [critical] k8s prod-aks: cronjob batch/legacy-export: image" in message
    quiet = compliance(
        EXAMPLE / "inventory.yml",
        tmp_path,
        compliance_report_dir="",
        compliance_fail_on="high",
        compliance_print_table=False,
    )
    quiet_message = quiet.result(fail_task, "localhost")["msg"]
    assert "see" not in quiet_message.split(";")[0], quiet_message
    written = compliance(EXAMPLE / "inventory.yml", tmp_path / "reports", compliance_fail_on="high")
    assert f"see {tmp_path / 'reports' / 'compliance.html'};" in written.result(fail_task)["msg"]
