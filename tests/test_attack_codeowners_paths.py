"""A pull request of ``paths:`` cannot hold lint for minutes through codeowners-same-path's check of patterns that
a later one covers (hostile input: no unbounded time).

Each claim was compared with every later line filed under each folder that encloses it, and each comparison
listed the enclosing folders of the earlier pattern again, character by character: 1,000 activities, each with
``*`` and a pattern of 990 characters (``/a/a/.../x1``, 490 folders deep; within the loader's limits of 1,000
characters a pattern and 10,000 paths), held lint for more than 5 minutes (200 activities: 10 s). Now a claim
looks, under each enclosing folder, at the last line of each pattern of another activity only, and the enclosing
folders are found with ``str.find``: 1,000 activities 1.5 s, 5,000 (10,000 paths) 5 s, the same findings.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import raci_gen_timed



def deep_paths_project(root: Path, count: int) -> None:
    """``count`` activities, each governing ``*`` and a path 990 characters long, their owners alternating."""
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text("title: T\noutput: {formats: [md]}\n")
    (root / "roles" / "roles.yaml").write_text(
        'roles:\n  - {id: R1, name: One, handles: ["@alice"]}\n  - {id: R2, name: Two, handles: ["@bob"]}\n')
    deep = "/" + "a/" * 490
    rows = [f'  - {{id: A{n}, name: Work number {n}, raci: {{{"R1" if n % 2 else "R2"}: A/R}}, '
            f'paths: ["*", "{deep}x{n}"]}}\n' for n in range(count)]
    (root / "activities" / "00.yaml").write_text("phase: P\nactivities:\n" + "".join(rows))


def lint(root: Path) -> tuple[subprocess.CompletedProcess, float]:
    """``raci-gen lint`` in a process of its own, and the processor time it took."""
    return raci_gen_timed("lint", str(root))


def test_many_deep_paths_under_a_catch_all_lint_in_seconds(tmp_path):
    deep_paths_project(tmp_path / "p", 400)
    result, seconds = lint(tmp_path / "p")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = (result.stdout + result.stderr).splitlines()
    covered = [line for line in lines if "a later line, covers it" in line and "[codeowners-same-path]" in line]
    # R2's deep paths (even activities but the last) are taken by A399's *, a later line of R1; R1's are not
    # reported (the same owners), nor A399's own path, which no later line covers.
    assert len(covered) == 200
    assert all("and A399's * at " in line for line in covered)
    assert "activity A0 governs /a/a/" in covered[0]
    assert seconds < 6, seconds
