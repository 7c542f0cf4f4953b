"""Running Docker credential helpers: real executables written to a temporary ``PATH``, as the CLI runs them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    CREDENTIALS_NOT_FOUND,
    CredentialHelper,
    RegistryError,
)
from ansible_collections.wincontainers.compat.plugins.plugin_utils.credential_helpers import (
    CredentialHelpers,
    run_credential_helper,
)

HELPER = CredentialHelper("pass", "reg.example:5000", "credsStore")


def write_helper(directory: Path, name: str, body: str) -> Path:
    """A ``docker-credential-<name>`` shell script in ``directory``; it logs each stdin it is given."""
    program = directory / f"docker-credential-{name}"
    program.write_text(f'#!/bin/sh\nread -r address || true\necho "$*|$address" >> "{directory}/calls"\n{body}\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


@pytest.fixture
def helper_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def test_a_helper_is_run_with_get_and_the_address_on_stdin(helper_path: Path) -> None:
    answer = json.dumps({"ServerURL": "reg.example:5000", "Username": "alice", "Secret": "s3"})
    write_helper(helper_path, "pass", f"echo '{answer}'")
    assert run_credential_helper(HELPER, 5.0) == {"username": "alice", "password": "s3"}
    assert (helper_path / "calls").read_text() == "get|reg.example:5000\n"


def test_not_found_in_the_keychain_is_no_credentials(helper_path: Path) -> None:
    write_helper(helper_path, "pass", f"echo '{CREDENTIALS_NOT_FOUND}'; exit 1")
    assert run_credential_helper(HELPER, 5.0) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "docker-credential-absent is not an executable on PATH"),
        ("exec sleep 5", "did not answer within 0.5 seconds"),
        ("echo 'pass store is locked'; exit 2", "failed with exit status 2: pass store is locked"),
    ],
)
def test_a_failing_helper_is_an_error_naming_it_and_the_registry(
    helper_path: Path, body: Optional[str], message: str
) -> None:
    helper = CredentialHelper("absent", HELPER.server_address, HELPER.source)
    if body is not None:
        write_helper(helper_path, helper.name, body)
    with pytest.raises(RegistryError) as caught:
        run_credential_helper(helper, 0.5)
    assert str(caught.value).startswith("credential helper docker-credential-absent (docker config credsStore)")
    assert "reg.example:5000" in str(caught.value)
    assert message in str(caught.value)


def test_each_helper_is_asked_once_per_registry_even_when_it_fails(helper_path: Path) -> None:
    write_helper(helper_path, "pass", 'echo "{\\"Username\\":\\"alice\\",\\"Secret\\":\\"s3\\"}"')
    write_helper(helper_path, "broken", "exit 9")
    helpers = CredentialHelpers(5.0)
    other = CredentialHelper("pass", "other.example", "credsStore")
    broken = CredentialHelper("broken", "reg.example:5000", "credHelpers['reg.example:5000']")
    for _round in range(3):
        assert helpers.ask(HELPER) == {"username": "alice", "password": "s3"}
        assert helpers.ask(other) == {"username": "alice", "password": "s3"}
        with pytest.raises(RegistryError, match="exit status 9"):
            helpers.ask(broken)
    calls = (helper_path / "calls").read_text().splitlines()
    assert sorted(calls) == ["get|other.example", "get|reg.example:5000", "get|reg.example:5000"]
