"""Windows Node objects and workloads for the API server tests, built from recorded real node data."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kube import HarnessError, KubeCluster

NODE_FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "k8s_nodes" / "windows_nodes.json"
MERGE = "application/merge-patch+json"


def node_fixtures() -> list[dict[str, Any]]:
    """The recorded Windows nodes (name, source, labels, nodeInfo, expect)."""
    return list(json.loads(NODE_FIXTURES.read_text())["nodes"])


def node_fixture(name: str) -> dict[str, Any]:
    for fixture in node_fixtures():
        if fixture["name"] == name:
            return fixture
    raise KeyError(f"no recorded node {name!r} in {NODE_FIXTURES}")


def node_body(fixture: Mapping[str, Any], name: str | None = None, labels: Mapping[str, str] | None = None) -> dict:
    """A Node object with the fixture's kubelet labels (plus ``labels``) and its recorded nodeInfo."""
    node_name = name or fixture["name"]
    all_labels = {"kubernetes.io/hostname": node_name, **fixture["labels"], **(labels or {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node_name, "labels": all_labels},
        "spec": {"taints": [{"key": "os", "value": "windows", "effect": "NoSchedule"}]},
        "status": {"nodeInfo": copy.deepcopy(fixture["nodeInfo"])},
    }


def create_node(cluster: KubeCluster, body: Mapping[str, Any]) -> dict[str, Any]:
    """Create the Node, then store its nodeInfo through the /status subresource, as kubelet does."""
    name = body["metadata"]["name"]
    created = cluster.call("POST", "/api/v1/nodes", {k: v for k, v in body.items() if k != "status"})
    status = {"status": body["status"]}
    cluster.call("PATCH", f"/api/v1/nodes/{name}/status", status, MERGE)
    return dict(created)


def create_nodes(cluster: KubeCluster, bodies: Iterable[Mapping[str, Any]], workers: int = 8) -> None:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda body: create_node(cluster, body), bodies))


def delete_nodes(cluster: KubeCluster, names: Iterable[str], workers: int = 8) -> None:
    """Delete the nodes; ones already gone are fine."""

    def delete(name: str) -> None:
        try:
            cluster.call("DELETE", f"/api/v1/nodes/{name}")
        except HarnessError as exc:
            if " answered 404" not in str(exc):
                raise

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(delete, names))


def get_node(cluster: KubeCluster, name: str) -> dict[str, Any]:
    return dict(cluster.call("GET", f"/api/v1/nodes/{name}"))


def ensure_namespace(cluster: KubeCluster, name: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    try:
        cluster.call("GET", f"/api/v1/namespaces/{name}")
    except HarnessError:
        cluster.call("POST", "/api/v1/namespaces", body)


def pod_template(images: Iterable[str], node_selector: Mapping[str, str] | None = None) -> dict[str, Any]:
    containers = [{"name": f"c{i}", "image": image} for i, image in enumerate(images)]
    spec: dict[str, Any] = {"containers": containers}
    if node_selector is not None:
        spec["nodeSelector"] = dict(node_selector)
    return {"metadata": {"labels": {"app": "win"}}, "spec": spec}


def workload_body(kind: str, name: str, images: Iterable[str], node_selector: Mapping[str, str] | None = None) -> dict:
    """A minimal valid Deployment, StatefulSet, DaemonSet, Job or CronJob running ``images``."""
    template = pod_template(images, node_selector)
    selector = {"matchLabels": {"app": "win"}}
    if kind == "Deployment":
        spec: dict[str, Any] = {"replicas": 1, "selector": selector, "template": template}
        api = "apps/v1"
    elif kind == "StatefulSet":
        spec = {"replicas": 1, "selector": selector, "serviceName": name, "template": template}
        api = "apps/v1"
    elif kind == "DaemonSet":
        spec = {"selector": selector, "template": template}
        api = "apps/v1"
    elif kind == "Job":
        template["spec"]["restartPolicy"] = "Never"
        spec = {"template": template, "suspend": True}
        api = "batch/v1"
    elif kind == "CronJob":
        template["spec"]["restartPolicy"] = "Never"
        spec = {"schedule": "0 3 * * *", "suspend": True, "jobTemplate": {"spec": {"template": template}}}
        api = "batch/v1beta1"
    else:
        raise ValueError(f"unsupported kind {kind!r}")
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name}, "spec": spec}


PLURALS = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets", "Job": "jobs"}


def workload_path(kind: str, namespace: str, name: str = "", api: str | None = None) -> str:
    group = api or ("apps/v1" if kind in ("Deployment", "StatefulSet", "DaemonSet") else "batch/v1")
    if kind == "CronJob":
        group = api or "batch/v1beta1"
    plural = PLURALS.get(kind, "cronjobs")
    base = f"/apis/{group}/namespaces/{namespace}/{plural}"
    return f"{base}/{name}" if name else base


def create_workload(cluster: KubeCluster, namespace: str, body: Mapping[str, Any]) -> dict[str, Any]:
    path = workload_path(body["kind"], namespace, api=body["apiVersion"])
    return dict(cluster.call("POST", path, dict(body)))
