"""Runners of the Kubernetes modules: list once, plan with ``k8s.py``, apply over ``k8s_client.py``.

Each ``run_*`` function takes the ``AnsibleModule`` and returns the module result. Every node, workload or
RuntimeClass is tried: one that fails is reported with its error (``results``) and the task fails after the
others were tried. Errors are turned into messages by ``k8s_client.kube_error_message`` only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog_file import CATALOG_ARGUMENT_SPEC
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import counts, finding
from ansible_collections.wincontainers.compat.plugins.module_utils.fleet_runner import (
    FAILED,
    REFUSED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ClientErrors,
    ItemResult,
    finish,
    fleet_argument_spec,
    run_fleet_module,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    WINDOWS_BUILD_LABEL,
    WORKLOAD_KINDS,
    LabelOptions,
    SelectorOptions,
    WindowsNode,
    check_label_key,
    desired_runtime_classes,
    is_windows_node,
    name_of,
    node_version,
    plan_node,
    plan_workload,
    pod_report,
    runtime_class_action,
    windows_nodes,
    workload_images,
    workload_report,
    workload_subject,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s_client import (
    REQUIRED_TOGETHER,
    WORKLOAD_APIS,
    KubeApi,
    KubeError,
    auth_argument_spec,
    check_minimum,
    collection_path,
    hide_kubeconfig_secrets,
    kube_error_message,
    list_workloads,
    node_path,
    object_path,
    patch_nodes,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import parse_windows_version

KUBE_ERRORS = ClientErrors((KubeError,), kube_error_message)
"""Every error a Kubernetes call may raise, and the one translation of them."""
RC_PATH = "/apis/node.k8s.io/v1/runtimeclasses"


def run_k8s_module(own_options: Mapping[str, Any], runner: Callable[[AnsibleModule], dict[str, Any]]) -> None:
    """The whole ``main()`` of a Kubernetes module: connection options + OWN_OPTIONS, then RUNNER."""
    spec = fleet_argument_spec({**auth_argument_spec(), **CATALOG_ARGUMENT_SPEC}, own_options)
    run_fleet_module(spec, runner, KUBE_ERRORS, prepare=hide_kubeconfig_secrets, required_together=REQUIRED_TOGETHER)


# --- k8s_node_labels ---------------------------------------------------------------------------------------------
def label_options(params: Mapping[str, Any]) -> LabelOptions:
    """Validated label options from the module parameters."""
    for key in [params["osbuild_label"], params["release_label"], *params["labels"]]:
        if key:
            check_label_key(key)
    return LabelOptions(
        osbuild_label=params["osbuild_label"] or None,
        osbuild_format=params["osbuild_format"],
        release_label=params["release_label"] or None,
        windows_build_label=WINDOWS_BUILD_LABEL if params["windows_build_label"] else None,
        extra_labels={str(k): str(v) for k, v in params["labels"].items()},
    )


_NODE_OUTCOMES = {"patched": UPDATED, "would patch": UPDATED, "unchanged": UNCHANGED, "deleted": SKIPPED}


def _node_item(entry: Mapping[str, Any], uid: str) -> ItemResult:
    """The outcome of one node from its RV(nodes) entry (``patched``, ``deleted``, ``failed: ...``)."""
    outcome = str(entry["outcome"])
    if outcome.startswith("failed"):
        return ItemResult(entry["name"], uid, False, FAILED, outcome[len("failed: ") :])
    error = "deleted between the list and the patch" if outcome == "deleted" else None
    mapped = _NODE_OUTCOMES[outcome]
    return ItemResult(entry["name"], uid, mapped == UPDATED, mapped, error)


def _deleted_finding(name: str) -> dict[str, Any]:
    return {
        "check": "node_deleted",
        "severity": "info",
        "subject": f"node {name}",
        "host": name,
        "message": f"node {name} was deleted between the list and the patch",
        "fix": "nothing to do, unless the node should exist",
    }


def run_node_labels(module: AnsibleModule) -> dict[str, Any]:
    """List the nodes once, plan each Windows node, patch those whose labels differ (not in check mode)."""
    params = module.params
    options = label_options(params)
    check_minimum(params, "concurrency", 1)
    api = KubeApi(params)
    try:
        listed = api.list(node_path(), labelSelector=params["label_selector"] or "")
    except KubeError as exc:
        raise exc.within("cannot list nodes", api_requests=api.requests) from exc
    wanted, facts = set(params["names"] or []), params["host_facts"]
    nodes = [n for n in listed if is_windows_node(n) and (not wanted or name_of(n) in wanted)]

    def replan(node: Mapping[str, Any]) -> Any:
        return plan_node(node, options, facts.get(name_of(node)))

    plans = [replan(node) for node in nodes]
    outcomes = {} if module.check_mode else patch_nodes(api, plans, replan, params["concurrency"])
    entries = []
    for plan in plans:
        entry = plan.result()
        entry["outcome"] = outcomes.get(plan.name, "would patch" if plan.changes else "unchanged")
        entries.append(entry)
    uids = {name_of(node): str((node.get("metadata") or {}).get("uid") or "") for node in nodes}
    items = [_node_item(entry, uids.get(entry["name"], "")) for entry in entries]
    deleted = [e["name"] for e in entries if e["outcome"] == "deleted"]
    output: dict[str, Any] = {
        "nodes": entries,
        "patched": [e["name"] for e in entries if e["outcome"] in ("patched", "would patch")],
        "deleted": deleted,
        "failed_nodes": {i.name: i.error for i in items if i.outcome == FAILED},
        "findings": [f for plan in plans for f in plan.findings] + [_deleted_finding(n) for n in deleted],
        "api_requests": api.requests,
    }
    if module._diff:
        output["diff"] = [plan.diff() for plan in plans if plan.changes and plan.name not in deleted]
    return finish(output, items, "node")


# --- k8s_workload_selector ---------------------------------------------------------------------------------------
@dataclass
class _Selection:
    """What the workload selector run collects across kinds."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    diffs: list[dict[str, Any]] = field(default_factory=list)


def _selector_options(params: Mapping[str, Any]) -> SelectorOptions:
    """Validated selector options from the module parameters."""
    return SelectorOptions(
        mode=params["mode"],
        selector_label=check_label_key(params["selector_label"]),
        osbuild_format=params["osbuild_format"],
        set_os_label=params["set_os_label"],
        runtime_class_prefix=params["runtime_class_prefix"],
    )


def _patch_refused(run: _Selection, plan: Any, entry: dict[str, Any], exc: KubeError, uid: str) -> ItemResult:
    """Record a refused patch: 404 (deleted meanwhile) is skipped, 422 refused (not fatal), others failed."""
    error = kube_error_message(exc)
    if exc.status == 404:
        entry["outcome"] = "deleted"
        return ItemResult(plan.subject, uid, False, SKIPPED, "deleted between the list and the patch")
    entry["outcome"] = "failed"
    run.failed[plan.subject] = error
    fix = (
        "recreate the workload with the selector in its manifest"
        if exc.status == 422
        else "check the API server and your permissions, then run again"
    )
    run.findings.append(finding("workload_not_updated", "high", plan.subject, None, error, fix))
    return ItemResult(plan.subject, uid, False, REFUSED if exc.status == 422 else FAILED, error)


def _select_one(
    api: KubeApi, run: _Selection, listed: tuple[str, str, Mapping[str, Any]], params: Any, nodes: list[WindowsNode]
) -> None:
    """Plan one workload and patch it when its scheduling differs; the outcome lands in RUN."""
    group, kind, obj = listed
    meta = obj.get("metadata") or {}
    subject, uid = workload_subject(kind, meta.get("namespace"), meta.get("name")), str(meta.get("uid") or "")
    try:
        plan = plan_workload(obj, kind, _selector_options(params), params["images"], params["registry"], nodes)
    except WinCompatError as exc:
        run.items.append(ItemResult(subject, uid, False, FAILED, str(exc)))
        return
    if not plan.windows:
        return
    run.findings.extend(plan.findings)
    entry = plan.result()
    entry["outcome"] = "unchanged" if plan.patch is None else "would patch"
    item = ItemResult(plan.subject, uid, plan.patch is not None, UPDATED if plan.patch else UNCHANGED)
    if plan.skipped is not None:
        entry["outcome"] = "skipped"
        item = ItemResult(plan.subject, uid, False, SKIPPED, plan.skipped)
    elif plan.patch is not None and not params["_check_mode"]:
        try:
            api.merge_patch(object_path(group, WORKLOAD_APIS[kind][1], plan.namespace, plan.name), plan.patch)
            entry["outcome"] = "patched"
        except KubeError as exc:
            item = _patch_refused(run, plan, entry, exc, uid)
    if item.changed:
        run.diffs.append(plan.diff())
    run.entries.append(entry)
    run.items.append(item)


def _cluster_windows_nodes(api: KubeApi, params: Mapping[str, Any]) -> list[WindowsNode]:
    """The Windows nodes, listed once when O(registry) is given (a manifest list is placed by their builds)."""
    if not params["registry"]:
        return []
    try:
        return windows_nodes(api.list(node_path()))
    except KubeError as exc:
        raise exc.within("cannot list nodes", api_requests=api.requests) from exc


def run_workload_selector(module: AnsibleModule) -> dict[str, Any]:
    """One list call per kind (and of the nodes with O(registry)); plan each Windows workload, patch those whose
    scheduling differs."""
    params = dict(module.params, _check_mode=module.check_mode)
    _selector_options(params)  # bad options fail before any request
    api = KubeApi(params)
    names = set(params["names"] or [])
    nodes = _cluster_windows_nodes(api, params)
    run = _Selection()
    for kind in params["kinds"]:
        try:
            group, objects = list_workloads(api, kind, params["namespace"], params["label_selector"] or "")
        except KubeError as exc:
            error = kube_error_message(exc.within(f"cannot list {kind} objects"))
            run.items.append(ItemResult(f"{kind} objects", kind, False, FAILED, error))
            continue
        for obj in objects:
            if not names or (obj.get("metadata") or {}).get("name") in names:
                _select_one(api, run, (group, kind, obj), params, nodes)
    output: dict[str, Any] = {
        "workloads": run.entries,
        "failed_workloads": run.failed,
        "findings": run.findings,
        "api_requests": api.requests,
    }
    if module._diff:
        output["diff"] = run.diffs
    return finish(output, run.items, "workload")


# --- k8s_runtime_classes -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _ClassStep:
    """One RuntimeClass to create, replace, patch, delete, leave (None) or not touch (``conflict``)."""

    name: str
    action: Optional[str]
    current: Optional[Mapping[str, Any]]
    wanted: Mapping[str, Any]


def _class_builds(api: KubeApi, params: Mapping[str, Any]) -> list[int]:
    """The builds to make classes for: O(builds), else the builds of the Windows nodes."""
    if params["builds"]:
        return sorted({parse_windows_version(b).build for b in params["builds"]})
    found = [node_version(n).version for n in api.list(node_path()) if is_windows_node(n)]
    return sorted({v.build for v in found if v is not None})


def _is_managed(rc: Optional[Mapping[str, Any]]) -> bool:
    return ((rc or {}).get("metadata") or {}).get("labels", {}).get(MANAGED_BY_LABEL) == MANAGED_BY


def _class_steps(api: KubeApi, params: Mapping[str, Any]) -> tuple[list[int], list[_ClassStep]]:
    """The builds and one step per wanted class (and, with O(prune), per class no longer wanted)."""
    try:
        builds = _class_builds(api, params)
        hyperv = [parse_windows_version(b).build for b in params["hyperv_image_builds"]]
        wanted = desired_runtime_classes(
            builds, params["handler"], params["prefix"], params["tolerations"], hyperv, params["hyperv_handler"]
        )
    except (WinCompatError, KeyError, IndexError, ValueError) as exc:
        raise WinCompatError(f"cannot plan the RuntimeClasses: {exc}") from exc
    existing = {name_of(rc): rc for rc in api.list(RC_PATH)}
    steps = []
    for name, rc in wanted.items():
        current = existing.get(name)
        action = runtime_class_action(current, rc)
        if action and current is not None and not _is_managed(current):
            action = "conflict"  # a class of that name the collection does not own: left alone
        steps.append(_ClassStep(name, action, current, rc))
    if params["prune"]:
        for name, rc in existing.items():
            if name not in wanted and _is_managed(rc) and name.startswith(f"{params['prefix']}-"):
                steps.append(_ClassStep(name, "delete", rc, {}))
    return builds, steps


def _recreatable(rc: Mapping[str, Any]) -> dict[str, Any]:
    """RC as it can be created again: without the fields the server sets."""
    meta = {k: v for k, v in (rc.get("metadata") or {}).items() if k in ("name", "labels", "annotations")}
    return {k: v for k, v in rc.items() if k not in ("metadata", "status")} | {"metadata": meta}


def _replace_class(api: KubeApi, step: _ClassStep) -> Optional[bool]:
    """Replace a class whose handler changed; returns None on success, else whether the old class was restored.

    The new class is validated first (a server-side dry run under a temporary name), so a class the server
    would refuse never costs the old one. Should the create still fail after the delete, the old class is
    created again. Raises KubeError when the dry run refuses the new class (nothing changed then).
    """
    probe = dict(step.wanted, metadata={**step.wanted["metadata"], "name": f"{step.name[:230]}-replace-check"})
    api.create(RC_PATH, probe, dry_run=True)
    api.delete(f"{RC_PATH}/{step.name}")
    try:
        api.create(RC_PATH, step.wanted)
        return None
    except KubeError as exc:
        try:
            api.create(RC_PATH, _recreatable(step.current or {}))
        except KubeError as again:
            raise _ReplaceFailed(exc, f"restoring the previous class failed too ({kube_error_message(again)})") from exc
        raise _ReplaceFailed(exc, "the previous class was created again") from exc


class _ReplaceFailed(Exception):
    def __init__(self, cause: KubeError, aftermath: str) -> None:
        self.cause, self.aftermath, self.restored = cause, aftermath, aftermath.startswith("the previous")
        super().__init__(f"creating the new class failed after the old one was deleted: {kube_error_message(cause)}")


def _apply_class(api: KubeApi, step: _ClassStep) -> tuple[str, Optional[str], Optional[bool]]:
    """Send STEP; returns (outcome, error, restored) where restored tells what became of a replaced class."""
    path = f"{RC_PATH}/{step.name}"
    try:
        if step.action == "create":
            api.create(RC_PATH, step.wanted)
        elif step.action == "patch":
            api.merge_patch(path, {k: step.wanted[k] for k in ("metadata", "scheduling")})
        elif step.action == "delete":
            api.delete(path)
        elif step.action == "replace":
            _replace_class(api, step)
    except _ReplaceFailed as exc:
        return FAILED, f"{exc}; {exc.aftermath}", exc.restored
    except KubeError as exc:
        where = "the new class was refused, the old one is unchanged: " if step.action == "replace" else ""
        return FAILED, where + kube_error_message(exc), None
    return UPDATED, None, None


def _class_entry(step: _ClassStep, check_mode: bool, api: KubeApi) -> tuple[dict[str, Any], ItemResult, bool]:
    """The RV(runtime_classes) entry of STEP after sending it (not in check mode); whether it went into the diff."""
    shown = step.wanted if step.action != "delete" else step.current or {}
    entry = {
        "name": step.name,
        "handler": shown.get("handler"),
        "node_selector": (shown.get("scheduling") or {}).get("nodeSelector"),
        "action": step.action or "none",
        "outcome": UNCHANGED,
        "error": None,
    }
    if step.action == "conflict":
        entry.update(outcome=SKIPPED, error="a class of this name exists and is not managed by wincontainers.compat")
    elif step.action:
        outcome, error, restored = (UPDATED, None, None) if check_mode else _apply_class(api, step)
        entry.update(outcome=outcome, error=error)
        if restored is not None:
            entry["restored"] = restored
    uid = str(((step.current or {}).get("metadata") or {}).get("uid") or "")
    changed = entry["outcome"] == UPDATED
    return (
        entry,
        ItemResult(step.name, uid, changed, str(entry["outcome"]), entry["error"]),
        bool(step.action) and step.action != "conflict",
    )


def run_runtime_classes(module: AnsibleModule) -> dict[str, Any]:
    """Plan the wanted classes, then create, replace, patch or delete each (every class is tried)."""
    params = module.params
    api = KubeApi(params)
    builds, steps = _class_steps(api, params)
    entries, items, diffs = [], [], []
    for step in steps:
        entry, item, in_diff = _class_entry(step, module.check_mode, api)
        entries.append(entry)
        items.append(item)
        if in_diff:
            header = f"runtimeclass/{step.name}"
            after = step.wanted if step.action != "delete" else {}
            diffs.append(
                {"before_header": header, "after_header": header, "before": step.current or {}, "after": after}
            )
    output: dict[str, Any] = {"runtime_classes": entries, "builds": builds, "api_requests": api.requests}
    if module._diff:
        output["diff"] = diffs
    return finish(output, items, "RuntimeClass")


# --- k8s_compat_info ---------------------------------------------------------------------------------------------
def _node_section(listed: list[dict[str, Any]], params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict]]:
    """The Windows nodes with their labels and label problems, and the findings about them."""
    options = LabelOptions(osbuild_label=params["osbuild_label"] or None, release_label=params["release_label"] or None)
    nodes, findings = [], []
    for node in listed:
        if not is_windows_node(node):
            continue
        plan = plan_node(node, options, params["host_facts"].get(name_of(node)))
        result = plan.result()
        labels = (node.get("metadata") or {}).get("labels") or {}
        result["labels"] = {k: labels[k] for k in [WINDOWS_BUILD_LABEL, *options.owned_keys()] if k in labels}
        result["labels_up_to_date"] = not plan.changes
        del result["changes"], result["changed"]
        nodes.append(result)
        findings.extend(plan.findings)
        if plan.changes:
            findings.append(
                finding(
                    "node_labels_out_of_date",
                    "medium",
                    f"node {plan.name}",
                    plan.name,
                    f"labels {', '.join(f'{k}={v}' for k, v in plan.changes.items())} are missing or wrong",
                    "run wincontainers.compat.k8s_node_labels (role wincontainers.compat.k8s_labels)",
                )
            )
    return nodes, findings


def _events_by_pod(api: KubeApi, namespace: Optional[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Pod events by (namespace, name), from one list call."""
    path = collection_path("/api/v1", "events", namespace)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for event in api.list(path, fieldSelector="involvedObject.kind=Pod"):
        obj = event.get("involvedObject") or {}
        grouped[(str(obj.get("namespace", "")), str(obj.get("name", "")))].append(event)
    return grouped


def _runtime_classes(api: KubeApi) -> dict[str, Any]:
    """The RuntimeClasses by name; none on a server without node.k8s.io/v1."""
    try:
        return {name_of(rc): rc for rc in api.list(RC_PATH)}
    except KubeError as exc:
        if exc.status != 404:
            raise
        return {}


def _workload_section(api: KubeApi, params: Mapping[str, Any], listed: list, classes: Mapping[str, Any]) -> tuple:
    """(Windows workload reports, their findings, the images of every workload not pinned to Linux)."""
    win_nodes = windows_nodes(listed, params["host_facts"])
    workloads, findings, images = [], [], set()
    for kind in WORKLOAD_KINDS:
        _group, objects = list_workloads(api, kind, params["namespace"])
        for obj in objects:
            images.update(workload_images(obj, kind))
            report, found = workload_report(
                obj, kind, win_nodes, classes, params["images"], params["rules"], params.get("registry")
            )
            if report is not None:
                workloads.append(report)
                findings.extend(found)
    return workloads, findings, sorted(images)


def _pod_section(api: KubeApi, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pods, findings = [], []
    grouped = _events_by_pod(api, params["namespace"]) if params["events"] else {}
    for pod in api.list(collection_path("/api/v1", "pods", params["namespace"])):
        meta = pod.get("metadata") or {}
        report, found = pod_report(pod, grouped.get((str(meta.get("namespace", "")), str(meta.get("name", ""))), []))
        if report is not None:
            pods.append(report)
            findings.extend(found)
    return pods, findings


def run_compat_info(module: AnsibleModule) -> dict[str, Any]:
    """Read nodes, RuntimeClasses, workloads, pods and events once each, then report (read-only)."""
    params = module.params
    api = KubeApi(params)
    try:
        listed = api.list(node_path())
        nodes, findings = _node_section(listed, params)
        classes = _runtime_classes(api)
        workloads, found, images = _workload_section(api, params, listed, classes)
        pods, found_in_pods = _pod_section(api, params)
    except WinCompatError as exc:
        raise WinCompatError(f"cannot assess the cluster: {exc}") from exc
    findings += found + found_in_pods
    return {
        "changed": False,
        "nodes": nodes,
        "workloads": workloads,
        "workload_images": images,
        "pods": pods,
        "findings": findings,
        "runtime_classes": sorted(classes),
        "summary": {
            "nodes": len(nodes),
            "workloads": len(workloads),
            "pods": len(pods),
            "findings": len(findings),
            "by_severity": counts(findings),
        },
        "api_requests": api.requests,
    }
