"""The registry client's transport: a registry that stays unreachable after the retries is not asked again."""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.registry_client import (
    ClientOptions,
    RegistryClient,
    RegistrySession,
)


@pytest.fixture
def dropped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every HTTP exchange fails as a registry that drops connections does; the hosts asked, in order."""
    asked: list[str] = []

    def refuse(self: RegistryClient, method: str, url: str, headers: Any, data: Any) -> None:
        asked.append(self.host)
        raise urllib.error.URLError(TimeoutError("timed out"))

    monkeypatch.setattr(RegistryClient, "_open", refuse)
    return asked


def test_an_unreachable_registry_costs_one_request_its_retries_not_every_image(dropped: list[str]) -> None:
    session = RegistrySession(ClientOptions(retries=2, sleep=lambda _seconds: None), lambda _helper: None)
    refs = [f"down.example/app{n}:1" for n in range(5)] + ["other.example/app:1"]
    errors = {ref: session.inspect(ref)["error"] for ref in refs}
    assert dropped == ["down.example"] * 3 + ["other.example"] * 3  # the first request and its 2 retries, per host
    assert errors[refs[0]].startswith("registry down.example unreachable (timed out): ")
    for ref in refs[1:5]:
        assert errors[ref].startswith(
            "registry down.example unreachable (timed out) (an earlier request failed; not asked again in this run)"
        )
    assert errors["other.example/app:1"].startswith("registry other.example unreachable (timed out): ")


def test_a_new_run_asks_again(dropped: list[str]) -> None:
    options = ClientOptions(retries=0, sleep=lambda _seconds: None)
    for _run in range(2):
        RegistrySession(options, lambda _helper: None).inspect("down.example/app:1")
    assert dropped == ["down.example", "down.example"]
