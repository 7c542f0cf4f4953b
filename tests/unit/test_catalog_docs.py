"""docs/release-catalog.md is generated from the catalog: the committed page is what the generator writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_catalog_docs", ROOT / "scripts" / "gen_catalog_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_release_catalog_doc_is_the_generated_one() -> None:
    generated = _generator().render_active()
    committed = (ROOT / "docs" / "release-catalog.md").read_text(encoding="utf-8")
    assert committed == generated, "docs/release-catalog.md is stale: run scripts/gen-catalog-docs"


def test_generated_doc_lists_every_rule_field() -> None:
    text = _generator().render_active()
    assert "| Windows Server 2016 | 14393 | - | - | yes | none | no |" in text
    assert "| Windows Server 2022 | 20348 | yes | yes | - | - | - |" in text
    assert "| Windows Server 2025 | 26100 | yes | yes | - | older_ltsc_preview | yes |" in text
    assert "| Windows Server, version 20H2 | 19042 | - | - | - | same_build | yes |" in text
