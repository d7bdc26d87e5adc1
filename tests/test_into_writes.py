"""``raci-gen import --into`` writes only what it means to, and says what it wrote (issue 18, items 5 and 9).

* A new phase's file is numbered past the highest number a name in the activities folder
  starts with, so it never lands on an existing file (``01-plan.yaml`` and ``03-release.yaml``
  made a new ``03-release.yaml`` that replaced the old one), nor on one that differs only in
  case (one file on macOS and Windows); and it is written only where no file is.
* A ``raci`` map that several activities share through an anchor is changed in place only
  when the source gives every one of them the same cells; otherwise the run is refused at the
  anchor or alias, exit 2, and nothing is written.
* The summary names each file written, new or changed, with the activities whose change is in it.

Every test runs the installed raci-gen in a subprocess on a project on disk.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from raci_gen.runtime.confined import Write, write_all
from raci_gen.model.errors import RaciError
from raci_gen.input.loader import load_project
from tests.conftest import snapshot

ROLES = "roles:\n  - id: PM\n    name: Project manager\n  - id: DEV\n    name: Developer\n"
PLAN = "phase: Plan\nactivities:\n  - id: P-1\n    name: Write the plan\n    raci:\n      PM: A/R\n      DEV: C\n"
SHIP = "phase: Ship\nactivities:\n  - id: S-1\n    name: Ship it\n    raci:\n      PM: A\n      DEV: R\n"
SHARED = """\
phase: Plan
activities:
  - id: P-1
    name: Write the plan
    raci: &usual
      PM: A/R
      DEV: C

  - id: P-2
    name: Review the plan
    raci: *usual

  - id: P-3
    name: Sign the plan
    raci: *usual
"""


def project(root: Path, activities: dict[str, str]) -> Path:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "roles" / "roles.yaml").write_text(ROLES, encoding="utf-8")
    for name, text in activities.items():
        (root / "activities" / name).write_text(text, encoding="utf-8")
    return root


def source(root: Path, rows: list[str]) -> Path:
    path = root.parent / "edited.csv"
    path.write_text("id,phase,activity,PM,DEV\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def into(root: Path, csv: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", "import", str(csv), "--into", ".", *options],
                          cwd=root, capture_output=True, text=True, timeout=120)


def cells(root: Path) -> dict[str, dict[str, str]]:
    return {a.id: {c.role_id: "/".join(c.letters) for c in a.cells}
            for a in load_project(str(root)).matrix.activities()}


def test_a_new_phase_is_numbered_past_the_highest_file_and_replaces_none(tmp_path):
    root = project(tmp_path / "p", {"01-plan.yaml": PLAN, "03-release.yaml": SHIP})
    before = snapshot(root)
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,C", "S-1,Ship,Ship it,A,R",
                                      "N-1,Release,Announce it,A,R", "N-2,Retro,Look back,A/R,R"]))
    assert result.returncode == 0, result.stderr
    after = snapshot(root)
    assert after["activities/03-release.yaml"] == before["activities/03-release.yaml"]
    assert after["activities/01-plan.yaml"] == before["activities/01-plan.yaml"]
    assert sorted(after) == sorted([*before, "activities/04-release.yaml", "activities/05-retro.yaml"])
    assert "phase: Release" in (root / "activities" / "04-release.yaml").read_text(encoding="utf-8")
    assert cells(root) == {"P-1": {"PM": "A/R", "DEV": "C"}, "S-1": {"PM": "A", "DEV": "R"},
                           "N-1": {"PM": "A", "DEV": "R"}, "N-2": {"PM": "A/R", "DEV": "R"}}
    assert "removed" not in result.stdout


def test_a_new_phase_never_takes_a_name_that_differs_only_in_case(tmp_path):
    # On macOS and Windows 03-release.yaml is the file 03-Release.yaml: writing it would replace the phase Ship.
    root = project(tmp_path / "p", {"01-plan.yaml": PLAN, "03-Release.yaml": SHIP})
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,C", "S-1,Ship,Ship it,A,R",
                                      "N-1,Release,Announce it,A,R"]))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (root / "activities").iterdir())
    assert names == ["01-plan.yaml", "03-Release.yaml", "04-release.yaml"]
    assert (root / "activities" / "03-Release.yaml").read_text(encoding="utf-8") == SHIP


def test_a_new_file_is_written_only_where_no_file_is(tmp_path):
    # The last guard, for a file that appears between the look at the folder and the write: all or nothing.
    (tmp_path / "edited.yaml").write_text("old\n", encoding="utf-8")
    (tmp_path / "taken.yaml").write_text("someone's\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(RaciError, match="exists already"):
        write_all([Write(str(tmp_path / "edited.yaml"), b"new\n", str(tmp_path)),
                   Write(str(tmp_path / "taken.yaml"), b"mine\n", str(tmp_path), create_only=True)])
    assert snapshot(tmp_path) == before
    write_all([Write(str(tmp_path / "edited.yaml"), b"new\n", str(tmp_path)),
               Write(str(tmp_path / "fresh.yaml"), b"mine\n", str(tmp_path), create_only=True)])
    assert (tmp_path / "edited.yaml").read_bytes() == b"new\n"
    assert (tmp_path / "fresh.yaml").read_bytes() == b"mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.yaml", "fresh.yaml", "taken.yaml"]


@pytest.mark.parametrize("changed, place", [("P-2", "activities/01-plan.yaml:11:11"),  # at the alias *usual
                                            ("P-1", "activities/01-plan.yaml:5:11")])  # at the anchor &usual
def test_a_shared_raci_map_changed_for_one_activity_is_refused_with_its_place(tmp_path, changed, place):
    root = project(tmp_path / "p", {"01-plan.yaml": SHARED})
    before = snapshot(root)
    rows = {i: f"{i},Plan,{name},A/R,C" for i, name in
            (("P-1", "Write the plan"), ("P-2", "Review the plan"), ("P-3", "Sign the plan"))}
    rows[changed] = rows[changed][:-1] + "I"
    result = into(root, source(root, list(rows.values())))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{place}: error: the raci of {changed} is one map with")
    assert "&usual" in lines[0] and "DEV C → I" in lines[0] and "nothing is written" in lines[0]
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_a_shared_raci_map_changed_alike_for_all_stays_shared(tmp_path):
    root = project(tmp_path / "p", {"01-plan.yaml": SHARED})
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,I", "P-2,Plan,Review the plan,A/R,I",
                                      "P-3,Plan,Sign the plan,A/R,I", "P-4,Plan,File the plan,A,R"]))
    assert result.returncode == 0, result.stderr
    # One line changed at the anchor; the new activity after a blank line, as the file keeps them.
    assert (root / "activities" / "01-plan.yaml").read_text(encoding="utf-8") == SHARED.replace(
        "DEV: C", "DEV: I") + "\n  - id: P-4\n    name: File the plan\n    raci:\n      PM: A\n      DEV: R\n"


def test_an_anchored_cell_changed_where_it_is_defined_leaves_its_aliases_as_they_were(tmp_path):
    text = PLAN.replace("DEV: C", "DEV: &c C") + "  - id: P-2\n    name: Review the plan\n    raci:\n" \
                                                  "      PM: A/R\n      DEV: *c\n"
    root = project(tmp_path / "p", {"01-plan.yaml": text})
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,I", "P-2,Plan,Review the plan,A/R,C"]))
    assert result.returncode == 0, result.stderr
    assert cells(root) == {"P-1": {"PM": "A/R", "DEV": "I"}, "P-2": {"PM": "A/R", "DEV": "C"}}


def test_a_merge_key_is_refused_with_its_place_and_nothing_is_written(tmp_path):
    text = SHARED.replace("    raci: *usual\n\n", "    raci:\n      <<: *usual\n      DEV: I\n\n", 1)
    root = project(tmp_path / "p", {"01-plan.yaml": text})
    before = snapshot(root)
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,C", "P-2,Plan,Review the plan,A/R,C",
                                      "P-3,Plan,Sign the plan,A/R,C"]))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == \
        "activities/01-plan.yaml:12:7: error: YAML merge keys ('<<') are not supported"
    assert snapshot(root) == before


def test_the_summary_names_every_file_written_with_what_changed_in_it(tmp_path):
    root = project(tmp_path / "p", {"01-plan.yaml": PLAN, "03-release.yaml": SHIP})
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,I", "S-1,Ship,Ship it,A,R",
                                      "N-1,Release,Announce it,A,R"]))
    assert result.returncode == 0, result.stderr
    written = result.stdout.split("Files written:\n", 1)[1].splitlines()
    assert written == ["  activities/01-plan.yaml (changed): P-1", "  activities/04-release.yaml (new): N-1",
                       "changed 2 files in ."]
    assert "  P-1 Write the plan: DEV C → I" in result.stdout
    assert "S-1" not in result.stdout


HOOK = """\
import errno
import os
import raci_gen.runtime.confined as confined
original = confined.write_all
def write_all(writes, replace=True):
    if os.environ.get("SAVED_MEANWHILE"):
        with open(os.environ["SAVED_MEANWHILE"], "a", encoding="utf-8") as fh:
            fh.write("# saved meanwhile\\n")
    return original(writes, replace)
confined.write_all = write_all
if os.environ.get("NO_HARD_LINKS"):
    def link(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))
    os.link = link
"""
"""A sitecustomize for raci-gen's subprocess: SAVED_MEANWHILE=PATH saves that file just before raci-gen writes
(someone else's edit, deterministically); NO_HARD_LINKS=1 makes link() fail as on FAT or exFAT."""


def hooked(tmp_path: Path, root: Path, csv: Path, **env: str) -> subprocess.CompletedProcess:
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    path = os.pathsep.join(filter(None, (str(hook), os.environ.get("PYTHONPATH"))))
    return subprocess.run([sys.executable, "-m", "raci_gen", "import", str(csv), "--into", "."], cwd=root,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env, "PYTHONPATH": path})


@pytest.mark.parametrize("links", ["", "no hard links"])
@pytest.mark.parametrize("saved, message", [
    ("01-plan.yaml", "changed since raci-gen read it (saved by someone else meanwhile); nothing was written, so "
                     "that edit is not lost: run the command again"),
    ("04-release.yaml", "exists already; refusing to overwrite it")])  # the new phase's file, made meanwhile
def test_a_file_saved_by_someone_else_meanwhile_is_not_replaced(tmp_path, saved, message, links):
    root = project(tmp_path / "p", {"01-plan.yaml": PLAN, "03-release.yaml": SHIP})
    before = snapshot(root)
    path = root / "activities" / saved
    csv = source(root, ["P-1,Plan,Write the plan,A/R,I", "S-1,Ship,Ship it,A,R", "N-1,Release,Announce it,A,R"])
    result = hooked(tmp_path, root, csv, SAVED_MEANWHILE=str(path), NO_HARD_LINKS=links)
    assert result.returncode == 2, result.stdout + result.stderr
    assert [line.replace("./", "") for line in result.stderr.splitlines()] == [f"activities/{saved}: error: {message}"]
    after = snapshot(root)
    assert path.read_text(encoding="utf-8") == (PLAN if saved == "01-plan.yaml" else "") + "# saved meanwhile\n"
    assert {k: v for k, v in after.items() if k != f"activities/{saved}"} == \
        {k: v for k, v in before.items() if k != f"activities/{saved}"}
    assert not [p for p in (root / "activities").iterdir() if p.name.startswith(".raci-gen-")]


def test_a_new_phase_is_written_where_there_are_no_hard_links(tmp_path):
    root = project(tmp_path / "p", {"01-plan.yaml": PLAN})
    csv = source(root, ["P-1,Plan,Write the plan,A/R,C", "N-1,Release,Announce it,A,R"])
    result = hooked(tmp_path, root, csv, NO_HARD_LINKS="1")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "activities").iterdir()) == ["01-plan.yaml", "02-release.yaml"]
    assert cells(root)["N-1"] == {"PM": "A", "DEV": "R"}


def test_a_file_is_replaced_only_while_it_holds_the_bytes_it_was_read_as(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"read\n")
    with pytest.raises(RaciError, match="changed since raci-gen read it"):
        write_all([Write(str(tmp_path / "a.yaml"), b"new\n", str(tmp_path), expected=b"read as\n")])
    assert (tmp_path / "a.yaml").read_bytes() == b"read\n"
    with pytest.raises(RaciError, match="was removed since raci-gen read it"):
        write_all([Write(str(tmp_path / "gone.yaml"), b"new\n", str(tmp_path), expected=b"read\n")])
    assert not (tmp_path / "gone.yaml").exists()
    write_all([Write(str(tmp_path / "a.yaml"), b"new\n", str(tmp_path), expected=b"read\n")])
    assert (tmp_path / "a.yaml").read_bytes() == b"new\n"


def test_a_file_with_windows_line_ends_keeps_them(tmp_path):
    crlf = PLAN.replace("\n", "\r\n")
    root = project(tmp_path / "p", {})
    (root / "activities" / "01-plan.yaml").write_bytes(crlf.encode())
    result = into(root, source(root, ["P-1,Plan,Write the plan,A/R,I", "P-2,Plan,Check the plan,A,R"]))
    assert result.returncode == 0, result.stderr
    added = "  - id: P-2\n    name: Check the plan\n    raci:\n      PM: A\n      DEV: R\n"
    assert (root / "activities" / "01-plan.yaml").read_bytes() == \
        (PLAN.replace("DEV: C", "DEV: I") + added).replace("\n", "\r\n").encode()
