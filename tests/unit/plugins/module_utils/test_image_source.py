"""image_source: registry first (per node for a manifest list), then the host's image store, then the tag (a guess)."""

from __future__ import annotations

from typing import Any, Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError
from ansible_collections.wincontainers.compat.plugins.module_utils.image_source import (
    image_source,
    registry_entry,
    source_label,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    image_result,
)

D = {name: "sha256:" + name * 64 for name in "abcdef"}
LIST = image_result(
    D["a"],
    OCI_INDEX,
    [
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.17763.6659", "digest": D["b"]},
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.20348.2966", "digest": D["c"]},
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.26100.2605", "digest": D["d"]},
    ],
)
SINGLE = image_result(
    D["e"],
    DOCKER_MANIFEST,
    [{"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.20348.2966", "digest": D["e"]}],
)
FAILED = image_result(error="registry.example: contoso/orders:2024.11.3: 404 manifest unknown")
REGISTRY = {
    "changed": False,
    "images": {"contoso/orders:2024.11.3": LIST, "registry.example/app:stable": SINGLE, "broken:ltsc2019": FAILED},
}
HOST_IMAGES = [{"id": D["f"], "repo_tags": ["contoso/legacy:1.0"], "os_version": "10.0.17763.5458"}]


@pytest.mark.parametrize(
    ("ref", "node", "rules", "version", "source", "digest"),
    [
        # a three-build list: the entry the engine pulls on each node build
        ("contoso/orders:2024.11.3", "10.0.17763.6659", "containerd", "10.0.17763.6659", "registry", D["b"]),
        ("contoso/orders:2024.11.3", "10.0.20348.3091", "containerd", "10.0.20348.2966", "registry", D["c"]),
        ("contoso/orders:2024.11.3", "10.0.26100.2894", "containerd", "10.0.26100.2605", "registry", D["d"]),
        ("contoso/orders:2024.11.3", "10.0.26100.2894", "docker", "10.0.26100.2605", "registry", D["d"]),
        # the forms of the same reference users write, and a Swarm-pinned one
        ("docker.io/contoso/orders:2024.11.3", "10.0.20348.1", "containerd", "10.0.20348.2966", "registry", D["c"]),
        (f"contoso/orders:2024.11.3@{D['a']}", "10.0.20348.1", "containerd", "10.0.20348.2966", "registry", D["c"]),
        # a single manifest: its config's build, whatever the node
        ("registry.example/app:stable", None, "containerd", "10.0.20348.2966", "registry", D["e"]),
        ("registry.example/app:stable", "10.0.17763.1", "containerd", "10.0.20348.2966", "registry", D["e"]),
        # no registry answer: the host's image store, then the tag text
        ("contoso/legacy:1.0", None, "containerd", "10.0.17763.5458", "host", None),
        ("contoso/api:1.2-ltsc2022", None, "containerd", "10.0.20348", "tag", None),
        # a registry answer holding an error falls through to the tag
        ("broken:ltsc2019", None, "containerd", "10.0.17763", "tag", None),
        ("contoso/api:latest", None, "containerd", None, None, None),
    ],
)
def test_image_source(
    ref: str, node: Optional[str], rules: str, version: Optional[str], source: Optional[str], digest: Optional[str]
) -> None:
    answer = image_source(ref, REGISTRY, HOST_IMAGES, node, rules)
    assert (answer["version"], answer["source"], answer["digest"]) == (version, source, digest)
    assert answer["guess"] is (source == "tag")


def test_no_matching_manifest_is_predicted() -> None:
    answer = image_source("contoso/orders:2024.11.3", REGISTRY, None, "10.0.14393.7515")
    assert answer["version"] is None and answer["source"] == "registry"
    assert "no matching manifest for windows/amd64 10.0.14393" in answer["no_matching_manifest"]
    assert answer["list_digest"] == D["a"]


def test_a_list_without_a_node_names_its_builds() -> None:
    answer = image_source("contoso/orders:2024.11.3", REGISTRY)
    assert answer["version"] is None and answer["digest"] == D["a"]
    assert answer["builds"] == ["10.0.17763.6659", "10.0.20348.2966", "10.0.26100.2605"]


def test_registry_wins_over_host_and_tag() -> None:
    registry = {"images": {"contoso/legacy:ltsc2019": SINGLE}}
    host = {"contoso/legacy:ltsc2019": "10.0.17763.5458"}
    assert image_source("contoso/legacy:ltsc2019", registry, host)["source"] == "registry"
    assert image_source("contoso/legacy:ltsc2019", None, host)["source"] == "host"
    assert image_source("contoso/legacy:ltsc2019")["source"] == "tag"


def test_registry_error_is_kept_when_falling_back() -> None:
    answer = image_source("broken:ltsc2019", REGISTRY)
    assert "404 manifest unknown" in answer["registry_error"]


def test_one_entry_is_accepted_as_registry() -> None:
    assert image_source("anything:latest", SINGLE)["version"] == "10.0.20348.2966"


def test_a_docker_manifest_list_is_a_list_too() -> None:
    entry = dict(LIST, media_type=DOCKER_LIST, platforms=LIST["platforms"][:1])
    answer = image_source("x:1", entry, node="10.0.20348.1")
    assert answer["no_matching_manifest"] and answer["version"] is None


@pytest.mark.parametrize("bad", ["text", 3, {"images": ["a"]}])
def test_bad_registry_input_names_it(bad: Any) -> None:
    with pytest.raises(OptionError, match="registry"):
        registry_entry("x:1", bad)


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ({"source": "registry", "digest": D["a"]}, f"registry {D['a']}"),
        ({"source": "registry", "digest": None, "list_digest": D["b"]}, f"registry {D['b']}"),
        ({"source": "host"}, "host"),
        ({"source": "tag"}, "tag (guess)"),
        ({"source": None}, "unknown"),
    ],
)
def test_source_label(answer: dict, label: str) -> None:
    assert source_label(answer) == label
