#!/usr/bin/env python3
"""Rebuild ``state/hosts/<host>.json`` of the example fleet from the raw values in ``raw/<host>.json``, and
``state/swarm/<cluster>.json`` from the Engine API objects in ``raw/swarm/<cluster>.json``.

Each raw file holds what ``win_container_host_facts.ps1`` returns on a host (registry values, restart
signals, feature states, the JSON that ``docker info``, ``docker version``, ``docker image inspect`` and
``docker container inspect`` print with the collection's ``--format`` templates, the daemon.json bytes,
containerd's version), in the shape ``tests/unit/test_host_facts_contract.py`` reads from the script.
The facts are built by the same controller code as the action plugin, so the example files are exactly what
``ansible windows -m wincontainers.compat.win_container_host_facts --tree state/hosts`` records.

Each raw swarm file holds what ``GET /nodes``, ``GET /services`` and ``GET /tasks`` return on a manager; the
state is the result of ``swarm_compat_info``'s own ``report`` with its default options, so it has the module's
real return shape.

Run from the top of the checkout: ``.venv/bin/python examples/fleet/build_facts.py``.

The versions are real releases: 14393.7606 (KB5048671), 14393.7515 (KB5046612), 17763.6659 (KB5048661),
17763.6775 (KB5050008), 20348.2966 (KB5048654), 20348.3091 (KB5049983), 26100.2605 (KB5048667),
22631.4602 (KB5048685) and 19042.1889 (KB5016616, the last 20H2 image), from Microsoft's release
information pages:
https://learn.microsoft.com/en-us/windows/release-health/windows-server-release-info,
https://learn.microsoft.com/en-us/windows/release-health/release-information and
https://learn.microsoft.com/en-us/windows/release-health/windows11-release-information.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / ".tmp" / "collections"))

from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import build_host_facts  # noqa: E402
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm_runner import report  # noqa: E402

SWARM_DEFAULTS = {"os_label": "OS", "version_label": "OsVersion", "version_format": "major.minor.build"}


def build_swarms() -> None:
    """Write one swarm_compat_info result per raw swarm file."""
    out_dir = HERE / "state" / "swarm"
    out_dir.mkdir(parents=True, exist_ok=True)
    for raw_file in sorted((HERE / "raw" / "swarm").glob("*.json")):
        raw = json.loads(raw_file.read_text(encoding="utf-8"))
        result = report(dict(SWARM_DEFAULTS), raw["nodes"], raw["services"], raw["tasks"])
        (out_dir / raw_file.name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"swarm {raw_file.stem}: {result['summary']}")


def main() -> None:
    """Write one facts file per raw host file, and one swarm state per raw swarm file."""
    out_dir = HERE / "state" / "hosts"
    out_dir.mkdir(parents=True, exist_ok=True)
    for raw_file in sorted((HERE / "raw").glob("*.json")):
        facts = build_host_facts(json.loads(raw_file.read_text(encoding="utf-8")))
        document = {"changed": False, "ansible_facts": {"wincontainers_host": facts}}
        (out_dir / raw_file.name).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{raw_file.name}: {facts['version']['version']} {facts['release']['name']}")
    build_swarms()


if __name__ == "__main__":
    main()
