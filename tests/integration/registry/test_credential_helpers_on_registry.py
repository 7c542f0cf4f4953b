"""registry_image_info with the credentials a Docker credential helper keeps, against the real htpasswd registry.

The helper is Debian's ``docker-credential-pass`` over a real ``pass`` store encrypted for a throwaway GnuPG key
(``GNUPGHOME`` and ``PASSWORD_STORE_DIR`` in the test's directory); the credentials are put in with the helper's own
``store`` command, as ``docker login`` does. The real Docker CLI reads the same image with the same config.json.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playbook_runner import PlaybookRun, run_playbook
from registry import Registry, RegistryHarnessError, docker_manifest_inspect, push_windows_image

PLAYBOOK = Path(__file__).with_name("info.yml")
BUILDS = ["10.0.17763.6659", "10.0.20348.2966", "10.0.26100.2605"]


def _run(command: list[str], env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed: {done.stderr.strip()}"
    return done.stdout


@pytest.fixture
def pass_store(tmp_path: Path, registry_basic: Registry) -> Iterator[dict[str, str]]:
    """The environment of a pass store that holds ``registry_basic``'s credentials (and nothing else)."""
    gnupg = tmp_path / "gnupg"
    gnupg.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(gnupg), "PASSWORD_STORE_DIR": str(tmp_path / "store")}
    key = "wincontainers-compat-test@example.invalid"
    _run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", key, "default", "default", "never"], env)
    _run(["pass", "init", key], env)
    login = {"ServerURL": registry_basic.host, "Username": registry_basic.username, "Secret": registry_basic.password}
    _run(["docker-credential-pass", "store"], env, json.dumps(login))
    try:
        yield {name: env[name] for name in ("GNUPGHOME", "PASSWORD_STORE_DIR")}
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True, timeout=30, check=False)


def read(
    images: list[str], config: dict[str, Any], tmp_path: Path, env: dict[str, str], hosts: list[str]
) -> PlaybookRun:
    """registry_image_info over ``images`` with ``config`` as its docker_config (written to ``tmp_path``)."""
    (tmp_path / "config.json").write_text(json.dumps(config))
    options = {"docker_config": str(tmp_path / "config.json"), "insecure_registries": hosts}
    run = run_playbook(PLAYBOOK, extra_vars={"images": images, "registry_options": options}, env=env)
    assert run.returncode == 0, run.explain()
    return run


def test_creds_store_and_cred_helpers_read_with_the_helper_as_the_docker_cli_does(
    registry_basic: Registry, pass_store: dict[str, str], tmp_path: Path
) -> None:
    digest = push_windows_image(registry_basic.client(), "helper/app", "v1")
    ref = f"{registry_basic.host}/helper/app:v1"
    for config in (
        {"credsStore": "pass"},
        {"credsStore": "wincontainers-absent", "credHelpers": {registry_basic.host: "pass"}},
        {"credsStore": "pass", "auths": {registry_basic.host: {"username": "stale", "password": "wrong"}}},
    ):
        run = read([ref], config, tmp_path, pass_store, [registry_basic.host])
        entry = run.result("Read images")["images"][ref]
        assert entry["error"] is None, config
        assert entry["digest"] == digest
        assert [p["os_version"] for p in entry["platforms"]] == BUILDS
        assert registry_basic.password not in json.dumps(run.output)
    seen = docker_manifest_inspect(ref, {**pass_store, "DOCKER_CONFIG": str(tmp_path)})
    assert [m["digest"] for m in seen["manifests"]] == [p["digest"] for p in entry["platforms"]]


def test_a_registry_the_helper_has_nothing_for_is_read_anonymously(
    registry_basic: Registry, pass_store: dict[str, str], tmp_path: Path
) -> None:
    push_windows_image(registry_basic.client(), "helper/app", "v1")
    other_name = registry_basic.host.replace("127.0.0.1", "localhost")  # the same registry, a key pass does not hold
    ref = f"{other_name}/helper/app:v1"
    userpass = {"username": registry_basic.username, "password": registry_basic.password}
    # the auths entry is not used once a helper answers for the registry, as the Docker CLI's native store does
    config = {"credsStore": "pass", "auths": {other_name: userpass}}
    run = read([ref], config, tmp_path, pass_store, [other_name])
    error = run.result("Read images")["images"][ref]["error"]
    assert error.startswith(f"{ref}: registry {other_name} answered 401 (unauthorized)")
    with pytest.raises(RegistryHarnessError, match="no basic auth credentials"):  # the CLI sent none either
        docker_manifest_inspect(ref, {**pass_store, "DOCKER_CONFIG": str(tmp_path)})


def test_a_missing_helper_is_an_error_of_its_registry_unless_auth_names_it(
    registry_basic: Registry, registry_http: Registry, pass_store: dict[str, str], tmp_path: Path
) -> None:
    push_windows_image(registry_basic.client(), "helper/app", "v1")
    push_windows_image(registry_http.client(), "helper/open", "v1")
    locked = f"{registry_basic.host}/helper/app:v1"
    opened = f"{registry_http.host}/helper/open:v1"
    config = {"credHelpers": {registry_basic.host: "wincontainers-absent"}}
    run = read([locked, opened], config, tmp_path, pass_store, [registry_basic.host, registry_http.host])
    images = run.result("Read images")["images"]
    assert images[locked]["error"] == (
        f"{locked}: credential helper docker-credential-wincontainers-absent "
        f"(docker config credHelpers['{registry_basic.host}']) for {registry_basic.host}: "
        "docker-credential-wincontainers-absent is not an executable on PATH"
    )
    assert images[opened]["error"] is None
    (tmp_path / "config.json").write_text(json.dumps(config))
    options = {
        "docker_config": str(tmp_path / "config.json"),
        "insecure_registries": [registry_basic.host],
        "auth": {registry_basic.host: {"username": registry_basic.username, "password": registry_basic.password}},
    }
    explicit = run_playbook(PLAYBOOK, extra_vars={"images": [locked], "registry_options": options}, env=pass_store)
    assert explicit.returncode == 0, explicit.explain()
    assert explicit.result("Read images")["images"][locked]["error"] is None
