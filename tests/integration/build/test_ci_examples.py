"""examples/ci/: the GitHub Actions, GitLab CI and Azure Pipelines files are what render.yml makes of the example fleet.

A real ``ansible-playbook`` run renders them again; the committed files must match byte for byte, and each file's
matrix must be the fleet's ``build_matrix`` in the shape its CI system takes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils.build_matrix import build_matrix
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook

CI = REPO_ROOT / "examples" / "ci"
FILES = ["github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml"]
HOSTS = REPO_ROOT / "examples" / "fleet" / "state" / "hosts"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ci")
    run: PlaybookRun = run_playbook(CI / "render.yml", extra_vars={"ci_output_dir": str(out)})
    assert run.returncode == 0, run.explain()
    return out


def fleet_rows() -> list[dict[str, Any]]:
    fleet = {path.stem: json.loads(path.read_text()) for path in sorted(HOSTS.glob("*.json"))}
    return [row for row in build_matrix(fleet) if row["base_image"]]


@pytest.mark.parametrize("name", FILES)
def test_committed_files_are_rendered_from_the_fleet(rendered: Path, name: str) -> None:
    assert (rendered / name).read_text() == (CI / name).read_text(), f"re-run examples/ci/render.yml ({name})"


def test_github_actions_include_is_the_matrix(rendered: Path) -> None:
    workflow = yaml.safe_load((rendered / "github-actions.yml").read_text())
    include = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert include == fleet_rows()
    assert [row["tag_suffix"] for row in include] == ["10.0.14393.7606", "ltsc2019", "ltsc2022"]


def test_gitlab_matrix_has_one_entry_of_strings_per_row(rendered: Path) -> None:
    job = yaml.safe_load((rendered / "gitlab-ci.yml").read_text())["build-windows-image"]
    entries = job["parallel"]["matrix"]
    assert entries == [{"base_image": r["base_image"], "tag_suffix": r["tag_suffix"]} for r in fleet_rows()]
    assert all(isinstance(value, str) for entry in entries for value in entry.values())


def test_azure_matrix_names_are_identifiers(rendered: Path) -> None:
    pipeline = yaml.safe_load((rendered / "azure-pipelines.yml").read_text())
    matrix = pipeline["jobs"][0]["strategy"]["matrix"]
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) for name in matrix)
    assert sorted(job["base_image"] for job in matrix.values()) == sorted(r["base_image"] for r in fleet_rows())
