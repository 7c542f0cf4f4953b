"""The recorded example fleet is what the modules return today: rebuilt from raw/, it is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import build_host_facts
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm_runner import report

FLEET = Path(__file__).resolve().parents[2] / "examples" / "fleet"
SWARM_DEFAULTS = {"os_label": "OS", "version_label": "OsVersion", "version_format": "major.minor.build"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("raw", sorted((FLEET / "raw").glob("*.json")), ids=lambda p: p.stem)
def test_host_state_is_what_win_container_host_facts_builds(raw: Path) -> None:
    recorded = _load(FLEET / "state" / "hosts" / raw.name)["ansible_facts"]["wincontainers_host"]
    assert recorded == json.loads(json.dumps(build_host_facts(_load(raw))))


@pytest.mark.parametrize("raw", sorted((FLEET / "raw" / "swarm").glob("*.json")), ids=lambda p: p.stem)
def test_swarm_state_has_the_shape_swarm_compat_info_returns(raw: Path) -> None:
    api = _load(raw)
    recorded = _load(FLEET / "state" / "swarm" / raw.name)
    assert recorded == json.loads(json.dumps(report(dict(SWARM_DEFAULTS), api["nodes"], api["services"], api["tasks"])))
    assert {"nodes", "services", "findings", "unmatched_hosts", "summary"} <= set(recorded)
