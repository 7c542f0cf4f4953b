"""Swarm and Kubernetes checks, composed from the planners of ``swarm.py`` and ``k8s.py``: node labels, where a
service or workload may be placed and whether its image runs there, and the findings the info modules reported."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ansible_collections.wincontainers.compat.plugins.module_utils import k8s, swarm
from ansible_collections.wincontainers.compat.plugins.module_utils.catalog import (
    release_for_build,
    support_status,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.facts import (
    HostView,
    image_version_of,
    is_unpinned,
    short_name,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance.policy import (
    CONSEQUENCES,
    MAX_LISTED,
    PLACEMENT_CHECKS,
    RUNNING_OK,
    Policy,
    Verdicts,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import (
    WinCompatError,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import (
    finding,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.image_source import image_source
from ansible_collections.wincontainers.compat.plugins.module_utils.tags import (
    base_image_tag,
    retarget_image,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.version import (
    WindowsVersion,
    safe_version,
)


def node_labels(node: Mapping[str, Any]) -> dict[str, str]:
    """The labels of a Swarm or Kubernetes node entry, whichever key carries them."""
    labels = node.get("labels")
    if labels is None:
        labels = (node.get("spec") or {}).get("labels") or (node.get("metadata") or {}).get("labels")
    return {str(key): str(value) for key, value in (labels or {}).items()}


def node_version(node: Mapping[str, Any]) -> Optional[WindowsVersion]:
    """The Windows version an orchestrator reports for a node (not its labels)."""
    for key in ("version", "os_version", "kernel_version", "build"):
        value = node.get(key)
        if isinstance(value, Mapping):
            value = value.get("version")
        found = safe_version(value)
        if found is not None:
            return found
    return None


def match_hosts(nodes: Sequence[Mapping[str, Any]], views: Mapping[str, HostView], id_key: str) -> dict[int, HostView]:
    """Index of node position -> host, by Swarm node id (``id_key``) or by host name."""
    by_node_id = {}
    for view in views.values():
        node_id = (((view.facts or {}).get("docker") or {}).get("swarm") or {}).get("node_id")
        if node_id:
            by_node_id[node_id] = view
    by_name = {short_name(name): view for name, view in views.items()}
    matched = {}
    for position, node in enumerate(nodes):
        found = by_node_id.get(str(node.get(id_key) or "")) or by_name.get(short_name(node_name(node)))
        if found is not None:
            matched[position] = found
    return matched


def node_name(node: Mapping[str, Any]) -> str:
    """The host name of a Swarm node entry or the name of a Kubernetes node entry."""
    return str(node.get("hostname") or node.get("name") or node.get("id") or "")


def real_version(node: Mapping[str, Any], view: Optional[HostView]) -> Optional[WindowsVersion]:
    """What a node really runs: its host's facts first, then what the orchestrator reports."""
    if view is not None and view.version is not None:
        return safe_version(view.version)
    return node_version(node)


def swarm_node(entry: Mapping[str, Any]) -> tuple[swarm.Node, tuple[str, ...]]:
    """The Swarm planner's node for a recorded node entry, and the constraint attributes the entry does not carry
    (a constraint on those cannot rule the node out)."""
    platform = entry.get("platform") or {}
    carried = {
        "node.id": entry.get("id"),
        "node.hostname": entry.get("hostname"),
        "node.role": entry.get("role"),
        "node.platform.os": entry.get("os") or platform.get("os"),
        "node.platform.arch": entry.get("architecture") or platform.get("architecture"),
        "engine.labels.": entry.get("engine_labels"),
    }
    node = swarm.Node(
        id=str(carried["node.id"] or ""),
        hostname=str(carried["node.hostname"] or ""),
        version_index=0,
        labels=node_labels(entry),
        role=str(carried["node.role"] or ""),
        availability=str(entry.get("availability") or ""),
        state=str(entry.get("state") or ""),
        os=str(carried["node.platform.os"] or "").lower(),
        architecture=str(carried["node.platform.arch"] or ""),
        engine_version=str(entry.get("engine_version") or ""),
        engine_labels={str(key): str(value) for key, value in (entry.get("engine_labels") or {}).items()},
        addr="",
    )
    return node, tuple(attribute for attribute, value in carried.items() if value is None)


def _k8s_node(entry: Mapping[str, Any]) -> k8s.WindowsNode:
    """The Kubernetes planner's node for a recorded node entry (its name and labels)."""
    return k8s.WindowsNode(node_name(entry), node_labels(entry), None)


def _swarm_allows(constraints: Sequence[str], planned: tuple[swarm.Node, tuple[str, ...]]) -> bool:
    node, unknown = planned
    return swarm.constraints_allow(constraints, node, unknown)


def _k8s_allows(pod_spec: Mapping[str, Any], runtime_classes: Mapping[str, Any], planned: k8s.WindowsNode) -> bool:
    return k8s.node_allowed(pod_spec, planned.labels, runtime_classes)


def _named_in(names: frozenset, planned: k8s.WindowsNode) -> bool:
    return planned.name in names


def _swarm_label_findings(entry: Mapping[str, Any], view: HostView, policy: Policy) -> list[dict[str, Any]]:
    """The Swarm planner's label finding (``swarm.node_label_findings``) of a recorded node whose host runs a known
    version, named after the node entry and its inventory host."""
    real = safe_version(view.version)
    if real is None:
        return []
    node, _unknown = swarm_node(entry)
    found = swarm.node_label_findings(node, real, "host_facts", policy.swarm_version_label, policy.swarm_version_format)
    role = (
        f" (role wincontainers.compat.swarm_labels sets {policy.swarm_os_label} and {policy.swarm_version_label} "
        "from the gathered facts)"
    )
    return [dict(item, subject=f"node {node_name(entry)}", host=view.name, fix=item["fix"] + role) for item in found]


_K8S_LABEL_FIX = (
    "run wincontainers.compat.k8s_node_labels (role wincontainers.compat.k8s_labels) from the gathered facts"
)


def _k8s_label_findings(entry: Mapping[str, Any], view: HostView, policy: Policy) -> list[dict[str, Any]]:
    """The labels of ``policy.k8s_version_labels`` a recorded node carries with another value than kubelet or
    ``k8s_node_labels`` sets for what its host runs (``k8s.wrong_version_labels``)."""
    real = safe_version(view.version)
    if real is None:
        return []
    found = []
    options = k8s.LabelOptions(osbuild_format=policy.k8s_osbuild_format)
    for wrong in k8s.wrong_version_labels(node_labels(entry), real, policy.k8s_version_labels, options):
        expected = wrong.expected[0] if len(wrong.expected) == 1 else f"one of {', '.join(wrong.expected)}"
        fix = k8s.KUBELET_LABEL_FIX if wrong.key == k8s.WINDOWS_BUILD_LABEL else _K8S_LABEL_FIX
        found.append(
            finding(
                "k8s_node_labels",
                "high",
                f"node {node_name(entry)}",
                view.name,
                f"label {wrong.key}={wrong.value}, expected {expected}; the host runs {real.version}",
                fix,
                label=wrong.key,
            )
        )
    return found


def _placement_finding(
    check: str, subject: str, image: str, version: WindowsVersion, bad: list[tuple[str, str]], fix: str
) -> dict[str, Any]:
    where = ", ".join(f"{name} ({host_version})" for name, host_version in bad[:MAX_LISTED])
    if len(bad) > MAX_LISTED:
        where += f" and {len(bad) - MAX_LISTED} more"
    return finding(
        check,
        "critical",
        subject,
        bad[0][0] if len(bad) == 1 else None,
        f"image {image} ({version.version}) can be placed on {len(bad)} node(s) where it cannot run: {where}",
        fix,
        image=image,
        hosts=[name for name, _version in bad],
    )


@dataclass
class NodeClass:
    """Windows nodes that placement cannot tell apart: same labels, role, OS, real version and isolation."""

    node: Any  # the planner's node (swarm_node, k8s_node) that placement is evaluated on
    real: Optional[WindowsVersion]
    isolation: str
    kind: str
    members: list[tuple[str, str, Any]] = field(default_factory=list)


def _node_classes(
    nodes: Sequence[Mapping[str, Any]], matched: Mapping[int, HostView], planned: Callable[[Mapping[str, Any]], Any]
) -> list[NodeClass]:
    """Group the Windows nodes of a cluster once, so each service or workload costs one check per class.

    ``planned`` turns a recorded node entry into the node the orchestrator's planner evaluates placement on.
    """
    classes: dict[tuple[Any, ...], NodeClass] = {}
    for position, node in enumerate(nodes):
        host = matched.get(position)
        if not _is_windows(node, host):
            continue
        real = real_version(node, host)
        isolation, kind = (host.isolation, host.kind) if host else ("process", "server")
        labels = tuple(sorted(node_labels(node).items()))
        engine = tuple(sorted((node.get("engine_labels") or {}).items()))
        platform = (node.get("role"), node.get("os"), node.get("architecture"), engine)
        key = (labels, platform, real.version if real else None, isolation, kind)
        group = classes.get(key)
        planner_node = planned(node)
        if group is None:
            group = classes[key] = NodeClass(node=planner_node, real=real, isolation=isolation, kind=kind)
        group.members.append((host.name if host else node_name(node), real.version if real else "?", planner_node))
    return list(classes.values())


def _unfit_nodes(
    version: WindowsVersion,
    classes: Iterable[NodeClass],
    allows: Callable[[Any], bool],
    verdicts: Verdicts,
    isolation: Optional[str],
    per_node: bool = False,
) -> list[tuple[str, str]]:
    """``(name, real version)`` of the nodes ``allows`` admits where the image does not run.

    ``isolation`` None means each host's default. ``per_node`` evaluates ``allows`` on every node (for
    constraints on node names or ids), else once per class.
    """
    bad: list[tuple[str, str]] = []
    for group in classes:
        if group.real is None:
            continue
        verdict = verdicts(version.version, group.real.version, isolation or group.isolation, group.kind)
        if verdict["status"] in (*RUNNING_OK, "unknown"):
            continue
        if per_node:
            bad += [(name, real) for name, real, node in group.members if allows(node)]
        elif allows(group.node):
            bad += [(name, real) for name, real, _node in group.members]
    return bad


def check_swarm(
    cluster: str,
    state: Mapping[str, Any],
    views: Mapping[str, HostView],
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
    registry: object = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Swarm node labels against the hosts, and service placement against what the nodes really run.

    With ``registry`` a manifest-list image is judged per node by the entry the node's Docker Engine pulls.
    """
    suite = f"swarm {cluster}"
    nodes = list(state.get("nodes") or [])
    matched = match_hosts(nodes, views, "id")
    found: list[dict[str, Any]] = []
    checks: list[tuple[str, str, str]] = []
    for position, view in matched.items():
        checks.append((suite, f"node {node_name(nodes[position])}", "swarm_node_labels"))
        found += _swarm_label_findings(nodes[position], view, policy)
    classes = _node_classes(nodes, matched, swarm_node)
    for service in state.get("services") or []:
        subject = f"service {service.get('name') or service.get('id')}"
        image = str(service.get("image") or "")
        checks += [(suite, subject, check) for check in ("swarm_placement", *_IMAGE_CHECKS)]
        constraints = service.get("constraints") or service.get("placement_constraints") or []
        placement = Placement(
            check="swarm_placement",
            classes=classes,
            allows=functools.partial(_swarm_allows, [str(c) for c in constraints]),
            isolation=_explicit_isolation(service.get("isolation")),
            per_node=any(str(c).strip().startswith(("node.hostname", "node.id")) for c in constraints),
            select=lambda version: (
                f"constrain the service to node.labels.{policy.swarm_version_label}=="
                f"{swarm.format_version(version, policy.swarm_version_format)} with "
                "wincontainers.compat.swarm_service_placement, "
                "after fixing the node labels"
            ),
            hyperv="run the service with --isolation=hyperv",
            registry=registry,
            pull_rules="docker",
        )
        explicit = service.get("image_version") or service.get("image_os_version")
        found += _deployed_image_findings(subject, image, explicit, placement, policy, verdicts, index)
    return found, checks


_IMAGE_CHECKS = ("image_tag_pinned", "image_support")


@dataclass(frozen=True)
class Placement:
    """Where an orchestrator may start a service or workload, and how to fix a placement on unfit nodes."""

    check: str
    classes: Sequence[NodeClass]
    allows: Callable[[Any], bool]
    isolation: Optional[str]
    per_node: bool
    select: Callable[[WindowsVersion], str]
    hyperv: str
    registry: object = None  # registry_image_info's result: a manifest list is judged per node
    pull_rules: str = "docker"  # whose rules pick a list's entry: docker (Swarm) or containerd (Kubernetes)


def _cluster_builds(classes: Iterable[NodeClass]) -> dict[int, NodeClass]:
    """One node class per build the cluster's Windows nodes really run, newest build first."""
    builds: dict[int, NodeClass] = {}
    for group in classes:
        if group.real is not None:
            builds.setdefault(group.real.build, group)
    return dict(sorted(builds.items(), reverse=True))


def _rebuilt_image(image: str, host: WindowsVersion) -> str:
    """``image`` rebuilt for ``host``'s release (the core's ``retarget_image``), else the base image to build on."""
    try:
        return retarget_image(image, host.version)
    except WinCompatError:
        pass
    try:
        return f"mcr.microsoft.com/windows/servercore:{base_image_tag(host.version)}"
    except WinCompatError:
        return f"a base image of build {host.build}"


def _placement_fix(image: str, version: WindowsVersion, placement: Placement, verdicts: Verdicts) -> str:
    """How to fix a placement on unfit nodes: select the image's build where the cluster has such nodes, else
    rebuild it for a build the cluster has, or run it with Hyper-V isolation where the rules allow it."""
    builds = _cluster_builds(placement.classes)
    if version.build in builds:
        return placement.select(version)
    rebuilt = list(dict.fromkeys(_rebuilt_image(image, group.real) for group in builds.values() if group.real))
    have = ", ".join(str(build) for build in builds) or "none known"
    fix = f"no Windows node runs build {version.build} (the cluster's builds: {have}): rebuild it as "
    fix += " or ".join(rebuilt) if rebuilt else "an image of a build the cluster runs"
    fix += " and select the nodes of that build"
    hyperv = [
        build
        for build, group in builds.items()
        if group.real and verdicts(version.version, group.real.version, "hyperv", group.kind)["status"] in RUNNING_OK
    ]
    if hyperv:
        fix += f", or {placement.hyperv} on nodes of build {' or '.join(str(build) for build in hyperv)}"
    return fix


def _deployed_image_findings(
    subject: str,
    image: str,
    explicit: Any,
    placement: Placement,
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The checks of one image an orchestrator deploys: pinned tag, supported release, nodes it may land on.

    The registry's build comes first (as in the image's matrix column), then EXPLICIT, the host index and the tag.
    """
    found = _orchestrator_tag_check(subject, image, policy, placement.check)
    answer = image_source(image, placement.registry)
    if "builds" in answer:
        return found + _manifest_list_findings(subject, image, placement, verdicts)
    registry_build = safe_version(answer["version"]) if answer["source"] == "registry" else None
    version = registry_build or image_version_of(image, index, explicit)
    if version is None:
        return found
    found += _orchestrator_image_support(subject, image, version, policy)
    bad = _unfit_nodes(version, placement.classes, placement.allows, verdicts, placement.isolation, placement.per_node)
    if bad:
        fix = _placement_fix(image, version, placement, verdicts)
        found.append(_placement_finding(placement.check, subject, image, version, bad, fix))
    return found


def _admitted(group: NodeClass, placement: Placement) -> list[tuple[str, str, Any]]:
    """The members of a node class the placement admits."""
    if placement.per_node:
        return [member for member in group.members if placement.allows(member[2])]
    return list(group.members) if placement.allows(group.node) else []


def _manifest_list_findings(subject: str, image: str, placement: Placement, verdicts: Verdicts) -> list[dict[str, Any]]:
    """A registry manifest list on the nodes the placement admits: per node the entry its engine pulls.

    Nodes no entry fits get ``no_matching_manifest``; nodes whose pulled entry does not run there a placement
    finding. Both are known before anything is deployed.
    """
    missing: list[tuple[str, str]] = []
    bad: list[tuple[str, str]] = []
    reason = ""
    for group in placement.classes:
        members = _admitted(group, placement) if group.real is not None else []
        if not members or group.real is None:
            continue
        answer = image_source(image, placement.registry, node=group.real, rules=placement.pull_rules)
        if answer.get("no_matching_manifest"):
            missing += [(name, real) for name, real, _node in members]
            reason = str(answer["no_matching_manifest"])
            continue
        pulled = answer.get("version")
        isolation = placement.isolation or group.isolation
        if pulled and verdicts(pulled, group.real.version, isolation, group.kind)["status"] not in (
            *RUNNING_OK,
            "unknown",
        ):
            bad += [(name, f"{real}, pulls {pulled} {answer.get('digest')}") for name, real, _node in members]
    found = []
    if missing:
        where = ", ".join(f"{name} ({real})" for name, real in missing[:MAX_LISTED])
        found.append(
            finding(
                "no_matching_manifest",
                "critical",
                subject,
                missing[0][0] if len(missing) == 1 else None,
                f"image {image} has no manifest-list entry for {len(missing)} node(s) it may land on: {where}; "
                f"{reason}",
                "add an image of those nodes' build to the manifest list, or keep the image off those nodes",
                image=image,
                hosts=[name for name, _real in missing],
            )
        )
    if bad:
        where = ", ".join(f"{name} ({real})" for name, real in bad[:MAX_LISTED])
        found.append(
            finding(
                placement.check,
                "critical",
                subject,
                bad[0][0] if len(bad) == 1 else None,
                f"image {image} can be placed on {len(bad)} node(s) whose pulled entry cannot run there: {where}",
                "add an image of those nodes' build to the manifest list, or keep the image off those nodes",
                image=image,
                hosts=[name for name, _real in bad],
            )
        )
    return found


def _is_windows(node: Mapping[str, Any], view: Optional[HostView]) -> bool:
    if view is not None:
        return True
    os_name = node.get("os") or (node.get("platform") or {}).get("os") or node_labels(node).get("kubernetes.io/os")
    return str(os_name or "windows").lower() == "windows"


def _orchestrator_tag_check(subject: str, image: str, policy: Policy, check: str) -> list[dict[str, Any]]:
    if not image or not is_unpinned(image, policy.unpinned_tags):
        return []
    return [
        finding(
            "image_tag_pinned",
            "medium",
            subject,
            None,
            f"image {image} is not pinned: a floating tag can move to another Windows build",
            "pin a release or version tag (for example ...-ltsc2022) and deploy it with a matching "
            + ("placement constraint" if check == "swarm_placement" else "nodeSelector"),
            image=image,
        )
    ]


def _orchestrator_image_support(
    subject: str, image: str, version: WindowsVersion, policy: Policy
) -> list[dict[str, Any]]:
    status = support_status(version.build, "server", policy.today)
    if status.get("in_support") is not False:
        return []
    return [
        finding(
            "image_support",
            "medium",
            subject,
            None,
            f"image {image} is built on {release_for_build(version.build)['name']} ({version.version}), out of "
            f"support since {status['end_of_support']}: it receives no more security updates",
            "rebuild it on a supported base image (ltsc2019, ltsc2022 or ltsc2025) and select nodes of that build",
            image=image,
        )
    ]


def workload_images(workload: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(image, explicit version)`` of every container of a workload entry."""
    images = []
    for container in workload.get("containers") or []:
        if isinstance(container, Mapping) and container.get("image"):
            images.append((str(container["image"]), container.get("image_version") or container.get("version")))
    for image in workload.get("images") or []:
        if isinstance(image, Mapping):
            images.append((str(image.get("image") or image.get("ref") or ""), image.get("version")))
        elif image:
            images.append((str(image), None))
    return [(ref, version) for ref, version in images if ref]


def k8s_runtime_classes(recorded: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Recorded RuntimeClasses (``name``, ``handler``, ``node_selector``) in the API's shape the planner reads."""
    return {
        str(rc["name"]): {
            "handler": rc.get("handler"),
            "scheduling": {"nodeSelector": _text_map(rc.get("node_selector"))},
        }
        for rc in recorded
        if rc.get("name")
    }


def _text_map(value: Any) -> dict[str, str]:
    return {str(key): str(item) for key, item in (value or {}).items()}


def _workload_placement(
    workload: Mapping[str, Any], runtime_classes: Mapping[str, Any], classes: Sequence[NodeClass]
) -> Placement:
    """Where Kubernetes may start a recorded workload: the planner's ``node_allowed`` over its nodeSelector and
    RuntimeClass, or the node list ``k8s_compat_info`` resolved; its isolation is the planner's ``isolation_of``."""
    name = workload.get("runtime_class") or workload.get("runtime_class_name")
    pod_spec: dict[str, Any] = {"nodeSelector": _text_map(workload.get("node_selector"))}
    if name is not None and str(name) in runtime_classes:
        pod_spec["runtimeClassName"] = str(name)
        isolation = k8s.isolation_of(pod_spec, runtime_classes)
    else:
        isolation = _explicit_isolation(workload.get("isolation")) or "process"
    allows: Callable[[Any], bool] = functools.partial(_k8s_allows, pod_spec, runtime_classes)
    per_node = isinstance(workload.get("allowed_nodes"), list) and "runtimeClassName" not in pod_spec
    if per_node:
        # k8s_compat_info already resolved the selector and the RuntimeClass: trust its node list
        allows = functools.partial(_named_in, frozenset(str(n) for n in workload["allowed_nodes"]))
    return Placement(
        check="k8s_placement",
        classes=classes,
        allows=allows,
        isolation=isolation,
        per_node=per_node,
        select=lambda version: (
            f"select nodes of build {version.build} (node.kubernetes.io/windows-build=10.0.{version.build})"
            " with wincontainers.compat.k8s_workload_selector or a RuntimeClass"
        ),
        hyperv="run it with a Hyper-V RuntimeClass (handler runhcs-wcow-hypervisor)",
    )


def _explicit_isolation(value: object) -> Optional[str]:
    """``process`` or ``hyperv`` when a service or workload names one, else None (the host's default)."""
    return str(value) if value in ("process", "hyperv") else None


def check_k8s(
    cluster: str,
    state: Mapping[str, Any],
    views: Mapping[str, HostView],
    policy: Policy,
    verdicts: Verdicts,
    index: Mapping[str, str],
    registry: object = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Kubernetes node labels against the hosts, and workload selectors/RuntimeClasses against real builds.

    With ``registry`` a manifest-list image is judged per node by the entry containerd pulls there.
    """
    suite = f"k8s {cluster}"
    nodes = list(state.get("nodes") or [])
    matched = match_hosts(nodes, views, "uid")
    found: list[dict[str, Any]] = []
    checks: list[tuple[str, str, str]] = []
    for position, view in matched.items():
        checks.append((suite, f"node {node_name(nodes[position])}", "k8s_node_labels"))
        found += _k8s_label_findings(nodes[position], view, policy)
    runtime_classes = k8s_runtime_classes(state.get("runtime_classes") or [])
    classes = _node_classes(nodes, matched, _k8s_node)
    for workload in state.get("workloads") or []:
        subject = k8s.workload_subject(
            str(workload.get("kind") or "workload"), workload.get("namespace", "default"), workload.get("name")
        )
        checks += [(suite, subject, check) for check in ("k8s_placement", *_IMAGE_CHECKS)]
        placement = dataclasses.replace(
            _workload_placement(workload, runtime_classes, classes), registry=registry, pull_rules="containerd"
        )
        for image, explicit in workload_images(workload):
            found += _deployed_image_findings(subject, image, explicit, placement, policy, verdicts, index)
    return found, checks


def fold_consequences(own: Sequence[dict[str, Any]], reported: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reported findings that are not a consequence of a placement finding of ``own``.

    A failed task, a service short of replicas or a build mismatch the info module reported for a subject whose
    placement compliance found wrong, on one of the same nodes, is one cause reported twice: it becomes the
    ``evidence`` of the placement finding, whose message quotes it, instead of a finding of its own.
    """
    placements = {item["subject"]: item for item in own if item["check"] in PLACEMENT_CHECKS}
    kept = []
    for item in reported:
        cause = placements.get(item["subject"])
        on_its_nodes = item.get("host") is None or item.get("host") in (cause or {}).get("hosts", ())
        if cause is None or item["check"] not in CONSEQUENCES or not on_its_nodes:
            kept.append(item)
            continue
        cause.setdefault("evidence", []).append({key: item.get(key) for key in ("check", "host", "message")})
        cause["message"] += f"; {item['source']} reports it: {item['message']}"
    return kept


def orchestrator_findings(
    source: str, state: Mapping[str, Any], names: Optional[Iterable[str]] = None
) -> list[dict[str, Any]]:
    """The findings an info module already reported, tagged with their source.

    A node's host name (``WIN2019-02``) becomes the inventory name it matches (``win2019-02``), so the
    finding counts for that host.
    """
    inventory = {short_name(name): name for name in names or ()}
    found = []
    for item in state.get("findings") or []:
        if isinstance(item, Mapping):
            host = item.get("host")
            host = inventory.get(short_name(str(host)), host) if host else host
            found.append(dict(item, host=host, source=source, suite=source))
    return found
