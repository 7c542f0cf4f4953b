"""The host x image matrix, the host rows and the summary of a compliance report."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

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
from ansible_collections.wincontainers.compat.plugins.module_utils.image_source import image_source, source_label
from ansible_collections.wincontainers.compat.plugins.module_utils.version import safe_version


def _column_source(
    ref: str, explicit: Any, index: Mapping[str, str], registry: object, recorded: Mapping[str, Any]
) -> dict[str, Any]:
    """Where a column's build comes from: the registry, a host's store, a recorded registry answer, the tag.

    ``recorded`` is the orchestrator state's service or workload image (its ``image_source``/``image_digest``).
    A build recorded without a source says ``given``.
    """
    answer = image_source(ref, registry, index)
    if answer["source"] == "registry":
        return answer
    version = image_version_of(ref, index, explicit)
    if recorded.get("image_source") == "registry" and version is not None:
        return {
            "version": version.version,
            "source": "registry",
            "digest": recorded.get("image_digest"),
            "guess": False,
        }
    if version is None or safe_version(answer["version"]) == version:
        return answer
    return {"version": version.version, "source": "given", "digest": None, "guess": False}


def _deployed_refs(
    views: Sequence[HostView], swarm: Mapping[str, Mapping[str, Any]], k8s: Mapping[str, Mapping[str, Any]]
) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    """Every image a host runs or an orchestrator deploys: its explicit build and its recorded state."""
    refs: dict[str, tuple[Any, Mapping[str, Any]]] = {}
    for view in views:
        for container in containers_of(view):
            if container.get("image"):
                refs.setdefault(container["image"], (container.get("image_os_version"), {}))
    for state in swarm.values():
        for service in state.get("services") or []:
            if service.get("image"):
                explicit = service.get("image_version") or service.get("image_os_version")
                refs.setdefault(str(service["image"]), (explicit, service))
    for state in k8s.values():
        for workload in state.get("workloads") or []:
            recorded = {str(i.get("image")): i for i in workload.get("images") or [] if isinstance(i, Mapping)}
            for image, explicit in workload_images(workload):
                given = recorded.get(image, {})
                refs.setdefault(
                    image, (explicit, {"image_source": given.get("source"), "image_digest": given.get("digest")})
                )
    return refs


def image_columns(
    views: Sequence[HostView],
    swarm: Mapping[str, Mapping[str, Any]],
    k8s: Mapping[str, Mapping[str, Any]],
    index: Mapping[str, str],
    registry: object = None,
) -> list[dict[str, Any]]:
    """The images of the matrix: every image a host runs or an orchestrator deploys, oldest build first.

    Each says where its build came from (``source``: ``registry`` with ``digest``, ``host``, ``given`` or ``tag``,
    a guess); a registry manifest list has no one build (``builds`` lists them; each host's cell picks its entry).
    """
    columns = []
    for ref, (explicit, recorded) in _deployed_refs(views, swarm, k8s).items():
        answer = _column_source(ref, explicit, index, registry, recorded)
        version = safe_version(answer["version"])
        release = release_for_build(version.build) if version else {}
        columns.append(
            {
                "ref": ref,
                "label": ref.rsplit("/", 1)[-1],
                "version": version.version if version else None,
                "build": version.build if version else None,
                "release": release.get("name"),
                "source": answer["source"],
                "digest": answer.get("digest"),
                "guess": bool(answer.get("guess")),
                "source_label": source_label(answer),
                **({"builds": answer["builds"]} if "builds" in answer else {}),
            }
        )
    columns.sort(key=lambda c: (c["build"] is None, c["build"] or 0, c["version"] or "", c["ref"]))
    return columns


def _engine_rules(view: HostView) -> str:
    """The manifest-list rules of the host's engine: containerd's on a containerd host, else Docker's."""
    facts = view.facts or {}
    docker = bool((facts.get("docker") or {}).get("installed"))
    return "containerd" if not docker and (facts.get("containerd") or {}).get("installed") else "docker"


def _cell_source(view: HostView, column: Mapping[str, Any], registry: object) -> dict[str, Any]:
    """The build a host gets for a column: the column's, or for a manifest list the entry the host's engine pulls."""
    if "builds" not in column or view.version is None:
        return {key: column.get(key) for key in ("version", "source", "digest", "guess", "source_label")}
    answer = image_source(str(column["ref"]), registry, node=view.version, rules=_engine_rules(view))
    return {**answer, "source_label": source_label(answer)}


def matrix_row(
    view: HostView, columns: Sequence[Mapping[str, Any]], verdicts: Verdicts, registry: object = None
) -> dict[str, Any]:
    """One host's row: for each image, the verdict under process and Hyper-V isolation, and where its build came from.

    ``caveats`` holds, per isolation that runs the image, the core's warnings (such as an image revision newer
    than the host's), so a cell that runs with a known risk does not read as plainly fine. For a registry manifest
    list the cell judges the entry the host's engine pulls; when none fits, the cell is ``unsupported`` with the
    engine's "no matching manifest" as its reason.
    """
    running = {c.get("image"): c for c in containers_of(view)}
    cells = []
    for column in columns:
        container = running.get(column["ref"])
        isolation = (container or {}).get("isolation") or view.isolation
        cell: dict[str, Any] = {"image": column["ref"], "running": container is not None, "isolation": isolation}
        source = _cell_source(view, column, registry)
        version: Optional[str] = source.get("version")
        if source.get("no_matching_manifest"):
            reason = source["no_matching_manifest"]
            cell.update(process="unsupported", hyperv="unsupported", status="unsupported", reason=reason, caveats={})
        elif view.version is None or version is None:
            cell.update(process="unknown", hyperv="unknown", status="unknown", reason="version unknown", caveats={})
        else:
            caveats: dict[str, list[str]] = {}
            for mode in ("process", "hyperv"):
                verdict = verdicts(version, view.version, mode, view.kind)
                cell[mode] = verdict["status"]
                if verdict["status"] in RUNNING_OK and verdict.get("caveats"):
                    caveats[mode] = list(verdict["caveats"])
            effective = verdicts(version, view.version, isolation, view.kind)
            cell.update(status=effective["status"], reason=effective.get("reason"), caveats=caveats)
        cell.update(
            source=source.get("source"),
            digest=source.get("digest"),
            guess=bool(source.get("guess")),
            source_label=source.get("source_label"),
        )
        if "builds" in column:
            cell["version"] = version
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
