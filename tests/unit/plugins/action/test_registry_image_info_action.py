"""registry_image_info's action: option checks and the no-secret rule, without a registry.

Everything that talks to a registry is tested against the real one in tests/integration/registry/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.wincontainers.compat.plugins.action.registry_image_info import ActionModule


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
