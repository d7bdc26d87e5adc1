"""A project's own raci.html.j2 or raci.css lays the PDF out in one piece, whose memory grows with the matrix:
above pdf_parts.ONE_PIECE_CELLS cells the build is refused before anything is rendered, in one line, exit 2.
Nothing here renders a PDF: the refusal comes first, and the sizes that pass are checked without a render."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import run_in_process
from raci_gen.documents import pdf_parts
from raci_gen.input.templatefolder import built_in_folder

BUILT_IN = built_in_folder()


def _project(folder, make_project, activities: int, roles: int, own: tuple[str, ...] = ("raci.css",)):
    root = make_project(folder, [{"id": f"R{r}", "name": f"Role {r}"} for r in range(1, roles + 1)],
                        {"01": {"phase": "Work", "activities": [
                            {"id": f"A-{n}", "name": f"Activity {n}",
                             "raci": {f"R{n % roles + 1}": "A/R", f"R{(n + roles // 2) % roles + 1}": "C"}}
                            for n in range(1, activities + 1)]}})
    if own:
        (root / "templates").mkdir()
        for name in own:  # the built-in ones, copied and changed by a comment: the project's own from now on
            comment = "\n/* the project's own */\n" if name.endswith(".css") else "\n{# the project's own #}\n"
            text = open(os.path.join(BUILT_IN, name), encoding="utf-8").read() + comment
            (root / "templates" / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("formats", [("-f", "md,pdf"), ()])
def test_a_project_template_pdf_above_the_limit_is_refused_before_rendering(formats, tmp_path, make_project):
    root = _project(tmp_path / "p", make_project, 151, 200, ("raci.html.j2", "raci.css"))
    out = tmp_path / "out"
    result = run_in_process("build", str(root), *formats, "-o", str(out), "--no-lint")
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if ": warning: " not in line] == [  # the lint's, apart
        f"{root / 'templates' / 'raci.html.j2'}: error: with the project's own raci.html.j2 and raci.css the PDF is "
        "laid out in one piece, and 151 activities x 200 roles (30,200 cells) would take about 1,060 MiB of memory; "
        "the limit is 30,000 cells (about 1,050 MiB). Use the built-in templates for the PDF (they lay long "
        "matrices out in parts), or build the other formats (-f md,html,xlsx)"]
    assert not out.exists()  # nothing written, not even the Markdown


def test_other_formats_of_the_same_project_build(tmp_path, make_project):
    root = _project(tmp_path / "p", make_project, 151, 200)
    result = run_in_process("build", str(root), "-f", "md,xlsx", "-o", str(tmp_path / "out"), "--no-lint")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["raci-matrix.md", "raci-matrix.xlsx"]


def test_the_limit_itself_and_the_built_in_templates_pass(tmp_path, make_project, document_of):
    at_limit = document_of(_project(tmp_path / "at", make_project, 150, 200))
    assert pdf_parts.one_piece_refusal(at_limit) is None
    above = document_of(_project(tmp_path / "above", make_project, 151, 200))
    assert "30,200 cells" in pdf_parts.one_piece_refusal(above)
    built_in = document_of(_project(tmp_path / "built-in", make_project, 151, 200, own=()))
    assert pdf_parts.one_piece_refusal(built_in) is None
    md_only = document_of(_project(tmp_path / "md", make_project, 151, 200, own=("raci.md.j2",)))
    assert pdf_parts.one_piece_refusal(md_only) is None  # the PDF is drawn by the built-in ones


def test_the_built_in_templates_copied_unchanged_are_the_built_in_set(tmp_path, make_project, document_of):
    """The files of ``init --templates`` (the built-in ones, same bytes) are not the project's own: no one-piece
    refusal, and the repository's own example, whose templates folder is where they are kept, neither."""
    root = _project(tmp_path / "p", make_project, 151, 200, own=())
    (root / "templates").mkdir()
    for name in ("raci.html.j2", "raci.css", "raci.md.j2"):
        shutil.copy(os.path.join(BUILT_IN, name), root / "templates" / name)
    assert pdf_parts.one_piece_refusal(document_of(root)) is None
    (root / "templates" / "raci.css").write_bytes((root / "templates" / "raci.css").read_bytes() + b" ")
    assert "raci.css: error: with the project's own raci.css the PDF" in pdf_parts.one_piece_refusal(document_of(root))
