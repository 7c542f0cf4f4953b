"""The documentation lists the rule sets, severities and default Kubernetes labels the code defines (one owner)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from ansible_collections.wincontainers.compat.plugins.module_utils.compat import RULE_SETS
from ansible_collections.wincontainers.compat.plugins.module_utils.findings import SEVERITIES
from ansible_collections.wincontainers.compat.plugins.module_utils.k8s import DEFAULT_VERSION_LABELS

ROOT = Path(__file__).resolve().parents[3]


def module_documentation(path: Path) -> dict[str, Any]:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
            return yaml.safe_load(ast.literal_eval(node.value))
    return {}


def documented_options() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, option, spec) of every module, filter, test and role option."""
    for path in sorted((ROOT / "plugins" / "modules").glob("*.py")):
        for name, spec in (module_documentation(path).get("options") or {}).items():
            yield str(path.relative_to(ROOT)), name, spec
    for path in sorted([*(ROOT / "plugins" / "filter").glob("*.yml"), *(ROOT / "plugins" / "test").glob("*.yml")]):
        for doc in yaml.safe_load(path.read_text()).values():  # DOCUMENTATION (EXAMPLES and RETURN have no options)
            options = doc.get("options") if isinstance(doc, dict) else None
            for name, spec in (options or {}).items():
                yield str(path.relative_to(ROOT)), name, spec
    for path in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        for entry in yaml.safe_load(path.read_text())["argument_specs"].values():
            for name, spec in (entry.get("options") or {}).items():
                yield str(path.relative_to(ROOT)), name, spec


OPTIONS = list(documented_options())


# Every option that chooses the compatibility rules (select_manifest's ``rules`` chooses a pull order instead).
RULES_OPTIONS = [o for o in OPTIONS if o[1].endswith("rules") and "documented" in (o[2].get("choices") or [])]


def test_the_rules_options_are_found() -> None:
    assert len(RULES_OPTIONS) >= 10


@pytest.mark.parametrize(("file", "option", "spec"), RULES_OPTIONS)
def test_rule_set_choices_are_the_cores(file: str, option: str, spec: dict[str, Any]) -> None:
    assert tuple(spec["choices"]) == RULE_SETS, file


@pytest.mark.parametrize(
    ("file", "option", "spec"), [o for o in OPTIONS if o[1].endswith(("fail_on", "junit_fail_from"))]
)
def test_severity_choices_are_the_findings_scale(file: str, option: str, spec: dict[str, Any]) -> None:
    assert [choice for choice in spec["choices"] if choice != "none"] == list(SEVERITIES), file


def test_the_default_kubernetes_version_labels_are_one_list() -> None:
    documented = [spec["default"] for _file, option, spec in OPTIONS if option.endswith("k8s_version_labels")]
    defaults = yaml.safe_load((ROOT / "roles" / "compliance" / "defaults" / "main.yml").read_text())
    assert len(documented) == 2
    assert all(tuple(labels) == DEFAULT_VERSION_LABELS for labels in documented)
    assert tuple(defaults["compliance_k8s_version_labels"]) == DEFAULT_VERSION_LABELS
