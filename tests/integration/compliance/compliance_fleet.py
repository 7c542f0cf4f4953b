"""The example fleet of ``examples/fleet`` as files, and its fixed twin: every finding's fix applied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from playbook_runner import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "fleet"
TODAY = "2026-11-28"


def _edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def _facts(document: dict[str, Any]) -> dict[str, Any]:
    return document["ansible_facts"]["wincontainers_host"]


def copy_example(dest: Path) -> Path:
    """A private copy of the example fleet (inventory and recorded state); returns its inventory."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("raw", "*.py"))
    return dest / "inventory.yml"


def fix_example(root: Path) -> None:
    """Apply the fixes the example's findings name, the way an operator would, to the recorded state."""
    hosts = root / "state" / "hosts"

    def win2016(doc: dict[str, Any]) -> None:
        facts = _facts(doc)
        facts["containers"] = [c for c in facts["containers"] if c["name"] == "legacy-api"]
        facts["containers"][0]["image_os_version"] = "10.0.14393.7699"  # image rebuilt for the update
        facts["version"] = {"major": 10, "minor": 0, "build": 14393, "revision": 7699, "version": "10.0.14393.7699"}

    def win2019_01(doc: dict[str, Any]) -> None:
        facts = _facts(doc)
        facts["containers"] = [c for c in facts["containers"] if c["name"].startswith("web")]

    def win2019_02(doc: dict[str, Any]) -> None:
        facts = _facts(doc)
        facts["docker"]["default_isolation"] = "process"
        for container in facts["containers"]:
            container["isolation"] = "process"

    def dev_box(doc: dict[str, Any]) -> None:
        facts = _facts(doc)  # upgraded to Windows 11 24H2, the 20H2 tools container retired
        facts["version"] = {"major": 10, "minor": 0, "build": 26100, "revision": 2605, "version": "10.0.26100.2605"}
        facts["release"] = {}
        facts["containers"] = [c for c in facts["containers"] if c["name"] == "sql-dev"]

    for name, change in (
        ("win2016-01", win2016),
        ("win2019-01", win2019_01),
        ("win2019-02", win2019_02),
        ("dev-win11", dev_box),
    ):
        _edit(hosts / f"{name}.json", change)

    def swarm(doc: dict[str, Any]) -> None:
        for node in doc["nodes"]:
            if node["hostname"] == "WIN2019-02":
                node["labels"]["OsVersion"] = "10.0.17763"
        doc["services"] = [s for s in doc["services"] if s["name"] != "monitor"]
        doc["findings"] = []

    def k8s(doc: dict[str, Any]) -> None:
        for node in doc["nodes"]:
            if node["name"] == "win2022-k8s-01":
                node["labels"]["wincontainers.compat/release"] = "ltsc2022"
        doc["workloads"] = [w for w in doc["workloads"] if w["name"] != "legacy-export"]

    _edit(root / "state" / "swarm" / "prod-swarm.json", swarm)
    _edit(root / "state" / "k8s" / "prod-aks.json", k8s)


def node_specs(cluster: Any) -> dict[str, dict[str, Any]]:
    """Labels and availability of every swarm node, by node id."""
    client = cluster.client()
    try:
        return {
            node.id: {
                "Labels": dict(node.attrs["Spec"].get("Labels") or {}),
                "Availability": node.attrs["Spec"].get("Availability"),
            }
            for node in client.nodes.list()
        }
    finally:
        client.close()


def restore_node_specs(cluster: Any, saved: dict[str, dict[str, Any]]) -> None:
    """Put every swarm node's labels and availability back as ``node_specs`` saw them."""
    client = cluster.client()
    try:
        for node in client.nodes.list():
            if node.id in saved and node_specs_differ(node.attrs["Spec"], saved[node.id]):
                node.reload()
                spec = dict(node.attrs["Spec"])
                spec.update(saved[node.id])
                node.update(spec)
    finally:
        client.close()


def node_specs_differ(spec: dict[str, Any], saved: dict[str, Any]) -> bool:
    return (spec.get("Labels") or {}) != saved["Labels"] or spec.get("Availability") != saved["Availability"]
