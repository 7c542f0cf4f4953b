"""A core function that only its own module uses is private: its name starts with ``_``.

The core API (docs/design.md) is what other modules, plugins, tests, benchmarks and documents use; a public name
nothing else uses is either dead or a private helper under the wrong name. Each failure names the function.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "plugins" / "module_utils"
READERS = ("plugins", "tests", "bench", "docs", "roles", "playbooks", "examples", "scripts")


@lru_cache(maxsize=1)
def texts() -> dict[Path, str]:
    """Every Python, Markdown and YAML file that may use a core name."""
    found = {}
    for folder in READERS:
        for suffix in ("*.py", "*.md", "*.yml", "*.yaml"):
            for path in (ROOT / folder).rglob(suffix):
                found[path] = path.read_text(encoding="utf-8", errors="replace")
    found[ROOT / "README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    return found


def public_functions(path: Path) -> list[str]:
    """The module's top-level functions whose names do not start with ``_`` (``main`` aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_")
    ]


def used_elsewhere(path: Path, name: str) -> bool:
    """Whether a file other than ``path`` names ``name`` (a sibling of a package's module counts)."""
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    return any(other != path and pattern.search(text) for other, text in texts().items())


CORE_FILES = sorted(CORE.rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_functions_only_their_module_uses_are_private(path: Path) -> None:
    lonely = [name for name in public_functions(path) if not used_elsewhere(path, name)]
    assert not lonely, f"{path.relative_to(ROOT)}: only this module uses {lonely}; name them _<name>"
