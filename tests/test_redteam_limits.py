"""Red-team findings of issue 18 ("nothing may make raci-gen use time or memory beyond a stated bound, read
outside its place, write outside the project"), each checked on a real ``raci-gen`` process under a cap:

* role files are counted before any is read (limits.MAX_ROLE_FILES), as phases are, and the input files' sizes
  are summed before they are read (limits.MAX_INPUT_BYTES): 5,000 phases of 2 MiB were 10 GB;
* an xlsx workbook's styles and shared strings are counted, part by part, before openpyxl reads them: a
  styles.xml of 500,000 ``<xf/>`` (8.6 KB) took 13 s and 314 MB, and heavier ones gigabytes;
* raci.yaml's ``output.dir``, ``output.inject`` pages and the input files may not lead into a version-control
  folder (``.git`` holds the CI token and the hooks git runs), as the templates folder may not.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import documentation
from raci_gen.input import limits

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")
GIB = 1024 ** 3


def run(*args: str, cwd: str | os.PathLike | None = None, memory: int = GIB, cpu: int = 60,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """``raci-gen ARGS`` in a process of its own, capped in address space and processor time."""
    cap = ["prlimit", f"--as={memory}", f"--cpu={cpu}"]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    return subprocess.run(cap + [RACI_GEN, *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=cwd)


def errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines()
            if ": warning: " not in line and not re.fullmatch(r"\d+ problems? found; nothing was written\.", line)]


def project(root: Path) -> Path:
    """A lint-clean project of two roles and one activity."""
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "roles" / "roles.yaml").write_text("roles:\n- {id: R1, name: One}\n- {id: R2, name: Two}\n")
    (root / "activities" / "00.yaml").write_text(
        "phase: First\nactivities:\n- {id: A-1, name: Work, raci: {R1: A/R, R2: C}}\n")
    return root


# --- finding 2: the number of role files and the bytes of all input files ----------------------------------------

PADDED = "roles: []\n" + "#\t" + "x" * 78 + "\n"
"""A role file that holds no role; the red team padded it to 64,000 bytes with tabs, which send it to PyYAML's
pure-Python parser (41 ms a file)."""


def test_role_files_past_the_limit_are_refused_before_any_is_read(tmp_path):
    root = project(tmp_path / "p")
    padded = tmp_path / "padded"
    padded.write_text(PADDED * 800)
    for i in range(2_000):  # hard links of one file: written one by one, they take seconds on a busy disk
        os.link(padded, root / "roles" / f"z{i:05d}.yaml")
    result = run("lint", cwd=root, cpu=20)
    crossing = sorted(os.listdir(root / "roles"))[limits.MAX_ROLE_FILES]
    assert result.returncode == 2, result.stderr[-2000:]
    assert errors(result) == [
        f"{os.path.join('roles', crossing)}:1:1: error: more than {limits.MAX_ROLE_FILES:,} role files (this is "
        f"file {limits.MAX_ROLE_FILES + 1:,} of 2,001); the limit is {limits.MAX_ROLE_FILES:,}"]


def test_role_files_at_the_limit_are_read(tmp_path):
    root = project(tmp_path / "p")
    for i in range(limits.MAX_ROLE_FILES - 1):
        (root / "roles" / f"z{i:05d}.yaml").write_text("roles: []\n")
    result = run("lint", cwd=root)
    assert result.returncode == 0, result.stderr[-2000:]


def test_input_files_past_the_byte_budget_are_refused_before_they_are_read(tmp_path):
    root = project(tmp_path / "p")
    # files of 2 MiB (the limit of one) that hold nothing, sparse: their sizes alone cross the budget
    count = limits.MAX_INPUT_BYTES // (2 * 1024 * 1024) + 1
    for i in range(count):
        with open(root / "activities" / f"p{i:04d}.yaml", "wb") as fh:
            fh.truncate(2 * 1024 * 1024)
    result = run("lint", cwd=root)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = errors(result)
    assert len(lines) == 1, lines
    # the roles and the first phase's few bytes, then 16 files of 2 MiB: the 16th crosses 32 MiB
    assert lines[0].startswith(os.path.join("activities", f"p{count - 2:04d}.yaml") + ":1:1: error: the input files "
                               "(raci.yaml, roles and activities) hold more than 32 MiB: ")
    assert lines[0].endswith(f"the limit is {limits.MAX_INPUT_BYTES:,} bytes in all")


# --- finding 3: styles and shared strings of an xlsx workbook -----------------------------------------------------

SHARED_STRINGS = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"></sst>')
SHARED_STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                       'officedocument.spreadsheetml.sharedStrings+xml"/>')


def workbook(path: Path, part: str, pattern: str, insert: str) -> Path:
    """A one-sheet openpyxl workbook (Activity, R1 / Work, A) whose ``part`` has ``insert`` put right after the first
    match of the regular expression ``pattern``; every other part as openpyxl wrote it (openpyxl writes its text
    inline: a sharedStrings.xml is added, with its content type, which openpyxl reads it by)."""
    import io
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["A2"], ws["B2"] = "Activity", "R1", "Work", "A"
    saved = io.BytesIO()
    wb.save(saved)
    with zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        parts = {info.filename: source.read(info) for info in source.infolist()}
        if part == "xl/sharedStrings.xml":
            parts[part] = SHARED_STRINGS.encode("utf-8")
            types = parts["[Content_Types].xml"].decode("utf-8")
            parts["[Content_Types].xml"] = types.replace("</Types>", SHARED_STRINGS_TYPE + "</Types>").encode("utf-8")
        for name, data in parts.items():
            if name == part:
                text = data.decode("utf-8")
                match = re.search(pattern, text)
                assert match, (part, pattern)
                data = (text[:match.end()] + insert + text[match.end():]).encode("utf-8")
            target.writestr(name, data)
    return path


def test_styles_past_their_count_are_refused_before_openpyxl_reads_them(tmp_path):
    from raci_gen.importers import xlsx

    # the red team's 500,000 <xf/> (8.6 KB) took 13 s and 314 MB; this one its part's limit and one
    source = workbook(tmp_path / "styles.xlsx", "xl/styles.xml", r"<cellXfs count=\"\d+\">",
                      "<xf/>" * xlsx.MAX_PART_ELEMENTS)
    result = run("import", str(source), "-o", str(tmp_path / "out"), cpu=20)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = errors(result)
    assert len(lines) == 1 and re.fullmatch(
        rf"{re.escape(str(source))}: xl/styles\.xml:\d+:\d+: error: more than {xlsx.MAX_PART_ELEMENTS:,} XML "
        rf"elements in one part \(openpyxl makes an object heavier than a cell of each\); the limit is "
        rf"{xlsx.MAX_PART_ELEMENTS:,}", lines[0]), lines
    assert not (tmp_path / "out").exists()


def test_shared_strings_past_their_count_are_refused(tmp_path):
    from raci_gen.importers import xlsx

    source = workbook(tmp_path / "strings.xlsx", "xl/sharedStrings.xml", r"<sst[^>]*>",
                      "<si/>" * (xlsx.MAX_SHARED_STRINGS + 1))
    result = run("import", str(source), "-o", str(tmp_path / "out"), cpu=30)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = errors(result)
    assert len(lines) == 1 and re.fullmatch(
        rf"{re.escape(str(source))}: xl/sharedStrings\.xml:\d+:\d+: error: more than {xlsx.MAX_SHARED_STRINGS:,} "
        rf"shared strings; the limit is {xlsx.MAX_SHARED_STRINGS:,}", lines[0]), lines


def test_a_workbook_with_styles_within_the_limit_imports(tmp_path):
    source = workbook(tmp_path / "fine.xlsx", "xl/styles.xml", r"<cellXfs count=\"\d+\">", "<xf/>" * 1_000)
    result = run("import", str(source), "-o", str(tmp_path / "out"))
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: the lint's findings on a one-role matrix
    assert (tmp_path / "out" / "raci.yaml").exists()


# --- finding 6: output.dir, output.inject and input files that lead into .git -------------------------------------

def repository(root: Path) -> Path:
    """The two-role project in a real git repository, committed."""
    project(root)
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "start"]):
        subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root


def test_output_dir_in_git_is_refused_and_nothing_is_written(tmp_path):
    root = repository(tmp_path / "p")
    (root / "raci.yaml").write_text("output:\n  dir: .git/hooks\n  name: pre-commit\n  formats: [md, csv, json]\n")
    hooks = sorted(os.listdir(root / ".git" / "hooks"))
    result = run("build", cwd=root)
    assert result.returncode == 2, result.stderr[-2000:]
    assert errors(result) == ["raci.yaml:2:8: error: output.dir '.git/hooks' leads into '.git', a version-control "
                              "folder, where raci-gen never writes; choose a folder of its own"]
    assert sorted(os.listdir(root / ".git" / "hooks")) == hooks


def test_inject_pages_in_git_are_refused_before_they_are_read(tmp_path):
    root = repository(tmp_path / "p")
    (root / "raci.yaml").write_text("output:\n  inject:\n    - .git/config\n    - {file: .Git/info/exclude}\n")
    result = run("build", "-f", "md", cwd=root)
    assert result.returncode == 2, result.stderr[-2000:]
    assert errors(result) == [
        "raci.yaml:3:7: error: inject page '.git/config' leads into '.git', a version-control folder, which "
        "raci-gen neither reads nor writes",
        "raci.yaml:4:7: error: inject page '.Git/info/exclude' leads into '.Git', a version-control folder, which "
        "raci-gen neither reads nor writes"]


def test_a_role_file_linked_into_git_is_not_read(tmp_path):
    root = repository(tmp_path / "p")
    with open(root / ".git" / "config", "a") as fh:  # what actions/checkout persists
        fh.write('[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic c2VjcmV0LXRva2Vu\n')
    os.symlink(os.path.join("..", ".git", "config"), root / "roles" / "zz.yaml")
    result = run("lint", cwd=root)
    assert result.returncode == 2, result.stderr[-2000:]
    assert errors(result) == [f"{os.path.join('roles', 'zz.yaml')}:1:1: error: symbolic link leads into '.git', "
                              "a version-control folder; it is not read"]


def test_inputs_setting_into_git_is_refused(tmp_path):
    root = repository(tmp_path / "p")
    (root / "raci.yaml").write_text("activities: .git/info\n")
    (root / ".git" / "info" / "a.yaml").write_text("phase: P\nactivities: []\n")
    result = run("lint", cwd=root)
    assert result.returncode == 2, result.stderr[-2000:]
    assert errors(result) == ["raci.yaml:1:13: error: the activities path leads into '.git', a version-control "
                              "folder, which raci-gen never reads; keep inputs in a folder of their own"]


def test_out_on_the_command_line_is_the_users_choice(tmp_path):
    root = repository(tmp_path / "p")
    result = run("build", "-f", "md", "--out", os.path.join(".git", "raci"), cwd=root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (root / ".git" / "raci" / "raci-matrix.md").exists()


# --- finding 2, the time of what is within the limits ---------------------------------------------------------------

def test_files_sent_to_the_pure_python_parser_are_bounded_together(tmp_path):
    """A tab sends a short file to PyYAML's own parser (41 ms for the red team's 64,000 bytes of comments, 0.8 s
    for as many of small values); it reads at most yamlsource.MAX_SLOW_PARSE_CHARS of a load, then libyaml does."""
    root = project(tmp_path / "p")
    padded = tmp_path / "padded"
    padded.write_text("phase: Empty\nactivities: []\n" + ("#\t" + "x" * 78 + "\n") * 790)
    for i in range(500):  # 31 MiB, under limits.MAX_INPUT_BYTES
        os.link(padded, root / "activities" / f"p{i:04d}.yaml")
    result = run("lint", cwd=root, cpu=10)
    assert result.returncode in (0, 1), result.stderr[-2000:]  # the former code: killed after 10 s


def test_activity_files_past_the_activity_limit_are_not_read(tmp_path):
    root = project(tmp_path / "p")
    many = tmp_path / "many"
    many.write_text("phase: Many\nactivities:\n" + "".join(
        f"- {{id: a{i}, name: n, raci: {{R1: A, R2: C}}}}\n" for i in range(1_400)))
    for i in range(300):  # 18 MiB of small values: 420,000 activities with the same ids
        os.link(many, root / "activities" / f"p{i:04d}.yaml")
    result = run("lint", cwd=root, cpu=15)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"more than {limits.MAX_ACTIVITIES} activities; the limit is {limits.MAX_ACTIVITIES}" in result.stderr


def test_readme_table_of_limits_has_these_figures():
    from raci_gen.input import yamlsource
    from raci_gen.importers import xlsx

    rows = documentation.table_rows()
    mib = 1024 * 1024
    assert rows["role files (a file may hold several roles, or none)"] == \
        f"{limits.MAX_ROLE_FILES:,}, counted before any is read"
    assert rows["raci.yaml, role files and activity files together"] == \
        f"{limits.MAX_INPUT_BYTES // mib} MiB ({limits.MAX_INPUT_BYTES:,} bytes), their sizes summed before any is read"
    assert any(key.startswith("what PyYAML's pure-Python parser reads in one load") and
               value == f"{yamlsource.MAX_SLOW_PARSE_CHARS // 1024} KiB" for key, value in rows.items())
    assert rows["values in raci.yaml, role files and activity files together, aliases expanded"] == \
        f"{yamlsource.MAX_LOAD_VALUES:,} (no file read after the one past it)"
    assert any(key.startswith("XML elements of one workbook part besides worksheets") and
               value == f"{xlsx.MAX_PART_ELEMENTS:,} / {xlsx.MAX_SHARED_STRINGS:,}" for key, value in rows.items())


def test_values_of_all_files_past_their_limit_are_refused_and_no_more_files_read(tmp_path):
    from raci_gen.input import yamlsource

    root = project(tmp_path / "p")
    junk = tmp_path / "junk"
    junk.write_text("phase: Junk\nactivities: []\nx: [" + "1," * 30_999 + "1]\n")  # 62 KB, 31,004 values
    for i in range(540):  # 32 MiB: 140 s of processor time on the former code
        os.link(junk, root / "activities" / f"p{i:04d}.yaml")
    result = run("lint", cwd=root, cpu=30)
    assert result.returncode == 2, result.stderr[-2000:]
    crossing = yamlsource.MAX_LOAD_VALUES // 31_004  # the roles' and the first phase's few values before
    lines = errors(result)
    assert len(lines) == crossing + 1, lines[-3:]  # each file read has its unknown key
    assert lines[-1].startswith(f"{os.path.join('activities', f'p{crossing:04d}.yaml')}:1:1: error: more than "
                                f"{yamlsource.MAX_LOAD_VALUES:,} YAML values in the project's files together, ")
