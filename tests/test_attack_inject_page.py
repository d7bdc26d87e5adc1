"""A wiki page named in raci.yaml's ``output.inject`` comes with the pull request too: its text cannot hold a build
(or ``build --check``) for minutes (hostile input: no unbounded time). The page may be 5 MiB.

Two steps of finding the markers outside fenced code blocks were quadratic: a line of block-quote markers was cut
once per ``>`` (1.6 million of them, 1.6 MB, took 72 s; 5 MiB would be over 10 minutes), and every marker was
compared with every code block (8,000 markers each in a block of its own, 240 KB, 3 s; 5 MiB, hours). Now the line
is cut once and each marker looked up by bisection: 1.2 s and 1.0 s for 5 MiB of either.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import raci_gen_timed

PAIR = "# Team\n\n<!-- BEGIN RACI -->\n<!-- END RACI -->\n\n"


def project_with_page(root: Path, page: str) -> Path:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "wiki").mkdir()
    (root / "roles" / "roles.yaml").write_text("roles:\n- {id: R1, name: One}\n- {id: R2, name: Two}\n")
    (root / "activities" / "00.yaml").write_text(
        "phase: First\nactivities:\n- {id: A-1, name: Work, raci: {R1: A/R, R2: C}}\n")
    (root / "raci.yaml").write_text("title: T\noutput: {formats: [md], inject: [wiki/page.md]}\n")
    (root / "wiki" / "page.md").write_text(page)
    return root


def build(root: Path) -> tuple[subprocess.CompletedProcess, float]:
    """``raci-gen build`` in a process of its own, and the processor time it took."""
    return raci_gen_timed("build", str(root))


def test_a_long_line_of_quote_markers_is_read_in_one_pass(tmp_path):
    root = project_with_page(tmp_path / "p", PAIR + ">" * 1_600_000 + "\n")
    result, seconds = build(root)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (root / "wiki" / "page.md").read_text()
    assert "| A-1 | Work |" in page.split("<!-- END RACI -->")[0]
    assert page.endswith(">" * 1_600_000 + "\n")
    assert seconds < 10, seconds


def test_many_markers_in_code_blocks_are_looked_up_not_compared_with_every_block(tmp_path):
    examples = "```\n<!-- BEGIN RACI -->\n```\n" * 40_000
    root = project_with_page(tmp_path / "p", PAIR + examples)
    result, seconds = build(root)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (root / "wiki" / "page.md").read_text()
    assert "| A-1 | Work |" in page.split("<!-- END RACI -->")[0]
    assert page.endswith(examples)
    assert seconds < 10, seconds
