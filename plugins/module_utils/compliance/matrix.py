"""The host x image matrix, the host rows and the summary of a compliance report."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    release_for_build,
    support_status,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.facts import (
    HostView,
    containers_of,
    image_version_of,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.orchestrators import (
    workload_images,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import (
    RUNNING_OK,
    Policy,
    Verdicts,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import (
    counts,
    worst,
)


def image_columns(
    views: Sequence[HostView],
    swarm: Mapping[str, Mapping[str, Any]],
    k8s: Mapping[str, Mapping[str, Any]],
    index: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The images of the matrix: every image a host runs or an orchestrator deploys, oldest build first."""
    refs: dict[str, Any] = {}
    for view in views:
        for container in containers_of(view):
            if container.get("image"):
                refs.setdefault(container["image"], container.get("image_os_version"))
    for state in swarm.values():
        for service in state.get("services") or []:
            if service.get("image"):
                refs.setdefault(str(service["image"]), service.get("image_version") or service.get("image_os_version"))
    for state in k8s.values():
        for workload in state.get("workloads") or []:
            for image, explicit in workload_images(workload):
                refs.setdefault(image, explicit)
    columns = []
    for ref, explicit in refs.items():
        version = image_version_of(ref, index, explicit)
        release = release_for_build(version.build) if version else {}
        columns.append(
            {
                "ref": ref,
                "label": ref.rsplit("/", 1)[-1],
                "version": version.version if version else None,
                "build": version.build if version else None,
                "release": release.get("name"),
            }
        )
    columns.sort(key=lambda c: (c["build"] is None, c["build"] or 0, c["version"] or "", c["ref"]))
    return columns


def matrix_row(view: HostView, columns: Sequence[Mapping[str, Any]], verdicts: Verdicts) -> dict[str, Any]:
    """One host's row: for each image, the verdict under process and Hyper-V isolation.

    ``caveats`` holds, per isolation that runs the image, the core's warnings (such as an image revision newer
    than the host's), so a cell that runs with a known risk does not read as plainly fine.
    """
    running = {c.get("image"): c for c in containers_of(view)}
    cells = []
    for column in columns:
        container = running.get(column["ref"])
        isolation = (container or {}).get("isolation") or view.isolation
        cell: dict[str, Any] = {"image": column["ref"], "running": container is not None, "isolation": isolation}
        if view.version is None or column["version"] is None:
            cell.update(process="unknown", hyperv="unknown", status="unknown", reason="version unknown", caveats={})
        else:
            caveats: dict[str, list[str]] = {}
            for mode in ("process", "hyperv"):
                verdict = verdicts(column["version"], view.version, mode, view.kind)
                cell[mode] = verdict["status"]
                if verdict["status"] in RUNNING_OK and verdict.get("caveats"):
                    caveats[mode] = list(verdict["caveats"])
            effective = verdicts(column["version"], view.version, isolation, view.kind)
            cell.update(status=effective["status"], reason=effective.get("reason"), caveats=caveats)
        cells.append(cell)
    return {"host": view.name, "cells": cells}


def host_row(view: HostView, findings: Sequence[Mapping[str, Any]], policy: Policy) -> dict[str, Any]:
    """The host's line of the report."""
    support = support_status(view.build, view.kind, policy.today, view.edition) if view.build is not None else {}
    facts = view.facts or {}
    return {
        "name": view.name,
        "version": view.version,
        "build": view.build,
        "revision": view.revision,
        "release": view.release_name,
        "host_kind": view.kind if view.facts else None,
        "isolation": view.isolation if view.facts else None,
        "engine": "docker"
        if (facts.get("docker") or {}).get("installed")
        else ("containerd" if (facts.get("containerd") or {}).get("installed") else None),
        "containers": len(containers_of(view)),
        "target_version": view.target.version if view.target else None,
        "in_support": support.get("in_support"),
        "end_of_support": support.get("end_of_support"),
        "findings": len(findings),
        "worst": worst(findings),
    }


def summarize(
    hosts: Sequence[Mapping[str, Any]], columns: Sequence[Mapping[str, Any]], findings: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Counts a reader looks at first."""
    by_check: dict[str, int] = {}
    for item in findings:
        by_check[item["check"]] = by_check.get(item["check"], 0) + 1
    return {
        "hosts": len(hosts),
        "hosts_with_findings": sum(1 for host in hosts if host["findings"]),
        "images": len(columns),
        "findings": len(findings),
        "by_severity": counts(findings),
        "by_check": dict(sorted(by_check.items())),
        "worst": worst(findings),
    }
