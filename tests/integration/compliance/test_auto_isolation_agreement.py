"""The ``auto`` isolation policy: the role ``daemon_isolation`` decides what the compliance check wants.

The role's decision task runs in a real ``ansible-playbook`` over the example fleet (no host is contacted:
the decision reads recorded facts), plus a Windows 11 host that runs only Windows Server 2022 images; the
compliance report over the same facts must want, for every host, the isolation the role sets.
"""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import compliance as c
from compliance_fleet import EXAMPLE
from playbook_runner import run_playbook

DECIDE = "wincontainers.compat.daemon_isolation : Report the decision"


def _facts(name: str) -> dict[str, Any]:
    document = json.loads((EXAMPLE / "state" / "hosts" / f"{name}.json").read_text(encoding="utf-8"))
    return document["ansible_facts"]["wincontainers_host"]


def fleet() -> dict[str, dict[str, Any]]:
    """The example hosts, and a Windows 11 host whose only running image is a Windows Server 2022 one."""
    hosts = {path.stem: _facts(path.stem) for path in sorted((EXAMPLE / "state" / "hosts").glob("*.json"))}
    win11 = copy.deepcopy(hosts["dev-win11"])
    win11["containers"] = [x for x in win11["containers"] if str(x.get("image_os_version")).startswith("10.0.20348")]
    win11["docker"]["default_isolation"] = "process"
    assert win11["containers"], "the example Windows 11 host runs a Windows Server 2022 image"
    hosts["win11-ltsc2022"] = win11
    return hosts


@pytest.fixture(scope="module")
def decisions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``{host: isolation}`` the role's auto mode sets, from a real run of its decision tasks."""
    root = tmp_path_factory.mktemp("auto")
    hosts = fleet()
    (root / "facts.json").write_text(json.dumps(hosts), encoding="utf-8")
    inventory = {"all": {"hosts": {name: {"ansible_connection": "local"} for name in hosts}}}
    (root / "inventory.json").write_text(json.dumps(inventory), encoding="utf-8")
    play = {
        "name": "decide",
        "hosts": "all",
        "gather_facts": False,
        "vars": {"_fleet": "{{ lookup('ansible.builtin.file', '%s') | from_json }}" % (root / "facts.json")},
        "tasks": [
            {
                "name": "decide",
                "ansible.builtin.include_role": {
                    "name": "wincontainers.compat.daemon_isolation",
                    "tasks_from": "decide",
                },
                "vars": {
                    "daemon_isolation_mode": "auto",
                    "daemon_isolation_host_facts": "{{ _fleet[inventory_hostname] }}",
                },
            }
        ],
    }
    (root / "play.yml").write_text(json.dumps([play]), encoding="utf-8")
    run = run_playbook(root / "play.yml", inventory=root / "inventory.json")
    assert run.returncode == 0, run.explain()
    results = run.task_results(DECIDE)
    return {name: result["msg"].split(":")[0].removeprefix("default isolation ") for name, result in results.items()}


def test_the_role_and_the_compliance_check_want_the_same_isolation_on_every_host(decisions: dict[str, str]) -> None:
    hosts = fleet()
    policy = c.Policy(today=datetime.date(2026, 11, 28), isolation="auto")
    assert set(decisions) == set(hosts)
    for name, facts in hosts.items():
        wanted = c.wanted_isolation(c.host_view(name, facts), policy)
        assert wanted is not None and wanted["isolation"] == decisions[name], name
    report = c.evaluate(hosts, policy=policy)
    flagged = {f["host"] for f in report["findings"] if f["check"] == "daemon_isolation"}
    running = {name for name, facts in hosts.items() if facts["docker"].get("running")}
    differs = {name for name in running if hosts[name]["docker"]["default_isolation"] != decisions[name]}
    assert flagged == differs


@pytest.mark.parametrize(
    ("host", "isolation"),
    [
        ("win2016-01", "hyperv"),  # a Windows Server 2016 image of another revision (7515 on 7606)
        ("win11-ltsc2022", "hyperv"),  # Windows Server 2022 images on Windows 11: process isolation is a preview
        ("win2019-02", "process"),  # its own build only
        ("win2022-01", "process"),
    ],
)
def test_revision_mismatch_and_preview_pairs_ask_for_hyperv_in_both(
    decisions: dict[str, str], host: str, isolation: str
) -> None:
    assert decisions[host] == isolation
