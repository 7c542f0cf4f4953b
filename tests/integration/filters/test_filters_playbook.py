"""A real ansible-playbook run that uses every filter and the compatible_with test in templates and conditions.

The fleet in playbook.yml holds outputs recorded on real hosts:
- ws2019-kubectl: https://github.com/kubernetes-sigs/sig-windows-tools/pull/112 (kubectl get nodes -o wide row)
- win10-1809-docker-info: https://github.com/moby/moby/issues/38306 (docker info lines)
- ws2004-ver: https://github.com/microsoft/service-fabric/issues/1000 (cmd ver on the node)
- ws2022-registry: the registry values the host facts module returns; the revision is that of
  mcr.microsoft.com/businesscentral:10.0.20348.2461 (https://github.com/microsoft/navcontainerhelper/issues/3554)
- win11-25h2: https://github.com/microsoft/navcontainerhelper/issues/4036 (BcContainerHelper host line)
The rendered Dockerfiles are read back from disk; results are also checked against the core called directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import container_compat, is_compatible
from ansible_collections.wincontainers.compat.plugins.module_utils.release import windows_release
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import compatible_image_tags
from ansible_collections.wincontainers.compat.plugins.module_utils.version import windows_version
from playbook_runner import PlaybookRun, run_playbook

HERE = Path(__file__).resolve().parent
PLAY = yaml.safe_load((HERE / "playbook.yml").read_text(encoding="utf-8"))[0]
FLEET = {host["name"]: host for host in PLAY["vars"]["fleet"]}
IMAGES = PLAY["vars"]["images"]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dockerfiles")


@pytest.fixture(scope="module")
def run(out_dir: Path) -> PlaybookRun:
    result = run_playbook(HERE / "playbook.yml", extra_vars={"out_dir": str(out_dir)}, cwd=HERE)
    assert result.returncode == 0, result.explain()
    return result


@pytest.fixture(scope="module")
def report(run: PlaybookRun) -> dict[str, Any]:
    return run.result("Report")["msg"]


def test_versions_are_read_from_every_recorded_form(report: dict[str, Any]) -> None:
    assert {name: v["version"] for name, v in report["versions"].items()} == {
        "ws2019-kubectl": "10.0.17763.1397",
        "win10-1809-docker-info": "10.0.17763.107",
        "ws2004-ver": "10.0.19041.388",
        "ws2022-registry": "10.0.20348.2461",
        "win11-25h2": "10.0.26200.7019",
    }


def test_releases_match_the_catalog(report: dict[str, Any]) -> None:
    assert report["releases"]["ws2019-kubectl"] == "Windows Server 2019"
    assert report["releases"]["ws2022-registry"] == "Windows Server 2022"
    for name, host in FLEET.items():
        assert report["releases"][name] == windows_release(host["raw"])["name"]


@pytest.mark.parametrize(
    ("host", "servercore", "nanoserver", "pinned", "app"),
    [
        ("ws2019-kubectl", "ltsc2019", "1809", "10.0.17763.1397", "4.8-windowsservercore-ltsc2019"),
        ("ws2022-registry", "ltsc2022", "ltsc2022", "10.0.20348.2461", "4.8-windowsservercore-ltsc2022"),
    ],
)
def test_rendered_dockerfiles(
    run: PlaybookRun, out_dir: Path, host: str, servercore: str, nanoserver: str, pinned: str, app: str
) -> None:
    dockerfile = (out_dir / host / "Dockerfile").read_text(encoding="utf-8")
    assert f"FROM mcr.microsoft.com/windows/servercore:{servercore} AS build\n" in dockerfile
    assert f"FROM mcr.microsoft.com/windows/nanoserver:{nanoserver}\n" in dockerfile
    assert f"mcr.microsoft.com/windows/servercore:{pinned}\n" in dockerfile
    assert f'base.name="mcr.microsoft.com/dotnet/framework/aspnet:{app}"' in dockerfile


def test_every_host_got_a_dockerfile(run: PlaybookRun, out_dir: Path) -> None:
    assert sorted(path.parent.name for path in out_dir.glob("*/Dockerfile")) == sorted(FLEET)


def test_when_condition_follows_microsofts_matrix(report: dict[str, Any]) -> None:
    process, hyperv = set(report["runnable"]), set(report["runnable_hyperv"])
    # Process isolation: same build only.
    assert "ws2019-kubectl mcr.microsoft.com/windows/servercore:ltsc2019" in process
    assert "ws2019-kubectl mcr.microsoft.com/windows/nanoserver:1809" in process
    assert "ws2019-kubectl mcr.microsoft.com/windows/servercore:ltsc2022" not in process
    assert "ws2022-registry mcr.microsoft.com/windows/servercore:ltsc2022" in process
    assert "ws2022-registry mcr.microsoft.com/windows/servercore:ltsc2019" not in process
    # Hyper-V isolation: same or older build, never newer.
    assert "ws2022-registry mcr.microsoft.com/windows/servercore:ltsc2019" in hyperv
    assert "ws2004-ver mcr.microsoft.com/windows/servercore:ltsc2019" in hyperv
    assert "ws2019-kubectl mcr.microsoft.com/windows/servercore:ltsc2022" not in hyperv
    assert "ws2022-registry mcr.microsoft.com/windows/servercore:ltsc2025" not in hyperv


@pytest.mark.parametrize("isolation", ["process", "hyperv"])
def test_when_condition_agrees_with_the_core(report: dict[str, Any], isolation: str) -> None:
    kept = set(report["runnable" if isolation == "process" else "runnable_hyperv"])
    for name, host in FLEET.items():
        for image in IMAGES:
            expected = is_compatible(image, host["raw"], isolation=isolation, host_kind=host["kind"])
            assert (f"{name} {image}" in kept) == expected, (name, image, isolation)


def test_rule_sets_agree_on_clear_cases(report: dict[str, Any]) -> None:
    verdicts = report["verdicts"]
    for rules in ("documented", "containerd", "docker"):
        assert verdicts[f"ws2022-registry {rules}"] == "supported"
        assert verdicts[f"ws2019-kubectl {rules}"] == "unsupported"
    for key, status in verdicts.items():
        name, rules = key.rsplit(" ", 1)
        host = FLEET[name]
        assert status == container_compat("ltsc2022", host["raw"], "process", host["kind"], rules)["status"], key


def test_compatible_tags_agree_with_the_core(report: dict[str, Any]) -> None:
    assert "ltsc2019" in report["servercore_tags"]["ws2019-kubectl"]
    assert "ltsc2022" not in report["servercore_tags"]["ws2019-kubectl"]
    for name, host in FLEET.items():
        assert report["servercore_tags"][name] == compatible_image_tags(host["raw"], "servercore")


def test_select_manifest_picks_the_hosts_build(report: dict[str, Any]) -> None:
    assert report["picked"] == "sha256:" + "2" * 64


def test_recorded_errors_are_explained(report: dict[str, Any]) -> None:
    assert report["diagnoses"] == ["image_newer_than_host", "os_mismatch"]


def test_bad_input_fails_the_task_with_the_filters_message(report: dict[str, Any]) -> None:
    assert report["bad_input_failed"] is True
    assert "windows_version" in report["bad_input_msg"]
    assert "'not a version'" in report["bad_input_msg"]


def test_parsing_in_ansible_matches_the_core(report: dict[str, Any]) -> None:
    for name, host in FLEET.items():
        assert report["versions"][name] == windows_version(host["raw"])
