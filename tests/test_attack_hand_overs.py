"""A pull request of ``people:`` with ``from:`` and ``until:`` cannot make hand-over-due's findings grow with the
square of a role's people (hostile input: no unbounded time or memory).

Every leaver's finding named every successor, found by reading all the role's people again: a role of 2,000
leavers and 2,000 joiners (200 KB of YAML) took lint 8.5 s and 540 MB and printed 114 MB; 20,000 of each would
be gigabytes. Now the successors are a tail of the joiners sorted by their first day (bisection), and a finding
names at most ``SHOWN`` (10) of them, then says how many more: 0.8 MB printed, in about a second.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")


def crowded_hand_over(root: Path, count: int) -> None:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text("title: T\noutput: {formats: [md]}\n")
    people = [f"      - {{name: Leaver {n}, until: 2026-01-10}}\n" for n in range(count)]
    people += [f"      - {{name: Joiner {n}, from: 2026-01-{20 + n % 2}}}\n" for n in range(count)]
    (root / "roles" / "roles.yaml").write_text("roles:\n  - id: R1\n    name: Role 1\n    people:\n" + "".join(people))
    (root / "activities" / "00.yaml").write_text("phase: P\nactivities:\n  - {id: A1, name: Work, raci: {R1: A/R}}\n")


def test_a_crowded_hand_over_names_ten_successors_and_counts_the_rest(tmp_path):
    crowded_hand_over(tmp_path / "p", 2000)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(["prlimit", "--cpu=60", RACI_GEN, "lint", "--as-of", "2026-01-01", str(tmp_path / "p")],
                            capture_output=True, text=True, timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.endswith("[hand-over-due]")]
    leaving = [line for line in lines if "'s last day in role R1" in line]
    assert len(leaving) == 2000
    named = ", ".join(f"Joiner {n} from 2026-01-{20 + n % 2}" for n in range(10))
    assert all(line.endswith(f"(in 9 days), taken over by {named} and 1,990 more [hand-over-due]") for line in leaving)
    assert not any("takes up role" in line for line in lines)  # each joiner is a successor, as before
    assert len(result.stdout) + len(result.stderr) < 2_000_000
    assert seconds < 5, seconds
