"""Runners of the Docker Swarm modules: list once, plan with ``swarm.py``, apply over ``docker_client.py``.

Each ``run_*`` function takes the ``AnsibleModule`` and returns the module result. Updates go through the
shared :func:`fleet_runner.apply_with_retry` (a version conflict is re-read, re-planned and retried) and every
node or service is tried: one that fails is reported with its error and the task fails after the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import CATALOG_ARGUMENT_SPEC
from ansible_collections.wincontainers.compat.plugins.module_utils.docker_client import (
    REQUIRED_TOGETHER,
    APIError,
    DockerClientError,
    connect,
    docker_argument_spec,
    docker_error_message,
    engine_errors,
    is_version_conflict,
    post_json,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import by_severity, counts
from ansible_collections.wincontainers.compat.plugins.module_utils.fleet_runner import (
    FAILED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Applied,
    ClientErrors,
    ItemResult,
    apply_with_retry,
    finish,
    fleet_argument_spec,
    run_fleet_module,
    run_items,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import (
    FactsMatch,
    NodePlan,
    Placement,
    PlacementPlan,
    ServiceView,
    Want,
    build_wants,
    check_option_keys,
    fleet_versions,
    label_findings,
    match_facts,
    node_summary,
    parse_node,
    parse_service,
    placement_differs,
    placement_targets,
    plan_node,
    plan_target,
    service_image_source,
    service_report,
    updated_service_spec,
    updated_spec,
    windows_node_versions,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import safe_version

try:
    from docker.errors import DockerException
    from requests.exceptions import RequestException
except ImportError:  # pragma: no cover - the client reports the missing SDK
    DockerException = RequestException = DockerClientError  # type: ignore[misc,assignment]

DOCKER_ERRORS = ClientErrors(
    (DockerClientError, APIError, DockerException, RequestException, OSError), docker_error_message
)
"""Every error a Docker call may raise, and the one translation of them."""
ITEM_ERRORS: tuple[type[Exception], ...] = (*DOCKER_ERRORS.types, WinCompatError)


def run_swarm_module(own_options: Mapping[str, Any], runner: Callable[[AnsibleModule], dict[str, Any]]) -> None:
    """The whole ``main()`` of a Swarm module: connection options + OWN_OPTIONS, then RUNNER."""

    def guarded(module: AnsibleModule) -> dict[str, Any]:
        with engine_errors(module.params["docker_host"]):
            return runner(module)

    spec = fleet_argument_spec({**docker_argument_spec(), **CATALOG_ARGUMENT_SPEC}, own_options)
    run_fleet_module(spec, guarded, DOCKER_ERRORS, required_together=REQUIRED_TOGETHER)


# --- swarm_node_labels -------------------------------------------------------------------------------------------
def apply_plan(api: Any, plan: NodePlan, want: Want, unavailable: str, retries: int) -> tuple[NodePlan, int, int]:
    """Send the update of PLAN; on a version conflict re-read the node, re-plan and retry.

    Returns the final plan (re-planned after conflicts), the update requests sent and the conflicts met.
    """
    applied = _apply_node(api, plan, want, unavailable, retries)
    return applied.state, applied.attempts, applied.conflicts


@dataclass
class _Tally:
    """Requests sent and conflicts met for one item, kept when the item fails half way."""

    sends: int = 0
    conflicts: int = 0


def _apply_node(
    api: Any, plan: NodePlan, want: Want, unavailable: str, retries: int, tally: Optional[_Tally] = None
) -> Applied[NodePlan]:
    counts = tally or _Tally()

    def send(current: NodePlan) -> None:
        counts.sends += 1
        api.update_node(current.node.id, current.node.version_index, updated_spec(current.node, current.after))

    def reread(current: NodePlan) -> NodePlan:
        counts.conflicts += 1
        return plan_node(parse_node(api.inspect_node(current.node.id)), want, unavailable)

    return apply_with_retry(plan, lambda p: p.needs_update, send, reread, is_version_conflict, retries)


@dataclass(frozen=True)
class _NodeDone:
    plan: NodePlan
    attempts: int
    conflicts: int
    error: Optional[str] = None


def _label_nodes(api: Any, plans: list[NodePlan], wants: dict[str, Want], params: Mapping[str, Any]) -> list[_NodeDone]:
    """Apply every plan that needs an update (up to O(parallel) at a time); each ends updated or failed."""
    tallies = {plan.node.id: _Tally() for plan in plans}

    def attempt(plan: NodePlan) -> _NodeDone:
        applied = _apply_node(
            api, plan, wants[plan.node.id], params["unavailable"], params["conflict_retries"], tallies[plan.node.id]
        )
        return _NodeDone(applied.state, applied.attempts, applied.conflicts)

    def failed(plan: NodePlan, exc: Exception) -> _NodeDone:
        tally = tallies[plan.node.id]
        return _NodeDone(plan, tally.sends, tally.conflicts, docker_error_message(exc))

    return run_items(plans, attempt, failed, ITEM_ERRORS, params["parallel"])


def _node_entry(done: _NodeDone) -> tuple[dict[str, Any], ItemResult]:
    """The per-node entry of RV(nodes) and its outcome."""
    plan = done.plan
    changed = done.error is None and plan.needs_update
    entry = plan.result(changed, done.attempts)
    if plan.skipped:
        outcome = SKIPPED
    elif done.error is not None:
        outcome, entry["labels"] = FAILED, dict(plan.before)
    else:
        outcome = UPDATED if changed else UNCHANGED
    entry.update(outcome=outcome, error=done.error)
    return entry, ItemResult(plan.node.hostname, plan.node.id, changed, outcome, done.error)


def run_node_labels(module: AnsibleModule) -> dict[str, Any]:
    """List the nodes, plan every wanted node, update the ones that differ (not in check mode)."""
    params = module.params
    api = connect(params)
    try:
        nodes = [parse_node(raw) for raw in api.nodes()]
        wants, unmatched = build_wants(params, nodes)
        by_id = {node.id: node for node in nodes}
        plans = [plan_node(by_id[node_id], want, params["unavailable"]) for node_id, want in wants.items()]
        plans.sort(key=lambda p: (p.node.hostname, p.node.id))
        todo = [] if module.check_mode else [p for p in plans if p.needs_update]
        sent = {done.plan.node.id: done for done in _label_nodes(api, todo, wants, params)}
    finally:
        api.close()
    entries, results = [], []
    diff: dict[str, dict[str, Any]] = {"before": {}, "after": {}}
    for plan in plans:
        done = sent.get(plan.node.id, _NodeDone(plan, 0, 0))
        entry, item = _node_entry(done)
        entries.append(entry)
        results.append(item)
        if entry["changed"]:
            diff["before"][plan.node.hostname] = done.plan.before
            diff["after"][plan.node.hostname] = done.plan.after
    output: dict[str, Any] = {
        "nodes": entries,
        "skipped_nodes": [e["hostname"] for e in entries if e["skipped"]],
        "unmatched_hosts": unmatched,
        "conflicts": sum(done.conflicts for done in sent.values()),
    }
    if module._diff:
        output["diff"] = diff
    return finish(output, results, "node")


# --- swarm_service_placement -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Placed:
    target: Placement
    plan: PlacementPlan
    attempts: int = 0
    conflicts: int = 0
    error: Optional[str] = None


def _apply_placement(api: Any, placed: _Placed, nodes: list, params: Mapping[str, Any], tally: _Tally) -> _Placed:
    """Update the service of PLACED; on a version conflict re-read it, re-plan and retry."""

    def send(current: _Placed) -> None:
        tally.sends += 1
        svc = current.target.service
        spec = updated_service_spec(svc, current.plan)
        post_json(api, f"/services/{svc.id}/update", spec, {"version": svc.version_index})

    def reread(current: _Placed) -> _Placed:
        tally.conflicts += 1
        old = current.target
        target = Placement(parse_service(api.inspect_service(old.service.id)), old.given, old.isolation)
        return _Placed(target, plan_target(target, nodes, params))

    def differs(current: _Placed) -> bool:
        return placement_differs(current.target.service, current.plan)

    applied = apply_with_retry(placed, differs, send, reread, is_version_conflict, params["conflict_retries"])
    return _Placed(applied.state.target, applied.state.plan, applied.attempts, applied.conflicts)


def _service_entry(listed: ServiceView, done: _Placed, registry: object) -> tuple[dict[str, Any], ItemResult]:
    """The per-service entry of RV(services) and its outcome; LISTED is the service as first listed."""
    svc, plan, error = done.target.service, done.plan, done.error
    changed = error is None and placement_differs(svc, plan)
    outcome = FAILED if error is not None else (UPDATED if changed else UNCHANGED)
    source = service_image_source(svc.image, done.target.given, registry)
    version = safe_version(source["version"])
    entry = {
        "id": svc.id,
        "name": svc.name,
        "image": svc.image,
        "image_version": version.version if version else None,
        "image_source": source["source"],
        "image_digest": source.get("digest") or source.get("list_digest"),
        "image_build_guess": bool(source.get("guess")),
        "changed": changed,
        "constraints_before": list(listed.constraints),
        "constraints": list(listed.constraints if error else plan.constraints),
        "isolation_before": listed.isolation,
        "isolation": listed.isolation if error else plan.isolation,
        "reason": plan.reason,
        "attempts": done.attempts,
        "outcome": outcome,
        "error": error,
    }
    return entry, ItemResult(svc.name, svc.id, changed, outcome, error)


def _place(api: Any, planned: list[_Placed], nodes: list, params: Mapping[str, Any]) -> list[_Placed]:
    """Apply every planned placement that differs; each ends updated, unchanged or failed."""
    tallies = {p.target.service.id: _Tally() for p in planned}

    def attempt(placed: _Placed) -> _Placed:
        return _apply_placement(api, placed, nodes, params, tallies[placed.target.service.id])

    def failed(placed: _Placed, exc: Exception) -> _Placed:
        tally = tallies[placed.target.service.id]
        return _Placed(placed.target, placed.plan, tally.sends, tally.conflicts, docker_error_message(exc))

    return run_items(planned, attempt, failed, ITEM_ERRORS)


def run_service_placement(module: AnsibleModule) -> dict[str, Any]:
    """List services and nodes once, plan every service, update those whose placement differs."""
    params = module.params
    check_option_keys(params["os_label"], params["version_label"])
    api = connect(params)
    try:
        services = sorted((parse_service(raw) for raw in api.services()), key=lambda s: s.name)
        raw_nodes = [parse_node(raw) for raw in api.nodes()]
        nodes = windows_node_versions(raw_nodes, params["os_label"], params["version_label"])
        targets, skipped = placement_targets(params, services)
        planned = [_Placed(t, plan_target(t, nodes, params)) for t in targets]
        placed = planned if module.check_mode else _place(api, planned, nodes, params)
    finally:
        api.close()
    entries, results = [], []
    diff: dict[str, dict[str, Any]] = {"before": {}, "after": {}}
    for first, done in zip(planned, placed):
        entry, item = _service_entry(first.target.service, done, params.get("registry"))
        entries.append(entry)
        results.append(item)
        if entry["changed"]:
            diff["before"][item.name] = {
                "constraints": entry["constraints_before"],
                "isolation": entry["isolation_before"],
            }
            diff["after"][item.name] = {"constraints": entry["constraints"], "isolation": entry["isolation"]}
    output: dict[str, Any] = {
        "services": entries,
        "skipped_services": skipped,
        "conflicts": sum(d.conflicts for d in placed),
    }
    if module._diff:
        output["diff"] = diff
    return finish(output, results, "service")


# --- swarm_compat_info -------------------------------------------------------------------------------------------
def report(params: Mapping[str, Any], raw_nodes: list, raw_services: list, tasks: list) -> dict[str, Any]:
    """The whole report from the three lists (pure)."""
    check_option_keys(params["os_label"], params["version_label"])
    nodes = sorted((parse_node(n) for n in raw_nodes), key=lambda n: (n.hostname, n.id))
    facts: Optional[FactsMatch] = match_facts(params["from_facts"], nodes) if params.get("from_facts") else None
    fleet = fleet_versions(nodes, facts, params["version_label"])
    findings = label_findings(fleet, params["version_label"], params["version_format"]) if facts else []
    services = []
    given = params.get("image_versions") or {}
    for svc in sorted((parse_service(s) for s in raw_services), key=lambda s: s.name):
        entry, found = service_report(
            svc, tasks, fleet, given.get(svc.name), params["version_label"], params["os_label"], params.get("registry")
        )
        services.append(entry)
        findings += found
    findings = by_severity(findings)
    return {
        "changed": False,
        "nodes": [node_summary(n, *fleet.versions[n.id]) for n in nodes],
        "services": services,
        "findings": findings,
        "unmatched_hosts": facts.unmatched if facts else {},
        "summary": {
            "nodes": len(nodes),
            "services": len(services),
            "services_not_converged": sum(1 for s in services if s["desired"] and s["running"] < s["desired"]),
            "failing_tasks": sum(len(s["failing_tasks"]) for s in services),
            "findings": counts(findings),
        },
    }


def run_compat_info(module: AnsibleModule) -> dict[str, Any]:
    """Read nodes, services and tasks once each, then report (read-only)."""
    api = connect(module.params)
    try:
        raw_nodes, raw_services, tasks = api.nodes(), api.services(), api.tasks()
    finally:
        api.close()
    return report(module.params, raw_nodes, raw_services, tasks)
