"""One pass over the fleet: every check, the matrix and the summary, in one report dict."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.currency import (
    with_base_image_currency,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.facts import (
    HostView,
    check_facts,
    host_view,
    image_index,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.hosts import (
    host_findings,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.matrix import (
    host_row,
    image_columns,
    matrix_row,
    summarize,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.orchestrators import (
    check_k8s,
    check_swarm,
    fold_consequences,
    orchestrator_findings,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import (
    HOST_CHECKS,
    HOSTS_SUITE,
    SCHEMA,
    CompatFn,
    Policy,
    Verdicts,
    read_target,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import (
    by_severity,
)


def _dedupe(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, unique = set(), []
    for item in findings:
        key = (item["check"], item["subject"], item.get("host"), item.get("message"))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def evaluate(
    hosts: Mapping[str, Optional[Mapping[str, Any]]],
    *,
    swarm: Optional[Mapping[str, Mapping[str, Any]]] = None,
    k8s: Optional[Mapping[str, Mapping[str, Any]]] = None,
    targets: Optional[Mapping[str, Any]] = None,
    policy: Optional[Policy] = None,
    compat: Optional[CompatFn] = None,
    registry: object = None,
) -> dict[str, Any]:
    """Run every check over the fleet and return the report.

    Args:
        hosts: Host name -> its ``wincontainers_host`` facts (None when the host gave none).
        swarm: Cluster name -> ``swarm_compat_info`` result (``nodes``, ``services``, ``findings``).
        k8s: Cluster name -> ``k8s_compat_info`` result (``nodes``, ``workloads``, ``pods``, ``findings``,
            optionally ``runtime_classes``).
        targets: Host name -> the version the host moves to with its pending update or upgrade.
        policy: The policy; defaults of the role when None.
        compat: Replaces the core's ``container_compat(image, host, isolation, host_kind)`` (tests, bench).
        registry: ``registry_image_info``'s result: images' builds read from their registry (per host for a
            manifest list) in the matrix, and every image finding says where its build came from.

    Returns:
        ``{schema, as_of, policy, summary, hosts, images, matrix, checks, findings}``, findings worst first.

    Raises:
        OptionError: a target version cannot be read (the message names the host).
        FactsError: a host's facts hold a value of the wrong type (the message names the host and the field).
    """
    policy = policy or Policy()
    swarm, k8s, targets = swarm or {}, k8s or {}, targets or {}
    verdicts = Verdicts(policy.rules, compat)
    views = _host_views(hosts, targets)
    index = image_index(views.values())
    host_found, checks = _run_host_checks(views, policy, verdicts, index)
    orchestrated, ran = _run_cluster_checks(swarm, k8s, views, policy, verdicts, index, registry)
    checks += ran
    unique = _dedupe(host_found + orchestrated)
    findings = by_severity(unique, within=lambda f: (f.get("host") or "", f["check"], f["subject"]))
    columns = image_columns(list(views.values()), swarm, k8s, index, registry)
    findings = with_image_sources(with_base_image_currency(findings, columns, registry, policy), columns)
    by_host = _findings_by_host(views, findings)
    rows = [host_row(view, by_host.get(name, []), policy) for name, view in views.items()]
    return {
        "schema": SCHEMA,
        "as_of": policy.today.isoformat(),
        "policy": policy.as_dict(),
        "summary": summarize(rows, columns, findings),
        "hosts": rows,
        "images": columns,
        "matrix": [
            matrix_row(view, columns, verdicts, registry) for view in views.values() if view.version is not None
        ],
        "checks": [{"suite": suite, "subject": subject, "check": check} for suite, subject, check in checks],
        "findings": findings,
    }


def _host_views(hosts: Mapping[str, Optional[Mapping[str, Any]]], targets: Mapping[str, Any]) -> dict[str, HostView]:
    """Host name -> its checked view with its target version, in name order."""
    return {
        name: host_view(name, check_facts(name, facts), read_target(targets.get(name), f"the target version of {name}"))
        for name, facts in sorted(hosts.items())
    }


def _run_host_checks(
    views: Mapping[str, HostView], policy: Policy, verdicts: Verdicts, index: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """The hosts suite: its findings (tagged with the suite) and the (suite, subject, check) triples it ran."""
    per_host = {name: host_findings(view, policy, verdicts, index) for name, view in views.items()}
    for items in per_host.values():
        for item in items:
            item["suite"] = HOSTS_SUITE
    checks = [(HOSTS_SUITE, name, check) for name, view in views.items() for check in _host_checks(view)]
    return [item for items in per_host.values() for item in items], checks


def _run_cluster_checks(
    swarm: Mapping[str, Mapping[str, Any]],
    k8s: Mapping[str, Mapping[str, Any]],
    views: Mapping[str, HostView],
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
    registry: object,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """One suite per swarm and Kubernetes cluster: findings with their consequences, and the checks run."""
    orchestrated: list[dict[str, Any]] = []
    checks: list[tuple[str, str, str]] = []
    clusters = [("swarm", name, state, check_swarm) for name, state in sorted(swarm.items())]
    clusters += [("k8s", name, state, check_k8s) for name, state in sorted(k8s.items())]
    for kind, cluster, state, check in clusters:
        suite = f"{kind} {cluster}"
        found, ran = check(cluster, state, views, policy, verdicts, index, registry)
        own = [dict(item, suite=suite) for item in found]
        orchestrated += own + fold_consequences(own, orchestrator_findings(suite, state, views))
        checks += ran
    return orchestrated, checks


def _findings_by_host(
    views: Mapping[str, HostView], findings: Sequence[Mapping[str, Any]]
) -> dict[str, list[Mapping[str, Any]]]:
    """Host name -> the findings that name it; a cluster object's finding counts for its cluster only."""
    by_host: dict[str, list[Mapping[str, Any]]] = {name: [] for name in views}
    for ranked in findings:
        if ranked.get("host") in by_host:
            by_host[ranked["host"]].append(ranked)
    return by_host


def with_image_sources(
    findings: Sequence[dict[str, Any]], columns: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Findings about an image (``image``) with where its build came from, unless they already say it."""
    by_ref = {column["ref"]: column for column in columns}
    out = []
    for item in findings:
        column = by_ref.get(str(item.get("image")))
        if column is not None and "image_source" not in item:
            item = {
                **item,
                "image_source": column["source"],
                "image_digest": column.get("digest"),
                "image_build_guess": column["guess"],
                "image_source_label": column["source_label"],
            }
        out.append(item)
    return out


def _host_checks(view: HostView) -> tuple[str, ...]:
    if not view.facts or view.version is None:
        return ("facts_present",)
    return tuple(check for check in HOST_CHECKS if check != "update_impact" or view.target is not None)
