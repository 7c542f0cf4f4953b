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


def test_containerd_image_store_platform_carries_the_host_version() -> None:
    """Docker 29 with the containerd image store (moby/moby#53397) writes the version inside the platform."""
    text = (
        "Error response from daemon: no matching manifest for windows(10.0.26200)/amd64/v3 in the manifest list entries"
    )
    result = container_error(text)
    assert (result["class"], result["host_version"]) == ("no_matching_manifest", "10.0.26200")
    assert "Windows 11, version 25H2" in result["advice"]


def test_os_mismatch_of_an_image_newer_than_the_host_does_not_offer_hyperv() -> None:
    text = (
        "Container OS Version: 10.0.17763.5458 Host OS Version: 10.0.14393.7428 "
        "The container operating system does not match the host operating system"
    )
    result = container_error(text)
    assert result["class"] == "os_mismatch"
    assert "is newer than the host" in result["advice"]
    assert "no isolation mode runs an image newer than the host" in result["advice"]


def test_nano_server_advice_names_nano_server_tags() -> None:
    text = (
        "The operating system of the container does not match the operating system of the host. "
        "image mcr.microsoft.com/windows/nanoserver:1809 Host OS Version: 10.0.20348.1"
    )
    advice = container_error(text)["advice"]
    assert "nanoserver tag 1809" in advice and "nanoserver tag ltsc2022" in advice
    assert "ltsc2019" not in advice  # Nano Server has no ltsc2019 tag


def test_layer_format_advice_names_the_known_older_image_case() -> None:
    advice = container_error("hcs::CreateComputeSystem: (0xc0370112) layer with an unrecognized format")["advice"]
    assert "Windows Server 2025 (ltsc2025) image on a Windows 11 25H2 or later host" in advice
