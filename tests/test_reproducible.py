"""Reproducible builds: with SOURCE_DATE_EPOCH set, the same input gives the same bytes,

whatever the working directory, the process, its hash seed or the order of renders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from raci_gen.cli import main
from raci_gen.loader import load_project
from raci_gen.renderers import FORMATS
from raci_gen.renderers.document import make_document

REPO_ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"
CHEAP = ("md", "html", "xlsx")


def render_all(root: str, formats=CHEAP) -> dict[str, bytes]:
    document = make_document(load_project(root))
    return {f: FORMATS[f].render(document) for f in formats}


def digest(data: dict[str, bytes]) -> dict[str, str]:
    return {f: hashlib.sha256(b).hexdigest() for f, b in data.items()}


def copy_example(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "raci.yaml", target / "raci.yaml")
    shutil.copytree(REPO_ROOT / "roles", target / "roles")
    shutil.copytree(REPO_ROOT / "activities", target / "activities")
    return target


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_rendering_twice_gives_the_same_bytes(epoch):
    first = render_all(str(REPO_ROOT))
    second = render_all(str(REPO_ROOT))
    assert digest(first) == digest(second)


def test_same_bytes_from_another_working_directory(epoch, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO_ROOT)
    here = render_all(".")
    monkeypatch.chdir(tmp_path)
    absolute = render_all(str(REPO_ROOT))
    monkeypatch.chdir(REPO_ROOT.parent)
    relative = render_all(REPO_ROOT.name)
    assert digest(here) == digest(absolute) == digest(relative)


def test_pdf_is_the_same_from_another_working_directory(epoch, monkeypatch, tmp_path, example_pdf):
    """The session's example PDF was rendered from the repository root by absolute path, first;
    this one is rendered later in the same process, from another folder, by a relative path."""
    monkeypatch.chdir(REPO_ROOT.parent)
    again = FORMATS["pdf"].render(make_document(load_project(REPO_ROOT.name)))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(example_pdf).hexdigest()


def test_the_epoch_reaches_every_document(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    a = render_all(str(REPO_ROOT))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    b = render_all(str(REPO_ROOT))
    assert all(a[f] != b[f] for f in CHEAP)  # the date is in every document, so the epoch does reach them


def test_builds_in_separate_processes_are_identical(tmp_path, monkeypatch):
    """One build in a fresh process (another hash seed, another working folder, absolute paths),
    one in this process (relative paths): every format, byte for byte."""
    one = copy_example(tmp_path / "one")
    two = copy_example(tmp_path / "two")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-m", "raci_gen", "build", str(one), "-q", "-f", ",".join(FORMATS)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(two)
    result = CliRunner().invoke(main, ["build", ".", "-q", "-f", ",".join(FORMATS)])
    assert result.exit_code == 0, result.output
    names = sorted(os.listdir(one / "output"))
    assert names == sorted(f"raci-matrix{fmt.suffix}" for fmt in FORMATS.values())
    for name in names:
        assert (one / "output" / name).read_bytes() == (two / "output" / name).read_bytes(), name
