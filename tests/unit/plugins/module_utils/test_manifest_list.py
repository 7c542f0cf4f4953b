"""Table-driven tests of assembling a manifest list over per-build Windows images and verifying it for a fleet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest import ManifestListError
from ansible_collections.wincontainers.compat.plugins.module_utils.manifest_list import (
    Entry,
    assemble,
    entry_from_image,
    list_media_type,
    list_summary,
    ordered_entries,
    same_list,
    serialize,
    verify,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
)


def digest(n: int) -> str:
    return "sha256:" + f"{n:x}" * 64 if n < 16 else "sha256:" + "a" * 63 + "0"


def entry(version: str | None, n: int, media_type: str = OCI_MANIFEST, os: str = "windows") -> Entry:
    config: dict[str, Any] = {"os": os, "architecture": "amd64"}
    if version:
        config["os.version"] = version
    return entry_from_image(f"reg.example/app:{n}", media_type, digest(n), 500 + n, config)


E19, E22, E25 = entry("10.0.17763.6659", 1), entry("10.0.20348.2966", 2), entry("10.0.26100.2605", 3)


def test_the_platform_comes_from_the_config() -> None:
    assert E22.descriptor() == {
        "mediaType": OCI_MANIFEST,
        "digest": digest(2),
        "size": 502,
        "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.20348.2966"},
    }
    assert entry(None, 4, os="linux").descriptor()["platform"] == {"architecture": "amd64", "os": "linux"}


@pytest.mark.parametrize(
    ("media_type", "config", "message"),
    [
        (OCI_MANIFEST, {"os": "windows", "architecture": "amd64"}, "has no os.version"),
        (OCI_MANIFEST, {"os": "windows", "architecture": "amd64", "os.version": "ltsc"}, "has os.version 'ltsc'"),
        (OCI_MANIFEST, {"architecture": "amd64"}, "names no os or architecture"),
        (OCI_INDEX, {}, "is itself a manifest list"),
        ("application/vnd.docker.distribution.manifest.v1+prettyjws", {}, "has media type"),
    ],
)
def test_unusable_images_are_refused(media_type: str, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ManifestListError, match=message) as caught:
        entry_from_image("reg.example/app:x", media_type, digest(9), 1, config)
    assert "reg.example/app:x" in str(caught.value)


def test_windows_entries_newest_first_then_others_and_duplicates_once() -> None:
    linux = entry(None, 5, os="linux")
    assert ordered_entries([E19, linux, E25, E22, E19]) == [E25, E22, E19, linux]


def test_two_images_of_one_platform_are_refused() -> None:
    with pytest.raises(ManifestListError, match="different images of the same platform"):
        ordered_entries([E22, entry("10.0.20348.2966", 7)])


@pytest.mark.parametrize(
    ("media_types", "requested", "expected"),
    [
        ([DOCKER_MANIFEST, DOCKER_MANIFEST], "auto", DOCKER_LIST),
        ([OCI_MANIFEST, DOCKER_MANIFEST], "auto", OCI_INDEX),
        ([OCI_MANIFEST], "auto", OCI_INDEX),
        ([DOCKER_MANIFEST], "oci", OCI_INDEX),
        ([DOCKER_MANIFEST], "docker", DOCKER_LIST),
    ],
)
def test_media_type_matches_the_entries(media_types: list[str], requested: str, expected: str) -> None:
    entries = [entry(f"10.0.{17763 + i}.1", i + 1, media_type) for i, media_type in enumerate(media_types)]
    assert list_media_type(entries, requested) == expected


def test_docker_list_over_oci_images_and_unknown_choice_are_refused() -> None:
    with pytest.raises(
        ManifestListError, match=re.escape("Docker image manifests only; these are OCI: reg.example/app:2")
    ):
        list_media_type([E22], "docker")
    with pytest.raises(OptionError, match="media_type must be one of auto, oci, docker"):
        list_media_type([E22], "v1")


def test_equal_lists_are_equal_whatever_their_formatting() -> None:
    desired = assemble([E25, E22], OCI_INDEX)
    registry_copy = {"manifests": [dict(m, annotations=None) for m in desired["manifests"]], **desired}
    assert same_list(registry_copy, desired)
    assert not same_list(None, desired)
    assert not same_list(assemble([E22, E25], OCI_INDEX), desired)  # order matters to Docker
    assert not same_list(assemble([E25, E22], DOCKER_LIST), desired)
    assert serialize(desired) == serialize(dict(reversed(list(desired.items()))))
    assert list_summary(desired) == [
        {"digest": digest(3), "os": "windows", "architecture": "amd64", "os_version": "10.0.26100.2605"},
        {"digest": digest(2), "os": "windows", "architecture": "amd64", "os_version": "10.0.20348.2966"},
    ]
    assert list_summary({"layers": []}) == []


def pulled(result: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {r["host"]: (r["containerd"] and r["containerd"]["os_version"], r["docker"] and r["docker"]["os_version"])
            for r in result["hosts"]}  # fmt: skip


def test_every_host_gets_the_entry_it_runs() -> None:
    document = assemble(ordered_entries([E19, E22, E25]), OCI_INDEX)
    fleet = {"w19": "10.0.17763.7000", "w22": "10.0.20348.3091", "w25": "10.0.26100.2605",
             "w11": {"version": "10.0.22631.4602", "host_kind": "client"}}  # fmt: skip
    result = verify(document, fleet)
    assert pulled(result) == {
        "w11": ("10.0.20348.2966", "10.0.20348.2966"),
        "w19": ("10.0.17763.6659", "10.0.17763.6659"),
        "w22": ("10.0.20348.2966", "10.0.20348.2966"),
        "w25": ("10.0.26100.2605", "10.0.26100.2605"),
    }
    assert result["unserved"] == []
    assert result["report"][0] == (
        "w11 10.0.22631.4602: containerd pulls 10.0.20348.2966 (supported); docker pulls 10.0.20348.2966 (supported)"
    )


def test_oldest_first_would_give_docker_on_2025_the_2019_image() -> None:
    """Why the list is newest first: Docker keeps list order for entries not of the host's build."""
    fleet = {"w25": "10.0.26100.2605"}
    newest_first = verify(assemble(ordered_entries([E19, E22]), OCI_INDEX), fleet)
    oldest_first = verify(assemble([E19, E22], OCI_INDEX), fleet)
    assert pulled(newest_first) == {"w25": ("10.0.20348.2966", "10.0.20348.2966")} and not newest_first["unserved"]
    assert pulled(oldest_first)["w25"][1] == "10.0.17763.6659"
    assert [(u["engine"], "0xc0370101" in u["message"]) for u in oldest_first["unserved"]] == [("docker", True)]


def test_hosts_left_without_an_entry_are_reported() -> None:
    document = assemble(ordered_entries([E22, E25]), OCI_INDEX)
    nodes = {"nodes": [{"hostname": "WIN-X", "os": "windows", "version": None, "version_source": "unknown"}]}
    result = verify(document, [{"inventory_hostname": "w19", "wincontainers_host": {"version": "10.0.17763.1"}}, nodes])
    assert [(u["host"], u["engine"]) for u in result["unserved"]] == [
        ("w19", "containerd"), ("w19", "docker"), ("WIN-X", "containerd"), ("WIN-X", "docker"),
    ]  # fmt: skip
    assert "no matching manifest for windows/amd64 10.0.17763" in result["unserved"][0]["message"]
    assert "Windows version is unknown" in result["unserved"][2]["message"]
    assert result["report"][1] == "WIN-X (version unknown): containerd: -; docker: -"


def test_hyperv_fleet_runs_older_entries() -> None:
    document = assemble([E19], OCI_INDEX)
    result = verify(document, {"w22": "10.0.20348.1"}, isolation="hyperv")
    # containerd refuses another build even with Hyper-V; Docker pulls it and runs it isolated
    assert pulled(result) == {"w22": (None, "10.0.17763.6659")}
    assert [u["engine"] for u in result["unserved"]] == ["containerd"]
