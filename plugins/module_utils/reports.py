"""Renderers of a compliance report (the dict ``compliance.evaluate`` returns): JSON, JUnit XML, HTML, text.

Pure functions from the report to a string. The HTML page is self-contained (inline CSS, no script, no
external asset) and escapes every value it shows. The JUnit XML has one test case per subject and check
(a host, a node, a service or a workload) and validates against the JUnit schema Jenkins' xUnit plugin
uses (``junit-10.xsd``), which GitLab, GitHub and Azure Pipelines readers accept as well.
"""

from __future__ import annotations

import datetime
import html
import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Callable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError, describe
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import SEVERITIES, rank_of, severity_rank

MARKS = {"supported": "ok", "preview": "pre", "unsupported": "NO", "unverified": "unv", "unknown": "?"}
# Code points XML 1.0 does not allow (C0 controls but tab and line ends, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A lone surrogate (from undecodable bytes in facts) cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
# The control characters as bytes: a quick test that a long ASCII report needs no cleaning.
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"
_BASENAME_FORBIDDEN = re.compile(r"[/\\\x00-\x1f:*?\"<>|]")


def check_basename(basename: object) -> str:
    """A report file name without extension: one plain name, never a path out of the report directory.

    Raises:
        OptionError: ``basename`` is empty, ``.``/``..``, or holds a path separator or a control character.
    """
    if not isinstance(basename, str) or basename.strip(". ") == "" or _BASENAME_FORBIDDEN.search(basename):
        raise OptionError(
            f"basename must be a plain file name such as compliance (no directory, no '/', '\\' or '..'); "
            f"got {describe(basename)}"
        )
    return basename


def render_json(report: Mapping[str, Any]) -> str:
    """The report as stable, indented JSON (keys in a fixed order, a trailing newline).

    A lone surrogate in a value is written as its JSON escape (``\\udc80``), so the text is always UTF-8.
    """
    text = json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n"
    return _writable(text, lambda match: f"\\u{ord(match.group()):04x}")


def _writable(text: str, replace: Callable[[re.Match[str]], str] = lambda _match: "\ufffd") -> str:
    """``text`` with each lone surrogate (undecodable bytes in facts) replaced, so it can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(replace, text)
    return text


def _may_need_cleaning(text: str) -> bool:
    """False when ``text`` surely holds no control character, surrogate or non-character (fast, for long text)."""
    if not text.isascii():
        return _NOT_XML.search(text) is not None
    data = text.encode("ascii")
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


def _xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry: each code point it cannot (``\\x1b``, a lone surrogate) is written
    as its Python escape, so the JUnit file stays well-formed and the reader still sees what was there."""
    text = str(value)
    if not _may_need_cleaning(text):
        return text
    return _NOT_XML.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def _failing(findings: Sequence[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """The findings of rank ``limit`` (``severity_rank`` of the threshold) or worse."""
    return [item for item in findings if rank_of(item) <= limit]


def case_of(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """The JUnit (suite, subject, check) of a finding: host checks group by host, the rest by subject."""
    suite = str(item.get("suite") or item.get("source") or "fleet")
    subject = item.get("host") if suite == "hosts" and item.get("host") else item.get("subject")
    return suite, str(subject), str(item["check"])


def _junit_timestamp(as_of: object) -> str:
    """The report's date as the date-time JUnit readers expect (``2026-11-28T00:00:00``, no time zone)."""
    day = datetime.date.fromisoformat(str(as_of)[:10]) if as_of else datetime.date.today()
    return datetime.datetime.combine(day, datetime.time()).isoformat()


def _junit_line(item: Mapping[str, Any]) -> str:
    """A finding's message, led by its host when its test case is a cluster object's, so a host's findings are
    found under its name in every report."""
    if item.get("host") and item.get("suite") != "hosts":
        return f"{item['host']}: {item['message']}"
    return str(item["message"])


def _source_text(item: Mapping[str, Any]) -> str:
    """Where a finding's or cell's image build came from (``registry sha256:...``, ``tag (guess)``), or ""."""
    return str(item.get("image_source_label") or item.get("source_label") or "")


def _junit_details(items: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(
        f"[{f['severity']}] {_junit_line(f)}\nfix: {f['fix']}"
        + (f"\nimage build from: {_source_text(f)}" if _source_text(f) else "")
        for f in items
    )


def render_junit(report: Mapping[str, Any], *, fail_from: str = "low") -> str:
    """JUnit XML: a test suite per group (hosts, each cluster), a test case per subject and check.

    A case fails when it has a finding of severity ``fail_from`` or worse; milder findings go to
    ``system-out`` of a passing case, so CI systems show them without failing.

    Raises:
        OptionError: ``fail_from`` is not a severity.
    """
    limit = severity_rank(fail_from)
    cases: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for check in report.get("checks", []):
        cases.setdefault((str(check["suite"]), str(check["subject"]), str(check["check"])), [])
    for item in report.get("findings", []):
        cases.setdefault(case_of(item), []).append(item)
    suites: dict[str, list[tuple[str, str, list[Mapping[str, Any]]]]] = {}
    for (suite, subject, check), items in cases.items():
        suites.setdefault(suite, []).append((subject, check, items))
    root = ET.Element("testsuites", name="wincontainers.compat compliance")
    totals = {"tests": 0, "failures": 0}
    for suite_name in sorted(suites, key=lambda s: (s != "hosts", s)):
        entries = sorted(suites[suite_name], key=lambda entry: (entry[0], entry[1]))
        failures = sum(1 for _s, _c, items in entries if _failing(items, limit))
        element = ET.SubElement(
            root,
            "testsuite",
            name=suite_name,
            tests=str(len(entries)),
            failures=str(failures),
            errors="0",
            skipped="0",
            timestamp=_junit_timestamp(report.get("as_of")),
        )
        for subject, check, items in entries:
            case = ET.SubElement(element, "testcase", name=check, classname=f"{suite_name}.{subject}", time="0")
            failing = _failing(items, limit)
            if failing:
                worst = min(failing, key=rank_of)
                failure = ET.SubElement(case, "failure", type=worst["severity"], message=_junit_line(worst))
                failure.text = _junit_details(failing)
            quiet = [f for f in items if f not in failing]
            if quiet:
                ET.SubElement(case, "system-out").text = _junit_details(quiet)
        totals["tests"] += len(entries)
        totals["failures"] += failures
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    ET.indent(root)
    # ElementTree escapes markup but writes other characters as they are: what XML 1.0 cannot carry is escaped here
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _xml_text(ET.tostring(root, encoding="unicode")) + "\n"


# ---------------------------------------------------------------------------------------------- text


def location(item: Mapping[str, Any]) -> str:
    """Where a finding is: its host, else the cluster it was found in (``swarm prod``, ``k8s aks``)."""
    suite = item.get("suite") if item.get("suite") != "hosts" else None
    return str(item.get("host") or suite or item.get("source") or "fleet")


def fail_message(reached: Sequence[Mapping[str, Any]], threshold: str, see: Optional[str] = None) -> str:
    """Why a run fails: how many findings reach ``threshold``, what to look at (``see``), and where the first is."""
    first = reached[0]
    where = location(first)
    subject = "" if first["subject"] == where else f"{first['subject']}: "
    pointer = f", see {see}" if see else ""
    return (
        f"{len(reached)} finding(s) of severity {threshold} or worse{pointer}; first: [{first['severity']}] "
        f"{where}: {subject}{first['message']}"
    )


def _mark(cell: Mapping[str, Any], mode: str) -> str:
    mark = MARKS.get(str(cell.get(mode)), "?")
    return mark + ("!" if (cell.get("caveats") or {}).get(mode) else "")


def _has_caveat(cell: Mapping[str, Any]) -> bool:
    """True when the image runs under the cell's isolation but with a known risk (the core's caveats)."""
    return bool((cell.get("caveats") or {}).get(str(cell.get("isolation"))))


def _cell_text(cell: Mapping[str, Any]) -> str:
    return f"{_mark(cell, 'process')}/{_mark(cell, 'hyperv')}" + ("*" if cell.get("running") else "")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join("-" * width for width in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip(), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return out


def render_text(report: Mapping[str, Any], *, max_findings: int = 20) -> str:
    """A summary a person reads in a terminal: counts, the hosts, the image x host matrix, the worst findings."""
    summary = report["summary"]
    counts = ", ".join(f"{summary['by_severity'].get(name, 0)} {name}" for name in SEVERITIES)
    lines = [
        f"Compliance on {report['as_of']} (rules: {report['policy']['rules']}, isolation policy: "
        f"{report['policy']['isolation']}): {summary['hosts']} hosts, {summary['images']} images, "
        f"{summary['findings']} findings ({counts})",
        "",
    ]
    hosts = report.get("hosts", [])
    lines += _table(
        ["host", "release", "version", "isolation", "findings"],
        [
            [
                host["name"],
                host["release"] or "?",
                host["version"] or "no facts",
                host["isolation"] or "-",
                f"{host['findings']} (worst: {host['worst']})" if host["findings"] else "0",
            ]
            for host in hosts
        ],
    )
    matrix = {row["host"]: {cell["image"]: cell for cell in row["cells"]} for row in report.get("matrix", [])}
    names = [host["name"] for host in hosts if host["name"] in matrix]
    rows = []
    for image in report.get("images", []):
        cells = [_cell_text(matrix[name][image["ref"]]) for name in names]
        rows.append([image["label"], image["version"] or "?", *cells])
    lines += ["", *_table(["image", "image version", *names], rows)]
    lines.append(
        "cell: process/hyperv verdict (ok, pre = preview, NO = not supported, ? = image version unknown); "
        "! = runs with a known risk (see the findings); * = running on that host"
    )
    findings = report.get("findings", [])
    if findings:
        lines += ["", f"Findings (worst first, {min(len(findings), max_findings)} of {len(findings)}):"]
        for item in findings[:max_findings]:
            where = location(item)
            subject = "" if item["subject"] == where else f"{item['subject']}: "
            lines.append(f"  [{item['severity']}] {where}: {subject}{item['message']}")
            lines.append(f"      fix: {item['fix']}")
    else:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a;margin-bottom:16px}
.cards{display:flex;gap:10px;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:90px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;margin-top:6px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
#matrix td.cell{text-align:center;white-space:nowrap;font-family:ui-monospace,monospace}
.v-supported{background:#dafbe1}.v-preview{background:#fff8c5}.v-unsupported{background:#ffd8d3}
.v-unknown{background:#eaeef2}
#matrix td.caveat,.legend .caveat{background:repeating-linear-gradient(135deg,#dafbe1 0 6px,#ffd8a8 6px 12px)}
.scroll{overflow-x:auto;max-width:100%}
#matrix th[scope=row]{position:sticky;left:0;z-index:1;white-space:nowrap}
.running{font-weight:bold;outline:2px solid #1b1f24;outline-offset:-3px}
.sev{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}
.sev-critical{background:#a40e26}.sev-high{background:#d1242f}.sev-medium{background:#bf8700}
.sev-low{background:#0969da}.sev-info{background:#57606a}
.fix{color:#1a7f37}
.legend span{display:inline-block;padding:0 8px;margin-right:6px;border:1px solid #d0d7de}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _summary_html(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    cards = [("hosts", summary["hosts"]), ("with findings", summary["hosts_with_findings"])]
    cards += [("images", summary["images"]), ("findings", summary["findings"])]
    cards += [(name, summary["by_severity"].get(name, 0)) for name in SEVERITIES]
    body = "".join(
        f'<div class="card" data-count="{_e(label)}"><b>{_e(value)}</b>{_e(label)}</div>' for label, value in cards
    )
    return f'<section id="summary"><div class="cards">{body}</div></section>'


def _hosts_html(report: Mapping[str, Any]) -> str:
    rows = []
    for host in report.get("hosts", []):
        support = "unknown" if host["in_support"] is None else ("yes" if host["in_support"] else "no")
        worst = host.get("worst")
        badge = f'<span class="sev sev-{_e(worst)}">{_e(worst)}</span>' if worst else "none"
        rows.append(
            f'<tr data-host="{_e(host["name"])}"><td>{_e(host["name"])}</td><td>{_e(host["release"])}</td>'
            f"<td>{_e(host['version'] or 'no facts')}</td><td>{_e(host['host_kind'])}</td>"
            f"<td>{_e(host['engine'])}</td><td>{_e(host['isolation'])}</td><td>{_e(host['containers'])}</td>"
            f"<td>{_e(host['target_version'] or '')}</td><td>{_e(support)} {_e(host['end_of_support'] or '')}</td>"
            f"<td>{_e(host['findings'])} {badge}</td></tr>"
        )
    head = (
        "<tr><th>host</th><th>release</th><th>version</th><th>kind</th><th>engine</th><th>isolation</th>"
        "<th>containers</th><th>pending</th><th>in support</th><th>findings</th></tr>"
    )
    return f'<table id="hosts"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _matrix_html(report: Mapping[str, Any]) -> str:
    columns = report.get("images", [])
    hosts = {host["name"]: host for host in report.get("hosts", [])}
    head = "".join(
        f'<th data-image="{_e(c["ref"])}" data-source="{_e(c.get("source") or "")}" '
        f'data-guess="{str(bool(c.get("guess"))).lower()}" title="{_e(c["ref"])}">{_e(c["label"])}<br>'
        f"<small>{_e(c['version'] or '?')}</small><br>"
        f'<small class="src">{_e(_source_text(c) or "unknown")}</small></th>'
        for c in columns
    )
    rows = []
    for row in report.get("matrix", []):
        host = hosts.get(row["host"], {})
        cells = []
        for cell in row["cells"]:
            status = cell.get("status", "unknown")
            klass = f"cell v-{_e(status)}" + (" caveat" if _has_caveat(cell) else "")
            klass += " running" if cell.get("running") else ""
            caveats = [note for notes in (cell.get("caveats") or {}).values() for note in notes]
            built = f"Image build from: {_source_text(cell)}." if _source_text(cell) else ""
            title = " ".join([str(cell.get("reason") or ""), *(f"Caveat: {note}" for note in caveats), built]).strip()
            cells.append(
                f'<td class="{klass}" data-host="{_e(row["host"])}" data-image="{_e(cell["image"])}" '
                f'data-status="{_e(status)}" data-process="{_e(cell.get("process"))}" '
                f'data-hyperv="{_e(cell.get("hyperv"))}" data-running="{str(bool(cell.get("running"))).lower()}" '
                f'data-source="{_e(cell.get("source") or "")}" data-guess="{str(bool(cell.get("guess"))).lower()}" '
                f'data-caveat="{str(_has_caveat(cell)).lower()}" title="{_e(title)}">{_e(_cell_text(cell))}</td>'
            )
        rows.append(
            f'<tr><th scope="row" data-host="{_e(row["host"])}">{_e(row["host"])}<br><small>'
            f"{_e(host.get('version'))} {_e(host.get('isolation'))}</small></th>{''.join(cells)}</tr>"
        )
    legend = (
        '<p class="legend"><span class="v-supported">supported</span><span class="v-preview">preview</span>'
        '<span class="v-unsupported">not supported</span><span class="v-unknown">unknown</span>'
        '<span class="caveat">runs, with a known risk (!)</span><span class="running">running there (*)</span> '
        "Colour: the verdict under the host's isolation; text: process/hyperv (ok, pre, NO, ?). "
        "Hover a cell for the reason. Under each image: where its build came from (registry with the digest, a "
        "host's image store, or the tag text: a guess).</p>"
    )
    body = "".join(rows)
    return (
        f'{legend}<div class="scroll"><table id="matrix"><thead><tr><th>host \\ image</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _findings_html(report: Mapping[str, Any]) -> str:
    findings = report.get("findings", [])
    if not findings:
        return '<p id="findings">No findings.</p>'
    rows = "".join(
        f'<tr data-check="{_e(item["check"])}" data-severity="{_e(item["severity"])}" '
        f'data-host="{_e(item.get("host") or "")}">'
        f'<td><span class="sev sev-{_e(item["severity"])}">{_e(item["severity"])}</span></td>'
        f"<td>{_e(location(item))}</td><td>{_e(item['subject'])}</td>"
        f'<td>{_e(item["check"])}</td><td>{_e(item["message"])}</td><td class="fix">{_e(item["fix"])}</td>'
        f'<td class="src" data-source="{_e(item.get("image_source") or "")}" '
        f'data-guess="{str(bool(item.get("image_build_guess"))).lower()}">{_e(_source_text(item))}</td></tr>'
        for item in findings
    )
    head = (
        "<tr><th>severity</th><th>host / cluster</th><th>subject</th><th>check</th><th>finding</th><th>fix</th>"
        "<th>image build from</th></tr>"
    )
    return f'<table id="findings"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def render_html(report: Mapping[str, Any], *, title: Optional[str] = None) -> str:
    """A self-contained HTML page: summary, hosts, the host x image matrix coloured by verdict, findings."""
    title = title or "Windows container compliance"
    policy = report.get("policy", {})
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="meta">As of {_e(report.get("as_of"))} &middot; rules: {_e(policy.get("rules"))} &middot; '
        f"isolation policy: {_e(policy.get('isolation'))} &middot; {_e(report.get('schema'))}</p>"
        f"{_summary_html(report)}<h2>Hosts</h2>{_hosts_html(report)}"
        f"<h2>Compatibility matrix</h2>{_matrix_html(report)}"
        f"<h2>Findings</h2>{_findings_html(report)}</body></html>\n"
    )
    return _writable(page)


EXTENSIONS = {"json": ".json", "junit": ".xml", "html": ".html"}
