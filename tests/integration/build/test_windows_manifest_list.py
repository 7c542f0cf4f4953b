"""windows_manifest_list on real registries (Debian's docker-registry with TLS, and with token auth).

Per-build images are pushed through the registry API by the harness; the module runs in real ansible-playbook
processes; the list is read back with the real ``docker manifest inspect`` and from the registry's access log.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from ansible_collections.wincontainers.compat.plugins.module_utils.registry import DOCKER_LIST, OCI_INDEX, OCI_MANIFEST
from playbook_runner import PlaybookRun, run_playbook
from registry import Platform, Registry, docker_manifest_inspect, push_single

PLAYBOOK = Path(__file__).with_name("manifest_list.yml")
BUILDS = {"ltsc2019": "10.0.17763.6659", "ltsc2022": "10.0.20348.2966", "ltsc2025": "10.0.26100.2605"}
TASK = "Assemble the list"


def push_builds(registry: Registry, repository: str, builds: dict[str, str | None], family: str = "oci") -> dict:
    """One image per build, pushed under ``<tag>`` by the registry API: ``{tag: digest}``."""
    client = registry.client()
    return {
        tag: push_single(client, repository, Platform(os_version=version), family, tag)["digest"]
        for tag, version in builds.items()
    }


def publish(registry: Registry, name: str, images: list[str], check: bool = False, **extra: Any) -> PlaybookRun:
    extra_vars = {"list_name": name, "images": images, "registry_options": registry.module_args(), **extra}
    return run_playbook(PLAYBOOK, extra_vars=extra_vars, check=check, diff=True)


def inspect(registry: Registry, reference: str, config_dir: Path | None = None) -> Any:
    """The real Docker CLI's view (Debian's 20.10 CLI reads Docker manifest lists; it refuses OCI entries)."""
    return docker_manifest_inspect(reference, {"DOCKER_CONFIG": str(config_dir)} if config_dir else None)


def list_puts(registry: Registry, repository: str, tag: str) -> int:
    return sum(1 for m, p, s in registry.requests() if m == "PUT" and p == f"/v2/{repository}/manifests/{tag}")


def test_tls_list_from_configs_idempotent_and_one_changed_entry(registry_tls: Registry, tmp_path: Path) -> None:
    repo, host = "team/app", registry_tls.host
    digests = push_builds(registry_tls, repo, BUILDS, family="docker")
    name = f"{host}/{repo}:1.0"
    images = [f"{host}/{repo}:{tag}" for tag in ("ltsc2019", "ltsc2022", "ltsc2025")]

    check = publish(registry_tls, name, images, check=True)
    assert check.returncode == 0, check.explain()
    assert check.result(TASK)["changed"] is True and list_puts(registry_tls, repo, "1.0") == 0

    first = publish(registry_tls, name, images)
    assert first.returncode == 0, first.explain()
    result = first.result(TASK)
    assert result["changed"] is True and result["media_type"] == DOCKER_LIST
    seen = inspect(registry_tls, name)
    assert seen["mediaType"] == DOCKER_LIST
    # newest first, each entry's platform from the image config
    assert [m["platform"]["os.version"] for m in seen["manifests"]] == [
        "10.0.26100.2605", "10.0.20348.2966", "10.0.17763.6659",
    ]  # fmt: skip
    assert [m["digest"] for m in seen["manifests"]] == [digests[t] for t in ("ltsc2025", "ltsc2022", "ltsc2019")]
    assert all(m["platform"]["os"] == "windows" and m["platform"]["architecture"] == "amd64" for m in seen["manifests"])
    assert registry_tls.client().head_manifest(repo, "1.0")[0] == result["digest"]
    assert list_puts(registry_tls, repo, "1.0") == 1

    again = publish(registry_tls, name, images)
    assert again.returncode == 0, again.explain()
    assert again.result(TASK)["changed"] is False and again.result(TASK)["digest"] == result["digest"]
    assert list_puts(registry_tls, repo, "1.0") == 1
    idle_check = publish(registry_tls, name, images, check=True)
    assert idle_check.result(TASK)["changed"] is False

    # a rebuilt 2022 image (next monthly base) under the same tag: one entry changes
    new = push_builds(registry_tls, repo, {"ltsc2022": "10.0.20348.3091"}, family="docker")["ltsc2022"]
    changed = publish(registry_tls, name, images)
    assert changed.returncode == 0, changed.explain()
    diff = changed.result(TASK)["diff"]
    before, after = json.loads(diff["before"]), json.loads(diff["after"])
    assert [a for a in after if a not in before] == [
        {"digest": new, "os": "windows", "architecture": "amd64", "os_version": "10.0.20348.3091"}
    ]
    assert len([b for b in before if b not in after]) == 1
    seen = inspect(registry_tls, name)
    assert [m["digest"] for m in seen["manifests"]] == [digests["ltsc2025"], new, digests["ltsc2019"]]
    assert list_puts(registry_tls, repo, "1.0") == 2


def test_image_without_os_version_is_refused(registry_tls: Registry) -> None:
    repo, host = "team/noversion", registry_tls.host
    push_builds(registry_tls, repo, {"ltsc2022": "10.0.20348.2966", "unknown": None})
    run = publish(registry_tls, f"{host}/{repo}:1.0", [f"{host}/{repo}:ltsc2022", f"{host}/{repo}:unknown"])
    assert run.returncode != 0
    msg = run.result(TASK)["msg"]
    assert f"the image config of {host}/{repo}:unknown has no os.version" in msg
    assert list_puts(registry_tls, repo, "1.0") == 0


def test_fleet_with_a_build_no_entry_serves_is_reported(registry_tls: Registry) -> None:
    repo, host = "team/partial", registry_tls.host
    push_builds(registry_tls, repo, {"ltsc2022": BUILDS["ltsc2022"], "ltsc2025": BUILDS["ltsc2025"]})
    fleet = {"win2019": "10.0.17763.6659", "win2022": "10.0.20348.3091", "win2025": "10.0.26100.2605"}
    run = publish(registry_tls, f"{host}/{repo}:1.0", [f"{host}/{repo}:ltsc2022", f"{host}/{repo}:ltsc2025"],
                  fleet=fleet)  # fmt: skip
    assert run.returncode == 0, run.explain()
    verification = run.result(TASK)["verification"]
    rows = {row["host"]: row for row in verification["hosts"]}
    assert rows["win2022"]["containerd"]["os_version"] == rows["win2022"]["docker"]["os_version"] == BUILDS["ltsc2022"]
    assert rows["win2025"]["containerd"]["os_version"] == rows["win2025"]["docker"]["os_version"] == BUILDS["ltsc2025"]
    assert rows["win2019"]["containerd"]["digest"] is None and rows["win2019"]["docker"]["digest"] is None
    assert [(u["host"], u["engine"]) for u in verification["unserved"]] == [
        ("win2019", "containerd"),
        ("win2019", "docker"),
    ]
    assert "no matching manifest for windows/amd64 10.0.17763" in verification["unserved"][0]["message"]
    assert verification["report"][0].startswith("win2019 10.0.17763.6659: containerd: none")


def test_token_auth_docker_media_types(registry_token: Registry, tmp_path: Path) -> None:
    repo, host = "team/docker", registry_token.host
    digests = push_builds(registry_token, repo, {"ltsc2019": BUILDS["ltsc2019"], "ltsc2022": BUILDS["ltsc2022"]},
                          family="docker")  # fmt: skip
    name = f"{host}/{repo}:1.0"
    images = [f"{host}/{repo}:ltsc2019", f"{host}/{repo}@{digests['ltsc2022']}"]
    run = publish(registry_token, name, images)
    assert run.returncode == 0, run.explain()
    assert run.result(TASK)["media_type"] == DOCKER_LIST
    auth = base64.b64encode(f"{registry_token.username}:{registry_token.password}".encode()).decode()
    (tmp_path / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))
    seen = inspect(registry_token, name, tmp_path)
    assert seen["mediaType"] == DOCKER_LIST
    assert [m["digest"] for m in seen["manifests"]] == [digests["ltsc2022"], digests["ltsc2019"]]
    assert publish(registry_token, name, images).result(TASK)["changed"] is False
    anonymous = run_playbook(PLAYBOOK, extra_vars={"list_name": name, "images": images,
                                                   "registry_options": {"insecure_registries": [host]}})  # fmt: skip
    assert anonymous.returncode != 0 and "401 (unauthorized)" in anonymous.result(TASK)["msg"]


def test_oci_images_make_an_oci_index(registry_tls: Registry) -> None:
    repo, host = "team/oci", registry_tls.host
    digests = push_builds(registry_tls, repo, {"ltsc2019": BUILDS["ltsc2019"], "ltsc2025": BUILDS["ltsc2025"]})
    run = publish(registry_tls, f"{host}/{repo}:1.0", [f"{host}/{repo}:ltsc2019", f"{host}/{repo}:ltsc2025"])
    assert run.returncode == 0, run.explain()
    assert run.result(TASK)["media_type"] == OCI_INDEX
    content, media_type, digest = registry_tls.client().get_manifest(repo, "1.0")
    document = json.loads(content)
    assert media_type == OCI_INDEX and digest == run.result(TASK)["digest"]
    assert [(m["mediaType"], m["digest"], m["platform"]["os.version"]) for m in document["manifests"]] == [
        (OCI_MANIFEST, digests["ltsc2025"], BUILDS["ltsc2025"]),
        (OCI_MANIFEST, digests["ltsc2019"], BUILDS["ltsc2019"]),
    ]
