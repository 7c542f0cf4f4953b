"""Test modules are imported by their file name (no packages under tests/): two with one name cannot both run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_module_and_helper_has_a_name_of_its_own() -> None:
    found = (ROOT / "tests").rglob("*.py")
    names = Counter(path.name for path in found if path.name != "conftest.py" and "output" not in path.parts)
    assert [name for name, count in names.items() if count > 1] == []
