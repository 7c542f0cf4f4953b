"""The connection options registry_image_info and windows_manifest_list share: one spec, one check, config.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.wincontainers.compat.plugins.action import registry_image_info, windows_manifest_list
from ansible_collections.wincontainers.compat.plugins.plugin_utils.registry_options import (
    CONNECTION_SPEC,
    default_docker_config,
    load_docker_config,
    registry_session,
)

GOOD = {
    "auth": {},
    "docker_config": "/dev/null/none",
    "validate_certs": True,
    "ca_path": None,
    "insecure_registries": [],
    "timeout": 30.0,
    "retries": 3,
}


def test_both_actions_take_the_same_connection_options() -> None:
    for spec in (registry_image_info.ARGUMENT_SPEC, windows_manifest_list.ARGUMENT_SPEC):
        assert {key: spec[key] for key in CONNECTION_SPEC} == CONNECTION_SPEC
    assert CONNECTION_SPEC["auth"]["no_log"] is True


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive number of seconds; got 0"),
        ({"retries": -1}, "retries must be 0 or more; got -1"),
        ({"auth": {"quay.io": {"password": "p4ss"}}}, "auth['quay.io'] must hold username and password, or token"),
    ],
)
def test_bad_connection_options_are_refused_by_name(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(AnsibleActionFail) as caught:
        registry_session({**GOOD, **bad})
    assert message in str(caught.value)
    assert "p4ss" not in str(caught.value)


def test_the_session_carries_the_options_and_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"credsStore": "pass"}))
    session = registry_session({**GOOD, "docker_config": str(config), "timeout": 5.0, "insecure_registries": ["r:5"]})
    assert session.docker_config == {"credsStore": "pass"}
    assert (session.options.timeout, session.options.insecure_registries) == (5.0, ("r:5",))


def test_explicit_docker_config_must_be_readable_default_one_is_optional(tmp_path: Path) -> None:
    broken = tmp_path / "config.json"
    broken.write_text("{not json")
    with pytest.raises(AnsibleActionFail, match=r"cannot be read as a Docker config\.json"):
        load_docker_config(str(broken), explicit=True)
    assert load_docker_config(str(broken), explicit=False) is None
    assert load_docker_config(None, explicit=False) is None
    broken.write_text(json.dumps([1]))
    with pytest.raises(AnsibleActionFail, match="not a JSON object"):
        load_docker_config(str(broken), explicit=False)


def test_default_docker_config_follows_docker_config_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert default_docker_config() is None
    (tmp_path / "config.json").write_text("{}")
    assert default_docker_config() == str(tmp_path / "config.json")
    monkeypatch.delenv("DOCKER_CONFIG")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_docker_config() is None
