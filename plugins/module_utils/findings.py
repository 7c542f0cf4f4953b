"""The findings vocabulary: one shape, one severity scale, one order, for every report of the collection.

``swarm_compat_info``, ``k8s_compat_info``, the label and placement modules, compliance, patch planning and
the report renderers all build their findings with :func:`finding` and rank them with :data:`SEVERITIES`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

from ansible_collections.wincontainers.compat.plugins.module_utils.errors import check_choice

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
# A finding with no (or an unknown) severity ranks as the mildest.
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
_MILDEST = len(SEVERITIES) - 1

Finding = dict[str, Any]
AnyFinding = TypeVar("AnyFinding", bound=Mapping[str, Any])


def finding(
    check: str, severity: str, subject: str, host: Optional[str], message: str, fix: str, **extra: Any
) -> Finding:
    """One finding in the shared shape of docs/design.md, plus optional extra keys (``image``, ``hosts``...).

    Raises:
        OptionError: ``severity`` is not one of :data:`SEVERITIES`.
    """
    if severity not in _RANK:
        check_choice("severity", severity, SEVERITIES)
    base = {"check": check, "severity": severity, "subject": subject, "host": host, "message": message, "fix": fix}
    return {**base, **extra}


def severity_rank(severity: str) -> int:
    """0 for ``critical`` up to 4 for ``info``.

    Raises:
        OptionError: not one of :data:`SEVERITIES`.
    """
    return _RANK[check_choice("severity", severity, SEVERITIES)]


def rank_of(item: Mapping[str, Any]) -> int:
    """The rank of a finding's severity; a finding without a known severity ranks as ``info``."""
    return _RANK.get(str(item.get("severity", "info")), _MILDEST)


def by_severity(
    findings: Iterable[AnyFinding], within: Optional[Callable[[AnyFinding], Any]] = None
) -> list[AnyFinding]:
    """The findings worst first; within a severity by ``within`` when given, else in their given order."""
    rank = _RANK.get
    if within is None:
        return sorted(findings, key=lambda item: rank(item.get("severity", "info"), _MILDEST))
    order = within
    return sorted(findings, key=lambda item: (rank(item.get("severity", "info"), _MILDEST), order(item)))


def at_or_above(findings: Iterable[Mapping[str, Any]], threshold: Optional[str]) -> list[Mapping[str, Any]]:
    """The findings whose severity is ``threshold`` or worse; none when ``threshold`` is None or ``none``.

    Raises:
        OptionError: ``threshold`` is not one of :data:`SEVERITIES` (or ``none``).
    """
    if threshold is None or threshold == "none":
        return []
    limit = severity_rank(threshold)
    return [item for item in findings if rank_of(item) <= limit]


def counts(findings: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """``{severity: number of findings}`` over every severity, worst first (zeros included)."""
    counted = dict.fromkeys(SEVERITIES, 0)
    for item in findings:
        severity = item.get("severity", "info")
        counted[severity if severity in counted else "info"] += 1
    return counted


def worst(findings: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The worst severity among the findings, None when there are none."""
    rank = min((_RANK.get(item.get("severity", "info"), _MILDEST) for item in findings), default=None)
    return None if rank is None else SEVERITIES[rank]
