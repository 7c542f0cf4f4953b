"""The registry harness and client against the real registry: four modes, both media-type families, the Docker CLI."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    parse_reference,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    ClientOptions,
    DigestCache,
    RegistryClient,
    RegistryHTTPError,
    inspect_image,
)
from registry import Platform, Registry, docker_manifest_inspect, push_windows_image

BUILDS = ["10.0.17763.6659", "10.0.20348.2966", "10.0.26100.2605"]


@pytest.fixture(params=["http", "tls", "basic", "token"])
def any_registry(request: pytest.FixtureRequest) -> Registry:
    return request.getfixturevalue(f"registry_{request.param}")


def test_every_mode_stores_and_returns_a_three_build_list(any_registry: Registry) -> None:
    client = any_registry.client()
    digest = push_windows_image(client, "harness/three", "v1")
    result = inspect_image(client, parse_reference(f"{any_registry.host}/harness/three:v1"), DigestCache())
    assert result["digest"] == digest
    assert result["media_type"] == OCI_INDEX
    assert [p["os_version"] for p in result["platforms"]] == BUILDS
    assert {p["os"] for p in result["platforms"]} == {"windows"}
    assert client.list_tags("harness/three") == ["v1"]


@pytest.mark.parametrize("mode", ["basic", "token"])
def test_auth_modes_refuse_anonymous_and_wrong_credentials(request: pytest.FixtureRequest, mode: str) -> None:
    registry: Registry = request.getfixturevalue(f"registry_{mode}")
    push_windows_image(registry.client(), "harness/private", "v1")
    for credentials in ({}, {"username": registry.username, "password": "wrong"}):
        client = RegistryClient(registry.host, ClientOptions(insecure_registries=(registry.host,)), credentials)
        with pytest.raises(RegistryHTTPError) as caught:
            client.get_manifest("harness/private", "v1")
        assert caught.value.status == 401
        assert registry.host in str(caught.value)


def test_tls_registry_is_refused_without_its_ca(registry_tls: Registry) -> None:
    client = RegistryClient(registry_tls.host, ClientOptions(retries=0))
    with pytest.raises(RegistryHTTPError, match="TLS failure"):
        client.get_manifest("harness/three", "v1")


def test_docker_cli_reads_the_lists_back(registry_http: Registry) -> None:
    client = registry_http.client()
    platforms = [Platform(os_version=b) for b in BUILDS] + [Platform(os="linux", os_version=None)]
    digest = push_windows_image(client, "harness/cli", "docker", platforms, family="docker")
    seen: Any = docker_manifest_inspect(f"{registry_http.host}/harness/cli:docker")
    assert seen["mediaType"] == DOCKER_LIST
    assert [m["platform"].get("os.version") for m in seen["manifests"]] == [*BUILDS, None]
    assert seen["manifests"][3]["platform"] == {"architecture": "amd64", "os": "linux"}
    ours = inspect_image(client, parse_reference(f"{registry_http.host}/harness/cli:docker"), DigestCache())
    assert ours["digest"] == digest
    assert [p["digest"] for p in ours["platforms"]] == [m["digest"] for m in seen["manifests"]]


def test_single_manifest_build_comes_from_the_config_blob(registry_http: Registry) -> None:
    client = registry_http.client()
    digest = push_windows_image(client, "harness/single", "v1", [Platform(os_version="10.0.20348.2966")], single=True)
    seen = docker_manifest_inspect(f"{registry_http.host}/harness/single:v1")
    assert seen["mediaType"] == OCI_MANIFEST
    ours = inspect_image(client, parse_reference(f"{registry_http.host}/harness/single:v1"), DigestCache())
    assert ours["platforms"] == [
        {"os": "windows", "architecture": "amd64", "variant": None, "os_version": "10.0.20348.2966", "digest": digest}
    ]
    methods = [(m, p.split("/")[-2]) for m, p, _s in registry_http.requests()[-2:]]
    assert methods == [("GET", "manifests"), ("GET", "blobs")]
