"""Integration fixtures: real engines and API servers, started once per session and stopped at the end.

Each harness module contributes its fixtures here by import.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from fixtures_docker import docker_engine, swarm_cluster
from fixtures_kube import kube_apiserver
from fixtures_registry import registry_basic, registry_factory, registry_http, registry_tls, registry_token

__all__ = [
    "docker_engine",
    "kube_apiserver",
    "registry_basic",
    "registry_factory",
    "registry_http",
    "registry_tls",
    "registry_token",
    "swarm_cluster",
]
