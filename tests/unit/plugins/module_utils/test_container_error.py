"""container_error() against error texts recorded on real hosts (tests/unit/fixtures/container_errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils.container_error import CLASSES, container_error
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[2] / "fixtures" / "container_errors" / "cases.yml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_recorded_error(case: dict[str, Any]) -> None:
    result = container_error(case["text"])
    got = {key: result[key] for key in case["expect"]}
    assert got == case["expect"], case["source"]
    assert result["advice"]


def test_every_class_is_covered_by_a_recorded_text() -> None:
    assert {case["expect"]["class"] for case in CASES} == set(CLASSES)


def test_advice_names_the_versions_and_the_host_release() -> None:
    result = container_error("a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host")
    assert "10.0.20348" in result["advice"] and "10.0.17763" in result["advice"]
    assert "ltsc2019" in result["advice"]


def test_linux_platform_without_a_windows_image_stays_a_manifest_problem() -> None:
    result = container_error("no matching manifest for linux/arm64/v8 in the manifest list entries")
    assert result["class"] == "no_matching_manifest"
    assert "Windows containers" in result["advice"]


def test_an_ansible_task_result_is_read_through_its_fields() -> None:
    task_result = {
        "failed": True,
        "msg": "Error starting container abc: 500 Server Error",
        "stderr": "hcsshim::CreateComputeSystem abc: The container operating system does not match the host "
        "operating system.",
    }
    assert container_error(task_result)["class"] == "os_mismatch"


def test_image_newer_wins_over_a_code_in_the_same_text() -> None:
    text = "a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host (0xc0370101)"
    assert container_error(text)["class"] == "image_newer_than_host"
    assert container_error(text)["hresult"] == "0xc0370101"


@pytest.mark.parametrize("value", [None, 42, 3.5, object()])
def test_non_text_is_refused_with_a_clear_error(value: object) -> None:
    with pytest.raises(WinCompatError, match="error text"):
        container_error(value)


def test_advice_names_the_image_for_the_hosts_release() -> None:
    recorded = next(case for case in CASES if case["source"].endswith("/navcontainerhelper/issues/461"))
    text = recorded["text"].replace("mcr.microsoft.com/businesscentral/onprem:latest-ltsc2019", DOTNET_2019)
    result = container_error(text)
    assert result["image"] == DOTNET_2019
    assert f"host's release ({DOTNET_2019.replace('ltsc2019', '1903')})" in result["advice"]


def test_no_variant_is_offered_when_the_host_release_has_none() -> None:
    recorded = next(case for case in CASES if case["source"].endswith("/Windows-Containers/issues/155"))
    assert "(mcr.microsoft.com/" not in container_error(recorded["text"])["advice"]


DOTNET_2019 = "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019"
