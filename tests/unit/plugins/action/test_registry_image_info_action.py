"""registry_image_info's action: option checks, config.json discovery and the no-secret rule, without a registry.

Everything that talks to a registry is tested against the real one in tests/integration/registry/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.wincontainers.compat.plugins.action.registry_image_info import (
    ActionModule,
    default_docker_config,
    load_docker_config,
)


def run_action(args: dict[str, Any], check: bool = False) -> dict[str, Any]:
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check
    task.action = "wincontainers.compat.registry_image_info"
    action = ActionModule(task, MagicMock(), MagicMock(), loader=MagicMock(), templar=MagicMock())
    return action.run(task_vars={})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"concurrency": 0}, "concurrency must be 1 or more; got 0"),
        ({"timeout": 0}, "timeout must be a positive number of seconds"),
        ({"retries": -1}, "retries must be 0 or more"),
        ({"auth": {"quay.io": {"password": "p4ss"}}}, "auth['quay.io'] must hold username and password, or token"),
    ],
)
def test_bad_options_are_refused_by_name(args: dict[str, Any], message: str) -> None:
    with pytest.raises(AnsibleActionFail) as caught:
        run_action({"images": [], "docker_config": "/dev/null/none", **args})
    assert message in str(caught.value)
    assert "p4ss" not in str(caught.value)


def test_a_bad_reference_is_an_error_of_that_image_only(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text("{}")
    result = run_action({"images": ["UPPER/Case", "also bad:"], "docker_config": str(config)}, check=True)
    assert result["changed"] is False
    assert set(result["images"]) == {"UPPER/Case", "also bad:"}
    assert result["images"]["UPPER/Case"]["error"].startswith("UPPER/Case: ")
    assert result["images"]["UPPER/Case"]["platforms"] == []
    assert len(result["errors"]) == 2
    assert "failed" not in result
    failing = run_action({"images": ["UPPER/Case"], "docker_config": str(config), "fail_on_error": True})
    assert failing["failed"] is True
    assert failing["msg"].startswith("1 registry lookup(s) failed; the first: UPPER/Case: ")


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
