"""The contract between ``win_container_host_facts.ps1`` and the Python that reads its answer.

No Windows host runs here, so the shape of the ``raw`` object the script returns is read from its syntax tree
(tree-sitter-powershell): the keys of each hashtable literal, what each value is (an object, a list of objects,
a leaf) and whether it may be ``$null``. Every recorded fixture must have exactly that shape, and every key the
Python builder reads must be one the script writes.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import tree_sitter
import tree_sitter_powershell

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "plugins" / "modules" / "win_container_host_facts.ps1"
UTIL = ROOT / "plugins" / "module_utils" / "DockerHost.psm1"
BUILDER = ROOT / "plugins" / "module_utils" / "host_facts.py"
FIXTURES = sorted((ROOT / "tests" / "unit" / "fixtures" / "host_facts").glob("*.json"))
EXAMPLE_FLEET = sorted((ROOT / "examples" / "fleet" / "raw").glob("*.json"))
# Expression wrappers tree-sitter-powershell nests around every value.
_WRAPPERS = {
    "pipeline",
    "pipeline_chain",
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "parenthesized_expression",
    "statement_list",
    "statement_block",
    "script_block_body",
}
_LITERALS = {"string_literal", "integer_literal", "real_literal", "expandable_string_literal"}


@dataclass
class Shape:
    """What a value is: ``object`` (``keys``), ``list`` (of ``item``) or ``leaf``; ``nullable`` if it may be null."""

    kind: str
    nullable: bool = False
    keys: dict[str, Shape] = field(default_factory=dict)
    item: Optional[Shape] = None

    def union(self, other: Shape) -> Shape:
        """The shape of a value that is either ``self`` or ``other``."""
        if self.kind == "null":
            return _with_null(other)
        if other.kind == "null":
            return _with_null(self)
        assert self.kind == other.kind, f"a value is both {self.kind} and {other.kind}"
        item = self.item.union(other.item) if self.item and other.item else self.item or other.item
        return Shape(self.kind, self.nullable or other.nullable, {**self.keys, **other.keys}, item)


def _with_null(shape: Shape) -> Shape:
    return Shape(shape.kind, True, shape.keys, shape.item) if shape.kind != "null" else shape


class ScriptShapes:
    """Reads the shapes of the values a PowerShell script builds, following its functions and variables."""

    def __init__(self, *sources: bytes) -> None:
        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
        self.functions: dict[str, tuple[tree_sitter.Node, bytes]] = {}
        self.scripts: list[tuple[tree_sitter.Node, bytes]] = []
        for source in sources:
            root = parser.parse(source).root_node
            self.scripts.append((root, source))
            for node in _walk(root):
                if node.type == "function_statement":
                    name = _text(node.child_by_field_name("name") or _child(node, "function_name"), source)
                    self.functions[name.lower()] = (node, source)
        self._active: set[str] = set()

    def assigned(self, variable: str) -> Shape:
        """The shape of ``$variable`` where the main script assigns it (``$raw``)."""
        root, source = self.scripts[0]
        return self._variable(root, variable, source)

    def value(self, node: tree_sitter.Node, source: bytes, scope: tree_sitter.Node) -> Shape:
        """The shape of the expression ``node`` evaluated in ``scope`` (a function or the script)."""
        node = _unwrap(node)
        kind = node.type
        if kind == "hash_literal_expression":
            return Shape("object", keys=self._entries(node, source, scope))
        if kind == "if_statement":
            return self._branches(node, source, scope)
        if kind == "variable":
            name = _text(node, source).lower()
            if name in ("$true", "$false"):
                return Shape("leaf")
            return Shape("null") if name == "$null" else self._variable(scope, name, source)
        if kind in ("for_statement", "foreach_statement", "while_statement"):
            return self.value(_statements(_child(node, "statement_block") or node)[-1], source, scope)
        if kind == "array_expression":
            inner = [self.value(statement, source, scope) for statement in _statements(node)]
            if not inner:
                return Shape("list")
            return Shape("list", item=inner[0] if inner[0].kind == "object" else Shape("leaf"))
        if kind == "command":
            return self._call(node, source)
        if kind in _LITERALS:
            return Shape("leaf")
        return Shape("leaf", nullable=True)

    def _entries(self, node: tree_sitter.Node, source: bytes, scope: tree_sitter.Node) -> dict[str, Shape]:
        entries = {}
        for entry in (n for n in _walk(node) if n.type == "hash_entry" and _owner(n) == node):
            key = _text(entry.named_children[0], source).strip("'\"")
            entries[key] = self.value(entry.named_children[1], source, scope)
        return entries

    def _branches(self, node: tree_sitter.Node, source: bytes, scope: tree_sitter.Node) -> Shape:
        blocks = [child for child in node.named_children if child.type == "statement_block"]
        has_else = False
        for clause in node.named_children:
            if clause.type in ("elseif_clauses", "elseif_clause", "else_clause"):
                blocks += [n for n in _walk(clause) if n.type == "statement_block" and n.parent == clause]
                has_else = has_else or clause.type == "else_clause"
        shape = Shape("null")
        for block in blocks:
            last = _statements(block)[-1]
            shape = shape.union(self.value(last, source, scope))
        return shape if has_else else _with_null(shape)

    def _call(self, node: tree_sitter.Node, source: bytes) -> Shape:
        name = _text(_child(node, "command_name"), source).lower()
        if name not in self.functions or name in self._active:
            return Shape("leaf", nullable=True)
        function, function_source = self.functions[name]
        self._active.add(name)
        try:
            body = _child(function, "script_block")
            returned = Shape("null")
            for statement in _output_statements(body, function_source):
                returned = returned.union(self.value(statement, function_source, function))
            return returned
        finally:
            self._active.discard(name)

    def _variable(self, scope: tree_sitter.Node, name: str, source: bytes) -> Shape:
        shape: Optional[Shape] = None
        for node in _walk(scope):
            if node.type != "assignment_expression" or _enclosing_function(node) != _function_of(scope):
                continue
            target = _text(node.named_children[0], source).strip().lower()
            if target in (name.lower(), f"$script:{name[1:].lower()}"):
                assigned = self.value(node.named_children[-1], source, scope)
                if _text(node.named_children[1], source).strip() == "+=" and assigned.kind == "object":
                    assigned = Shape("list", item=assigned)
                shape = assigned if shape is None else shape.union(assigned)
        return shape or Shape("leaf", nullable=True)


def _walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _text(node: Optional[tree_sitter.Node], source: bytes) -> str:
    return "" if node is None else source[node.start_byte : node.end_byte].decode("utf-8")


def _child(node: tree_sitter.Node, kind: str) -> Optional[tree_sitter.Node]:
    return next((child for child in node.named_children if child.type == kind), None)


def _unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.type in _WRAPPERS and len(node.named_children) == 1:
        node = node.named_children[0]
    return node


def _owner(entry: tree_sitter.Node) -> Optional[tree_sitter.Node]:
    node = entry.parent
    while node is not None and node.type != "hash_literal_expression":
        node = node.parent
    return node


def _statements(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    statements = _child(node, "statement_list")
    return list(statements.named_children) if statements is not None else list(node.named_children)


def _output_statements(body: Optional[tree_sitter.Node], source: bytes) -> list[tree_sitter.Node]:
    """The statements of a function body that write its output: its last statement, and ``return`` values."""
    if body is None:
        return []
    statements = _statements(_child(body, "script_block_body") or body)
    found = [statements[-1]] if statements else []
    for node in _walk(body):
        if node.type == "flow_control_statement" and _text(node, source).startswith("return ") and node.named_children:
            found.append(node.named_children[-1])
    return found


def _enclosing_function(node: tree_sitter.Node) -> Optional[tree_sitter.Node]:
    node = node.parent
    while node is not None and node.type != "function_statement":
        node = node.parent
    return node


def _function_of(scope: tree_sitter.Node) -> Optional[tree_sitter.Node]:
    return scope if scope.type == "function_statement" else None


def script_shape() -> Shape:
    """The shape of ``raw`` as win_container_host_facts.ps1 (with its module util) builds it."""
    return ScriptShapes(SCRIPT.read_bytes(), UTIL.read_bytes()).assigned("$raw")


def mismatches(value: Any, shape: Shape, where: str = "raw") -> list[str]:
    """Where ``value`` differs from ``shape``: missing or extra keys, a null that cannot be, a wrong kind."""
    if value is None:
        return [] if shape.nullable else [f"{where} is null, the script never returns null there"]
    if _kind_error(value, shape, where):
        return _kind_error(value, shape, where)
    if shape.kind == "object":
        found = [f"{where}.{key} is missing" for key in shape.keys if key not in value]
        found += [f"{where}.{key} is not written by the script" for key in value if key not in shape.keys]
        for key in shape.keys.keys() & value.keys():
            found += mismatches(value[key], shape.keys[key], f"{where}.{key}")
        return found
    if shape.kind == "list":
        return [
            problem for index, item in enumerate(value) for problem in mismatches(item, shape.item, f"{where}[{index}]")
        ]  # type: ignore[arg-type]
    return [f"{where} is an object, the script returns a plain value"] if isinstance(value, dict) else []


def _kind_error(value: Any, shape: Shape, where: str) -> list[str]:
    expected = {"object": dict, "list": list}.get(shape.kind)
    if expected is None or isinstance(value, expected):
        return []
    return [f"{where} is a plain value, the script returns {'an object' if shape.kind == 'object' else 'a list'}"]


def _paths(shape: Shape, prefix: str = "") -> set[str]:
    found = set()
    for key, child in shape.keys.items():
        found.add(prefix + key)
        target = child.item if child.kind == "list" and child.item else child
        found |= _paths(target, f"{prefix}{key}.")
    return found


def builder_reads() -> set[str]:
    """Keys ``host_facts.py`` reads with ``.get("key")``, as it reads every raw value (a raw value may be absent)."""
    tree = ast.parse(BUILDER.read_text(encoding="utf-8"))
    keys: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"):
            continue
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            keys.add(first.value)
    return keys


def docker_format_keys() -> set[str]:
    """The keys of the JSON the script's ``--format`` templates make docker print (what the builder parses)."""
    source = SCRIPT.read_text(encoding="utf-8")
    templates = re.findall(r"'([^']*\{\{[^']*)'", source)
    return {key for template in templates for key in re.findall(r'"(\w+)":', template)}


SHAPE = script_shape()


def test_the_script_shape_is_read() -> None:
    """The extraction finds the sections, command records and file records, with their nullability."""
    assert set(SHAPE.keys) == {"gather_subset", "registry", "reboot", "features", "docker", "containerd"}
    assert SHAPE.keys["features"].nullable and SHAPE.keys["docker"].nullable and not SHAPE.keys["registry"].nullable
    docker = SHAPE.keys["docker"]
    assert docker.keys["info"].nullable and set(docker.keys["info"].keys) == {
        "rc",
        "stdout",
        "stderr",
        "timed_out",
        "start_error",
    }
    assert docker.keys["images"].kind == "list" and docker.keys["images"].item.keys == docker.keys["info"].keys  # type: ignore[union-attr]
    assert docker.keys["daemon_json_files"].item is not None
    assert set(docker.keys["daemon_json_files"].item.keys) == {"path", "exists", "content_base64", "error"}
    assert docker.keys["info"].keys["start_error"].nullable and not docker.keys["info"].keys["timed_out"].nullable
    assert "Hyper-V" in SHAPE.keys["features"].keys and "InstallationType" in SHAPE.keys["registry"].keys
    assert {"ServerVersion", "DockerRootDir", "OsVersion", "Isolation", "Platform"} <= docker_format_keys()


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_has_the_shape_the_script_returns(path: Path) -> None:
    assert mismatches(json.loads(path.read_text(encoding="utf-8"))["raw"], SHAPE) == []


@pytest.mark.parametrize("path", EXAMPLE_FLEET, ids=lambda p: p.stem)
def test_the_example_fleet_has_the_shape_the_script_returns(path: Path) -> None:
    assert mismatches(json.loads(path.read_text(encoding="utf-8")), SHAPE) == []


def test_the_check_finds_a_fixture_of_another_shape() -> None:
    raw = json.loads(FIXTURES[0].read_text(encoding="utf-8"))["raw"]
    raw["reboot"]["Revision"] = 1
    del raw["features"]
    raw["registry"] = None
    raw["containerd"] = {"service": None, "version": "containerd github.com/containerd/containerd v1.7.20"}
    assert sorted(mismatches(raw, SHAPE)) == [
        "raw.containerd.version is a plain value, the script returns an object",
        "raw.features is missing",
        "raw.reboot.Revision is not written by the script",
        "raw.registry is null, the script never returns null there",
    ]


def test_every_key_the_builder_reads_is_written_by_the_script() -> None:
    written = {path.rsplit(".", 1)[-1] for path in _paths(SHAPE)}
    # The builder's own dicts (release entries, image facts, verdicts) are not raw values.
    own = {"kind", "known", "channel", "id", "os_version", "image_os_version", "isolation", "running", "status"}
    unknown = builder_reads() - written - docker_format_keys() - own
    assert unknown == set(), f"host_facts.py reads keys win_container_host_facts.ps1 never writes: {sorted(unknown)}"
