"""A charter of many people on many activities cannot make ``raci-gen portfolio`` hold gigabytes (hostile input: no
unbounded memory): a portfolio often indexes every project folder of a repository, pull requests' included.

Each person's load kept the (project, activity) pairs of every role they fill, copied for each person: two roles
of 2,500 people each on 5,000 activities (a 448 KB project, within the loader's limits) were 25,000,000 pairs,
43 s and 4.2 GB for a 1 MB index. Now the people of a role share its sets, and the counts are worked out once for
all the people of the same roles: 4.9 s, 110 MB, the same index byte for byte (2,000 people of each role on
4,000 activities: a MemoryError under 1 GiB before, 1.5 s now).
"""

from __future__ import annotations

from pathlib import Path

from conftest import raci_gen_timed


def crowded(root: Path, people: int, activities: int) -> None:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text("title: Crowded\noutput: {formats: [md]}\n")
    roles = ["roles:\n"]
    for role in (1, 2):
        roles.append(f"  - id: R{role}\n    name: Role {role}\n    people:\n")
        roles += [f"      - Person {role}-{n}\n" for n in range(people)]
    roles.append("  - id: R3\n    name: Role 3\n    people: [{name: Ada, email: ada@example.org}]\n")
    (root / "roles" / "roles.yaml").write_text("".join(roles))
    (root / "activities" / "00.yaml").write_text("phase: P\nactivities:\n" + "".join(
        f"  - {{id: A{n}, name: Work number {n}, raci: {{R1: A, R2: R, R3: C}}}}\n" for n in range(activities)))


def test_many_people_on_many_activities_index_in_bounded_memory(tmp_path):
    crowded(tmp_path / "p", 2000, 4000)
    result, seconds = raci_gen_timed("portfolio", "-o", str(tmp_path / "out"), str(tmp_path / "p"),
                                     memory_bytes=1024 ** 3)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "indexed 1 projects, 4001 people" in result.stdout
    index = (tmp_path / "out" / "portfolio.md").read_text(encoding="utf-8")
    # Ada: consulted on all 4,000 activities of one project; a person of R1 accountable on all of them.
    assert "| Ada | | 1 | – | – | 4000 (1) | – | 0% |" in index
    assert "| Person 1-0 | | 1 | 4000 (1) | – | – | – | 100% ⚠ over the limit |" in index
    assert seconds < 15, seconds
