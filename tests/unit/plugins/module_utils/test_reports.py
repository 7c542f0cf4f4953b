"""The report renderers: JSON round trip, JUnit XML against Jenkins' junit-10.xsd, self-contained escaped HTML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from ansible_collections.wincontainers.compat.plugins.module_utils.reports import (
    case_of,
    fail_message,
    location,
    render_html,
    render_json,
    render_junit,
    render_text,
)

XSD = Path(__file__).resolve().parents[2] / "fixtures" / "junit" / "junit-10.xsd"
EVIL = '<script>alert("x")</script>&'


def make_report(host_name: str = "win2019-01") -> dict[str, Any]:
    """A small report in the shape ``compliance.evaluate`` returns."""
    return {
        "schema": "wincontainers.compat/compliance/v1",
        "as_of": "2026-11-28",
        "policy": {"rules": "documented", "isolation": "process"},
        "summary": {
            "hosts": 2,
            "hosts_with_findings": 1,
            "images": 2,
            "findings": 3,
            "by_severity": {"critical": 1, "high": 0, "medium": 1, "low": 0, "info": 1},
            "by_check": {"container_compat": 1, "image_tag_pinned": 1, "task_failed": 1},
            "worst": "critical",
        },
        "hosts": [
            {
                "name": host_name,
                "version": "10.0.17763.6659",
                "build": 17763,
                "revision": 6659,
                "release": "Windows Server 2019",
                "host_kind": "server",
                "isolation": "process",
                "engine": "docker",
                "containers": 2,
                "target_version": None,
                "in_support": True,
                "end_of_support": "2029-01-09",
                "findings": 2,
                "worst": "critical",
            },
            {
                "name": "win2022-01",
                "version": "10.0.20348.2966",
                "build": 20348,
                "revision": 2966,
                "release": "Windows Server 2022",
                "host_kind": "server",
                "isolation": "hyperv",
                "engine": "docker",
                "containers": 0,
                "target_version": None,
                "in_support": True,
                "end_of_support": "2031-10-14",
                "findings": 0,
                "worst": None,
            },
        ],
        "images": [
            {
                "ref": "contoso/web:2.3-ltsc2019",
                "label": "web:2.3-ltsc2019",
                "version": "10.0.17763.6659",
                "build": 17763,
                "release": "Windows Server 2019",
            },
            {
                "ref": "contoso/api:1-ltsc2022",
                "label": "api:1-ltsc2022",
                "version": "10.0.20348.2966",
                "build": 20348,
                "release": "Windows Server 2022",
            },
        ],
        "matrix": [
            {
                "host": host_name,
                "cells": [
                    {
                        "image": "contoso/web:2.3-ltsc2019",
                        "running": True,
                        "isolation": "process",
                        "process": "supported",
                        "hyperv": "supported",
                        "status": "supported",
                        "reason": "same build",
                    },
                    {
                        "image": "contoso/api:1-ltsc2022",
                        "running": True,
                        "isolation": "process",
                        "process": "unsupported",
                        "hyperv": "unsupported",
                        "status": "unsupported",
                        "reason": EVIL,
                    },
                ],
            },
            {
                "host": "win2022-01",
                "cells": [
                    {
                        "image": "contoso/web:2.3-ltsc2019",
                        "running": False,
                        "isolation": "hyperv",
                        "process": "unsupported",
                        "hyperv": "supported",
                        "status": "supported",
                        "reason": "older image",
                    },
                    {
                        "image": "contoso/api:1-ltsc2022",
                        "running": False,
                        "isolation": "hyperv",
                        "process": "supported",
                        "hyperv": "supported",
                        "status": "supported",
                        "reason": "same build",
                    },
                ],
            },
        ],
        "checks": [
            {"suite": "hosts", "subject": host_name, "check": "container_compat"},
            {"suite": "hosts", "subject": host_name, "check": "image_tag_pinned"},
            {"suite": "hosts", "subject": "win2022-01", "check": "container_compat"},
            {"suite": "hosts", "subject": "win2022-01", "check": "image_tag_pinned"},
            {"suite": "swarm prod", "subject": "service api", "check": "swarm_placement"},
        ],
        "findings": [
            {
                "check": "container_compat",
                "severity": "critical",
                "subject": "container api",
                "host": host_name,
                "message": f"image contoso/api:1-ltsc2022 cannot run {EVIL}",
                "fix": "rebuild on ltsc2019",
                "suite": "hosts",
            },
            {
                "check": "image_tag_pinned",
                "severity": "medium",
                "subject": "container agent",
                "host": host_name,
                "message": "image contoso/agent:latest is not pinned",
                "fix": "pin a tag",
                "suite": "hosts",
            },
            {
                "check": "task_failed",
                "severity": "info",
                "subject": "service api",
                "host": None,
                "message": "a task was rejected",
                "fix": "see the task",
                "source": "swarm prod",
                "suite": "swarm prod",
            },
        ],
    }


def test_json_round_trips() -> None:
    report = make_report()
    text = render_json(report)
    assert json.loads(text) == report
    assert text.endswith("\n")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"suite": "hosts", "host": "h1", "subject": "container a", "check": "c"}, ("hosts", "h1", "c")),
        ({"suite": "swarm p", "host": None, "subject": "service s", "check": "c"}, ("swarm p", "service s", "c")),
        ({"source": "k8s p", "host": "n1", "subject": "pod x", "check": "c"}, ("k8s p", "pod x", "c")),
        ({"host": None, "subject": "x", "check": "c"}, ("fleet", "x", "c")),
    ],
)
def test_case_of_groups_host_checks_by_host(item: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert case_of(item) == expected


def test_junit_validates_against_the_jenkins_schema() -> None:
    xml = render_junit(make_report())
    xmlschema.XMLSchema(str(XSD)).validate(xml)


def test_junit_schema_rejects_a_broken_file() -> None:
    """The validation above can fail: a testcase without its required name is refused."""
    broken = render_junit(make_report()).replace('<testcase name="container_compat"', "<testcase", 1)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xmlschema.XMLSchema(str(XSD)).validate(broken)


def test_junit_has_one_case_per_subject_and_check_and_fails_the_right_ones() -> None:
    root = ET.fromstring(render_junit(make_report()))
    cases = {(case.get("classname"), case.get("name")): case for case in root.iter("testcase")}
    assert set(cases) == {
        ("hosts.win2019-01", "container_compat"),
        ("hosts.win2019-01", "image_tag_pinned"),
        ("hosts.win2022-01", "container_compat"),
        ("hosts.win2022-01", "image_tag_pinned"),
        ("swarm prod.service api", "swarm_placement"),
        ("swarm prod.service api", "task_failed"),
    }
    failed = {key for key, case in cases.items() if case.find("failure") is not None}
    assert failed == {("hosts.win2019-01", "container_compat"), ("hosts.win2019-01", "image_tag_pinned")}
    assert cases[("hosts.win2019-01", "container_compat")].find("failure").get("type") == "critical"
    # info is below the default threshold (low): reported, not failed
    assert "a task was rejected" in cases[("swarm prod.service api", "task_failed")].find("system-out").text
    assert root.get("tests") == "6" and root.get("failures") == "2"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert suites["hosts"].get("failures") == "2"
    assert suites["hosts"].get("tests") == "4"


def test_junit_threshold_moves_cases_between_failure_and_output() -> None:
    root = ET.fromstring(render_junit(make_report(), fail_from="critical"))
    failed = [case for case in root.iter("testcase") if case.find("failure") is not None]
    assert [(case.get("classname"), case.get("name")) for case in failed] == [("hosts.win2019-01", "container_compat")]


class _Collector(HTMLParser):
    """Collects tags, attributes and text of a page, and every external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_everything() -> None:
    report = make_report(host_name=EVIL)
    page = render_html(report)
    parser = _Collector()
    parser.feed(page)
    tags = [tag for tag, _attrs in parser.tags]
    assert "script" not in tags, "an injected <script> must be escaped, not rendered"
    for _tag, attrs in parser.tags:
        for name in ("src", "href"):
            assert not attrs.get(name), f"external asset {attrs.get(name)!r} in a self-contained page"
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert EVIL in "".join(parser.text)  # shown as text, exactly


def test_html_matrix_cells_carry_the_verdicts() -> None:
    parser = _Collector()
    parser.feed(render_html(make_report()))
    cells = [attrs for tag, attrs in parser.tags if tag == "td" and "data-status" in attrs]
    by_key = {(c["data-host"], c["data-image"]): c for c in cells}
    assert len(cells) == 4
    cell = by_key[("win2019-01", "contoso/api:1-ltsc2022")]
    assert cell["data-status"] == "unsupported" and "v-unsupported" in (cell["class"] or "")
    assert cell["data-running"] == "true" and "running" in (cell["class"] or "").split()
    assert by_key[("win2022-01", "contoso/web:2.3-ltsc2019")]["data-process"] == "unsupported"
    assert by_key[("win2022-01", "contoso/web:2.3-ltsc2019")]["data-hyperv"] == "supported"
    fixes = [attrs for tag, attrs in parser.tags if tag == "td" and attrs.get("class") == "fix"]
    assert len(fixes) == 3


def test_text_summary_shows_hosts_matrix_and_findings() -> None:
    text = render_text(make_report())
    lines = text.splitlines()
    assert lines[0].startswith("Compliance on 2026-11-28") and "3 findings (1 critical, 0 high, 1 medium" in lines[0]
    host_row = next(line for line in lines if line.startswith("win2019-01 "))
    assert host_row.split()[-3:] == ["2", "(worst:", "critical)"]
    header = next(line for line in lines if line.startswith("image ") and "image version" in line)
    assert header.split()[-2:] == ["win2019-01", "win2022-01"]
    row = next(line for line in lines if line.startswith("web:2.3-ltsc2019"))
    assert row.split()[1:] == ["10.0.17763.6659", "ok/ok*", "NO/ok"]
    row = next(line for line in lines if line.startswith("api:1-ltsc2022"))
    assert row.split()[1:] == ["10.0.20348.2966", "NO/NO*", "ok/ok"]
    assert any(line.strip().startswith("[critical] win2019-01: container api") for line in lines)
    assert any(line.strip() == "fix: rebuild on ltsc2019" for line in lines)


def test_text_without_findings_says_so() -> None:
    report = make_report()
    report["findings"] = []
    assert "No findings." in render_text(report)


def caveat_report() -> dict[str, Any]:
    """The small report with a newer image revision running process-isolated on win2019-01."""
    report = make_report()
    cell = report["matrix"][0]["cells"][0]
    cell["caveats"] = {"process": ["the image revision 6775 is newer than the host's 6659"]}
    report["findings"].append(
        {
            "check": "image_support",
            "severity": "medium",
            "subject": "service web",
            "host": None,
            "message": "image contoso/web is out of support",
            "fix": "rebuild it",
            "suite": "k8s aks",
        }
    )
    return report


def test_a_cell_that_runs_with_a_caveat_is_marked_in_text_and_html() -> None:
    report = caveat_report()
    row = next(line for line in render_text(report).splitlines() if line.startswith("web:2.3-ltsc2019"))
    assert row.split()[1:] == ["10.0.17763.6659", "ok!/ok*", "NO/ok"]
    parser = _Collector()
    parser.feed(render_html(report))
    cells = {(a["data-host"], a["data-image"]): a for tag, a in parser.tags if tag == "td" and "data-status" in a}
    risky = cells[("win2019-01", "contoso/web:2.3-ltsc2019")]
    assert risky["data-caveat"] == "true" and "caveat" in (risky["class"] or "").split()
    assert "newer than the host's 6659" in (risky["title"] or "")
    assert [key for key, a in cells.items() if a["data-caveat"] == "true"] == [("win2019-01", risky["data-image"])]


def test_a_caveat_under_the_other_isolation_does_not_colour_the_cell() -> None:
    report = caveat_report()
    report["matrix"][0]["cells"][0]["isolation"] = "hyperv"
    text = render_text(report)
    assert "ok!/ok*" in text  # the text still shows the process caveat
    assert 'data-caveat="true"' not in render_html(report)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"host": "win2019-01", "suite": "hosts"}, "win2019-01"),
        ({"host": "win2019-02", "suite": "swarm prod"}, "win2019-02"),
        ({"host": None, "suite": "k8s aks"}, "k8s aks"),
        ({"host": None, "source": "swarm prod"}, "swarm prod"),
        ({"host": None, "suite": "hosts"}, "fleet"),
    ],
)
def test_a_finding_is_located_by_its_host_or_else_its_cluster(item: dict[str, Any], expected: str) -> None:
    assert location(item) == expected


def test_cluster_findings_name_their_cluster_in_text_and_html() -> None:
    report = caveat_report()
    lines = render_text(report).splitlines()
    assert any(line.strip().startswith("[medium] k8s aks: service web: image contoso/web") for line in lines)
    assert not any(": -:" in line or line.strip().startswith("[medium] -") for line in lines)
    parser = _Collector()
    parser.feed(render_html(report))
    assert "k8s aks" in parser.text and "swarm prod" in parser.text


def test_a_host_finding_about_the_host_itself_names_it_once() -> None:
    report = make_report()
    report["findings"] = [
        {
            "check": "host_support",
            "severity": "high",
            "subject": "win2019-01",
            "host": "win2019-01",
            "message": "Windows Server 2019 (server) is out of support",
            "fix": "upgrade",
            "suite": "hosts",
        }
    ]
    assert "  [high] win2019-01: Windows Server 2019 (server) is out of support" in render_text(report).splitlines()


def test_junit_timestamps_are_full_date_times() -> None:
    """The JUnit format's timestamp is an ISO 8601 date-time without time zone, not a date alone."""
    root = ET.fromstring(render_junit(make_report()))
    stamps = {suite.get("timestamp") for suite in root.iter("testsuite")}
    assert stamps == {"2026-11-28T00:00:00"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", stamp or "") for stamp in stamps)


def test_a_cluster_finding_tied_to_a_host_names_it_in_junit_and_html() -> None:
    report = make_report()
    report["findings"][2].update(host="win2019-01", severity="critical")
    root = ET.fromstring(render_junit(report))
    case = next(c for c in root.iter("testcase") if c.get("name") == "task_failed")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "win2019-01: a task was rejected"
    assert (failure.text or "").startswith("[critical] win2019-01: a task was rejected")
    host_case = next(c for c in root.iter("testcase") if c.get("classname") == "hosts.win2019-01")
    assert "win2019-01:" not in ET.tostring(host_case, encoding="unicode")  # a host's own case needs no prefix
    collector = _Collector()
    collector.feed(render_html(report))
    rows = [attrs for tag, attrs in collector.tags if tag == "tr" and "data-check" in attrs]
    assert [row["data-host"] for row in rows] == ["win2019-01", "win2019-01", "win2019-01"]


def test_fail_message_names_where_the_first_finding_is_and_only_an_existing_report() -> None:
    cluster = {"severity": "critical", "subject": "cronjob batch/x", "host": None, "suite": "k8s aks", "message": "m"}
    host = {"severity": "high", "subject": "h1", "host": "h1", "suite": "hosts", "message": "n"}
    assert fail_message([cluster, host], "high") == (
        "2 finding(s) of severity high or worse; first: [critical] k8s aks: cronjob batch/x: m"
    )
    assert fail_message([host], "high", "/r/compliance.html") == (
        "1 finding(s) of severity high or worse, see /r/compliance.html; first: [high] h1: n"
    )
