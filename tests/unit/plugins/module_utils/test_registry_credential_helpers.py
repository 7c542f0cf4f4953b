"""Docker credential helpers: which one the Docker CLI would ask and what its answer means (pure).

The choice follows docker/cli ``configfile.getConfiguredCredentialStore`` (``credHelpers[<key>]``, else
``credsStore``; the key is ``https://index.docker.io/v1/`` for Docker Hub, else the registry host) and its native
store (a helper's answer replaces the ``auths`` entry); the answers follow docker-credential-helpers
``client.Get``. The runner is exercised with real executables written to a temporary ``PATH``.
"""

from __future__ import annotations

import threading
from typing import Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.registry import (
    CREDENTIALS_NOT_FOUND,
    CredentialHelper,
    RegistryError,
    credential_helper,
    credential_server_address,
    credentials_for,
    helper_answer,
    parse_reference,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    ClientOptions,
    RegistryClient,
    RegistrySession,
)

CONFIG = {
    "auths": {"reg.example:5000": {"username": "file", "password": "file-pass"}, "plain.example": {"auth": ""}},
    "credHelpers": {"https://index.docker.io/v1/": "hub", "ecr.example": "ecr-login", "off.example": ""},
    "credsStore": "pass",
}
HELPER = CredentialHelper("pass", "reg.example:5000", "credsStore")


@pytest.mark.parametrize(
    ("registry", "address"),
    [
        ("docker.io", "https://index.docker.io/v1/"),
        ("index.docker.io", "https://index.docker.io/v1/"),
        ("registry-1.docker.io", "https://index.docker.io/v1/"),
        ("Reg.Example:5000", "reg.example:5000"),
        ("ghcr.io", "ghcr.io"),
    ],
)
def test_server_address_is_the_cli_config_key(registry: str, address: str) -> None:
    assert credential_server_address(registry) == address


@pytest.mark.parametrize(
    ("config", "registry", "expected"),
    [
        (CONFIG, "docker.io", ("hub", "https://index.docker.io/v1/", "credHelpers['https://index.docker.io/v1/']")),
        (CONFIG, "ecr.example", ("ecr-login", "ecr.example", "credHelpers['ecr.example']")),
        (CONFIG, "reg.example:5000", ("pass", "reg.example:5000", "credsStore")),
        (CONFIG, "off.example", None),  # an empty credHelpers entry: no helper, not credsStore (the CLI's "")
        ({"credHelpers": {"docker.io": "hub"}}, "docker.io", None),  # Docker Hub's key is the index URL only
        ({"auths": {}}, "reg.example:5000", None),
        ({"credsStore": ""}, "reg.example:5000", None),
    ],
)
def test_cred_helpers_beat_creds_store(
    config: dict[str, object], registry: str, expected: Optional[tuple[str, str, str]]
) -> None:
    assert credential_helper(config, registry) == (CredentialHelper(*expected) if expected else None)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"credsStore": "../../tmp/x"}, "docker config credsStore must name a credential helper"),
        ({"credsStore": 7}, "such as pass or ecr-login; got 7"),
        ({"credHelpers": {"reg.example": "a b"}}, "credHelpers['reg.example'] must name a credential helper"),
        ({"credHelpers": ["pass"]}, "credHelpers must be an object of registry: helper"),
    ],
)
def test_a_helper_name_that_is_no_program_suffix_is_refused(config: dict[str, object], message: str) -> None:
    with pytest.raises(RegistryError, match="docker config") as caught:
        credential_helper(config, "reg.example")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("returncode", "output", "expected"),
    [
        (0, b'{"ServerURL":"r:1","Username":"alice","Secret":"s3"}', {"username": "alice", "password": "s3"}),
        (0, b'{"Username":"<token>","Secret":"refresh"}', {"identitytoken": "refresh"}),
        (0, b'{"ServerURL":"reg.example:5000","Username":"","Secret":""}', None),  # pass 0.6 for an unknown server
        (1, CREDENTIALS_NOT_FOUND.encode() + b"\n", None),
    ],
)
def test_helper_answers(returncode: int, output: bytes, expected: Optional[dict[str, str]]) -> None:
    assert helper_answer(HELPER, returncode, output) == expected


@pytest.mark.parametrize(
    ("returncode", "output", "message"),
    [
        (0, b"Username=alice Secret=s3", "did not answer JSON (JSONDecodeError)"),
        (0, b'["alice", "s3"]', "did not answer a JSON object with the strings Username and Secret"),
        (0, b'{"Username":"alice"}', "did not answer a JSON object with the strings Username and Secret"),
        (0, b'{"Secret":"s3"}', "did not answer a JSON object with the strings Username and Secret"),
        (0, b"\xff\xfe", "did not answer JSON (UnicodeDecodeError)"),
        (1, b"error getting credentials: gpg failed\nmore", "failed with exit status 1: error getting credentials"),
        (3, b"", "failed with exit status 3: no output"),
    ],
)
def test_bad_helper_answers_name_helper_and_registry_not_the_secret(
    returncode: int, output: bytes, message: str
) -> None:
    with pytest.raises(RegistryError) as caught:
        helper_answer(HELPER, returncode, output)
    text = str(caught.value)
    assert text.startswith("credential helper docker-credential-pass (docker config credsStore) for reg.example:5000")
    assert message in text
    assert "s3" not in text
    assert "more" not in text


def test_precedence_auth_then_helper_then_auths() -> None:
    asked: list[CredentialHelper] = []

    def ask(helper: CredentialHelper) -> Optional[dict[str, str]]:
        asked.append(helper)
        return {"username": "from", "password": helper.name} if helper.name != "pass" else None

    explicit = {"reg.example:5000": {"username": "given", "password": "x"}}
    assert credentials_for("reg.example:5000", explicit, CONFIG, ask) == {"username": "given", "password": "x"}
    assert asked == []
    # credsStore answers nothing: the auths entry is not used (the CLI's native store replaces it): anonymous
    assert credentials_for("reg.example:5000", {}, CONFIG, ask) is None
    assert credentials_for("ecr.example", {}, CONFIG, ask) == {"username": "from", "password": "ecr-login"}
    assert [h.name for h in asked] == ["pass", "ecr-login"]
    without_store = {key: value for key, value in CONFIG.items() if key != "credsStore"}
    assert credentials_for("reg.example:5000", {}, without_store, ask) == {"username": "file", "password": "file-pass"}
    assert len(asked) == 2


def test_a_slow_helper_holds_up_only_its_own_registry() -> None:
    """While one registry's helper has not answered, another registry's client is made at once."""
    asked, release, fast_done = threading.Event(), threading.Event(), threading.Event()
    made: dict[str, RegistryClient] = {}

    def ask(helper: CredentialHelper) -> Optional[dict[str, str]]:
        asked.set()
        release.wait(30)
        return {"username": "u", "password": "p"}

    def make_fast() -> None:
        made["fast"] = session.client(parse_reference("fast.example/app:1"))
        fast_done.set()

    session = RegistrySession(ClientOptions(), ask, {}, {"credHelpers": {"slow.example": "slow"}})
    slow = threading.Thread(target=session.client, args=(parse_reference("slow.example/app:1"),))
    slow.start()
    try:
        assert asked.wait(10)
        threading.Thread(target=make_fast).start()
        assert fast_done.wait(5), "fast.example waited for slow.example's credential helper"
        assert made["fast"].host == "fast.example" and made["fast"].credentials == {}
    finally:
        release.set()
        slow.join(10)
        fast_done.wait(10)
    assert session.client(parse_reference("slow.example/app:2")).credentials == {"username": "u", "password": "p"}
