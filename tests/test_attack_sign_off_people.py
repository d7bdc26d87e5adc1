"""A pull request of ``people:`` cannot hold lint for minutes, nor fill memory with findings, through
separate-sign-off-people (hostile input: no unbounded time or memory).

Nothing limits the people of a role but the loader's count of values. The rule compared, on every sign-off, each
person of the signing role with each person of every doing role, key by key: two roles of 1,000 people each
(64 KB) on 20 sign-offs took lint 33 s of processor time, on 5,000 sign-offs hours. Who fills both roles is now
worked out once per pair of roles, as sets. And when the two roles share their people, each sign-off made one
finding per person: 1,000 people on 5,000 sign-offs, 5,000,000 findings from 460 KB of YAML. A sign-off now gets
at most ``MOST`` (20) such findings, then one that says how many more (the same 5,000 sign-offs: 3.5 s, 190 MB).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import raci_gen_timed

from raci_gen.checks.rules import separate_sign_off_people


def crowded_roles(root: Path, people: int, sign_offs: int, shared: bool) -> None:
    """Two roles of ``people`` people each (the same people when ``shared``), R1 signing off what R2 does."""
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text("title: T\noutput: {formats: [md]}\n")
    roles = ["roles:\n"]
    for role in (1, 2):
        roles.append(f"  - id: R{role}\n    name: Role {role}\n    people:\n")
        roles += [f"      - Person {'' if shared else role}{n}\n" for n in range(people)]
    (root / "roles" / "roles.yaml").write_text("".join(roles))
    (root / "activities" / "00.yaml").write_text("phase: P\nactivities:\n" + "".join(
        f"  - {{id: A{n}, name: Sign-off number {n}, sign-off: true, raci: {{R1: A, R2: R}}}}\n"
        for n in range(sign_offs)))


def lint(root: Path) -> tuple[subprocess.CompletedProcess, float]:
    """``raci-gen lint`` in a process of its own (1 GiB, 60 s at most), and the processor time it took."""
    return raci_gen_timed("lint", str(root), memory_bytes=1024 ** 3)


def own_work(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.endswith("[separate-sign-off-people]")]


def test_two_crowded_roles_apart_are_compared_once(tmp_path):
    crowded_roles(tmp_path / "p", 1000, 20, shared=False)
    result, seconds = lint(tmp_path / "p")
    assert result.returncode == 0, result.stderr[-2000:]
    assert own_work(result) == []
    assert seconds < 5, seconds  # 33 s before


def test_people_in_both_roles_are_named_up_to_a_limit_per_sign_off(tmp_path):
    most = getattr(separate_sign_off_people, "MOST", 20)  # getattr: the test says what fails without it
    crowded_roles(tmp_path / "p", 300, 50, shared=True)
    result, seconds = lint(tmp_path / "p")
    assert result.returncode == 1, result.stderr[-2000:]
    found = own_work(result)
    assert len(found) == 50 * (most + 1)
    of_a0 = [line for line in found if "sign-off A0 (" in line]
    assert len(of_a0) == most + 1
    [more] = [line for line in of_a0 if "more times" in line]
    assert f"sign-off A0 (Sign-off number 0): {300 - most:,} more times a person fills both a signing and a " \
           "doing role" in more
    named = [line.split("): ")[1].split(" fills")[0] for line in of_a0 if line != more]
    assert named == [f"Person {n}" for n in range(most)]
    assert seconds < 8, seconds
