"""A user's catalog file in real ansible-playbook runs: WINCONTAINERS_CATALOG for the filters and the test, the
catalog keyword of a filter, the catalog option of a controller-side module, and the errors of a broken file.

The file is examples/catalog/windows-server-2028.yml (Windows Server 2028, build 30000, tags ltsc2028), the
example the README shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook

HERE = Path(__file__).resolve().parent
EXAMPLE = REPO_ROOT / "examples" / "catalog" / "windows-server-2028.yml"
FACTS_2022 = json.loads((REPO_ROOT / "examples" / "fleet" / "state" / "hosts" / "win2022-01.json").read_text())
ASK = "Ask every filter and the test about the new release"
PLAN = "Ask a controller-side module (patch_plan predicts an in-place upgrade to the new release)"
COMPLIANCE = "Ask compliance (the host moves to the new release)"


def _run(env: dict[str, str] | None = None, **extra: Any) -> PlaybookRun:
    return run_playbook(HERE / "catalog.yml", extra_vars=extra or None, env=env)


def _answers(run: PlaybookRun) -> dict[str, Any]:
    return run.result(ASK)["ansible_facts"]["wcc_answers"]


@pytest.fixture(scope="module")
def with_env() -> PlaybookRun:
    run = _run({"WINCONTAINERS_CATALOG": str(EXAMPLE)})
    assert run.returncode == 0, run.explain()
    return run


def test_filters_and_test_read_the_file_wincontainers_catalog_names(with_env: PlaybookRun) -> None:
    answers = _answers(with_env)
    assert answers["release"]["name"] == "Windows Server 2028" and answers["release"]["known"] is True
    assert answers["release"]["tags"]["servercore"] == ["ltsc2028"]
    assert answers["version"]["version"] == "10.0.30000"
    assert answers["verdicts"]["documented"]["status"] == "supported"
    assert answers["verdicts"]["documented"]["host_release"]["name"] == "Windows Server 2028"
    assert answers["verdicts"]["containerd"]["status"] == "supported"
    assert answers["verdicts"]["docker"]["status"] == "supported"  # stable ABI from Windows Server 2022 on
    assert answers["runs"] is True and answers["ltsc2022_runs"] is False
    assert answers["tags"] == ["ltsc2028", "ltsc2025"]
    assert answers["from"] == "ltsc2028"
    assert answers["retargeted"] == "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2028"
    assert answers["auto"]["isolation"] == "process"


def test_without_the_file_the_release_is_unknown() -> None:
    run = _run()
    assert run.returncode != 0
    assert "ltsc2028" in json.dumps(run.result(ASK))


def test_a_module_reads_its_catalog_option() -> None:
    facts = FACTS_2022["ansible_facts"]["wincontainers_host"]
    run = _run(wcc_facts=facts, wcc_catalog=str(EXAMPLE))
    assert run.returncode == 0, run.explain()
    plan = run.result(PLAN)
    assert plan["target_version"] == "10.0.30000" and plan["breaks"] is True
    assert "10.0.20348.2966" in json.dumps(plan["findings"])  # a 2022 image, process isolation, on 2028
    impact = [f for f in run.result(COMPLIANCE)["findings"] if f["check"] == "update_impact"]
    assert impact and "10.0.30000" in json.dumps(impact), run.explain()
    unknown = _run(wcc_facts=facts)
    assert unknown.returncode != 0 and "ltsc2028" in unknown.result(PLAN)["msg"]


def test_a_filter_reads_its_catalog_keyword(tmp_path: Path) -> None:
    playbook = tmp_path / "keyword.yml"
    task = {"ansible.builtin.debug": {"msg": "{{ 'ltsc2028' | wincontainers.compat.windows_release(catalog=file) }}"}}
    play = {"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": {"file": str(EXAMPLE)}}
    playbook.write_text(yaml.safe_dump([{**play, "tasks": [{"name": "Release", **task}]}]), encoding="utf-8")
    run = run_playbook(playbook)
    assert run.returncode == 0, run.explain()
    assert run.result("Release")["msg"]["build"] == 30000


def test_a_broken_file_fails_with_file_entry_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    entry = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["releases"][0]
    broken.write_text(yaml.safe_dump({"releases": [{**entry, "tags": {"servercore": "ltsc2028"}}]}), encoding="utf-8")
    run = _run({"WINCONTAINERS_CATALOG": str(broken)})
    assert run.returncode != 0
    message = run.result(ASK)["msg"]
    assert f"{broken}: entry 1 (build 30000), field tags.servercore: expected a list" in message
