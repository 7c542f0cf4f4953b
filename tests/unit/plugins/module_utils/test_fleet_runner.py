"""The shared runner pieces: the optimistic-concurrency loop, every item tried, failure only after all."""

from __future__ import annotations

import threading

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils.fleet_runner import (
    FAILED,
    UNCHANGED,
    UPDATED,
    ItemResult,
    apply_with_retry,
    finish,
    fleet_argument_spec,
    run_items,
)


class Conflict(Exception):
    pass


class Store:
    """One object with a version; ``rivals`` are other clients' writes that win the next races."""

    def __init__(self, rivals: int) -> None:
        self.version, self.value, self.rivals, self.sends = 1, "", rivals, 0

    def send(self, state: tuple[int, str]) -> None:
        self.sends += 1
        if self.rivals:
            self.rivals -= 1
            self.version += 1
        if state[0] != self.version:
            raise Conflict(state)
        self.value, self.version = state[1], self.version + 1


def test_conflicts_are_reread_and_retried_until_the_write_lands() -> None:
    store = Store(rivals=2)
    applied = apply_with_retry(
        (1, "x"), lambda s: store.value != s[1], store.send, lambda s: (store.version, "x"),
        lambda e: isinstance(e, Conflict), retries=5,
    )  # fmt: skip
    assert (applied.attempts, applied.conflicts, store.value, store.sends) == (3, 2, "x", 3)


def test_conflicts_beyond_the_retries_raise_the_last_conflict() -> None:
    store = Store(rivals=10)
    with pytest.raises(Conflict):
        apply_with_retry(
            (1, "x"), lambda s: True, store.send, lambda s: (store.version, "x"),
            lambda e: isinstance(e, Conflict), retries=2,
        )  # fmt: skip
    assert store.sends == 3


def test_a_reread_with_nothing_left_to_do_sends_nothing_more() -> None:
    sends = []

    def send(state: str) -> None:
        sends.append(state)
        raise Conflict()

    applied = apply_with_retry("todo", lambda s: s == "todo", send, lambda s: "done", lambda e: True, retries=5)
    assert (applied.state, applied.attempts, applied.conflicts, sends) == ("done", 1, 1, ["todo"])


def test_other_errors_are_not_retried() -> None:
    def send(state: str) -> None:
        raise KeyError(state)

    with pytest.raises(KeyError):
        apply_with_retry("a", lambda s: True, send, lambda s: s, lambda e: isinstance(e, Conflict), retries=5)


@pytest.mark.parametrize("parallel", [1, 4])
def test_every_item_is_tried_in_order_whatever_fails(parallel: int) -> None:
    tried: list[int] = []
    lock = threading.Lock()

    def attempt(item: int) -> str:
        with lock:
            tried.append(item)
        if item % 3 == 0:
            raise LookupError(f"item {item} is gone")
        return f"ok {item}"

    results = run_items(list(range(1, 8)), attempt, lambda i, e: f"failed {e}", (LookupError,), parallel)
    assert results == ["ok 1", "ok 2", "failed item 3 is gone", "ok 4", "ok 5", "failed item 6 is gone", "ok 7"]
    assert sorted(tried) == list(range(1, 8))


def test_an_unexpected_error_type_is_not_swallowed() -> None:
    def attempt(item: int) -> int:
        raise TypeError("a bug")

    with pytest.raises(TypeError):
        run_items([1], attempt, lambda i, e: 0, (LookupError,))


def test_finish_reports_changes_and_fails_naming_only_the_failed_items() -> None:
    results = [
        ItemResult("a", "1", True, UPDATED),
        ItemResult("b", "2", False, FAILED, "404 gone"),
        ItemResult("c", "3", False, UNCHANGED),
    ]
    output = finish({"nodes": []}, results, "node")
    assert output["changed"] is True and output["failed"] is True
    assert output["msg"] == "1 of 3 node(s) failed, the others were tried: b: 404 gone"
    assert output["results"][1] == {"name": "b", "id": "2", "changed": False, "outcome": "failed", "error": "404 gone"}
    assert "failed" not in finish({}, results[::2], "node")


def test_module_options_come_after_the_connection_options() -> None:
    spec = fleet_argument_spec({"host": {"type": "str"}}, {"host": {"type": "raw"}, "names": {"type": "list"}})
    assert spec == {"host": {"type": "raw"}, "names": {"type": "list"}}
