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


# --- issue 13: hostile texts are classified in linear time, never raised on --------------------------------
def _cpu_ratio(make: Any) -> float:
    import time

    def best(value: object) -> float:
        times = []
        for _run in range(3):
            start = time.process_time()
            container_error(value)
            times.append(time.process_time() - start)
        return min(times)

    return best(make(100_000)) / max(best(make(10_000)), 0.0005)


def test_host_is_microsoft_windows_on_one_long_line_is_linear() -> None:
    """``Host is Microsoft Windows[^\\n]*? - `` rescanned the line for every occurrence: 208 KB took 12 s."""
    assert _cpu_ratio(lambda n: "Host is Microsoft Windows " * (n // 26)) < 30
    assert container_error("Host is Microsoft Windows " * 8000)["class"] == "unknown"


@pytest.mark.parametrize(
    ("text", "name", "host", "image"),
    [
        (
            "Container OS Version: 10.0.99999.5\nHost OS Version: 10.0.17763.1\nThe container operating system "
            "does not match the host operating system.",
            "os_mismatch",
            "10.0.17763.1",
            None,
        ),
        (
            "a Windows version 10.0.99999-based image is incompatible with a 10.0.17763 host",
            "image_newer_than_host",
            "10.0.17763",
            None,
        ),
        (
            "a Windows version 10.0.17763." + "9" * 5000 + "-based image is incompatible with a 10.0.20348 host",
            "image_newer_than_host",
            "10.0.20348",
            None,
        ),
        (
            "no matching manifest for windows/amd64 10.0.99999 in the manifest list entries",
            "no_matching_manifest",
            None,
            None,
        ),
    ],
)
def test_out_of_range_versions_are_classified_with_a_null_version(
    text: str, name: str, host: str | None, image: str | None
) -> None:
    result = container_error(text)
    assert (result["class"], result["host_version"], result["image_version"]) == (name, host, image)
    assert result["advice"]


@pytest.mark.parametrize("wrap", [lambda v: [v], lambda v: {"State": v}, lambda v: {"results": [v]}])
def test_deeply_nested_task_results_raise_a_clear_error(wrap: Any) -> None:
    value: object = {"msg": "The container operating system does not match the host operating system."}
    for _level in range(3):
        value = wrap(value)
    assert container_error(value)["class"] == "os_mismatch"
    for _level in range(100_000):
        value = wrap(value)
    with pytest.raises(WinCompatError, match="nested more than"):
        container_error(value)


def test_a_text_over_the_limit_is_refused_naming_it_briefly() -> None:
    with pytest.raises(WinCompatError, match="characters long") as raised:
        container_error("x" * 5_000_000)
    assert len(str(raised.value)) < 1000


# --- issue 13.5: the OS-mismatch message as people re-type it, and Linux-mode engines ----------------------
@pytest.mark.parametrize(
    "text",
    [
        "the container operating system does not match the host operating system",  # case, no code
        "THE CONTAINER OPERATING SYSTEM DOES NOT MATCH THE HOST OPERATING SYSTEM",
        "container OS doesn't match host OS",
        "The host operating system and the container operating system do not match",
        "host OS does not match the container's OS (process isolation)",
        "OS mismatch between the container and the host",
        "Container OS version does not match the host's build",
    ],
)
def test_os_mismatch_is_recognised_in_any_word_order(text: str) -> None:
    result = container_error(text)
    assert (result["class"], result["hresult"]) == ("os_mismatch", "0xc0370101")


@pytest.mark.parametrize(
    "text",
    [
        "the image does not match the tag",
        "container exited; host unreachable",
        "no match for platform in manifest: not found",
    ],
)
def test_unrelated_texts_are_not_called_an_os_mismatch(text: str) -> None:
    assert container_error(text)["class"] != "os_mismatch"


@pytest.mark.parametrize(
    "text",
    [
        "docker pull mcr.microsoft.com/dotnet/framework/sdk:4.8\nno matching manifest for linux/amd64 in the manifest "
        "list entries",
        "docker pull contoso.azurecr.io/shop/api:2.1-ltsc2022\nno matching manifest for linux/amd64 in the manifest "
        "list entries",
        "docker pull mcr.microsoft.com/windows/nanoserver:ltsc2022\nno matching manifest for linux/arm64/v8 in the "
        "manifest list entries",
    ],
)
def test_linux_engine_asked_for_a_windows_image_is_engine_in_linux_mode(text: str) -> None:
    result = container_error(text)
    assert result["class"] == "engine_in_linux_mode"
    assert "not a Windows version mismatch" in result["advice"]
    assert "Switch Docker Desktop to Windows containers" in result["advice"] and "Windows node" in result["advice"]
