# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of ``compliance_report``: runs the compliance checks and writes the reports, on the controller.

Nothing runs on a target. Facts come from the play's host variables or from an offline directory of
recorded facts and orchestrator state; the checks are the pure ``module_utils.compliance`` functions;
each report file is replaced atomically and only when its content changed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import RULE_SETS
from ansible_collections.wincontainers.compat.plugins.module_utils.compliance import evaluate, make_policy
from ansible_collections.wincontainers.compat.plugins.module_utils.errors import WinCompatError
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import SEVERITIES, at_or_above
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import DEFAULT_VERSION_LABELS, OSBUILD_FORMATS
from ansible_collections.wincontainers.compat.plugins.module_utils.reports import (
    EXTENSIONS,
    check_basename,
    fail_message,
    render_html,
    render_json,
    render_junit,
    render_text,
)
from ansible_collections.wincontainers.compat.plugins.module_utils.swarm import VERSION_FORMATS
from ansible_collections.wincontainers.compat.plugins.plugin_utils.catalog import use_catalog

FACTS_KEY = "wincontainers_host"
TARGET_VAR = "wincontainers_target_version"
FORMATS = ("json", "junit", "html")

ARGUMENT_SPEC: dict[str, Any] = {
    "hosts": {"type": "list", "elements": "str", "default": []},
    "facts": {"type": "dict", "default": {}},
    "offline_dir": {"type": "path"},
    "swarm": {"type": "raw", "default": {}},
    "k8s": {"type": "raw", "default": {}},
    "registry": {"type": "dict"},
    "targets": {"type": "dict", "default": {}},
    "isolation": {"type": "str", "default": "any", "choices": ["any", "process", "hyperv", "auto"]},
    "rules": {"type": "str", "default": "documented", "choices": list(RULE_SETS)},
    "today": {"type": "str"},
    "unpinned_tags": {"type": "list", "elements": "str", "default": ["latest"]},
    "swarm_os_label": {"type": "str", "default": "OS"},
    "swarm_version_label": {"type": "str", "default": "OsVersion"},
    "swarm_version_format": {"type": "str", "default": "major.minor.build", "choices": list(VERSION_FORMATS)},
    "k8s_version_labels": {"type": "list", "elements": "str", "default": list(DEFAULT_VERSION_LABELS)},
    "k8s_osbuild_format": {"type": "str", "default": "auto", "choices": list(OSBUILD_FORMATS)},
    "base_image_max_behind": {"type": "int", "default": 1},
    "dest": {"type": "path"},
    "basename": {"type": "str", "default": "compliance"},
    "formats": {"type": "list", "elements": "str", "default": list(FORMATS), "choices": list(FORMATS)},
    "title": {"type": "str", "default": "Windows container compliance"},
    "junit_fail_from": {"type": "str", "default": "low", "choices": list(SEVERITIES)},
    "fail_on": {"type": "str", "default": "none", "choices": ["none", *SEVERITIES]},
    "fail_see": {"type": "str"},
    "return_report": {"type": "bool", "default": False},
    "catalog": {"type": "path"},
}


def facts_of(document: Any) -> Optional[Mapping[str, Any]]:
    """The ``wincontainers_host`` facts in a recorded document: a module result, ``{wincontainers_host}``, or bare."""
    if not isinstance(document, Mapping):
        return None
    if isinstance(document.get("ansible_facts"), Mapping) and FACTS_KEY in document["ansible_facts"]:
        return document["ansible_facts"][FACTS_KEY]
    if isinstance(document.get(FACTS_KEY), Mapping):
        return document[FACTS_KEY]
    return document if "version" in document else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnsibleActionFail(f"offline input {path} is not readable JSON: {exc}") from exc


def load_offline(directory: str) -> dict[str, Any]:
    """Read an offline input directory: ``hosts/<name>[.json]``, ``swarm/<cluster>.json``, ``k8s/<cluster>.json``
    and ``registry/*.json``.

    A host file holds what ``ansible -m wincontainers.compat.win_container_host_facts --tree hosts/`` writes (or
    the bare facts), optionally with a top-level ``target_version``. A registry file holds a recorded
    ``registry_image_info`` result (its ``images`` by reference and ``tag_lists`` by repository); the files'
    images and tag lists are merged in name order.
    """
    root = Path(directory)
    if not root.is_dir():
        raise AnsibleActionFail(f"offline_dir {directory} is not a directory (expected hosts/, swarm/ and k8s/ in it)")
    loaded: dict[str, Any] = {"hosts": {}, "targets": {}, "swarm": {}, "k8s": {}, "registry": {}, "tag_lists": {}}
    for path in sorted((root / "hosts").glob("*")) if (root / "hosts").is_dir() else []:
        if path.is_file() and not path.name.startswith("."):
            name = path.name[: -len(".json")] if path.name.endswith(".json") else path.name
            document = _read_json(path)
            facts = facts_of(document)
            if facts is None:
                raise AnsibleActionFail(f"{path} holds no {FACTS_KEY} facts (expected ansible_facts.{FACTS_KEY})")
            loaded["hosts"][name] = facts
            if document.get("target_version"):
                loaded["targets"][name] = document["target_version"]
    for kind in ("swarm", "k8s"):
        for path in sorted((root / kind).glob("*.json")) if (root / kind).is_dir() else []:
            loaded[kind][path.stem] = _read_json(path)
    for path in sorted((root / "registry").glob("*.json")) if (root / "registry").is_dir() else []:
        document = _read_json(path)
        loaded["registry"].update(registry_images(document, str(path)))
        loaded["tag_lists"].update(registry_tag_lists(document, str(path)))
    return loaded


def registry_images(value: Any, what: str) -> dict[str, Any]:
    """The ``images`` of a ``registry_image_info`` result (or the images themselves), checked to be a mapping."""
    images = value.get("images", value) if isinstance(value, Mapping) else None
    if not isinstance(images, Mapping):
        raise AnsibleActionFail(
            f"{what} must be the result of wincontainers.compat.registry_image_info (a dict with images by reference)"
        )
    return dict(images)


def registry_tag_lists(value: Any, what: str) -> dict[str, Any]:
    """The ``tag_lists`` of a ``registry_image_info`` result (none for bare images), checked to be a mapping."""
    if not isinstance(value, Mapping) or "images" not in value or value.get("tag_lists") is None:
        return {}
    if not isinstance(value["tag_lists"], Mapping):
        raise AnsibleActionFail(f"{what}: tag_lists must be a mapping of repository -> {{tags, error}}")
    return dict(value["tag_lists"])


def named_states(value: Any, what: str) -> dict[str, Mapping[str, Any]]:
    """Orchestrator results as ``{cluster: result}``; a list of results is named by ``cluster``/``item`` or index."""
    if isinstance(value, Mapping):
        if "nodes" in value:
            return {"default": value}
        if "results" in value and isinstance(value["results"], list):
            value = value["results"]
        else:
            return {str(key): state for key, state in value.items() if isinstance(state, Mapping)}
    if isinstance(value, list):
        states = {}
        for position, state in enumerate(value):
            if not isinstance(state, Mapping) or state.get("skipped"):
                continue
            item = state.get("item")
            name = state.get("cluster") or (item.get("name") if isinstance(item, Mapping) else item) or position
            states[str(name)] = state
        return states
    if value in (None, ""):
        return {}
    raise AnsibleActionFail(f"{what} must be a dict of cluster name to module result, or a list of results")


def report_dir(dest: str) -> Path:
    """The report directory as an absolute path: a relative one is taken from where ansible-playbook runs."""
    return Path(os.path.abspath(os.path.expanduser(dest)))


def write_atomically(path: Path, content: str, check_mode: bool) -> bool:
    """Replace ``path`` with ``content`` through a temporary file in the same directory; False when unchanged."""
    try:
        if path.read_text(encoding="utf-8") == content:
            return False
    except OSError:
        pass
    if check_mode:
        return True
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return True


class ActionModule(ActionBase):
    """Evaluates the fleet once and writes the JSON, JUnit XML and HTML reports on the controller."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Gather the inputs, evaluate, render, write; fail afterwards when ``fail_on`` is reached."""
        result: dict[str, Any] = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            check_basename(args["basename"])
        except WinCompatError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        offline = load_offline(args["offline_dir"]) if args["offline_dir"] else {}
        hosts, targets = self._host_inputs(args, offline, task_vars)
        swarm = {**offline.get("swarm", {}), **named_states(args["swarm"], "swarm")}
        k8s = {**offline.get("k8s", {}), **named_states(args["k8s"], "k8s")}
        try:
            use_catalog(args["catalog"])
            policy = make_policy(args)
            registry = self._registry(args, offline)
            report = evaluate(hosts, swarm=swarm, k8s=k8s, targets=targets, policy=policy, registry=registry)
        except WinCompatError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        result.update(
            changed=False,
            summary=report["summary"],
            findings=report["findings"],
            table=render_text(report),
            reports={},
        )
        if args["return_report"]:
            result["report"] = report
        if args["dest"]:
            result.update(self._write(report, args))
        reached = at_or_above(report["findings"], args["fail_on"])
        result["fail_on_reached"] = len(reached)
        if reached:
            written = [] if self._task.check_mode else list(result["reports"].values())
            see = result["reports"].get("html", written[0]) if written else args["fail_see"]
            result.update(failed=True, msg=fail_message(reached, args["fail_on"], see))
        return result

    @staticmethod
    def _registry(args: Mapping[str, Any], offline: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        """The registry answers (images and tag lists) of the offline input and O(registry), the option's last."""
        given = args["registry"] or {}
        images = {**offline.get("registry", {}), **registry_images(given, "registry")}
        tag_lists = {**offline.get("tag_lists", {}), **registry_tag_lists(given, "registry")}
        if not images and not tag_lists:
            return None
        return {"images": images, "tag_lists": tag_lists} if tag_lists else images

    def _host_inputs(
        self, args: Mapping[str, Any], offline: Mapping[str, Any], task_vars: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Facts and pending target versions per host: given, then host variables, then the offline input."""
        recorded, targets = dict(offline.get("hosts", {})), dict(offline.get("targets", {}))
        names = list(args["hosts"]) or sorted({*recorded, *args["facts"]})
        hostvars = task_vars.get("hostvars") or {}
        hosts: dict[str, Any] = {}
        for name in names:
            # hostvars of a name outside the inventory is an undefined value, not a mapping: test membership first
            variables = hostvars[name] if name in hostvars else {}  # noqa: SIM401
            facts = args["facts"].get(name) or (variables.get("ansible_facts") or {}).get(FACTS_KEY)
            hosts[name] = facts or variables.get(FACTS_KEY) or recorded.get(name)
            target = args["targets"].get(name) or variables.get(TARGET_VAR) or targets.get(name)
            if target:
                targets[name] = target
        return hosts, targets

    def _write(self, report: Mapping[str, Any], args: Mapping[str, Any]) -> dict[str, Any]:
        renderers = {
            "json": lambda: render_json(report),
            "junit": lambda: render_junit(report, fail_from=args["junit_fail_from"]),
            "html": lambda: render_html(report, title=args["title"]),
        }
        dest = report_dir(args["dest"])
        paths, changed = {}, False
        for name in args["formats"]:
            path = dest / f"{args['basename']}{EXTENSIONS[name]}"
            try:
                changed |= write_atomically(path, renderers[name](), bool(self._task.check_mode))
            except OSError as exc:
                raise AnsibleActionFail(f"cannot write the {name} report to {path}: {exc}") from exc
            paths[name] = str(path)
        return {"changed": changed, "reports": paths}
