"""The recorded example fleet is what the modules return today: rebuilt from raw/, it is unchanged; its recorded
registry tag lists agree with the release catalog and give the reports their ``base_image_stale`` findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible_collections.wincontainers.compat.plugins.action.compliance_report import load_offline
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import entry_for_build
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance import evaluate, make_policy
from ansible_collections.wincontainers.compat.plugins.module_utils.host_facts import build_host_facts
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm_runner import report
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version, safe_version

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


# ------------------------------------------------------------------------------ recorded registry tag lists


def _recorded_tag_lists() -> dict[str, dict]:
    lists: dict[str, dict] = {}
    for path in sorted((FLEET / "state" / "registry").glob("*.json")):
        lists.update(_load(path).get("tag_lists") or {})
    return lists


def _pinned(tags: list[str]) -> dict[int, set[int]]:
    """Revisions of the version-pinned tags (``10.0.B.R``, ``-amd64`` too), by build."""
    found: dict[int, set[int]] = {}
    for tag in tags:
        version = safe_version(tag) if tag.startswith("10.0.") else None
        if version is not None and version.revision is not None:
            found.setdefault(version.build, set()).add(version.revision)
    return found


@pytest.mark.parametrize("repository", sorted(_recorded_tag_lists()))
def test_recorded_tag_lists_agree_with_the_catalog(repository: str) -> None:
    """Every monthly image of a recorded list is a catalogued update of its build, and each KB-suffixed tag
    (``1809-KB5048661``) names the revision of a version-pinned tag of the same list."""
    entry = _recorded_tag_lists()[repository]
    assert entry["error"] is None and entry["tags"]
    pinned = _pinned(entry["tags"])
    assert pinned
    for build, revisions in pinned.items():
        assert revisions <= set(entry_for_build(build)["kb_revisions"].values()), build
    kb_tagged: dict[int, set[int]] = {}
    for tag in (tag for tag in entry["tags"] if "-KB" in tag):
        version = parse_windows_version(tag)
        assert version.revision is not None, tag
        kb_tagged.setdefault(version.build, set()).add(version.revision)
    assert kb_tagged and all(kb_tagged[build] == pinned[build] for build in kb_tagged)


def _example_report() -> dict:
    offline = load_offline(str(FLEET / "state"))
    registry = {"images": offline["registry"], "tag_lists": offline["tag_lists"]}
    return evaluate(
        offline["hosts"], swarm=offline["swarm"], k8s=offline["k8s"], policy=make_policy({}), registry=registry
    )


def test_the_example_reports_the_images_its_recorded_tag_lists_show_stale() -> None:
    """``base_image_stale`` findings are exactly the image builds more than ``base_image_max_behind`` monthly
    images behind the newest of the recorded list, counted here from the data; one image at least is current."""
    report = _example_report()
    (repository, entry), *others = _recorded_tag_lists().items()
    assert not others  # one base repository recorded: every image is judged against it
    pinned = _pinned(entry["tags"])
    limit = report["policy"]["base_image_max_behind"]
    expected, current = set(), set()
    for column in report["images"]:
        for text in column.get("builds") or [column["version"]]:
            version = safe_version(text) if text else None
            if version is None or version.revision is None or version.build not in pinned:
                continue
            behind = sum(1 for revision in pinned[version.build] if revision > version.revision)
            newest = f"{repository}:10.0.{version.build}.{max(pinned[version.build])}"
            if behind > limit:
                expected.add((f"image {column['ref']}", column["ref"], behind, newest))
            elif behind == 0:
                current.add(column["ref"])
    found = {
        (f["subject"], f["image"], f["behind"], f["rebuild_on"])
        for f in report["findings"]
        if f["check"] == "base_image_stale"
    }
    assert expected and current
    assert found == expected
    assert not {item[1] for item in found} & current
