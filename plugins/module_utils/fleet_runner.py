"""The runner layer shared by the fleet modules (Swarm and Kubernetes): one way to run, retry and report.

A fleet module is its documentation, its argument spec and one call to :func:`run_fleet_module`, which
builds the ``AnsibleModule``, calls the module's runner (``swarm_runner``/``k8s_runner``) and turns errors
into ``fail_json`` through the client's one translation (:class:`ClientErrors`). The runners drive the pure
planners (``swarm.py``, ``k8s.py``) over the clients (``docker_client.py``, ``k8s_client.py``) with:

- :func:`apply_with_retry`: one optimistic-concurrency loop (send, and on a version conflict re-read,
  re-plan and send again), used by Swarm node labels, Swarm service placement and Kubernetes node patches;
- :func:`run_items`: every item (node, service, workload, class) is tried, up to ``parallel`` at a time,
  and an item that fails becomes an :class:`ItemResult` with outcome ``failed`` instead of ending the task;
- :func:`finish`: ``changed`` when any item changed, and a task failure naming the failed items only after
  every item was tried.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Generic, Mapping, Optional, Sequence, TypeVar

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import use_catalog_file
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError

S = TypeVar("S")
T = TypeVar("T")

UPDATED, UNCHANGED, SKIPPED, REFUSED, FAILED = "updated", "unchanged", "skipped", "refused", "failed"
OUTCOMES = (UPDATED, UNCHANGED, SKIPPED, REFUSED, FAILED)
"""Per-item outcomes. ``refused`` is a change the API refused as invalid (reported, not fatal)."""


@dataclass(frozen=True)
class ItemResult:
    """What happened to one item of the fleet; ``as_dict()`` is an entry of the modules' ``results``."""

    name: str
    id: str
    changed: bool
    outcome: str
    error: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id, "changed": self.changed, "outcome": self.outcome, "error": self.error}


@dataclass(frozen=True)
class Applied(Generic[S]):
    """The result of :func:`apply_with_retry`: the state last planned, requests sent, conflicts met."""

    state: S
    attempts: int
    conflicts: int


def apply_with_retry(
    state: S,
    needs_write: Callable[[S], bool],
    send: Callable[[S], None],
    reread: Callable[[S], S],
    is_conflict: Callable[[BaseException], bool],
    retries: int,
) -> Applied[S]:
    """Send STATE while it ``needs_write``; on a version conflict ``reread`` (re-read and re-plan) and retry.

    A conflict beyond RETRIES, and any other error, propagates unchanged. A re-read that finds nothing left to
    do ends without another request.
    """
    attempts = conflicts = 0
    while needs_write(state):
        attempts += 1
        try:
            send(state)
            return Applied(state, attempts, conflicts)
        except Exception as exc:
            if not is_conflict(exc) or conflicts >= retries:
                raise
            conflicts += 1
            state = reread(state)
    return Applied(state, attempts, conflicts)


def run_items(
    items: Sequence[T],
    attempt: Callable[[T], S],
    on_error: Callable[[T, Exception], S],
    errors: tuple[type[Exception], ...],
    parallel: int = 1,
) -> list[S]:
    """``attempt`` every item, up to PARALLEL at a time, in order; an error of ERRORS goes to ``on_error``.

    Every item is tried whatever happens to the others.
    """

    def one(item: T) -> S:
        try:
            return attempt(item)
        except errors as exc:
            return on_error(item, exc)

    workers = max(1, min(int(parallel or 1), len(items)))
    if workers == 1:
        return [one(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, items))


def _failed_message(results: Sequence[ItemResult], noun: str) -> Optional[str]:
    """The task failure naming every failed item with its error, or None when none failed."""
    failed = [r for r in results if r.outcome == FAILED]
    if not failed:
        return None
    named = "; ".join(f"{r.name}: {r.error}" for r in failed)
    return f"{len(failed)} of {len(results)} {noun}(s) failed, the others were tried: {named}"


def finish(output: dict[str, Any], results: Sequence[ItemResult], noun: str) -> dict[str, Any]:
    """Add ``results`` and ``changed`` (any item changed) to OUTPUT, and ``failed``/``msg`` when items failed."""
    output["results"] = [r.as_dict() for r in results]
    output["changed"] = bool(output.get("changed")) or any(r.changed for r in results)
    message = _failed_message(results, noun)
    if message:
        output["failed"] = True
        output["msg"] = message
    return output


@dataclass(frozen=True)
class ClientErrors:
    """How one client's errors become messages: the exception types and the one translation for them."""

    types: tuple[type[Exception], ...]
    message: Callable[[Exception], str]


def common_options() -> dict[str, dict[str, Any]]:
    """Options every fleet module shares beyond its client's connection options (none yet).

    The one place to add a shared option group (its values reach the runners through ``module.params``).
    """
    return {}


def fleet_argument_spec(connection: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """A module's argument spec: its client's connection options, the common options, then its own."""
    spec: dict[str, Any] = {key: dict(value) for key, value in connection.items()}
    spec.update(common_options())
    spec.update(own)
    return spec


def run_fleet_module(
    argument_spec: dict[str, Any],
    runner: Callable[[AnsibleModule], dict[str, Any]],
    client: ClientErrors,
    prepare: Optional[Callable[[AnsibleModule], None]] = None,
    **module_kwargs: Any,
) -> None:
    """Build the module, activate its ``catalog`` file (``catalog_file.CATALOG_ARGUMENT_SPEC``), run RUNNER, exit
    with its result; fail with one translated message on an error.

    An error may carry a ``result`` dict of values to return with the failure (``api_requests``).

    A result holding ``failed`` (items failed after all were tried) fails the task with that result.
    """
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    if prepare is not None:
        prepare(module)
    try:
        use_catalog_file(module.params.get("catalog"))
        result = runner(module)
    except WinCompatError as exc:
        module.fail_json(msg=str(exc))
    except client.types as exc:
        module.fail_json(msg=client.message(exc), **getattr(exc, "result", {}))
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
