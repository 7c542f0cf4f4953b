"""Reports stay readable whatever text the facts carry: control characters, lone surrogates, odd names."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from ansible_collections.wincontainers.compat.plugins.module_utils import compliance as c
from ansible_collections.wincontainers.compat.plugins.module_utils import reports
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import SEVERITIES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

XSD = xmlschema.XMLSchema(str(Path(__file__).resolve().parents[2] / "fixtures" / "junit" / "junit-10.xsd"))
# Every code point, lone surrogates and C0 controls included.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)


def hostile_report(texts: list[str], severities: list[str]) -> dict[str, Any]:
    """A compliance report whose hosts, containers and images are named by ``texts``."""
    hosts = {}
    for position, text in enumerate(texts):
        hosts[f"{text}-{position}"] = {
            "version": {"version": "10.0.17763.6659"},
            "host_kind": "server",
            "product_name": text,
            "docker": {"installed": True, "running": True, "default_isolation": "process"},
            "containers": [
                {
                    "name": text,
                    "image": f"contoso/{text}:latest",
                    "image_os_version": "10.0.20348.1",
                    "isolation": "process",
                }
            ],
        }
    report = c.evaluate(hosts, policy=c.Policy(today=datetime.date(2026, 11, 28)))
    for item, severity in zip(report["findings"], severities):
        item["severity"] = severity
    return report


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(ANY_TEXT, min_size=1, max_size=4),
    severities=st.lists(st.sampled_from(SEVERITIES), max_size=12),
    fail_from=st.sampled_from(SEVERITIES),
)
def test_every_report_is_well_formed_whatever_the_text(texts: list[str], severities: list[str], fail_from: str) -> None:
    report = hostile_report(texts, severities)
    junit = reports.render_junit(report, fail_from=fail_from)
    junit.encode("utf-8")  # writable as UTF-8
    root = ET.fromstring(junit)  # well-formed XML 1.0
    XSD.validate(junit)
    assert int(root.get("tests", "0")) >= len(texts)
    text = reports.render_json(report)
    assert json.loads(text.encode("utf-8"))["summary"] == report["summary"]
    reports.render_html(report).encode("utf-8")


def test_control_characters_and_surrogates_are_shown_escaped_in_junit() -> None:
    report = hostile_report(["web\x00\x1b[31m\x07\udc80"], [])
    junit = reports.render_junit(report)
    assert "web\\x00\\x1b[31m\\x07\\udc80" in junit
    XSD.validate(junit)
    assert json.loads(reports.render_json(report))["hosts"][0]["name"] == "web\x00\x1b[31m\x07\udc80-0"
    page = reports.render_html(report)
    assert "\ufffd" in page and "\udc80" not in page  # the lone surrogate is replaced, the page is UTF-8
    page.encode("utf-8")


@pytest.mark.parametrize("basename", ["../x", "/etc/cron.d/x", "..", ".", "", "a/b", "a\\b", "x\x00", " "])
def test_a_basename_that_leaves_the_report_directory_is_refused(basename: str) -> None:
    with pytest.raises(OptionError, match="basename must be a plain file name"):
        reports.check_basename(basename)


@pytest.mark.parametrize("basename", ["compliance", "fleet-2026.11", "weekly_report"])
def test_a_plain_basename_is_kept(basename: str) -> None:
    assert reports.check_basename(basename) == basename
