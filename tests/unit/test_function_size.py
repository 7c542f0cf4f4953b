"""No function under plugins/ runs over 60 lines: long functions get split into named private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
LIMIT = 60


def _long_functions(root: Path) -> list[str]:
    """``path:line name (N lines)`` for every function or method under ROOT longer than LIMIT lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LIMIT:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_over_60_lines() -> None:
    assert _long_functions(PLUGINS) == []


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "long.py").write_text(f"def too_long():\n{body}\n\n\ndef short():\n    return 1\n")
    assert _long_functions(tmp_path / "plugins") == ["plugins/long.py:1 too_long (61 lines)"]
