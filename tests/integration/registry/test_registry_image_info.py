"""registry_image_info through real ansible-playbook runs against the real registry (Debian's docker-registry).

Every mode (plain HTTP, TLS with the harness's CA, htpasswd basic auth, token auth), both media-type families, an
index with a linux/amd64 entry and one without os.version, a tag moved and a tag deleted between runs, the registry
stopped mid-run, 429 answers, credentials from a Docker config.json, and the Docker CLI reading the same lists.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
)
from playbook_runner import PlaybookRun, run_playbook
from registry import (
    IDENTITY_TOKEN,
    Platform,
    Registry,
    RegistryProxy,
    docker_manifest_inspect,
    push_windows_image,
)

PLAYBOOK = Path(__file__).with_name("info.yml")
BUILDS = ["10.0.17763.6659", "10.0.20348.2966", "10.0.26100.2605"]
HOSTS = ["10.0.17763.7009", "10.0.20348.3091", "10.0.26100.3194"]


def read(images: list[str], options: dict[str, Any], check: bool = False, **extra: Any) -> PlaybookRun:
    run = run_playbook(PLAYBOOK, extra_vars={"images": images, "registry_options": options, **extra}, check=check)
    assert run.returncode == 0, run.explain()
    return run


def facts(run: PlaybookRun, task: str, key: str) -> Any:
    """The fact a set_fact task set (its last loop item's value for a loop)."""
    result = run.result(task)
    if "results" in result:
        result = result["results"][-1]
    return result["ansible_facts"][key]


@pytest.mark.parametrize("mode", ["http", "tls", "basic", "token"])
def test_every_registry_mode_gives_every_build(request: pytest.FixtureRequest, mode: str) -> None:
    registry: Registry = request.getfixturevalue(f"registry_{mode}")
    client = registry.client()
    oci = push_windows_image(client, "info/app", "oci")
    docker = push_windows_image(client, "info/app", "docker", family="docker")
    single = push_windows_image(client, "info/single", "1.0", [Platform(os_version=BUILDS[1])], "docker", single=True)
    refs = [
        f"{registry.host}/info/app:oci",
        f"{registry.host}/info/app:docker",
        f"{registry.host}/info/single:1.0",
        f"{registry.host}/info/app@{oci}",
        f"{registry.host}/info/app:absent",
    ]
    run = read(refs, registry.module_args(), check=(mode == "http"), select_for=HOSTS)
    result = run.result("Read images")
    assert result["changed"] is False
    images = result["images"]
    assert sorted(images) == sorted(refs)
    assert (images[refs[0]]["digest"], images[refs[0]]["media_type"]) == (oci, OCI_INDEX)
    assert (images[refs[1]]["digest"], images[refs[1]]["media_type"]) == (docker, DOCKER_LIST)
    for ref in refs[:2]:
        assert [p["os_version"] for p in images[ref]["platforms"]] == BUILDS
        assert images[ref]["error"] is None
    assert images[refs[2]] == {
        "digest": single,
        "media_type": DOCKER_MANIFEST,
        "platforms": [
            {"os": "windows", "architecture": "amd64", "variant": None, "os_version": BUILDS[1], "digest": single}
        ],
        "error": None,
    }
    assert images[refs[3]] == images[refs[0]]
    missing = images[refs[4]]
    assert (missing["digest"], missing["platforms"]) == (None, [])
    assert missing["error"].startswith(f"{refs[4]}: registry {registry.host} answered 404 (not found)")
    assert result["errors"] == [missing["error"]]
    selected = facts(run, "Entry pulled per host build", "selected")
    assert [selected[h]["os_version"] for h in HOSTS] == BUILDS
    verdicts = facts(run, "Verdict per host build", "verdicts")
    assert {h: verdicts[h]["status"] for h in HOSTS} == dict.fromkeys(HOSTS, "supported")
    assert [verdicts[h]["image_version"]["version"] for h in HOSTS] == BUILDS


@pytest.mark.parametrize("mode", ["basic", "token"])
def test_wrong_credentials_are_an_error_per_image_and_fail_only_when_asked(
    request: pytest.FixtureRequest, mode: str
) -> None:
    registry: Registry = request.getfixturevalue(f"registry_{mode}")
    push_windows_image(registry.client(), "info/locked", "v1")
    ref = f"{registry.host}/info/locked:v1"
    options = {**registry.module_args(), "auth": {registry.host: {"username": registry.username, "password": "bad"}}}
    error = read([ref], options).result("Read images")["images"][ref]["error"]
    assert f"registry {registry.host}" in error
    assert "401 (unauthorized)" in error
    assert "bad" not in error
    failing = run_playbook(
        PLAYBOOK, extra_vars={"images": [ref], "registry_options": {**options, "fail_on_error": True}}
    )
    assert failing.returncode != 0
    assert "1 registry lookup(s) failed" in failing.result("Read images")["msg"]
    assert "bad" not in json.dumps(failing.output)


def test_anonymous_token_flow_reads_public_images_only(registry_token: Registry) -> None:
    client = registry_token.client()
    public = push_windows_image(client, "public/base", "ltsc2022")
    push_windows_image(client, "team/private", "v1")
    refs = [f"{registry_token.host}/public/base:ltsc2022", f"{registry_token.host}/team/private:v1"]
    images = read(refs, {"insecure_registries": [registry_token.host]}).result("Read images")["images"]
    assert images[refs[0]]["digest"] == public
    assert [p["os_version"] for p in images[refs[0]]["platforms"]] == BUILDS
    assert images[refs[1]]["error"].startswith(f"{refs[1]}: registry {registry_token.host} answered 401 (unauthorized)")


def test_docker_config_json_credentials(registry_basic: Registry, registry_token: Registry, tmp_path: Path) -> None:
    basic_ref = f"{registry_basic.host}/info/config:v1"
    token_ref = f"{registry_token.host}/info/config:v1"
    push_windows_image(registry_basic.client(), "info/config", "v1")
    push_windows_image(registry_token.client(), "info/config", "v1")
    userpass = base64.b64encode(f"{registry_basic.username}:{registry_basic.password}".encode()).decode()
    config = {
        "auths": {
            f"http://{registry_basic.host}": {"auth": userpass},
            registry_token.host: {"identitytoken": IDENTITY_TOKEN},
        }
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    options = {"insecure_registries": [registry_basic.host, registry_token.host]}
    issued = registry_token.token_server.issued  # type: ignore[union-attr]
    run = run_playbook(
        PLAYBOOK,
        extra_vars={"images": [basic_ref, token_ref], "registry_options": options},
        env={"DOCKER_CONFIG": str(tmp_path)},
    )
    assert run.returncode == 0, run.explain()
    images = run.result("Read images")["images"]
    assert [images[r]["error"] for r in (basic_ref, token_ref)] == [None, None]
    assert [p["os_version"] for p in images[token_ref]["platforms"]] == BUILDS
    assert registry_token.token_server.issued > issued  # type: ignore[union-attr]


def test_tls_needs_the_ca_unless_verification_is_off(registry_tls: Registry) -> None:
    push_windows_image(registry_tls.client(), "info/tls", "v1")
    ref = f"{registry_tls.host}/info/tls:v1"
    refused = read([ref], {"retries": 0}).result("Read images")["images"][ref]["error"]
    assert f"registry {registry_tls.host} TLS failure" in refused
    assert "CERTIFICATE_VERIFY_FAILED" in refused
    trusted = read([ref], {"ca_path": str(registry_tls.ca_file)}).result("Read images")["images"][ref]
    unverified = read([ref], {"validate_certs": False}).result("Read images")["images"][ref]
    insecure = read([ref], {"insecure_registries": [registry_tls.host]}).result("Read images")["images"][ref]
    assert trusted["error"] is None
    assert unverified == trusted
    assert insecure == trusted  # an insecure registry that speaks TLS is read over HTTPS, unverified, as dockerd does


def test_linux_entry_and_entry_without_os_version(registry_http: Registry) -> None:
    platforms = [Platform(os="linux", os_version=None), Platform(os_version=None), Platform(os_version=BUILDS[1])]
    digest = push_windows_image(registry_http.client(), "info/mixed", "v1", platforms)
    ref = f"{registry_http.host}/info/mixed:v1"
    run = read([ref], registry_http.module_args(), select_for=["10.0.20348.3091"])
    entry = run.result("Read images")["images"][ref]
    assert entry["digest"] == digest
    assert [(p["os"], p["os_version"]) for p in entry["platforms"]] == [
        ("linux", None),
        ("windows", None),
        ("windows", BUILDS[1]),
    ]
    seen = docker_manifest_inspect(ref)
    assert [m["digest"] for m in seen["manifests"]] == [p["digest"] for p in entry["platforms"]]
    assert [m["platform"].get("os.version") for m in seen["manifests"]] == [None, None, BUILDS[1]]
    # containerd orders matching entries by os.version, highest first: the 20348 entry wins over the bare one.
    assert (
        facts(run, "Entry pulled per host build", "selected")["10.0.20348.3091"]["digest"]
        == entry["platforms"][2]["digest"]
    )


def test_docker_cli_reads_the_same_lists(registry_http: Registry) -> None:
    client = registry_http.client()
    push_windows_image(client, "info/cli", "oci")
    push_windows_image(client, "info/cli", "docker", family="docker")
    refs = [f"{registry_http.host}/info/cli:oci", f"{registry_http.host}/info/cli:docker"]
    images = read(refs, registry_http.module_args()).result("Read images")["images"]
    for ref in refs:
        seen = docker_manifest_inspect(ref)
        assert seen["mediaType"] == images[ref]["media_type"]
        assert [(m["digest"], m["platform"]["os.version"]) for m in seen["manifests"]] == [
            (p["digest"], p["os_version"]) for p in images[ref]["platforms"]
        ]


def _since(registry: Registry, mark: int) -> list[tuple[str, str]]:
    return [(method, path.split("/")[-2]) for method, path, _status in registry.requests()[mark:]]


def test_moved_tag_with_cache_dir_costs_one_head_and_one_get(registry_http: Registry, tmp_path: Path) -> None:
    client = registry_http.client()
    first = push_windows_image(client, "info/moving", "stable", [Platform(os_version=BUILDS[0])])
    ref = f"{registry_http.host}/info/moving:stable"
    options = {**registry_http.module_args(), "cache_dir": str(tmp_path / "cache")}
    mark = len(registry_http.requests())
    cold = read([ref], options).result("Read images")["images"][ref]
    assert cold["digest"] == first
    assert _since(registry_http, mark) == [("HEAD", "manifests"), ("GET", "manifests")]
    moved = push_windows_image(client, "info/moving", "stable", [Platform(os_version=BUILDS[2])])
    mark = len(registry_http.requests())
    after = read([ref], options).result("Read images")["images"][ref]
    assert (after["digest"], after["platforms"][0]["os_version"]) == (moved, BUILDS[2])
    assert _since(registry_http, mark) == [("HEAD", "manifests"), ("GET", "manifests")]
    mark = len(registry_http.requests())
    warm = read([ref, f"{registry_http.host}/info/moving@{first}"], options).result("Read images")["images"]
    assert warm[ref] == after
    assert warm[f"{registry_http.host}/info/moving@{first}"] == cold
    assert _since(registry_http, mark) == [("HEAD", "manifests")]


def test_deleted_tag_is_reported_not_found(registry_http: Registry) -> None:
    client = registry_http.client()
    digest = push_windows_image(client, "info/deleted", "v1")
    ref = f"{registry_http.host}/info/deleted:v1"
    assert read([ref], registry_http.module_args()).result("Read images")["images"][ref]["digest"] == digest
    client.delete_manifest("info/deleted", digest)
    entry = read([ref], registry_http.module_args()).result("Read images")["images"][ref]
    assert entry["digest"] is None
    assert entry["error"].startswith(f"{ref}: registry {registry_http.host} answered 404 (not found) to GET")


def test_registry_stopped_mid_run(registry_factory: Callable[[str], Registry]) -> None:
    registry = registry_factory("http")
    client = registry.client()
    for name in ("a", "b", "c"):
        push_windows_image(client, f"info/{name}", "v1")
    proxy = RegistryProxy(registry.port).start()
    try:
        served: list[str] = []

        def stop_after_first(method: str, path: str) -> None:
            served.append(path)
            if len(served) == 2:  # the first image is answered, the second request finds the registry gone
                registry.stop()

        proxy.before = stop_after_first
        refs = [f"{proxy.host}/info/{name}:v1" for name in ("a", "b", "c")]
        options = {"insecure_registries": [proxy.host], "concurrency": 1, "retries": 1}
        images = read(refs, options).result("Read images")["images"]
        assert images[refs[0]]["error"] is None
        for ref in refs[1:]:
            assert images[ref]["error"].startswith(f"{ref}: registry {proxy.host} unreachable")
        assert "not asked again in this run" in images[refs[2]]["error"]
        assert not [path for path in served if "/info/c/" in path]  # the registry is down: the last image costs nothing
        assert registry.process is None
        proxy.before = None
        registry.start()
        again = read(refs, options).result("Read images")["images"]
        assert [again[r]["error"] for r in refs] == [None, None, None]
    finally:
        proxy.stop()


def test_rate_limit_is_waited_out_then_reported(registry_http: Registry) -> None:
    push_windows_image(registry_http.client(), "info/limited", "v1")
    proxy = RegistryProxy(registry_http.port).start()
    try:
        ref = f"{proxy.host}/info/limited:v1"
        proxy.throttle, proxy.retry_after = 2, "1"
        started = time.monotonic()
        entry = read([ref], {"insecure_registries": [proxy.host]}).result("Read images")["images"][ref]
        assert entry["error"] is None
        assert [p["os_version"] for p in entry["platforms"]] == BUILDS
        assert [s for _m, _p, s in proxy.requests] == [429, 429, 200]
        assert time.monotonic() - started >= 2.0  # two Retry-After: 1 waits
        proxy.throttle = 100
        failed = read([ref], {"insecure_registries": [proxy.host], "retries": 1}).result("Read images")["images"][ref]
        assert (
            failed["error"]
            == f"{ref}: registry {proxy.host} answered 429 (rate-limited, after 1 retries) to GET info/limited:v1"
        )
    finally:
        proxy.stop()


def test_tag_list_pagination_and_base_image_currency(registry_http: Registry) -> None:
    client = registry_http.client()
    revisions = ["10.0.20348.2700", "10.0.20348.2762", "10.0.20348.2849", "10.0.20348.2966"]
    for tag in [*revisions, "ltsc2022"]:
        push_windows_image(client, "windows/servercore", tag, [Platform(os_version=revisions[-1])], single=True)
    proxy = RegistryProxy(registry_http.port).start()
    proxy.tag_page_size = 2
    try:
        repo = f"{proxy.host}/windows/servercore"
        run = read([], {"insecure_registries": [proxy.host]}, tag_lists=[repo], currency_of="10.0.20348.2700")
        assert sorted(run.result("Read images")["tag_lists"][repo]["tags"]) == sorted([*revisions, "ltsc2022"])
        pages = [path for method, path, _s in proxy.requests if "tags/list" in path]
        assert len(pages) == 3
        assert pages[1].endswith("n=2&last=10.0.20348.2762")
    finally:
        proxy.stop()
    currency = run.result("Base image currency")["ansible_facts"]["currency"]
    assert currency == {
        "build": 20348,
        "revision": 2700,
        "newest_revision": 2966,
        "behind": 3,
        "current": False,
        "stale": True,
        "rebuild_on": f"{repo}:10.0.20348.2966",
    }
