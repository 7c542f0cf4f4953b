"""Base image currency in the compliance report: table-driven on hand-built fleets and recorded tag lists."""

from __future__ import annotations

import datetime
from typing import Any, Optional

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import compliance as c
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.currency import (
    base_image_findings,
    tag_lists_of,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError

TODAY = datetime.date(2026, 11, 28)
SERVERCORE = "mcr.microsoft.com/windows/servercore"
NANOSERVER = "mcr.microsoft.com/windows/nanoserver"
# Monthly images of 2022 (20348) and 2019 (17763), as MCR's tag list publishes them, plus floating tags.
TAGS = ["ltsc2022", "ltsc2019", "10.0.20348.2700", "10.0.20348.2762", "10.0.20348.2849", "10.0.20348.2966"]
TAGS += ["10.0.17763.6659", "10.0.17763.6775", "10.0.20348.2700-amd64"]


def host(version: str, image: str, image_version: str) -> dict[str, Any]:
    """Facts of a host running one container of ``image`` built on ``image_version``."""
    return {
        "version": {"version": version},
        "host_kind": "server",
        "docker": {"installed": True, "running": True, "default_isolation": "process", "swarm": {}},
        "containers": [{"name": "app", "image": image, "image_os_version": image_version, "isolation": "process"}],
    }


def report(image_version: str, registry: Any, max_behind: Optional[int] = None, image: str = "contoso/app:1") -> dict:
    options = {"today": TODAY, **({"base_image_max_behind": max_behind} if max_behind is not None else {})}
    hosts = {"h1": host("10.0.20348.2966", image, image_version)}
    return c.evaluate(hosts, policy=c.make_policy(options), registry=registry)


def stale(result: dict) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["check"] == "base_image_stale"]


def tag_lists(tags: list[str], repository: str = SERVERCORE, error: Optional[str] = None) -> dict[str, Any]:
    return {"images": {}, "tag_lists": {repository: {"tags": tags, "error": error}}}


@pytest.mark.parametrize(
    ("image_version", "max_behind", "expected"),
    [
        ("10.0.20348.2966", 0, None),  # the newest monthly image
        ("10.0.20348.2849", 1, None),  # one behind, within the default policy
        ("10.0.20348.2849", 0, (1, "low", "10.0.20348.2966")),
        ("10.0.20348.2762", None, (2, "low", "10.0.20348.2966")),  # default: 1 allowed
        ("10.0.20348.2700", None, (3, "medium", "10.0.20348.2966")),
        ("10.0.20348.2500", 2, (4, "medium", "10.0.20348.2966")),  # older than any published: all count
        ("10.0.17763.6659", 0, (1, "low", "10.0.17763.6775")),
        ("10.0.26100.2894", 0, None),  # no monthly image of 26100 in the list: nothing guessed
    ],
)
def test_stale_base_images_by_policy(image_version: str, max_behind: Optional[int], expected: Any) -> None:
    found = stale(report(image_version, tag_lists(TAGS), max_behind))
    if expected is None:
        assert found == []
        return
    behind, severity, newest = expected
    (item,) = found
    assert (item["behind"], item["severity"], item["host"], item["image"]) == (behind, severity, None, "contoso/app:1")
    assert item["rebuild_on"] == f"{SERVERCORE}:{newest}"
    assert f"{behind} monthly image(s) behind the newest {newest} of {SERVERCORE}" in item["message"]
    # contoso/app names no base repository: the one list is assumed, and the finding says so
    assert item["base_repository_assumed"] is True
    assert item["fix"] == (
        f"rebuild contoso/app:1 on the {newest} image of its base repository "
        f"({SERVERCORE}:{newest} if it is {SERVERCORE}) and redeploy it"
    )
    assert item["image_source"] == "host"  # where the image's build came from, as every image finding says


@pytest.mark.parametrize(
    "registry",
    [
        None,  # no registry answers at all
        {"images": {}},  # images but no tag lists
        tag_lists(TAGS, error="mcr.microsoft.com: 429 Too Many Requests for windows/servercore tags"),
        tag_lists(["ltsc2022", "latest"]),  # no version-pinned tag
    ],
)
def test_no_finding_without_usable_tag_lists(registry: Any) -> None:
    result = report("10.0.20348.2700", registry, 0)
    assert stale(result) == []
    assert result["policy"]["base_image_max_behind"] == 0


def test_own_repository_list_wins_over_others() -> None:
    lists = {
        "images": {},
        "tag_lists": {
            NANOSERVER: {"tags": ["10.0.20348.2700", "10.0.20348.2762"], "error": None},
            SERVERCORE: {"tags": TAGS, "error": None},
        },
    }
    own = stale(report("10.0.20348.2700", lists, 0, image=f"{SERVERCORE}:10.0.20348.2700"))
    assert [(f["behind"], f["rebuild_on"]) for f in own] == [(3, f"{SERVERCORE}:10.0.20348.2966")]
    assert [f["base_repository_assumed"] for f in own] == [False]
    other = stale(report("10.0.20348.2700", lists, 0))  # an app image: the first list (by name) of its build
    assert [(f["behind"], f["rebuild_on"]) for f in other] == [(1, f"{NANOSERVER}:10.0.20348.2762")]
    assert [f["base_repository_assumed"] for f in other] == [True]
    assert "assumed: the image's base repository is not known" in other[0]["message"]
    assert f"({NANOSERVER}:10.0.20348.2762 if it is {NANOSERVER})" in other[0]["fix"]


def test_repository_an_image_sits_under_is_its_base() -> None:
    lists = {
        "images": {},
        "tag_lists": {
            NANOSERVER: {"tags": ["10.0.20348.2700", "10.0.20348.2762"], "error": None},
            SERVERCORE: {"tags": TAGS, "error": None},
        },
    }
    found = stale(report("10.0.20348.2700", lists, 0, image=f"{SERVERCORE}/iis:windowsservercore-ltsc2022"))
    assert [(f["behind"], f["rebuild_on"], f["base_repository_assumed"]) for f in found] == [
        (3, f"{SERVERCORE}:10.0.20348.2966", False)
    ]
    assert "assumed" not in found[0]["message"]


def test_manifest_list_entry_each_judged() -> None:
    columns = [{"ref": "contoso/app:2", "builds": ["10.0.17763.6775", "10.0.20348.2762"]}]
    found = base_image_findings(columns, tag_lists(TAGS), 0)
    assert [(f["subject"], f["behind"], f["rebuild_on"]) for f in found] == [
        ("image contoso/app:2", 2, f"{SERVERCORE}:10.0.20348.2966")
    ]


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        ({"tag_lists": ["x"]}, "registry.tag_lists must be a mapping"),
        ({"tag_lists": {SERVERCORE: {"tags": "ltsc2022"}}}, f"registry.tag_lists[{SERVERCORE}] must hold a list"),
    ],
)
def test_bad_tag_lists_are_named(registry: Any, message: str) -> None:
    with pytest.raises(OptionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        tag_lists_of(registry)


@pytest.mark.parametrize("value", [-1, "two", True, 1.5, 10_000])
def test_bad_threshold_is_named(value: Any) -> None:
    with pytest.raises(OptionError, match="base_image_max_behind"):
        c.make_policy({"base_image_max_behind": value})
