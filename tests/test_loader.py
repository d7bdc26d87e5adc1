"""Tests of raci_gen.input.loader: a project folder in, a Project or every problem out.

Each bad-input case asserts the exact ``FILE:LINE:COL: error: MESSAGE`` lines the
user would see. The projects are written under ``tmp_path`` and loaded with the
working directory there, so paths read as ``roles/roles.yaml``.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
import time

import pytest

from raci_gen.model.errors import InputError
from raci_gen.input.cells import parse_letters
from raci_gen.input.loader import load_project
from raci_gen.model.matrix import Location
from raci_gen.model.variants import RACI, VARIANTS

ROLES = textwrap.dedent("""\
    roles:
      - id: R1
        name: Product Owner
      - id: R2
        name: Data Scientist
        similar: [ML Specialist]
      - id: R3
        name: ML Engineer
""")

ACTIVITIES = textwrap.dedent("""\
    phase: Goal definition
    activities:
      - id: GD-1
        name: Define the business goal
        raci: {R1: A, R2: R}
""")

DEFAULT_FILES = {"roles/roles.yaml": ROLES, "activities/10-goal.yaml": ACTIVITIES}
R2_UNKNOWN = "activities/10-goal.yaml:5:19: error: unknown role 'R2'; known roles: R1"
"""Reported too when a role file with a problem defines R1 only: its ids can be read, so the cells are checked."""


def make_project(tmp_path, files: dict[str, str | bytes | None]) -> str:
    """Write a project under ``tmp_path``: a valid roles file and activities file,
    plus ``files`` (path -> text or bytes; None leaves a default file out)."""
    for name, content in {**DEFAULT_FILES, **files}.items():
        if content is None:
            continue
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return str(tmp_path)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def problems(tmp_path, monkeypatch, files, config=None) -> list[str]:
    """The problems load_project reports for the project, as the CLI prints them."""
    make_project(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_project(".", config)
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return [str(p) for p in info.value.problems]


def load(tmp_path, monkeypatch, files, config=None):
    make_project(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    return load_project(".", config)


def phase(activity_yaml: str) -> str:
    """A phase file holding the given activities (already indented by 2)."""
    return "phase: Goal definition\nactivities:\n" + activity_yaml


# ----------------------------------------------------------------------------
# Every bad-input case: files to write, and the exact lines reported.

CASES = [
    # --- YAML syntax errors
    pytest.param(
        {"roles/roles.yaml": "roles: [\n  {id: R1, name: Owner}\n"},
        ["roles/roles.yaml:3:1: error: YAML syntax error: expected ',' or ']', but the file ended; "
         "the '[' at line 1, column 8 is never closed"],
        id="syntax-unclosed-bracket"),
    pytest.param(
        {"roles/roles.yaml": dedent("""
            roles:
              - id: R1
                name: Owner
               similar: []
            """)},
        ["roles/roles.yaml:4:4: error: YAML syntax error: this does not line up with the list "
         "that starts at line 2, column 3; check the indentation"],
        id="syntax-bad-indentation"),
    pytest.param(
        {"roles/roles.yaml": dedent("""
            roles:
              - id: R1
                 name: Owner
            """)},
        ["roles/roles.yaml:3:10: error: YAML syntax error: unexpected ':' here; check the indentation, "
         "or put text containing ': ' in quotes"],
        id="syntax-over-indented-key"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n\t- id: R1\n\t  name: Owner\n"},
        ["roles/roles.yaml:2:1: error: YAML syntax error: a tab character cannot indent YAML; use spaces"],
        id="syntax-tab-indentation"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n\tname: Owner\n"},
        ["roles/roles.yaml:3:1: error: YAML syntax error: a tab character cannot indent YAML; use spaces"],
        id="syntax-tab-in-entry"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: 'Owner\n"},
        ["roles/roles.yaml:4:1: error: YAML syntax error: the quote at line 3, column 11 is never closed"],
        id="syntax-unclosed-quote"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n---\nroles: []\n"},
        ["roles/roles.yaml:4:1: error: YAML syntax error: expected one YAML document per file, "
         "but found a second one (after '---')"],
        id="syntax-two-documents"),

    # --- a key given twice
    pytest.param(
        {"roles/roles.yaml": ROLES + "roles: []\n"},
        ["roles/roles.yaml:9:1: error: key 'roles' is given twice (first at line 1); keep one"],
        id="duplicate-key-top-level"),
    pytest.param(
        {"roles/roles.yaml": dedent("""
            roles:
              - id: R1
                name: Owner
                name: Boss
            """)},
        [R2_UNKNOWN, "roles/roles.yaml:4:5: error: key 'name' is given twice (first at line 3); keep one"],
        id="duplicate-key-in-role"),
    pytest.param(
        {"activities/10-goal.yaml": phase("""\
  - id: GD-1
    name: Define the business goal
    raci:
      R1: A
      R2: R
      R1: C
""")},
        ["activities/10-goal.yaml:8:7: error: key 'R1' is given twice (first at line 6); keep one"],
        id="duplicate-key-in-raci"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - {id: GD-1, name: Define, raci: {R1: A, R1: R}}\n")},
        ["activities/10-goal.yaml:3:44: error: key 'R1' is given twice (first at line 3); keep one"],
        id="duplicate-key-in-flow-raci"),

    # --- unknown keys, at every level
    pytest.param(
        {"raci.yaml": "title: Churn model\ntitel: Churn\n"},
        ["raci.yaml:2:1: error: unknown key 'titel'; did you mean 'title'?"],
        id="unknown-key-config"),
    pytest.param(
        {"raci.yaml": "title: Churn model\ndescripton: The matrix\n"},
        ["raci.yaml:2:1: error: unknown key 'descripton'; expected one of: title, project, version, "
         "author, date, roles, activities, templates, page, output, variant, lint, analysis, findings, approval, pdf, language"],
        id="unknown-key-config-no-close-match"),
    pytest.param(
        {"raci.yaml": "output:\n  dir: out\n  formts: [md]\n"},
        ["raci.yaml:3:3: error: unknown key 'formts'; did you mean 'formats'?"],
        id="unknown-key-config-output"),
    pytest.param(
        {"raci.yaml": "output:\n  descripton: x\n"},
        ["raci.yaml:2:3: error: unknown key 'descripton'; expected one of: dir, name, formats, inject, codeowners"],
        id="unknown-key-config-output-no-close-match"),
    pytest.param(
        {"roles/roles.yaml": dedent("""
            roles:
              - id: R1
                name: Owner
                descripton: Owns the product.
            """)},
        [R2_UNKNOWN, "roles/roles.yaml:4:5: error: unknown key 'descripton'; did you mean 'description'?"],
        id="unknown-key-role"),
    pytest.param(
        {"roles/roles.yaml": ROLES + "descripton: All roles.\n"},
        ["roles/roles.yaml:9:1: error: unknown key 'descripton'; expected one of: roles"],
        id="unknown-key-roles-file-top"),
    pytest.param(
        {"activities/10-goal.yaml": "phase: Goal definition\ndescripton: First phase.\nactivities: []\n"},
        ["activities/10-goal.yaml:2:1: error: unknown key 'descripton'; did you mean 'description'?"],
        id="unknown-key-phase-file-top"),
    pytest.param(
        {"activities/10-goal.yaml": phase("""\
  - id: GD-1
    name: Define the business goal
    descripton: Write it down.
""")},
        ["activities/10-goal.yaml:5:5: error: unknown key 'descripton'; did you mean 'description'?"],
        id="unknown-key-activity"),

    # --- missing required keys: reported at the start of the mapping
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n  - id: R2\n"},
        ["roles/roles.yaml:4:5: error: missing required key 'name'"],
        id="missing-role-name"),
    pytest.param(
        {"roles/roles.yaml": "roles: [{id: R1, name: Owner}, {id: R2}]\n"},
        ["roles/roles.yaml:1:32: error: missing required key 'name'"],
        id="missing-role-name-flow"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - name: Define the business goal\n    raci: {R1: A}\n")},
        ["activities/10-goal.yaml:3:5: error: missing required key 'id'"],
        id="missing-activity-id"),
    pytest.param(
        {"activities/10-goal.yaml": "# Goal definition\nactivities:\n  - id: GD-1\n    name: Define\n"},
        ["activities/10-goal.yaml:2:1: error: missing required key 'phase'"],
        id="missing-phase"),
    pytest.param(
        {"roles/roles.yaml": "# no roles yet\nrole:\n  - id: R1\n"},
        ["roles/roles.yaml:2:1: error: missing required key 'roles'",
         "roles/roles.yaml:2:1: error: unknown key 'role'; did you mean 'roles'?"],
        id="missing-roles-misspelt"),

    # --- wrong types: reported at the value
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: 1\n    name: Owner\n"},
        ["roles/roles.yaml:2:9: error: expected text, got the number 1 (put it in quotes to make it text)"],
        id="type-id-number"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: yes\n"},
        [R2_UNKNOWN, "roles/roles.yaml:3:11: error: expected text, got true, a boolean (YAML reads unquoted yes, "
         "no, on, off, true and false as booleans; put the text in quotes)"],
        id="type-name-yes"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci:\n      R3: no\n")},
        ["activities/10-goal.yaml:6:11: error: expected text, got false, a boolean (YAML reads unquoted "
         "yes, no, on, off, true and false as booleans; put the text in quotes)"],
        id="type-raci-letter-no"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci:\n      - R1\n")},
        ["activities/10-goal.yaml:6:7: error: expected a mapping (key: value), got a list"],
        id="type-list-for-mapping"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  id: R1\n  name: Owner\n"},
        ["roles/roles.yaml:2:3: error: expected a list, got a mapping"],
        id="type-mapping-for-list"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n    similar: Boss\n"},
        [R2_UNKNOWN, "roles/roles.yaml:4:14: error: expected a list, got 'Boss'"],
        id="type-similar-text"),
    pytest.param(
        {"roles/roles.yaml": "- id: R1\n  name: Owner\n"},
        ["roles/roles.yaml:1:1: error: expected a mapping with 'roles:', got a list"],
        id="type-file-is-list"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - R1\n"},
        ["roles/roles.yaml:2:5: error: expected a mapping with 'id:', 'name:', got 'R1'"],
        id="type-role-is-text"),
    pytest.param(
        {"raci.yaml": "output: [md, pdf]\n"},
        ["raci.yaml:1:9: error: expected a mapping with 'dir:', 'name:', 'formats:', 'inject:', 'codeowners:', got a list"],
        id="type-output-list"),
    pytest.param(
        {"raci.yaml": "version: 1.2\n"},
        ["raci.yaml:1:10: error: expected text, got the number 1.2 (put it in quotes to make it text)"],
        id="type-version-number"),
    pytest.param(
        {"raci.yaml": "date: 2024-03-01 10:30:00\n"},
        ["raci.yaml:1:7: error: expected a date (YYYY-MM-DD) or text, got the date and time "
         "2024-03-01 10:30:00 (put it in quotes to make it text)"],
        id="type-date-with-time"),
    pytest.param(
        {"raci.yaml": "page: a4\n"},
        ["raci.yaml:1:7: error: expected one of 'A4' or 'Letter', got 'a4'"],
        id="type-page-literal"),
    pytest.param(
        {"raci.yaml": "output:\n  formats: [md, docx]\n"},
        ["raci.yaml:2:17: error: expected one of 'md', 'xlsx', 'pdf', 'html', 'csv', 'json' or 'codeowners', got 'docx'"],
        id="type-format-literal"),
    pytest.param(
        {"roles/roles.yaml": ROLES + "yes: 1\n"},
        ["roles/roles.yaml:9:1: error: expected text as a key, got true, a boolean (YAML reads unquoted "
         "yes, no, on, off, true and false as booleans; put the text in quotes)"],
        id="type-key-boolean"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n    ~: x\n"},
        [R2_UNKNOWN, "roles/roles.yaml:4:5: error: expected text as a key, got nothing (an empty value)"],
        id="type-key-null"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {1: A}\n")},
        ["activities/10-goal.yaml:5:12: error: expected text as a key, got the number 1 "
         "(put it in quotes to make it text)"],
        id="type-raci-key-number"),
    pytest.param(
        {"raci.yaml": "date: 20240301\n"},
        ["raci.yaml:1:7: error: expected a date (YYYY-MM-DD) or text, got the number 20240301 "
         "(put it in quotes to make it text)"],
        id="type-date-number"),
    pytest.param(
        # Keys that happen to be named like pydantic's union members are ordinary keys.
        {"roles/roles.yaml": ROLES + "  - id: str\n    name: Steering\n  - id: date\n    name: Dating\n",
         "activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {str: 1, date: 2}\n")},
        ["activities/10-goal.yaml:5:17: error: expected text, got the number 1 (put it in quotes to make it text)",
         "activities/10-goal.yaml:5:26: error: expected text, got the number 2 (put it in quotes to make it text)"],
        id="type-raci-keys-named-str-and-date"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci:\n      R1:\n")},
        ["activities/10-goal.yaml:6:10: error: expected text, got nothing (an empty value)"],
        id="type-raci-letter-empty-value"),

    # --- duplicate ids: reported at the second id, naming the first
    pytest.param(
        {"roles/more.yaml": "roles:\n  - id: R4\n    name: Analyst\n  - id: R2\n    name: Statistician\n"},
        ["roles/roles.yaml:4:9: error: duplicate role id 'R2'; first defined at roles/more.yaml:4:9"],
        id="duplicate-role-id-across-files"),
    pytest.param(
        {"roles/roles.yaml": ROLES + "  - id: R1\n    name: Sponsor\n"},
        ["roles/roles.yaml:9:9: error: duplicate role id 'R1'; first defined at roles/roles.yaml:2:9"],
        id="duplicate-role-id-same-file"),
    pytest.param(
        {"roles/zz.yaml": "roles:\n  - id: r1\n    name: Sponsor\n"},
        ["roles/zz.yaml:2:9: error: duplicate role id 'r1': it differs only by case from 'R1' "
         "at roles/roles.yaml:2:9; ids must differ in more than case"],
        id="duplicate-role-id-by-case"),
    pytest.param(
        {"activities/20-data.yaml": "phase: Data\nactivities:\n  - id: GD-1\n    name: Collect data\n"},
        ["activities/20-data.yaml:3:9: error: duplicate activity id 'GD-1'; "
         "first defined at activities/10-goal.yaml:3:9"],
        id="duplicate-activity-id-across-files"),
    pytest.param(
        {"activities/20-data.yaml": "phase: Data\nactivities:\n  - id: gd-1\n    name: Collect data\n"},
        ["activities/20-data.yaml:3:9: error: duplicate activity id 'gd-1': it differs only by case "
         "from 'GD-1' at activities/10-goal.yaml:3:9; ids must differ in more than case"],
        id="duplicate-activity-id-by-case"),

    # --- ids outside the alphabet: reported at the id
    pytest.param(
        {"roles/roles.yaml": ROLES + "  - id: R 4\n    name: Analyst\n"},
        ["roles/roles.yaml:9:9: error: role id 'R 4' is not allowed; ids are 1 to 32 ASCII letters, "
         "digits, '.', '_' or '-', starting with a letter or digit"],
        id="role-id-with-space"),
    pytest.param(
        {"roles/roles.yaml": ROLES + "  - id: \u0421\n    name: Analyst\n"},
        ["roles/roles.yaml:9:9: error: role id '\u0421' is not allowed; ids are 1 to 32 ASCII letters, "
         "digits, '.', '_' or '-', starting with a letter or digit"],
        id="role-id-cyrillic"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: 'GD 1'\n    name: Define\n")},
        ["activities/10-goal.yaml:3:9: error: activity id 'GD 1' is not allowed; ids are 1 to 32 ASCII "
         "letters, digits, '.', '_' or '-', starting with a letter or digit"],
        id="activity-id-with-space"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: -GD\n    name: Define\n")},
        ["activities/10-goal.yaml:3:9: error: activity id '-GD' is not allowed; ids are 1 to 32 ASCII "
         "letters, digits, '.', '_' or '-', starting with a letter or digit"],
        id="activity-id-leading-dash"),

    # --- a raci entry naming an unknown role: reported at the role id
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: A, R22: R}\n")},
        ["activities/10-goal.yaml:5:19: error: unknown role 'R22'; did you mean 'R2'?"],
        id="unknown-role-typo"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {r1: A}\n")},
        ["activities/10-goal.yaml:5:12: error: unknown role 'r1'; did you mean 'R1'?"],
        id="unknown-role-case"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {Data Scientist: R}\n")},
        ["activities/10-goal.yaml:5:12: error: unknown role 'Data Scientist'; did you mean 'R2'?"],
        id="unknown-role-by-name"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {ML Specialist: R}\n")},
        ["activities/10-goal.yaml:5:12: error: unknown role 'ML Specialist'; did you mean 'R2'?"],
        id="unknown-role-by-similar-name"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {Boss: A}\n")},
        ["activities/10-goal.yaml:5:12: error: unknown role 'Boss'; known roles: R1, R2, R3"],
        id="unknown-role-nothing-close"),

    # --- letters that are not R, A, C, I: reported at the letters
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: Q}\n")},
        ["activities/10-goal.yaml:5:16: error: 'Q' is not a RACI letter; expected one or more of "
         "R, A, C, I (A/R for accountable and doing the work)"],
        id="letter-Q"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: X}\n")},
        ["activities/10-goal.yaml:5:16: error: 'X' is not a RACI letter; to say the role takes no part in this "
         "activity, leave the role out of its raci"],
        id="letter-X-for-no-part"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: A/X}\n")},
        ["activities/10-goal.yaml:5:16: error: 'X' in 'A/X' is not a RACI letter; expected one or more "
         "of R, A, C, I (A/R for accountable and doing the work)"],
        id="letter-X-among-valid"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: r}\n")},
        ["activities/10-goal.yaml:5:16: error: 'r' is not a RACI letter (letters are upper case); "
         "expected one or more of R, A, C, I (A/R for accountable and doing the work)"],
        id="letter-lowercase-r"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: RR}\n")},
        ["activities/10-goal.yaml:5:16: error: letter 'R' is given twice in 'RR'; write each letter once"],
        id="letter-RR"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: ''}\n")},
        ["activities/10-goal.yaml:5:16: error: empty cell; expected one or more of R, A, C, I "
         "(A/R for accountable and doing the work), or leave the role out"],
        id="letter-empty"),
    pytest.param(
        {"activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: ' / '}\n")},
        ["activities/10-goal.yaml:5:16: error: empty cell; expected one or more of R, A, C, I "
         "(A/R for accountable and doing the work), or leave the role out"],
        id="letter-only-separators"),

    # --- empty files
    pytest.param(
        {"roles/roles.yaml": ""},
        ["roles/roles.yaml:1:1: error: file is empty; expected a mapping with 'roles:'"],
        id="empty-roles-file"),
    pytest.param(
        {"activities/10-goal.yaml": "# Goal definition: to do\n"},
        ["activities/10-goal.yaml:1:1: error: file is empty; expected a mapping with 'phase:', 'activities:'"],
        id="comment-only-activities-file"),
    pytest.param(
        {"roles/roles.yaml": "roles: []\n"},
        ["roles/roles.yaml:1:1: error: no roles defined; a role file needs 'roles:' with at least one role"],
        id="no-roles"),

    # --- folders and paths
    pytest.param(
        {"roles/roles.yaml": None},
        ["roles:1:1: error: roles folder not found; create roles/ with *.yaml files or set 'roles:' in raci.yaml"],
        id="missing-roles-folder"),
    pytest.param(
        {"activities/10-goal.yaml": None},
        ["activities:1:1: error: activities folder not found; create activities/ with *.yaml files "
         "or set 'activities:' in raci.yaml"],
        id="missing-activities-folder"),
    pytest.param(
        {"raci.yaml": "title: Churn\nactivities: phases\n"},
        ["raci.yaml:2:13: error: activities folder 'phases' not found; create it with *.yaml files "
         "or correct 'activities:'"],
        id="missing-configured-activities-folder"),
    pytest.param(
        {"roles/notes.txt": "not yaml", "roles/roles.yaml": None},
        ["roles:1:1: error: no *.yaml files in the roles folder 'roles'"],
        id="roles-folder-without-yaml"),
    pytest.param(
        {"raci.yaml": "roles: ../../etc\n"},
        ["raci.yaml:1:8: error: the roles path leads outside the project folder ('../../etc'); "
         "keep inputs inside the project"],
        id="roles-path-outside-project"),
    pytest.param(
        {"raci.yaml": "activities: /etc\n"},
        ["raci.yaml:1:13: error: the activities path leads outside the project folder ('/etc'); "
         "keep inputs inside the project"],
        id="activities-path-absolute"),
    pytest.param(
        {"raci.yaml": 'roles: "ro\\0les"\n'},
        ["raci.yaml:1:8: error: the roles path 'ro\\x00les' is not a usable path"],
        id="roles-path-nul"),

    # --- unsafe or odd YAML
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - !!python/object:os.system\n    id: R1\n    name: Owner\n"},
        ["roles/roles.yaml:2:5: error: YAML tag '!!python/object:os.system' is not allowed; "
         "only plain text, numbers, lists and mappings are"],
        id="python-object-tag"),
    pytest.param(
        {"roles/roles.yaml": "roles: !!python/object/apply:os.system ['echo hi']\n"},
        ["roles/roles.yaml:1:8: error: YAML tag '!!python/object/apply:os.system' is not allowed; "
         "only plain text, numbers, lists and mappings are"],
        id="python-apply-tag"),
    pytest.param(
        {"roles/roles.yaml": b"roles:\n  - id: R1\n    name: Caf\xe9 owner\n"},
        ["roles/roles.yaml:3:14: error: file is not UTF-8 text (byte 0xe9); save it as UTF-8"],
        id="not-utf8"),
    pytest.param(
        {"roles/roles.yaml": "roles:\n  - id: R1\n    name: Own\x07er\n"},
        ["roles/roles.yaml:3:14: error: control character U+0007 is not allowed in YAML; remove it"],
        id="control-character"),
    pytest.param(
        {"roles/roles.yaml": "base: &base {name: Owner}\nroles:\n  - <<: *base\n    id: R1\n"},
        # Neither the missing name nor the cells: what the merge key would have brought is unknown.
        ["roles/roles.yaml:1:1: error: unknown key 'base'; expected one of: roles",
         "roles/roles.yaml:3:5: error: YAML merge keys ('<<') are not supported"],
        id="merge-key"),
    pytest.param(
        {"roles/roles.yaml": "roles: &r [*r]\n"},
        ["roles/roles.yaml:1:8: error: this value contains itself through an alias; that is not allowed"],
        id="recursive-alias"),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_bad_input_is_reported_exactly(tmp_path, monkeypatch, files, expected):
    assert problems(tmp_path, monkeypatch, files) == expected


def test_bom_at_start_is_accepted(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {
        "raci.yaml": "\ufefftitle: Churn model\n",
        "roles/roles.yaml": "\ufeff" + ROLES,
    })
    assert project.settings.title == "Churn model"
    assert [r.id for r in project.matrix.roles] == ["R1", "R2", "R3"]
    assert project.matrix.roles[0].location == Location("roles/roles.yaml", 2, 5)


def test_bom_does_not_shift_columns(tmp_path, monkeypatch):
    assert problems(tmp_path, monkeypatch, {"roles/roles.yaml": "\ufeffroles:\n  - id: 1\n    name: x\n"}) == [
        "roles/roles.yaml:2:9: error: expected text, got the number 1 (put it in quotes to make it text)"]


def test_utf8_column_counts_characters(tmp_path, monkeypatch):
    # "Résumé " is 7 characters but 9 bytes: the column is in characters, like PyYAML's.
    text = "roles:\n  - id: R1\n    name: R\u00e9sum\u00e9 ".encode() + b"\xff\n"
    assert problems(tmp_path, monkeypatch, {"roles/roles.yaml": text}) == [
        "roles/roles.yaml:3:18: error: file is not UTF-8 text (byte 0xff); save it as UTF-8"]


def _billion_laughs() -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    lines.append("roles: [*lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path, monkeypatch):
    start = time.process_time()  # CPU: a bound on runaway work, not a speed test
    found = problems(tmp_path, monkeypatch, {"roles/roles.yaml": _billion_laughs()})
    assert time.process_time() - start < 10
    # lol5 (anchored at line 6, column 7) is the first value to expand to more than 200,000 values.
    assert found == ["roles/roles.yaml:6:7: error: too many values: this expands to more than 200,000 "
                     "(each use of an alias counts); it is refused"]


def test_small_aliases_are_fine(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {"activities/10-goal.yaml": dedent("""
        phase: Goal definition
        activities:
          - id: GD-1
            name: Define the business goal
            raci: &usual {R1: A, R2: R}
          - id: GD-2
            name: Agree on success metrics
            raci: *usual
        """)})
    assert [a.letters("R1") for a in project.matrix.activities()] == [("A",), ("A",)]


@pytest.mark.parametrize("text", [
    pytest.param("roles: " + "[" * 10_000 + "]" * 10_000 + "\n", id="flow-lists"),
    pytest.param("roles: " + "{a: " * 10_000 + "}" * 10_000 + "\n", id="flow-mappings"),
    pytest.param("roles:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), id="block-lists"),
])
def test_deep_nesting_is_a_clean_error(tmp_path, monkeypatch, text):
    start = time.process_time()  # CPU: a bound on runaway work, not a speed test
    found = problems(tmp_path, monkeypatch, {"roles/roles.yaml": text})
    assert time.process_time() - start < 10
    assert len(found) == 1
    assert found[0].startswith("roles/roles.yaml:")
    assert found[0].endswith(": error: nesting is too deep (limit 64 levels)")


def test_deep_nesting_points_at_the_level_too_deep(tmp_path, monkeypatch):
    # "roles: " is 7 characters; the 65th '[' (column 72) is one level too many.
    text = "roles: " + "[" * 100 + "]" * 100 + "\n"
    assert problems(tmp_path, monkeypatch, {"roles/roles.yaml": text}) == [
        "roles/roles.yaml:1:72: error: nesting is too deep (limit 64 levels)"]


# ----------------------------------------------------------------------------
# All problems of one run are reported together.

def test_two_bad_files_are_both_reported(tmp_path, monkeypatch):
    found = problems(tmp_path, monkeypatch, {
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: Owner\n    descripton: x\n",
        "activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: Q}\n"),
        "activities/20-data.yaml": "phase: Data\nactivities: [\n",
    })
    assert found == [
        "activities/10-goal.yaml:5:16: error: 'Q' is not a RACI letter; expected one or more of R, A, C, I "
        "(A/R for accountable and doing the work)",
        "activities/20-data.yaml:3:1: error: YAML syntax error: expected a value, but the file ended",
        "roles/roles.yaml:4:5: error: unknown key 'descripton'; did you mean 'description'?",
    ]


def test_several_problems_in_one_file_are_all_reported(tmp_path, monkeypatch):
    found = problems(tmp_path, monkeypatch, {"roles/roles.yaml": dedent("""
        roles:
          - id: R1
          - id: 2
            name: Engineer
            nmae: Engineer
        """)})
    assert found == [
        "roles/roles.yaml:2:5: error: missing required key 'name'",
        "roles/roles.yaml:3:9: error: expected text, got the number 2 (put it in quotes to make it text)",
        "roles/roles.yaml:5:5: error: unknown key 'nmae'; did you mean 'name'?",
    ]


def test_config_problems_are_reported_with_the_others(tmp_path, monkeypatch):
    found = problems(tmp_path, monkeypatch, {
        "raci.yaml": "titel: Churn\n",
        "roles/roles.yaml": "roles:\n  - id: R1\n",
    })
    assert found == [
        R2_UNKNOWN,
        "raci.yaml:1:1: error: unknown key 'titel'; did you mean 'title'?",
        "roles/roles.yaml:2:5: error: missing required key 'name'",
    ]


def test_config_problems_keep_the_configured_folders(tmp_path, monkeypatch):
    found = problems(tmp_path, monkeypatch, {
        "raci.yaml": "page: A5\nroles: people\n",
        "people/roles.yaml": ROLES,
        "roles/roles.yaml": None,
    })
    assert found == ["raci.yaml:1:7: error: expected one of 'A4' or 'Letter', got 'A5'"]


def test_broken_config_stops_before_the_inputs(tmp_path, monkeypatch):
    # Where the roles are is unknown, so the roles file (also broken) is not read.
    found = problems(tmp_path, monkeypatch, {
        "raci.yaml": "roles: [people\n",
        "roles/roles.yaml": "",
    })
    assert found == ["raci.yaml:2:1: error: YAML syntax error: expected ',' or ']', but the file ended; "
                     "the '[' at line 1, column 8 is never closed"]


def test_broken_roles_file_does_not_make_every_role_unknown(tmp_path, monkeypatch):
    found = problems(tmp_path, monkeypatch, {
        "roles/roles.yaml": "roles:\n  - id: R1\n    name: [Owner\n",
        "activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: A, R2: r}\n"),
    })
    assert found == [
        "activities/10-goal.yaml:5:23: error: 'r' is not a RACI letter (letters are upper case); "
        "expected one or more of R, A, C, I (A/R for accountable and doing the work)",
        "roles/roles.yaml:4:1: error: YAML syntax error: expected ',' or ']', but the file ended; "
        "the '[' at line 3, column 11 is never closed",
    ]


# ----------------------------------------------------------------------------
# Valid input.

@pytest.mark.parametrize("text", ["A/R", "AR", "R/A", "A, R", "R+A", " A / R ", "A & R"])
def test_several_letters_parse_in_writing_order(tmp_path, monkeypatch, text):
    project = load(tmp_path, monkeypatch, {
        "activities/10-goal.yaml": phase(f"  - id: GD-1\n    name: Define\n    raci: {{R1: '{text}'}}\n"),
    })
    cell = next(project.matrix.activities()).cell("R1")
    assert cell.letters == ("A", "R")
    assert cell.text == "A/R"
    assert cell.location == Location("activities/10-goal.yaml", 5, 12)


@pytest.mark.parametrize(("text", "letters"), [
    pytest.param("R", ("R",), id="R"),
    pytest.param("I", ("I",), id="I"),
    pytest.param("C/I", ("C", "I"), id="C/I"),
    pytest.param("IRCA", ("A", "R", "C", "I"), id="all-four"),
])
def test_parse_letters(text, letters):
    assert parse_letters(text, RACI) == letters


def test_yaml_date_becomes_iso_text(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {"raci.yaml": "date: 2024-03-01\n"})
    assert project.settings.date == "2024-03-01"


def test_quoted_date_is_kept_as_written(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {"raci.yaml": "date: 'March 2024'\n"})
    assert project.settings.date == "March 2024"


def test_no_config_uses_defaults(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {})
    assert project.settings.title == "RACI matrix"
    assert project.settings.date is None
    assert project.settings.page == "A4"
    assert project.settings.output.formats == ("md", "xlsx", "pdf")
    assert project.sources == ("roles/roles.yaml", "activities/10-goal.yaml")


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("# settings come later\n", id="comment-only"),
])
def test_empty_config_uses_defaults(tmp_path, monkeypatch, text):
    project = load(tmp_path, monkeypatch, {"raci.yaml": text})
    assert project.settings.title == "RACI matrix"
    assert project.sources[0] == "raci.yaml"


def test_full_project_loads(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {
        "raci.yaml": dedent("""
            title: Churn model RACI
            project: Churn model
            version: "1.2"
            author: Jane Doe
            page: Letter
            output:
              dir: build
              name: churn-raci
              formats: [md, html, md]
            """),
        "activities/20-data.yaml": dedent("""
            phase: Data preparation
            description: Getting the data ready.
            activities:
              - id: DP-1
                name: Collect data
                description: From the warehouse.
                raci:
                  R2: A/R
                  R3: C
                  R1: I
              - id: DP-2
                name: Clean data
            """),
    })
    s = project.settings
    assert (s.title, s.project, s.version, s.author, s.page) == (
        "Churn model RACI", "Churn model", "1.2", "Jane Doe", "Letter")
    assert (s.output.dir, s.output.name, s.output.formats) == ("build", "churn-raci", ("md", "html"))
    m = project.matrix
    assert [r.id for r in m.roles] == ["R1", "R2", "R3"]
    assert m.roles[1].similar == ("ML Specialist",)
    assert [p.name for p in m.phases] == ["Goal definition", "Data preparation"]
    assert m.phases[1].description == "Getting the data ready."
    assert m.phases[1].location == Location("activities/20-data.yaml", 1, 1)
    dp1, dp2 = m.phases[1].activities
    assert dp1.location == Location("activities/20-data.yaml", 4, 5)
    assert [(c.role_id, c.letters) for c in dp1.cells] == [("R2", ("A", "R")), ("R3", ("C",)), ("R1", ("I",))]
    assert dp1.cell("R3").location == Location("activities/20-data.yaml", 9, 7)
    assert dp2.cells == ()
    assert project.sources == ("raci.yaml", "roles/roles.yaml", "activities/10-goal.yaml",
                               "activities/20-data.yaml")


def test_activity_files_are_taken_in_file_name_order(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {
        "activities/2-b.yml": "phase: B\nactivities: []\n",
        "activities/.hidden.yaml": "not: read\n",
        "activities/notes.md": "not read either",
    })
    assert [p.name for p in project.matrix.phases] == ["Goal definition", "B"]


def test_roles_can_be_a_single_configured_file(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {
        "raci.yaml": "roles: team.yaml\n",
        "team.yaml": "roles:\n  - id: R1\n    name: Owner\n  - id: R2\n    name: Scientist\n",
        "roles/roles.yaml": None,
    })
    assert [r.id for r in project.matrix.roles] == ["R1", "R2"]
    assert project.matrix.roles[0].location == Location("team.yaml", 2, 5)


def test_explicit_config_path(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {"settings/other.yaml": "title: From elsewhere\n"},
                   config="settings/other.yaml")
    assert project.settings.title == "From elsewhere"
    assert project.sources[0] == "settings/other.yaml"


def test_explicit_config_problems_name_that_file(tmp_path, monkeypatch):
    assert problems(tmp_path, monkeypatch, {"settings/other.yaml": "title: [x]\n"},
                    config="settings/other.yaml") == [
        "settings/other.yaml:1:8: error: expected text, got a list"]


def test_explicit_config_that_is_missing(tmp_path, monkeypatch):
    assert problems(tmp_path, monkeypatch, {}, config="nowhere.yaml") == [
        "nowhere.yaml:1:1: error: config file not found"]


def test_explicit_config_replaces_raci_yaml(tmp_path, monkeypatch):
    project = load(tmp_path, monkeypatch, {"raci.yaml": "titel: broken\n", "alt.yaml": "title: Alt\n"},
                   config="alt.yaml")
    assert project.settings.title == "Alt"


def test_missing_project_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_project("no-such-project")
    assert [str(p) for p in info.value.problems] == ["no-such-project:1:1: error: project folder not found"]


def test_paths_are_shown_as_given(tmp_path):
    root = make_project(tmp_path, {"roles/roles.yaml": "roles:\n  - id: R1\n"})
    with pytest.raises(InputError) as info:
        load_project(root)
    shown = os.path.join(root, "roles", "roles.yaml")
    assert [str(p) for p in info.value.problems] == [os.path.join(root, R2_UNKNOWN),
                                                     f"{shown}:2:5: error: missing required key 'name'"]


def test_symlink_leading_outside_is_not_read(tmp_path, monkeypatch):
    outside = tmp_path / "outside.yaml"
    outside.write_text("roles:\n  - id: X1\n    name: Stranger\n", encoding="utf-8")
    project_dir = tmp_path / "project"
    make_project(project_dir, {})
    (project_dir / "roles" / "extra.yaml").symlink_to(outside)
    monkeypatch.chdir(project_dir)
    with pytest.raises(InputError) as info:
        load_project(".")
    assert [str(p) for p in info.value.problems] == [
        "roles/extra.yaml:1:1: error: symbolic link leads outside the project folder; it is not read"]


@pytest.mark.parametrize("files", [pytest.param({"roles/roles.yaml": c[0]}, id=c[1]) for c in [
    ("roles: !!binary aGVsbG8=\n", "binary-tag"),
    ("roles: !!set {a, b}\n", "set-tag"),
    ("? [a, b]\n: c\nroles: []\n", "complex-key"),
    ("roles:\n  - id: R1\n    name: Owner\n    similar: [a, [b, [c]]]\n", "nested-list"),
    ("roles:\n  - id: 99999999999999999999999999\n    name: x\n", "huge-number"),
    ("roles: 'a\n", "quote-at-end"),
    ("\x00", "nul"),
    ("roles:\n  - id: R1\n    name: Owner\n  - *nothing\n", "undefined-alias"),
]])
def test_odd_input_never_escapes_as_a_raw_exception(tmp_path, monkeypatch, files):
    found = problems(tmp_path, monkeypatch, files)
    assert found
    assert all(p.startswith("roles/roles.yaml:") and ": error: " in p and "\n" not in p
               for p in found if p != R2_UNKNOWN)


# --- cells written the way spreadsheets do ---------------------------------------------------------------------------

@pytest.mark.parametrize("variant, text, says", [
    ("RACI", "Accountable", "'Accountable' is the name of a RACI letter; write the letter: A"),
    ("RACI", "accountable", "'accountable' is the name of a RACI letter; write the letter: A"),
    ("RACI", "Responsible and Accountable",
     "'Responsible and Accountable' names RACI letters in words; write the letters: A/R"),
    ("RACI", "Accountable / Responsible", "'Accountable / Responsible' names RACI letters in words; write the "
                                          "letters: A/R"),
    ("DACI", "Driver", "'Driver' is the name of a DACI letter; write the letter: D"),
    ("CAIRO", "Out of the loop", "'Out of the loop' is the name of a CAIRO letter; write the letter: O"),
    ("DACI", "Accountable", "'Accountable' is RACI's Accountable, not a DACI letter; write one of D (Driver), "
                            "A (Approver), C (Contributor), I (Informed)"),
    ("RACI", "Driver", "'Driver' is DACI's Driver, not a RACI letter; write one of R (Responsible), "
                       "A (Accountable), C (Consulted), I (Informed)"),
])
def test_a_letter_written_as_a_word_gets_its_letter(variant, text, says):
    assert parse_letters(text, VARIANTS[variant]) == says


@pytest.mark.parametrize("text", ["N/A", "n/a", "NA", "-", "\u2014", "\u2013", "x", "X", "none", " - "])
def test_a_no_part_mark_gets_the_leave_the_role_out_hint(text):
    assert parse_letters(text, RACI) == (f"{text!r} is not a RACI letter; to say the role takes no part in this "
                                         "activity, leave the role out of its raci")


def test_cairo_no_part_mark_suggests_o_too():
    assert parse_letters("N/A", VARIANTS["CAIRO"]).endswith("leave the role out of its raci, or write O to record it")


def test_x_is_a_letter_where_the_variant_has_one():
    variant = dataclasses.replace(RACI, name="RACIX", letters=RACI.letters + (
        dataclasses.replace(RACI.letters[0], code="X", name="Executes"),), order="ARCIX")
    assert parse_letters("X", variant) == ("X",)
    assert "upper case" in parse_letters("x", variant)


def test_a_word_in_a_cell_is_reported_at_its_place(tmp_path, monkeypatch):
    found = problems(tmp_path, monkeypatch, {
        "activities/10-goal.yaml": phase("  - id: GD-1\n    name: Define\n    raci: {R1: Accountable, R2: N/A}\n")})
    assert found == [
        "activities/10-goal.yaml:5:16: error: 'Accountable' is the name of a RACI letter; write the letter: A",
        "activities/10-goal.yaml:5:33: error: 'N/A' is not a RACI letter; to say the role takes no part in this "
        "activity, leave the role out of its raci",
    ]
