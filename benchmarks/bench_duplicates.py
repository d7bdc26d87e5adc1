"""Time the duplicate-activity rule and the whole lint at the loader's limit of 5,000 activities; print figures.

    python benchmarks/bench_duplicates.py

Three sets of names: realistic short names (a verb and a few words, some near-duplicates planted),
names that share most of their words (the buckets are at their fullest), and 300-character names
(the normalising dominates). Also the ratio of the rule's time to the rest of the lint. Asserts nothing.
"""

from __future__ import annotations

import random
import time

from raci_gen.checks.analysis import lint
from raci_gen.model.matrix import Activity, Cell, Location, Matrix, Phase, Role
from raci_gen.checks.rules import duplicate_activity
from raci_gen.model.variants import RACI

N = 5000
VERBS = "Define Design Build Train Deploy Monitor Review Approve Test Validate Document Publish".split()
WORDS = ("model pipeline feature store dataset dashboard report service policy schema contract budget risk "
         "register audit release runbook incident backlog roadmap").split()


def matrix(names: list[str]) -> Matrix:
    roles = tuple(Role(f"R{i}", f"Role {i}", Location("roles.yaml", i)) for i in range(1, 8))
    activities = tuple(Activity(f"A-{i}", name, Location("activities.yaml", i + 1), cells=(
        Cell(f"R{1 + i % 7}", ("A", "R"), Location("activities.yaml", i + 1)),
        Cell(f"R{1 + (i + 3) % 7}", ("C",), Location("activities.yaml", i + 1)))) for i, name in enumerate(names))
    return Matrix(roles, (Phase("All", Location("activities.yaml"), activities),), RACI)


def cases() -> dict[str, list[str]]:
    rng = random.Random(12)
    short = [f"{rng.choice(VERBS)} the {' '.join(rng.sample(WORDS, rng.randint(1, 4)))} {i}" for i in range(N)]
    for i in range(0, N, 500):  # planted: an abbreviation and a typo
        short[i], short[i + 1] = "Draw the Entity Relationship Diagrams", "Draw ER diagrams"
    crowded = [f"Review the {' '.join(rng.sample(WORDS[:6], 4))}" for _ in range(N)]
    long = [" ".join(rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(45))[:300] for _ in range(N)]
    return {"short names": short, "crowded buckets": crowded, "300-character names": long}


def main() -> None:
    for label, names in cases().items():
        m = matrix(names)
        started = time.perf_counter()
        hits = list(duplicate_activity.check(m, dict(duplicate_activity.OPTIONS)))
        rule = time.perf_counter() - started
        started = time.perf_counter()
        lint(m)
        whole = time.perf_counter() - started
        print(f"{label:22} duplicate-activity {rule:6.2f} s ({len(hits):5} findings); whole lint {whole:6.2f} s; "
              f"rule / lint {rule / whole:.2f}")


if __name__ == "__main__":
    main()
