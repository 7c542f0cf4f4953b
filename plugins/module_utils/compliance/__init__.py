"""Fleet compliance: pure checks over host facts and orchestrator state, in one pass.

Inputs are the ``wincontainers_host`` facts of each host (``None`` when a host gave none), the results of
``swarm_compat_info`` and ``k8s_compat_info`` (or their recorded JSON) and a policy. The output is one
report dict: a summary, a host x image matrix, the checks that ran (for JUnit) and the findings in the
shared shape of ``module_utils/findings.py``. Every version decision is the core's (``compat.container_compat``,
``catalog``), every placement and label decision the planners' (``swarm.py``, ``k8s.py``); the cost is linear in
hosts + containers + orchestrator objects, with verdicts cached per distinct (image, host, isolation, host
kind) so a fleet of identical hosts costs one verdict per cell kind.

The package:

- ``policy``: :class:`Policy`, :func:`make_policy`, :class:`Verdicts` (the cached core verdicts);
- ``facts``: :func:`check_facts` (the edge: a wrong type names the host and the field), :func:`host_view`;
- ``hosts``: the checks of one host;
- ``orchestrators``: the Swarm and Kubernetes checks, composed from the planners;
- ``matrix``: the host x image matrix, host rows, summary;
- ``report``: :func:`evaluate`, the one pass;
- ``patching``: :func:`patch_impact`.
"""

from __future__ import annotations

from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.facts import (
    FactsError,
    HostView,
    check_facts,
    host_view,
    is_unpinned,
    short_name,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.hosts import wanted_isolation
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.orchestrators import (
    k8s_runtime_classes,
    match_hosts,
    node_labels,
    node_name,
    real_version,
    swarm_node,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.patching import patch_impact
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import (
    SCHEMA,
    Policy,
    Verdicts,
    make_policy,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.report import evaluate
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import SEVERITIES, at_or_above, finding
from ansible_collections.wincontainers.compat.plugins.module_utils.version import safe_version

__all__ = [
    "SCHEMA",
    "SEVERITIES",
    "FactsError",
    "HostView",
    "Policy",
    "Verdicts",
    "WinCompatError",
    "at_or_above",
    "check_facts",
    "evaluate",
    "finding",
    "host_view",
    "is_unpinned",
    "k8s_runtime_classes",
    "make_policy",
    "match_hosts",
    "node_labels",
    "node_name",
    "patch_impact",
    "real_version",
    "safe_version",
    "short_name",
    "swarm_node",
    "wanted_isolation",
]
