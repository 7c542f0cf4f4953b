"""The compliance role reads the deployed images from a real registry (Debian's docker-registry) itself.

A three-build list (17763/20348/26100) is pushed; the example fleet's Swarm deploys it as the ``monitor`` service
(whose ``:latest``-style tag names no build). One real ``ansible-playbook`` run of ``playbooks/compliance.yml``
with ``compliance_registry: true`` must read it and judge each host by the entry its engine pulls; the entries'
digests are read back with the real Docker CLI. The recorded answers of the example fleet are removed first, so
the answer can only come from the registry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from compliance_fleet import TODAY, copy_example
from playbook_runner import REPO_ROOT, run_playbook
from registry import Registry, docker_manifest_inspect, push_windows_image

PLAYBOOK = REPO_ROOT / "playbooks" / "compliance.yml"


def _deploy(inventory: Path, image: str) -> None:
    """The recorded swarm runs IMAGE as its monitor service; no recorded registry answer is left."""
    state = inventory.parent / "state"
    shutil.rmtree(state / "registry")
    path = state / "swarm" / "prod-swarm.json"
    swarm = json.loads(path.read_text(encoding="utf-8"))
    for service in swarm["services"]:
        if service["name"] == "monitor":
            service["image"] = image
    path.write_text(json.dumps(swarm), encoding="utf-8")


def test_the_role_reads_the_registry_and_judges_each_host_by_the_entry_it_pulls(
    tmp_path: Path, registry_http: Registry
) -> None:
    image = f"{registry_http.host}/contoso/orders:2024.11.3"
    listed = push_windows_image(registry_http.client(), "contoso/orders", "2024.11.3")
    entries = {m["platform"]["os.version"]: m["digest"] for m in docker_manifest_inspect(image)["manifests"]}
    inventory = copy_example(tmp_path / "fleet")
    _deploy(inventory, image)
    extra: dict[str, Any] = {
        "compliance_report_dir": str(tmp_path / "reports"),
        "compliance_today": TODAY,
        "compliance_registry": True,
        "compliance_registry_images": [image],
        "compliance_registry_options": {"insecure_registries": [registry_http.host]},
    }
    run = run_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra)
    assert run.returncode == 0, run.explain()
    read = run.result("wincontainers.compat.compliance : Read the running and deployed images from their registries")
    assert read["images"][image]["digest"] == listed
    report = json.loads((tmp_path / "reports" / "compliance.json").read_text(encoding="utf-8"))
    column = next(c for c in report["images"] if c["ref"] == image)
    assert (column["source"], column["digest"], column["guess"]) == ("registry", listed, False)
    cells = {row["host"]: next(c for c in row["cells"] if c["image"] == image) for row in report["matrix"]}
    assert (cells["win2019-01"]["version"], cells["win2019-01"]["digest"]) == (
        "10.0.17763.6659",
        entries["10.0.17763.6659"],
    )
    assert (cells["win2022-01"]["version"], cells["win2022-01"]["digest"]) == (
        "10.0.20348.2966",
        entries["10.0.20348.2966"],
    )
    assert cells["win2016-01"]["status"] == "unsupported"
    assert "no matching manifest for windows/amd64 10.0.14393" in cells["win2016-01"]["reason"]
    guessed = [f for f in report["findings"] if f.get("image_source") == "tag"]
    assert guessed and all(f["image_build_guess"] and f["image_source_label"] == "tag (guess)" for f in guessed)
    junit = (tmp_path / "reports" / "compliance.xml").read_text(encoding="utf-8")
    html = (tmp_path / "reports" / "compliance.html").read_text(encoding="utf-8")
    assert "image build from: tag (guess)" in junit
    assert f'data-image="{image}" data-source="registry" data-guess="false"' in html
    assert f"Image build from: registry {entries['10.0.20348.2966']}." in html
