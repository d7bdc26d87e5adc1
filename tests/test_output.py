"""raci_gen.writing.output: render in memory, write atomically, compare with the files on disk."""

from __future__ import annotations

import os
import stat

import pytest

from raci_gen.model.errors import RaciError
from raci_gen.writing.output import Output, generate, output_paths, stale, write


def leftovers(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".raci-gen-") or name.endswith(".tmp")]


@pytest.fixture
def small(tmp_path, make_project):
    return make_project(tmp_path / "project", [{"id": "R1", "name": "Owner"}, {"id": "R2", "name": "Doer"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A", "R2": "R"}}]}})


def test_write_creates_the_folder_and_the_files(tmp_path):
    out = tmp_path / "a" / "b"
    write([Output(str(out / "x.md"), b"hello\n", "md"), Output(str(out / "x.bin"), bytes(range(256)), "xlsx")])
    assert (out / "x.md").read_bytes() == b"hello\n"
    assert (out / "x.bin").read_bytes() == bytes(range(256))
    assert leftovers(out) == []


def test_written_files_are_world_readable(tmp_path):
    path = tmp_path / "x.md"
    write([Output(str(path), b"x", "md")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # mkstemp alone would leave 0600


def test_write_replaces_by_rename_not_in_place(tmp_path):
    """A reader that opened the old file keeps reading the whole old file: the new one is a new inode."""
    path = tmp_path / "x.md"
    path.write_bytes(b"old contents\n" * 1000)
    old_inode = path.stat().st_ino
    with open(path, "rb") as reader:
        write([Output(str(path), b"new\n", "md")])
        assert reader.read() == b"old contents\n" * 1000
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_ino != old_inode
    assert leftovers(tmp_path) == []


def test_write_replaces_a_read_only_file(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"old")
    path.chmod(0o444)
    write([Output(str(path), b"new", "md")])
    assert path.read_bytes() == b"new"


def test_failed_write_leaves_no_temporary_file_and_the_old_file(tmp_path):
    """The target is a folder: the rename fails, the error names the path, nothing is left behind."""
    (tmp_path / "x.md").mkdir()
    (tmp_path / "y.md").write_bytes(b"keep")
    with pytest.raises(RaciError) as info:
        write([Output(str(tmp_path / "x.md"), b"data", "md")])
    assert str(info.value).startswith(f"{tmp_path / 'x.md'}: error: cannot write")
    assert leftovers(tmp_path) == []
    assert (tmp_path / "x.md").is_dir() and (tmp_path / "y.md").read_bytes() == b"keep"


def test_unwritable_folder_is_a_clean_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(RaciError) as info:
        write([Output(str(blocker / "sub" / "x.md"), b"data", "md")])
    assert ": error: cannot write here" in str(info.value)


def test_interrupted_write_removes_its_temporary_file(tmp_path):
    """Ctrl-C while the bytes are being written: no temporary file stays behind."""
    class Exploding:
        path = str(tmp_path / "x.md")
        format = "md"

        @property
        def data(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write([Exploding()])
    assert leftovers(tmp_path) == [] and not (tmp_path / "x.md").exists()


def test_stale_reports_missing_out_of_date_and_nothing(tmp_path):
    same, changed, missing = tmp_path / "same.md", tmp_path / "changed.md", tmp_path / "missing.md"
    same.write_bytes(b"same")
    changed.write_bytes(b"before")
    outputs = [Output(str(same), b"same", "md"), Output(str(changed), b"after", "md"),
               Output(str(missing), b"new", "md")]
    assert [str(s) for s in stale(outputs)] == [f"{changed} is out of date", f"{missing} is missing"]
    assert stale(outputs[:1]) == []
    write(outputs)
    assert stale(outputs) == []


def test_stale_compares_bytes_not_text(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"line\r\n")
    assert [str(s) for s in stale([Output(str(path), b"line\n", "md")])] == [f"{path} is out of date"]


def test_generate_writes_nothing(small, document_of):
    outputs = generate(_project(small), ["md", "html"], document=document_of(small))
    assert [o.format for o in outputs] == ["md", "html"]
    assert not (small / "output").exists()
    assert [os.path.basename(o.path) for o in outputs] == ["raci-matrix.md", "raci-matrix.html"]


def test_output_paths_follow_raci_yaml(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}},
                        {"output": {"dir": "docs/raci", "name": "team"}})
    paths = output_paths(_project(root), ["md", "pdf", "xlsx", "html"])
    assert paths == {f: os.path.join(str(root), "docs", "raci", "team." + f) for f in ("md", "pdf", "xlsx", "html")}
    assert output_paths(_project(root), ["md"], str(tmp_path / "elsewhere")) == {
        "md": str(tmp_path / "elsewhere" / "team.md")}


def test_generate_then_write_then_stale(small, document_of):
    document = document_of(small)
    outputs = generate(_project(small), ["md", "xlsx"], document=document)
    assert len(stale(outputs)) == 2
    write(outputs)
    assert stale(generate(_project(small), ["md", "xlsx"], document=document)) == []


def _project(root):
    from raci_gen.input.loader import load_project
    return load_project(str(root))


def test_stale_on_an_unreadable_path_is_a_clean_error(tmp_path):
    (tmp_path / "x.md").mkdir()
    with pytest.raises(RaciError) as info:
        stale([Output(str(tmp_path / "x.md"), b"data", "md")])
    assert str(info.value) == (f"{tmp_path / 'x.md'}: error: the file on disk is not a regular file (a folder); "
                               "it is not read")


# The PDF rendered in a forked child while this process renders the other formats (output._RenderingChild).

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@needs_fork
def test_the_pdf_rendered_in_a_child_has_the_same_bytes(small, document_of, monkeypatch):
    from raci_gen.writing import output

    document = document_of(small)
    monkeypatch.setattr(output, "_may_fork", lambda: True)
    apart = generate(_project(small), ["md", "pdf", "xlsx"], document=document)
    monkeypatch.setattr(output, "_may_fork", lambda: False)
    together = generate(_project(small), ["md", "pdf", "xlsx"], document=document)
    assert [(o.path, o.format, o.data) for o in apart] == [(o.path, o.format, o.data) for o in together]
    assert [o.format for o in apart] == ["md", "pdf", "xlsx"]
    assert apart[1].data.startswith(b"%PDF-")


@needs_fork
def test_an_error_in_the_child_is_the_error_of_the_build(small, document_of, monkeypatch):
    from dataclasses import replace

    from raci_gen.writing import output
    from raci_gen.model.errors import RenderError

    document = replace(document_of(small), pdf_variant="pdf/x-4")
    messages = []
    for forking in (True, False):
        monkeypatch.setattr(output, "_may_fork", lambda forking=forking: forking)
        with pytest.raises(RenderError) as caught:
            generate(_project(small), ["md", "pdf"], document=document)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "pdf/x-4" in messages[0]


@needs_fork
def test_a_child_that_dies_is_one_line_error():
    import signal

    from raci_gen.model.errors import EnvironmentFailure
    from raci_gen.writing.output import _RenderingChild

    child = _RenderingChild(lambda document: os.kill(os.getpid(), signal.SIGKILL), None)
    with pytest.raises(EnvironmentFailure, match=r"^error: a process rendering the PDF was stopped \(signal SIGKILL; "
                                                 r"out of memory\?\); no file was changed$"):
        child.result()


@needs_fork
def test_errors_that_cannot_be_pickled_as_they_are_come_back_whole():
    from raci_gen.model.errors import InputError, Problem
    from raci_gen.model.matrix import Location
    from raci_gen.writing.output import _RenderingChild

    def fails(document):
        raise InputError([Problem(Location("raci.yaml", 3, 1), "bad")])

    with pytest.raises(InputError) as caught:
        _RenderingChild(fails, None).result()
    assert [str(p) for p in caught.value.problems] == [str(Problem(Location("raci.yaml", 3, 1), "bad"))]


@needs_fork
def test_a_failure_here_stops_the_child(small, document_of, monkeypatch):
    """A format rendered in this process fails: the child is killed and reaped, the error is that format's."""
    from raci_gen.writing import output
    from raci_gen.model.errors import RenderError
    from raci_gen.documents import FORMATS

    def broken(document):
        raise RenderError("the workbook broke")

    started = []

    class Recorded(output._RenderingChild):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self._pid)

    monkeypatch.setattr(output, "_may_fork", lambda: True)
    monkeypatch.setattr(output, "_RenderingChild", Recorded)
    monkeypatch.setattr(type(FORMATS["xlsx"]), "render",
                        lambda self, document: broken(document) if self.name == "xlsx" else self.renderer()(document))
    with pytest.raises(RenderError, match="the workbook broke"):
        generate(_project(small), ["xlsx", "pdf"], document=document_of(small))
    assert len(started) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # reaped: no child left behind
