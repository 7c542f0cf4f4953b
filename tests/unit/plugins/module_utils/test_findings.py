"""The findings vocabulary: one shape, one severity scale, one order, shared by every report."""

from __future__ import annotations

import pytest
from ansible_collections.wincontainers.compat.plugins.module_utils import findings as fi
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import OptionError


def test_by_severity_orders_critical_first() -> None:
    found = [{"severity": "low", "n": 1}, {"severity": "critical", "n": 2}, {"severity": "low", "n": 3}]
    assert [f["n"] for f in fi.by_severity(found)] == [2, 1, 3]


def test_by_severity_orders_within_a_severity_by_the_given_key() -> None:
    found = [{"severity": "high", "n": 3}, {"severity": "critical", "n": 2}, {"severity": "high", "n": 1}]
    assert [f["n"] for f in fi.by_severity(found, within=lambda f: f["n"])] == [2, 1, 3]


def test_finding_has_the_shared_shape_and_refuses_an_unknown_severity() -> None:
    item = fi.finding("image_revision", "high", "container a", "win2019-01", "newer", "patch", image="x:1")
    assert list(item) == ["check", "severity", "subject", "host", "message", "fix", "image"]
    with pytest.raises(OptionError, match="severity must be one of critical, high, medium, low, info; got 'urgent'"):
        fi.finding("image_revision", "urgent", "container a", None, "newer", "patch")


def test_at_or_above_counts_and_worst() -> None:
    items = [{"severity": s} for s in fi.SEVERITIES] + [{"check": "no severity"}]
    assert [f.get("severity") for f in fi.at_or_above(items, "high")] == ["critical", "high"]
    assert fi.at_or_above(items, None) == [] and fi.at_or_above(items, "none") == []
    assert len(fi.at_or_above(items, "info")) == 6  # a finding without a severity counts as info
    assert fi.counts(items) == {"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 2}
    assert fi.worst(items[2:]) == "medium" and fi.worst([]) is None
    with pytest.raises(OptionError, match="severity must be one of"):
        fi.at_or_above(items, "urgent")
