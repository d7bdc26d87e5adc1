"""A first day with raci-gen: the command init and import print as the next step ("next: raci-gen build DIR")
is pasted into a shell. With a space in the folder ("team raci") it was printed unquoted, and the pasted command
built nothing: 'raci-gen build team raci' gives two folders, neither a project (exit 2).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from test_subfolder_hooks import environment, ok


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX shell")
def test_the_next_command_printed_runs_as_pasted(tmp_path):
    env = environment(tmp_path)
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    for row in (["Activity", "PM", "Dev"], ["Plan", "A", "R"], ["Build", "A", "R"]):
        wb.active.append(row)
    wb.save(tmp_path / "matrix.xlsx")
    for args, folder in ((["init"], "team raci"), (["import", "matrix.xlsx", "--out"], "imported raci")):
        done = ok(["raci-gen", *args, folder], tmp_path, env)
        line = next(line for line in done.stdout.splitlines() if "; next: " in line)
        pasted = line.rsplit("; next: ", 1)[1]
        assert pasted == f"raci-gen build '{folder}'"
        built = subprocess.run(["sh", "-c", pasted + " --format md"], cwd=tmp_path, env=env, capture_output=True,
                               text=True, timeout=300)
        assert built.returncode == 0, built.stdout + built.stderr
        assert (tmp_path / folder / "output" / "raci-matrix.md").is_file()
    # The lint command import names is quoted too.
    assert "(raci-gen lint 'imported raci')" in done.stdout
