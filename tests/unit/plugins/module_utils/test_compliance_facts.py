"""Malformed recorded facts: a clear error naming the host and the field, or a sane report, never a crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import compliance as c
from ansible_collections.wincontainers.compat.plugins.module_utils.reports import render_html, render_json, render_junit

STATE = Path(__file__).resolve().parents[4] / "examples" / "fleet" / "state"
WRONG = [None, "x", 0, ["x"], {"x": 1}]
# Sub-trees compliance never reads (the gathered verdict details, feature states, daemon.json content).
UNREAD = {"verdict", "features", "daemon_json", "verdicts"}


def load(kind: str) -> dict[str, Any]:
    return {path.stem: json.loads(path.read_text()) for path in sorted((STATE / kind).glob("*.json"))}


HOSTS = {name: document["ansible_facts"]["wincontainers_host"] for name, document in load("hosts").items()}
SWARM, K8S = load("swarm"), load("k8s")


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field of the facts (lists by their first two items), outside the sub-trees compliance never reads."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in UNREAD:
                yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            yield from paths(item, (*prefix, index))


def replaced(facts: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    mutated = copy.deepcopy(facts)
    inner: Any = mutated
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return mutated


def field_name(path: tuple[Any, ...]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


MUTATIONS = [(host, path) for host, facts in HOSTS.items() for path in paths(facts)]


@pytest.mark.parametrize(("host", "path"), MUTATIONS, ids=[f"{h}:{field_name(p)}" for h, p in MUTATIONS])
def test_a_wrong_value_gives_a_clear_error_or_a_sane_report(host: str, path: tuple[Any, ...]) -> None:
    policy = c.make_policy({"isolation": "auto", "today": "2026-12-06"})
    for value in WRONG:
        facts = replaced(HOSTS[host], path, value)
        try:
            report = c.evaluate({host: facts}, swarm=SWARM, k8s=K8S, policy=policy)
            c.patch_impact(host, facts, updates_pending=True, policy=policy)
        except c.FactsError as exc:
            assert f"facts of host {host}: " in str(exc), exc
            named = str(exc).split(": ", 1)[1]
            assert named.startswith(field_name(path)) or field_name(path).startswith(named.split(" must be ")[0])
            continue
        assert [row["name"] for row in report["hosts"]] == [host] and report["summary"]["hosts"] == 1
        assert render_json(report) and render_junit(report) and render_html(report)


def test_the_error_names_the_host_and_the_field() -> None:
    facts = replaced(HOSTS["win2019-01"], ("containers", 1, "image"), ["contoso/agent:latest"])
    with pytest.raises(c.FactsError, match=r"^facts of host win2019-01: containers\[1\]\.image must be text; got \["):
        c.evaluate({"win2019-01": facts})
    with pytest.raises(c.FactsError, match=r"^facts of host h: the facts must be a mapping; got 'oops'"):
        c.evaluate({"h": "oops"})


def test_a_version_given_as_text_is_read() -> None:
    facts = replaced(HOSTS["win2022-01"], ("version",), "10.0.20348.2966")
    (row,) = c.evaluate({"win2022-01": facts})["hosts"]
    assert (row["version"], row["build"]) == ("10.0.20348.2966", 20348)
