"""playbooks/build_images.yml in real ansible-playbook runs over the example fleet's recorded facts.

No Windows host exists here: the build step is checked in check mode (it must not reach the hosts) and through
the Dockerfiles it renders; the publish step runs for real against a TLS registry, over per-build images the
harness pushed through the registry API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook
from registry import Platform, Registry, docker_manifest_inspect, push_single

PLAYBOOK = REPO_ROOT / "playbooks" / "build_images.yml"
FLEET = REPO_ROOT / "examples" / "fleet"
TEMPLATE = REPO_ROOT / "examples" / "templates" / "Dockerfile.j2"
ROWS = {"10.0.14393.7606": "10.0.14393.7606", "ltsc2019": "10.0.17763.6659", "ltsc2022": "10.0.20348.2966"}
SC = "mcr.microsoft.com/windows/servercore:"


def run(tmp_path: Path, check: bool = False, skip_tags: str = "", **extra: Any) -> PlaybookRun:
    extra_vars = {
        "build_images_facts_dir": str(FLEET / "state" / "hosts"),
        "build_images_build_group": "windows",
        "build_images_image": "registry.example.com/team/app",
        "build_images_tag": "1.4.0",
        "build_images_output_dir": str(tmp_path / "out"),
        **extra,
    }
    env = {"ANSIBLE_SKIP_TAGS": skip_tags} if skip_tags else None
    return run_playbook(PLAYBOOK, inventory=FLEET / "inventory.yml", extra_vars=extra_vars, check=check, env=env)


def loop_msgs(result: PlaybookRun, task: str) -> dict[str, Any]:
    items = result.result(task)["results"]
    return {item["item"]["tag_suffix"]: item["msg"] for item in items}


def test_check_mode_shows_matrix_dockerfiles_and_pushes_nothing(tmp_path: Path) -> None:
    result = run(tmp_path, check=True)
    assert result.returncode == 0, result.explain()
    matrix = result.result("Compute the build matrix")["ansible_facts"]["build_images_matrix"]
    assert [(row["tag_suffix"], row["build_host"], row["build_isolation"]) for row in matrix] == [
        ("10.0.14393.7606", "win2016-01", "process"),
        ("ltsc2019", "win2019-01", "process"),
        ("ltsc2022", "win2022-01", "process"),
    ]
    dockerfiles = loop_msgs(result, "Show the Dockerfiles")
    assert sorted(dockerfiles) == sorted(ROWS)
    for suffix, lines in dockerfiles.items():
        assert f"FROM {SC}{suffix}" in lines
        assert lines[-1] == 'ENTRYPOINT ["C:\\\\app\\\\service.exe"]'
    plan = result.result("Show the images and the manifest list it would push")["msg"]
    assert plan["manifest_list"] == "registry.example.com/team/app:1.4.0"
    assert plan["images"]["registry.example.com/team/app:1.4.0-ltsc2022"] == "win2022-01"
    pushed = result.result("Show the manifest list it would push")["msg"]["entries"]
    assert pushed == [f"registry.example.com/team/app:1.4.0-{suffix}" for suffix in ROWS]
    # nothing built, pushed or written, and no Windows host was reached
    for task in ("Build the image (docker build)", "Push the image (docker push)"):
        assert all(host.get("skipped") for host in result.task_results(task).values())
    assert result.result("Assemble and push the manifest list").get("skipped") is True
    assert not (tmp_path / "out").exists() and result.failed == 0


def test_rendered_dockerfiles_are_the_template_for_each_row(tmp_path: Path) -> None:
    result = run(tmp_path, skip_tags="build,publish")
    assert result.returncode == 0, result.explain()
    template = re.sub(r"{#.*?#}", "", TEMPLATE.read_text(), flags=re.S)
    static = [line for line in template.splitlines() if line.strip() and not re.search(r"{[{%]|^FROM|^# escape", line)]
    assert static
    for suffix, version in ROWS.items():
        text = (tmp_path / "out" / "dockerfiles" / f"{suffix}.Dockerfile").read_text()
        assert re.findall(r"(?m)^FROM (\S+)$", text) == [SC + suffix]
        assert text.splitlines()[0] == "# escape=`"
        assert f"(server), {version if suffix.startswith('10.0.') else version.rsplit('.', 1)[0]}" in text
        assert all(line in text.splitlines() for line in static)


def test_a_template_that_builds_on_another_image_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "Dockerfile.j2"
    template.write_text("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n")
    result = run(tmp_path, check=True, build_images_template=str(template))
    assert result.returncode != 0
    failed = [
        r
        for r in result.result("Check that each Dockerfile builds on its base image")["results"]
        if r.get("evaluated_to") is False
    ]
    assert len(failed) == 3, result.explain()
    assert "is not FROM mcr.microsoft.com/windows/servercore:ltsc2019" in failed[1]["msg"]


def test_publish_assembles_the_list_and_reports_every_host(registry_tls: Registry, tmp_path: Path) -> None:
    client = registry_tls.client()
    repo = "team/app"
    for suffix, version in ROWS.items():
        push_single(client, repo, Platform(os_version=version), "docker", f"1.4.0-{suffix}")
    image = f"{registry_tls.host}/{repo}"
    result = run(tmp_path, skip_tags="build", build_images_image=image, build_images_ca_path=str(registry_tls.ca_file))
    assert result.returncode == 0, result.explain()
    report = json.loads((tmp_path / "out" / "manifest_list.json").read_text())
    assert report["changed"] is True and report["name"] == f"{image}:1.4.0"
    assert [m["os_version"] for m in report["manifests"]] == ["10.0.20348.2966", "10.0.17763.6659", "10.0.14393.7606"]
    verification = report["verification"]
    assert verification["unserved"] == []
    pulled = {
        row["host"]: (row["containerd"]["os_version"], row["docker"]["os_version"]) for row in verification["hosts"]
    }
    assert pulled == {
        "win2016-01": ("10.0.14393.7606", "10.0.14393.7606"),
        "win2019-01": ("10.0.17763.6659", "10.0.17763.6659"),
        "win2019-02": ("10.0.17763.6659", "10.0.17763.6659"),
        "win2022-01": ("10.0.20348.2966", "10.0.20348.2966"),
        "win2022-k8s-01": ("10.0.20348.2966", "10.0.20348.2966"),
        "win2025-k8s-01": ("10.0.20348.2966", "10.0.20348.2966"),
        "dev-win11": ("10.0.20348.2966", "10.0.20348.2966"),
    }
    seen = docker_manifest_inspect(f"{image}:1.4.0")
    assert [m["platform"]["os.version"] for m in seen["manifests"]] == [m["os_version"] for m in report["manifests"]]
    shown = result.result("Show the verification report")["msg"]
    assert len(shown) == 7 and shown[0].startswith("dev-win11 10.0.22631.4602: containerd pulls 10.0.20348.2966")
