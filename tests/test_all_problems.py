"""All problems in one run (issue 19, item 4): a problem in one part of the input does not hide the others.

A file with an unknown key still has its ids and cells checked, a ``~`` cell is one problem and the other
cells of its map are still checked, the settings' problems come together and the roles and activities are
still read, and the checks across files (duplicate ids, unknown roles) still run on what could be read.
What cannot be read without guessing is not judged: no letters against a variant raci.yaml gets wrong, no
"unknown role" while a role's id cannot be read. Each test runs the installed raci-gen in a process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LONG_NAME = "N" * 301

PROJECT = {
    # two settings errors, and a key that is not a setting
    "raci.yaml": "title: Churn\npage: A5\ntitel: Churn model\nanalysis: maybe\n",
    # an unknown key on a role
    "roles/a.yaml": "roles:\n  - id: R1\n    name: Product Owner\n  - id: R2\n    name: Data Scientist\n"
                    "    nmae: typo\n",
    # a name too long, a key given twice
    "roles/b.yaml": f"roles:\n  - id: R3\n    name: ML Engineer\n  - id: R4\n    name: {LONG_NAME}\n"
                    "  - id: R5\n    name: Tester\n    name: Tester again\n",
    # an unknown key and a bad letter in the same activity; a bad id; a ~ cell beside a bad letter
    "activities/10-goal.yaml": "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n    descripton: x\n"
                               "    raci: {R1: A, R2: r}\n  - id: GD 2\n    name: Second\n"
                               "    raci: {R1: A, R2: ~, R3: X}\n",
    # an id of another file, an unknown role; a missing name
    "activities/20-data.yaml": "phase: Data\nactivities:\n  - id: GD-1\n    name: Dup\n    raci: {R1: A, R9: R}\n"
                               "  - id: DA-2\n    raci: {R1: A}\n",
    # a wrong type
    "activities/30-model.yaml": "phase: Model\nactivities:\n  - id: MO-1\n    name: 42\n    raci: {R1: A, R3: R}\n"
                                "  - id: MO-2\n    name: Train\n    raci: {R1: A, R3: R, R4: I}\n",
}

EVERY_PROBLEM = [
    "activities/10-goal.yaml:5:5: error: unknown key 'descripton'; did you mean 'description'?",
    "activities/10-goal.yaml:6:23: error: 'r' is not a RACI letter (letters are upper case); expected one or more "
    "of R, A, C, I (A/R for accountable and doing the work)",
    "activities/10-goal.yaml:7:9: error: activity id 'GD 2' is not allowed; ids are 1 to 32 ASCII letters, digits, "
    "'.', '_' or '-', starting with a letter or digit",
    "activities/10-goal.yaml:9:23: error: expected text, got nothing (an empty value)",
    "activities/10-goal.yaml:9:30: error: 'X' is not a RACI letter; to say the role takes no part in this "
    "activity, leave the role out of its raci",
    "activities/20-data.yaml:3:9: error: duplicate activity id 'GD-1'; first defined at activities/10-goal.yaml:3:9",
    "activities/20-data.yaml:5:19: error: unknown role 'R9'; known roles: R1, R2, R3, R4, R5",
    "activities/20-data.yaml:6:5: error: missing required key 'name'",
    "activities/30-model.yaml:4:11: error: expected text, got the number 42 (put it in quotes to make it text)",
    "raci.yaml:2:7: error: expected one of 'A4' or 'Letter', got 'A5'",
    "raci.yaml:3:1: error: unknown key 'titel'; did you mean 'title'?",
    "raci.yaml:4:11: error: input should be a valid boolean, got 'maybe'",
    "roles/a.yaml:6:5: error: unknown key 'nmae'; did you mean 'name'?",
    "roles/b.yaml:5:11: error: text of 301 characters is too long here; the limit is 300",
    "roles/b.yaml:8:5: error: key 'name' is given twice (first at line 7); keep one",
]


def raci_gen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed raci-gen's console script (python -m raci_gen where there is none), in a process."""
    script = Path(sys.executable).with_name("raci-gen")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "raci_gen"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_COLOR": "1"})


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def reported(run: subprocess.CompletedProcess) -> list[str]:
    """The problem lines, after checking the summary line, the exit status and that nothing else was said."""
    lines = run.stderr.splitlines()
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    n = len(lines) - 1
    assert lines[-1] == f"{n} problem{'s' if n != 1 else ''} found; nothing was written."
    return lines[:-1]


@pytest.mark.parametrize("command", [["lint", "."], ["build", ".", "--out", "out", "--format", "md"]])
def test_a_dozen_problems_across_six_files_come_in_one_run(tmp_path, command):
    project = write(tmp_path, PROJECT)
    run = raci_gen(*command, cwd=project)
    assert reported(run) == EVERY_PROBLEM
    assert not (project / "out").exists()


def test_the_same_problems_one_at_a_time_say_the_same_lines(tmp_path):
    """Each problem of the big project, alone in an otherwise valid project, is reported with the same line:
    the lines above are what each problem gets, not artefacts of the others."""
    project = write(tmp_path, PROJECT)
    fixed = {
        "raci.yaml": "title: Churn\n",
        "roles/a.yaml": PROJECT["roles/a.yaml"].replace("    nmae: typo\n", ""),
        "roles/b.yaml": PROJECT["roles/b.yaml"].replace(LONG_NAME, "Analyst").replace("    name: Tester again\n", ""),
        "activities/10-goal.yaml": PROJECT["activities/10-goal.yaml"].replace("    descripton: x\n", "")
        .replace("R2: r", "R2: R").replace("GD 2", "GD-2").replace("R2: ~, R3: X", "R2: C, R3: I"),
        "activities/20-data.yaml": PROJECT["activities/20-data.yaml"].replace("GD-1", "DA-1")
        .replace("R9", "R2").replace("  - id: DA-2\n", "  - id: DA-2\n    name: Load\n"),
        "activities/30-model.yaml": PROJECT["activities/30-model.yaml"].replace("name: 42", "name: Fit"),
    }
    write(project, fixed)
    run = raci_gen("lint", ".", "--exit-zero", cwd=project)
    assert run.returncode == 0, run.stderr
    write(project, {"activities/20-data.yaml": PROJECT["activities/20-data.yaml"].replace("GD-1", "DA-1")})
    assert reported(raci_gen("lint", ".", cwd=project)) == [
        "activities/20-data.yaml:5:19: error: unknown role 'R9'; known roles: R1, R2, R3, R4, R5",
        "activities/20-data.yaml:6:5: error: missing required key 'name'",
    ]


def test_a_wrong_variant_leaves_the_letters_unjudged_and_the_rest_checked(tmp_path):
    # Judged by a guessed alphabet, every cell could be a false problem: only the variant's line, and
    # what does not depend on letters (roles, ids), is reported.
    project = write(tmp_path, {
        "raci.yaml": "variant: RACY\nlanguage: 'e n'\n",
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n",
        "activities/10-goal.yaml": "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n"
                                   "    raci: {R1: Q, R2: A}\n  - id: GD-1\n    name: Again\n    raci: {R1: A}\n",
    })
    assert reported(raci_gen("lint", ".", cwd=project)) == [
        "activities/10-goal.yaml:5:19: error: unknown role 'R2'; known roles: R1",
        "activities/10-goal.yaml:6:9: error: duplicate activity id 'GD-1'; first defined at "
        "activities/10-goal.yaml:3:9",
        "raci.yaml:1:10: error: unknown variant 'RACY'; did you mean 'RACI'?",
        "raci.yaml:2:11: error: 'e n' is not allowed here; use letters, digits, '.', '_' and '-'",
    ]


def test_a_role_whose_id_cannot_be_read_makes_no_role_unknown(tmp_path):
    # R2's id is a number: whether a cell's R2 means that role is a guess, so no cell is called an
    # unknown role; the letters are still checked, beside an unknown key too.
    project = write(tmp_path, {
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n  - id: 2\n    name: Analyst\n",
        "activities/10-goal.yaml": "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n"
                                   "    raci: {R1: A, R2: Z}\n    descripton: x\n",
    })
    assert reported(raci_gen("lint", ".", cwd=project)) == [
        "activities/10-goal.yaml:5:23: error: 'Z' is not a RACI letter; expected one or more of R, A, C, I "
        "(A/R for accountable and doing the work)",
        "activities/10-goal.yaml:6:5: error: unknown key 'descripton'; did you mean 'description'?",
        "roles/roles.yaml:4:9: error: expected text, got the number 2 (put it in quotes to make it text)",
    ]


def test_a_missing_activities_folder_does_not_hide_the_roles_problems(tmp_path):
    project = write(tmp_path, {"roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n  - id: R1\n    name: B\n"})
    assert reported(raci_gen("lint", ".", cwd=project)) == [
        "activities:1:1: error: activities folder not found; create activities/ with *.yaml files or set "
        "'activities:' in raci.yaml",
        "roles/roles.yaml:4:9: error: duplicate role id 'R1'; first defined at roles/roles.yaml:2:9",
    ]


def test_a_refused_tag_or_a_key_given_twice_hides_no_other_cell(tmp_path):
    # The tag's value is said once (not again as "expected text, got nothing"); the cells beside it are
    # checked; under a key given twice nothing is judged, as which value was meant is unknown.
    project = write(tmp_path, {
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n  - id: R2\n    name: Analyst\n",
        "activities/10-goal.yaml": "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n"
                                   "    raci: {R1: !!python/object:os.system x, R2: Q, R3: A}\n"
                                   "  - id: GD-2\n    name: Twice\n    raci: {R1: A}\n    raci: {R2: Q}\n"
                                   "  - id: GD-3\n    name: Third\n    raci: {R1: AA}\n",
    })
    assert reported(raci_gen("lint", ".", cwd=project)) == [
        "activities/10-goal.yaml:5:16: error: YAML tag '!!python/object:os.system' is not allowed; only plain "
        "text, numbers, lists and mappings are",
        "activities/10-goal.yaml:5:49: error: 'Q' is not a RACI letter; expected one or more of R, A, C, I "
        "(A/R for accountable and doing the work)",
        "activities/10-goal.yaml:5:52: error: unknown role 'R3'; known roles: R1, R2",
        "activities/10-goal.yaml:9:5: error: key 'raci' is given twice (first at line 8); keep one",
        "activities/10-goal.yaml:12:16: error: letter 'A' is given twice in 'AA'; write each letter once",
    ]


def test_the_lint_section_and_the_lint_ignores_are_reported_together(tmp_path):
    project = write(tmp_path, {
        "raci.yaml": "lint:\n  one-acountable: error\n",
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n    lint-ignore: {overload: busy}\n",
        "activities/10-goal.yaml": "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n    raci: {R1: A/R}\n",
    })
    expected = [
        "raci.yaml:2:3: error: unknown rule 'one-acountable'; did you mean 'one-accountable'?",
        "roles/roles.yaml:4:19: error: unknown rule 'overload'; did you mean 'overloaded-role'?",
    ]
    assert reported(raci_gen("lint", ".", cwd=project)) == expected
    assert reported(raci_gen("build", ".", "--out", "out", "--format", "md", cwd=project)) == expected


def test_a_problem_in_output_does_not_hide_output_name(tmp_path):
    project = write(tmp_path, {
        "raci.yaml": "output: {name: con, formats: [docx]}\nvariant: {name: X, letters: [{code: Q}]}\n",
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n",
        "activities/10-goal.yaml": "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n    raci: {R1: A, R2: Q}\n",
    })
    # The custom variant misses a name: it is not used half-read, so Q is not judged; R2 is still unknown.
    assert reported(raci_gen("lint", ".", cwd=project)) == [
        "activities/10-goal.yaml:5:19: error: unknown role 'R2'; known roles: R1",
        "raci.yaml:1:16: error: output.name 'con' is CON, a device name Windows reserves whatever suffix follows "
        "(CON, PRN, AUX, NUL, COM0-9, LPT0-9); choose another file stem",
        "raci.yaml:1:31: error: expected one of 'md', 'xlsx', 'pdf', 'html', 'csv', 'json' or 'codeowners', got 'docx'",
        "raci.yaml:2:30: error: missing required key 'name'",
    ]
