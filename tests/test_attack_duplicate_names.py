"""A pull request of activity names made to fill the duplicate-activity rule's buckets cannot hold a lint for
minutes (hostile input: no unbounded time).

The rule compares, with difflib, names that share all words but one. Names of 12 long words, 3 of which take one
of 10 (or 17) values each, share 11 words with 27 (48) others, each bucket under the rule's limit of 30: 1,000
such names took lint 13 s of processor time and 4,913 of them 160 s (all within the loader's limits, a 1.6 MB
project). Now each name is compared with the earlier ones only until the first near one (the one the finding
names), and difflib's work is bounded (``NEAR_BUDGET``); past it the rule says where it stopped.
"""

from __future__ import annotations

import itertools
import random
import subprocess
from pathlib import Path

from conftest import raci_gen_timed

from raci_gen.checks.rules import duplicate_activity



def crowded_project(root: Path, side: int, alphabet: str, length: int) -> int:
    """Names of ``length``-letter words from ``alphabet``; the first 3 words vary over ``side`` values each."""
    rng = random.Random(1)
    word = lambda: "".join(rng.choice(alphabet) for _ in range(length))  # noqa: E731
    base = [word() for _ in range(275 // (length + 1))]
    values = [[word() for _ in range(side)] for _ in range(3)]
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text("title: T\noutput: {formats: [md]}\n")
    (root / "roles" / "roles.yaml").write_text("roles:\n  - {id: R1, name: One}\n  - {id: R2, name: Two}\n")
    rows = []
    for n, choice in enumerate(itertools.product(range(side), repeat=3)):
        names = list(base)
        for position, value in enumerate(choice):
            names[position] = values[position][value]
        rows.append(f"  - {{id: A{n}, name: {' '.join(names)}, raci: {{R1: A/R, R2: C}}}}\n")
    (root / "activities" / "00.yaml").write_text("phase: P\nactivities:\n" + "".join(rows))
    return len(rows)


def lint(root: Path) -> tuple[subprocess.CompletedProcess, float]:
    """``raci-gen lint`` in a process of its own, and the processor time it took."""
    return raci_gen_timed("lint", str(root))


def duplicates(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.endswith("[duplicate-activity]")]


def test_names_that_are_all_near_each_other_take_one_comparison_each(tmp_path):
    # Every name is near the earlier ones (11 of 12 words alike): each is compared until the first, as before
    # reported at the earliest; 13 s of processor time before, 1.6 s now.
    count = crowded_project(tmp_path / "p", 10, "bcdfghjklmnpqrtvwxz", 22)
    result, seconds = lint(tmp_path / "p")
    assert result.returncode == 0, result.stderr[-2000:]
    found = duplicates(result)
    assert len(found) == count - 1
    assert all("has nearly the same name as A0 " in line for line in found[:9])
    assert not any("were not compared" in line for line in found)
    assert seconds < 8, seconds


def test_names_near_by_their_letters_only_stop_at_the_budget_and_say_so(tmp_path):
    # Words of x and y only: every pair passes difflib's quick ratios and fails its ratio, which costs most on
    # two letters (up to 0.4 us per pair of equal letters): 4,913 names, 118,000 pairs, never ended before.
    count = crowded_project(tmp_path / "p", 17, "xy", 80)
    result, seconds = lint(tmp_path / "p")
    assert result.returncode == 0, result.stderr[-2000:]
    stopped = [line for line in duplicates(result) if "were not compared" in line]
    assert len(stopped) == 1, duplicates(result)[-3:]
    assert ": warning: activity A" in stopped[0]
    assert f"({duplicate_activity.NEAR_BUDGET:,} pairs of equal letters compared)" in stopped[0]
    after = int(stopped[0].split(" after it")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert 0 < after < count
    assert seconds < 10, seconds
