"""docs/design.md describes the code as it is: the layout table and the Core API block are checked against it.

Layout: every path a row names exists, and every module_utils file, plugin utility, filter, test, module, action
plugin and role has a row; a ``function()`` a row names for Python files is defined in them. Core API: every
class, function, method, property and field the block names exists in its module, with the parameters
(names, kinds and defaults) the block gives. Each failure names the row or the name to fix.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import importlib
import inspect
import io
import re
import tokenize
from pathlib import Path
from types import ModuleType
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "docs" / "design.md"
PACKAGE = "ansible_collections.wincontainers.compat.plugins.module_utils"
# Every file under these folders needs a row; so does every role.
LISTED_FOLDERS = (
    "plugins/module_utils",
    "plugins/plugin_utils",
    "plugins/filter",
    "plugins/test",
    "plugins/modules",
    "plugins/action",
)
EMPTY = inspect.Parameter.empty


# --- reading the document ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the layout table: its line in design.md, the paths of its first column, its description."""

    line: int
    paths: tuple[str, ...]
    text: str


@dataclasses.dataclass(frozen=True)
class ApiEntry:
    """One statement of the Core API block: the module it is listed under, its line and its (python-ish) text."""

    module: str
    line: int
    text: str
    owner: Optional[str] = None  # the class a member, field or property belongs to
    decorator: Optional[str] = None  # the ``@dataclass(...)`` line before a class


def section(markdown: str, heading: str) -> list[tuple[int, str]]:
    """The numbered lines of the ``## heading`` section (up to the next ``## ``)."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(rf"## {re.escape(heading)}\b", line)), None)
    assert start is not None, f"design.md has no '## {heading}' section"
    found = []
    for number, line in enumerate(lines[start + 1 :], start + 2):
        if line.startswith("## "):
            break
        found.append((number, line))
    return found


def layout_rows(markdown: str) -> list[Row]:
    """The rows of the layout table (header and separator left out)."""
    rows = []
    for number, line in section(markdown, "Layout"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) < 2 or cells[0] == "path" or set(cells[0]) <= {"-", ":"}:
            continue
        rows.append(Row(number, tuple(re.findall(r"`([^`]+)`", cells[0])), "|".join(cells[1:])))
    return rows


def _strip_comment(line: str) -> str:
    """``line`` without its ``# comment`` (a ``#`` inside a string is kept)."""
    tokens = tokenize.generate_tokens(io.StringIO(line).readline)
    try:
        for token in tokens:
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return line.rstrip()


def _statements(block: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """``(line, indent, text)`` of each statement of the block, comments dropped, open parentheses joined."""
    statements: list[tuple[int, int, str]] = []
    pending: Optional[tuple[int, int, str]] = None
    for number, raw in block:
        text = _strip_comment(raw)
        if not text.strip() and pending is None:
            continue
        if pending is None:
            pending = (number, len(text) - len(text.lstrip()), text.strip())
        else:
            pending = (pending[0], pending[1], f"{pending[2]} {text.strip()}")
        if pending[2].count("(") <= pending[2].count(")"):
            statements.append(pending)
            pending = None
    assert pending is None, f"design.md line {pending[0]}: unclosed parenthesis in the Core API block"
    return statements


def api_entries(markdown: str) -> list[ApiEntry]:
    """The statements of the Core API block, each with its module (``# module.py``) and, for members, class."""
    lines = section(markdown, "Core API")
    opening = next(i for i, (_n, line) in enumerate(lines) if line.strip() == "```python")
    closing = next(i for i, (_n, line) in enumerate(lines) if i > opening and line.strip() == "```")
    block = lines[opening + 1 : closing]
    owner: Optional[str] = None
    decorator: Optional[str] = None
    entries = []
    for number, indent, text in _statements(block):
        module = _module_at(block, number)
        if text.startswith("@dataclass"):
            decorator = text
        elif text.startswith("class "):
            owner = re.match(r"class\s+(\w+)", text).group(1)  # type: ignore[union-attr]
            entries.append(ApiEntry(module, number, text, decorator=decorator))
            decorator = None
        elif indent and owner:
            entries.append(ApiEntry(module, number, text, owner=owner))
        else:
            owner = None
            entries.append(ApiEntry(module, number, text))
    return entries


def _module_at(lines: list[tuple[int, str]], number: int) -> str:
    """The ``# module.py`` header that governs line ``number``."""
    found = ""
    for line_number, raw in lines:
        if line_number > number:
            break
        header = re.fullmatch(r"#\s*([\w/]+\.py)\s*", raw.strip())
        if header:
            found = header.group(1)
    return found


# --- checking the layout -----------------------------------------------------------------------------------
def required_paths(root: Path) -> list[str]:
    """What the table must list: every file under ``LISTED_FOLDERS`` (not empty ``__init__.py``), every role."""
    found = []
    for folder in LISTED_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.name == "__init__.py" and not path.read_text(encoding="utf-8").strip():
                continue
            found.append(path.relative_to(root).as_posix())
    roles = root / "roles"
    found += [f"roles/{path.name}/" for path in sorted(roles.iterdir()) if path.is_dir()] if roles.is_dir() else []
    return found


def _matches(root: Path, pattern: str) -> list[str]:
    """The repository paths ``pattern`` names (a directory with a trailing ``/``)."""
    return [
        match.relative_to(root).as_posix() + ("/" if match.is_dir() else "")
        for match in sorted(root.glob(pattern.rstrip("/")))
    ]


def _defined_names(files: list[Path]) -> set[str]:
    """The top-level functions and classes of Python ``files``."""
    names: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    return names


def layout_problems(root: Path, rows: list[Row]) -> list[str]:
    """Every path that names nothing, every file without a row, every ``name()`` its row's files lack."""
    problems, covered = [], set()
    for row in rows:
        for pattern in row.paths:
            matched = _matches(root, pattern)
            covered |= set(matched)
            if not matched:
                problems.append(f"design.md line {row.line}: `{pattern}` names nothing in the repository")
        python = [root / path for pattern in row.paths for path in _matches(root, pattern) if path.endswith(".py")]
        missing = sorted(set(re.findall(r"`(\w+)\(\)`", row.text)) - _defined_names(python)) if python else []
        problems += [
            f"design.md line {row.line}: `{name}()` is not defined in {', '.join(row.paths)}" for name in missing
        ]
    for path in required_paths(root):
        if path not in covered:
            problems.append(
                f"design.md layout table: no row lists `{path}`; add `| \\`{path}\\` | what it holds |` or name it "
                "in a neighbouring row (a directory row covers none of its files)"
            )
    return problems


# --- checking the Core API ---------------------------------------------------------------------------------
def _module(entry: ApiEntry) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{entry.module[:-3].replace('/', '.')}")


def _value(node: ast.expr, module: ModuleType) -> Any:
    """A default as the doc writes it: a literal, or a name of the module (``REPOSITORIES``)."""
    if isinstance(node, ast.Name):
        if not hasattr(module, node.id):
            raise ValueError(f"the default {node.id} is not a name of the module")
        return getattr(module, node.id)
    return ast.literal_eval(node)


def doc_parameters(args: ast.arguments, module: ModuleType) -> list[tuple[str, str, Any]]:
    """``(name, kind, default)`` of each parameter the doc gives."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[Any] = [EMPTY] * (len(positional) - len(args.defaults))
    defaults += [_value(node, module) for node in args.defaults]
    found = [(arg.arg, "positional", default) for arg, default in zip(positional, defaults)]
    found += [(f"*{args.vararg.arg}", "var", EMPTY)] if args.vararg else []
    found += [
        (arg.arg, "keyword-only", EMPTY if node is None else _value(node, module))
        for arg, node in zip(args.kwonlyargs, args.kw_defaults)
    ]
    return found + ([(f"**{args.kwarg.arg}", "var", EMPTY)] if args.kwarg else [])


def code_parameters(func: Any, skip_self: bool = False) -> list[tuple[str, str, Any]]:
    """``(name, kind, default)`` of each parameter of ``func``, in the shape of ``doc_parameters``."""
    params = list(inspect.signature(func).parameters.values())[1 if skip_self else 0 :]
    kinds: dict[Any, str] = {inspect.Parameter.KEYWORD_ONLY: "keyword-only", inspect.Parameter.VAR_POSITIONAL: "var"}
    kinds[inspect.Parameter.VAR_KEYWORD] = "var"
    prefix: dict[Any, str] = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [(prefix.get(p.kind, "") + p.name, kinds.get(p.kind, "positional"), p.default) for p in params]


def _check_function(entry: ApiEntry, module: ModuleType, owner: Any) -> list[str]:
    """A function (or, with ``owner``, a method): it exists, and its parameters are the doc's."""
    text = entry.text if entry.text.startswith("def ") else f"def {entry.text}"
    node = ast.parse(f"{text}: ...").body[0]
    assert isinstance(node, ast.FunctionDef)
    where = f"design.md line {entry.line}: {entry.module}"
    name = f"{entry.owner}.{node.name}" if entry.owner else node.name
    func = getattr(owner if owner is not None else module, node.name, None)
    if not callable(func):
        return [f"{where} has no function `{name}`"]
    try:
        documented = doc_parameters(node.args, module)
    except ValueError as exc:
        return [f"{where} `{name}`: {exc}"]
    if documented != code_parameters(func, skip_self=owner is not None):
        return [f"{where} `{name}({ast.unparse(node.args)})` differs from the code's `{name}{inspect.signature(func)}`"]
    return []


def _check_class(entry: ApiEntry, module: ModuleType) -> list[str]:
    """A class: it exists, has the doc's bases and, under ``@dataclass(...)``, the doc's dataclass options."""
    node = ast.parse(entry.text if entry.text.endswith("...") else f"{entry.text} ...").body[0]
    assert isinstance(node, ast.ClassDef)
    where = f"design.md line {entry.line}: {entry.module}"
    cls = getattr(module, node.name, None)
    if not inspect.isclass(cls):
        return [f"{where} has no class `{node.name}`"]
    problems = []
    for base in (ast.unparse(expr) for expr in node.bases):
        parent = getattr(module, base, getattr(builtins, base, None))
        if not (inspect.isclass(parent) and issubclass(cls, parent)):
            problems.append(f"{where} `{node.name}` is not a subclass of `{base}`")
    return problems + (_check_dataclass(entry, cls, where) if entry.decorator else [])


def _check_dataclass(entry: ApiEntry, cls: type, where: str) -> list[str]:
    call = ast.parse((entry.decorator or "@dataclass").lstrip("@")).body[0]
    options = call.value.keywords if isinstance(call, ast.Expr) and isinstance(call.value, ast.Call) else []
    if not dataclasses.is_dataclass(cls):
        return [f"{where} `{cls.__name__}` is not a dataclass"]
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    return [
        f"{where} `{cls.__name__}` has {option.arg}={getattr(params, str(option.arg), None)}, the doc says "
        f"{ast.unparse(option.value)}"
        for option in options
        if getattr(params, str(option.arg), None) != ast.literal_eval(option.value)
    ]


def _check_member(entry: ApiEntry, module: ModuleType) -> list[str]:
    """A property, method or the field list of a class listed above it."""
    cls = getattr(module, entry.owner or "", None)
    where = f"design.md line {entry.line}: {entry.module}"
    if cls is None:
        return []  # reported with the class
    prop = re.match(r"@property\s+(\w+)", entry.text)
    if prop:
        found = isinstance(inspect.getattr_static(cls, prop.group(1), None), property)
        return [] if found else [f"{where} `{entry.owner}.{prop.group(1)}` is not a property"]
    if entry.text.startswith("def "):
        return _check_function(entry, module, cls)
    return _check_fields(entry, module, cls, where)


def _check_fields(entry: ApiEntry, module: ModuleType, cls: type, where: str) -> list[str]:
    fields = [node for node in ast.parse(entry.text).body if isinstance(node, ast.AnnAssign)]
    documented = [
        (ast.unparse(node.target), EMPTY if node.value is None else _value(node.value, module)) for node in fields
    ]
    actual = [
        (field.name, EMPTY if field.default is dataclasses.MISSING else field.default)
        for field in dataclasses.fields(cls)
    ]
    if documented != actual:
        return [f"{where} the fields of `{entry.owner}` are `{_fields(actual)}`, the doc says `{_fields(documented)}`"]
    return []


def _fields(fields: list[tuple[str, Any]]) -> str:
    return "; ".join(name if default is EMPTY else f"{name} = {default!r}" for name, default in fields)


def api_problems(entries: list[ApiEntry]) -> list[str]:
    """Every Core API name that is missing from its module or whose signature differs from the doc's."""
    problems = []
    for entry in entries:
        try:
            module = _module(entry)
        except ImportError as exc:
            problems.append(f"design.md line {entry.line}: module {entry.module} cannot be imported ({exc})")
            continue
        if entry.text.startswith("class "):
            problems += _check_class(entry, module)
        elif entry.owner:
            problems += _check_member(entry, module)
        else:
            problems += _check_function(entry, module, None)
    return problems


# --- the tests ---------------------------------------------------------------------------------------------
MARKDOWN = DESIGN.read_text(encoding="utf-8")


def test_the_layout_table_lists_every_plugin_and_module_util_and_only_existing_paths() -> None:
    rows = layout_rows(MARKDOWN)
    assert len(rows) >= 20, "the layout table was not read"
    problems = layout_problems(ROOT, rows)
    assert not problems, "docs/design.md is out of date:\n" + "\n".join(problems)


def test_the_core_api_block_matches_the_code() -> None:
    entries = api_entries(MARKDOWN)
    assert {"errors.py", "version.py", "compat.py", "tags.py"} <= {entry.module for entry in entries}
    assert len(entries) >= 15, "the Core API block was not read"
    problems = api_problems(entries)
    assert not problems, "docs/design.md Core API is out of date:\n" + "\n".join(problems)


# --- the checks catch what they are for --------------------------------------------------------------------
def test_the_layout_check_names_a_missing_row_a_stale_path_and_a_function_that_is_not_there(tmp_path: Path) -> None:
    for path in ("plugins/module_utils/a.py", "plugins/module_utils/b.py", "plugins/filter/f.py", "roles/r/x"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("def real():\n    pass\n", encoding="utf-8")
    doc = (
        "## Layout\n\n| path | what |\n|---|---|\n"
        "| `plugins/module_utils/a.py`, `plugins/module_utils/gone.py` | `real()` and `ghost()` |\n"
        "| `plugins/filter/*.py` | filters |\n| `plugins/` | a folder row covers no file |\n\n## Next\n"
    )
    problems = layout_problems(tmp_path, layout_rows(doc))
    assert problems == [
        "design.md line 5: `plugins/module_utils/gone.py` names nothing in the repository",
        "design.md line 5: `ghost()` is not defined in plugins/module_utils/a.py, plugins/module_utils/gone.py",
        "design.md layout table: no row lists `plugins/module_utils/b.py`; add "
        "`| \\`plugins/module_utils/b.py\\` | what it holds |` or name it in a neighbouring row (a directory row "
        "covers none of its files)",
        "design.md layout table: no row lists `roles/r/`; add `| \\`roles/r/\\` | what it holds |` or name it in a "
        "neighbouring row (a directory row covers none of its files)",
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("# version.py\nwindows_version(value) -> dict  # ok", []),
        ("# version.py\nwindows_version(value, rules='x') -> dict", ["`windows_version(value, rules='x')` differs"]),
        ("# manifest.py\nselect_manifest(manifest_list, host, rules='docker')", ["`select_manifest("]),
        ("# version.py\nformat_versions(versions) -> list[str]", ["version.py has no function `format_versions`"]),
        ("# nowhere.py\nthing(value)", ["module nowhere.py cannot be imported"]),
        ("# errors.py\nclass OptionError(KeyError): ...", ["`OptionError` is not a subclass of `KeyError`"]),
        ("# errors.py\nclass Missing(ValueError): ...", ["errors.py has no class `Missing`"]),
        (
            "# version.py\n@dataclass(frozen=True, order=True)\nclass WindowsVersion:\n"
            "    major: int; minor: int; build: int; revision: int | None\n    @property build_number -> int\n"
            "    def as_dict(full=False) -> dict",
            [
                "`WindowsVersion` has order=False, the doc says True",
                "the fields of `WindowsVersion` are",
                "`WindowsVersion.build_number` is not a property",
                "`WindowsVersion.as_dict(full=False)` differs",
            ],
        ),
        (
            "# host_facts.py\nbuild_host_facts(raw, host_kind=None, rules='documented', repositories=REPOSITORIES)",
            ["`build_host_facts(raw, host_kind=None"],
        ),
        ("# host_facts.py\nbuild_host_facts(raw, *, host_kind=None, rules='documented', repositories=NOPE)", ["NOPE"]),
    ],
)
def test_the_api_check_names_each_difference(block: str, expected: list[str]) -> None:
    problems = api_problems(api_entries(f"## Core API\n\n```python\n{block}\n```\n"))
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected):
        assert words in problem
