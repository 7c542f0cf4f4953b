"""Parse-checks every PowerShell file of the collection (no ``pwsh`` on the test machines).

tree-sitter-powershell builds a syntax tree; any ERROR or MISSING node fails the test with its position.
The modules are also kept small: the PowerShell only reads or writes, the controller decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

ROOT = Path(__file__).resolve().parents[2]
PS_FILES = sorted(p for p in (ROOT / "plugins").rglob("*.ps*1") if p.suffix in (".ps1", ".psm1"))
MAX_LINES = 200


def syntax_errors(source: bytes) -> list[str]:
    """Return ``line:column: kind`` for every ERROR or MISSING node of ``source``."""
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    found: list[str] = []
    stack = [parser.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            line, column = node.start_point
            kind = f"missing {node.type}" if node.is_missing else "syntax error"
            text = source[node.start_byte : node.end_byte][:40].decode("utf-8", "replace")
            found.append(f"{line + 1}:{column + 1}: {kind} near {text!r}")
        stack.extend(node.children)
    return sorted(found)


def test_the_collection_has_powershell_to_check() -> None:
    assert PS_FILES, "no .ps1 file found under plugins/"


@pytest.mark.parametrize("path", PS_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_powershell_parses(path: Path) -> None:
    assert syntax_errors(path.read_bytes()) == []


@pytest.mark.parametrize("path", PS_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_powershell_is_small_and_uses_ansible_basic(path: Path) -> None:
    """Modules use Ansible.Basic; module utils (``.psm1``) export what the modules call."""
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES
    if path.suffix == ".ps1":
        assert "#AnsibleRequires -CSharpUtil Ansible.Basic" in text
    else:
        assert "Export-ModuleMember -Function" in text
    assert "Invoke-Expression" not in text and "iex " not in text, "no string-built commands"


@pytest.mark.parametrize("path", [p for p in PS_FILES if p.suffix == ".ps1"], ids=lambda p: p.name)
def test_modules_require_only_module_utils_that_exist(path: Path) -> None:
    """``#AnsibleRequires -PowerShell ..module_utils.X`` names a .psm1 of the collection."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#AnsibleRequires -PowerShell ..module_utils."):
            name = line.rsplit(".", 1)[-1]
            assert (ROOT / "plugins" / "module_utils" / f"{name}.psm1").is_file(), line


@pytest.mark.parametrize(
    "broken",
    [
        b"$spec = @{ options = @{ path = @{ type = 'str' }\n",  # unclosed hash literal
        b"if ($a -eq 1) { Write-Output 'x'\n",  # unclosed block
        b"function Get-X { param($a) ; $a.Method( }\n",  # unclosed call
        b"$x = 'unterminated\n",  # unterminated string
    ],
)
def test_the_check_catches_broken_powershell(broken: bytes) -> None:
    assert syntax_errors(broken), f"a broken snippet parsed cleanly: {broken!r}"


def test_the_check_accepts_valid_powershell() -> None:
    assert syntax_errors(b"$a = @{ b = 1 }\nif ($a.b -eq 1) { & docker @('info', '--format', '{{json .}}') }\n") == []
