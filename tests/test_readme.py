"""README's generated tables match the registries they are generated from."""

from __future__ import annotations

import re
from pathlib import Path

from raci_gen.checks.reports import rules_table, variants_table

README = Path(__file__).resolve().parents[1] / "README.md"


def _between(text: str, name: str) -> str:
    match = re.search(rf"<!-- BEGIN {name}[^>]*-->\n(.*?)<!-- END {name} -->", text, re.S)
    assert match, f"README has no {name} markers"
    return match.group(1)


def test_rules_table_is_generated_from_the_registry():
    assert _between(README.read_text(encoding="utf-8"), "RULES") == rules_table(markdown=True)


def test_variants_table_is_generated_from_the_registry():
    assert _between(README.read_text(encoding="utf-8"), "VARIANTS") == variants_table()
