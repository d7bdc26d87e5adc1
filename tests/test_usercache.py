"""raci-gen's private cache (usercache) of compiled built-in templates, and what a quick start imports.

Whatever the cache holds, or whether there is one at all, a command gives the same bytes; a
cache that cannot be made, is damaged or is not private is worked without, never failed on.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, copy_example
from raci_gen.input import loader
from raci_gen.runtime import usercache
from raci_gen.documents import templating


def run_cli(cache: Path | str | None, *args: str, extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    env.pop("RACI_GEN_NO_CACHE", None)
    if cache is None:
        env["RACI_GEN_NO_CACHE"] = "1"
    else:
        env["XDG_CACHE_HOME"] = str(cache)
    env.update(extra or {})
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=REPO_ROOT)


def build(cache: Path | str | None, project: Path, out: Path, formats: str = "md,html") -> dict[str, bytes]:
    result = run_cli(cache, "-m", "raci_gen", "build", str(project), "--out", str(out), "-f", formats, "-q")
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def entries(cache: Path, name: str) -> list[Path]:
    folder = cache / "raci-gen" / name
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_the_same_bytes_without_a_cache_with_a_cold_one_and_a_warm_one(tmp_path):
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    without = build(None, project, tmp_path / "without")
    cold = build(cache, project, tmp_path / "cold")
    assert entries(cache, "templates")
    warm = build(cache, project, tmp_path / "warm")
    assert without == cold == warm
    for folder in (cache / "raci-gen", cache / "raci-gen" / "templates"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for entry in entries(cache, "templates"):
        assert not entry.stat().st_mode & 0o077


def test_a_valid_project_never_imports_pydantic_one_with_a_problem_does(tmp_path):
    """fastcheck passes the files that pass; pydantic words the problems."""
    project = copy_example(tmp_path / "project")
    script = ("import sys\nfrom raci_gen.input.loader import load_project\nfrom raci_gen.model.errors import InputError\n"
              f"try:\n    load_project({str(project)!r})\nexcept InputError as exc:\n    print(exc.problems[0])\n"
              "print('pydantic' in sys.modules)")
    assert run_cli(None, "-c", script).stdout.split() == ["False"]
    phase = sorted((project / "activities").iterdir())[0]
    phase.write_text(phase.read_text(encoding="utf-8") + "extra: 1\n", encoding="utf-8")
    printed = run_cli(None, "-c", script).stdout.splitlines()
    assert "unknown key 'extra'" in printed[0] and printed[1] == "True"


def test_the_loaded_project_is_the_same_from_pydantic_and_from_fastcheck(tmp_path, monkeypatch):
    from raci_gen.input import fastcheck

    project = copy_example(tmp_path / "project")
    quick = loader.load_project(str(project))
    monkeypatch.setattr(fastcheck, "checked", lambda model_name, data: None)
    assert loader.load_project(str(project)) == quick
    assert loader.load_project(str(REPO_ROOT)) == loader.load_project(str(REPO_ROOT))


def test_damaged_or_foreign_entries_are_ignored(tmp_path):
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    expected = build(cache, project, tmp_path / "first")
    templates = entries(cache, "templates")
    assert len(templates) >= 2
    # Another template's code under each name, then cut short, then garbage.
    first = templates[0].read_bytes()
    for entry in templates[1:]:
        entry.write_bytes(first)
    assert build(cache, project, tmp_path / "swapped") == expected
    for entry in entries(cache, "templates"):
        entry.write_bytes(entry.read_bytes()[:40])
    assert build(cache, project, tmp_path / "short") == expected
    for entry in entries(cache, "templates"):
        entry.write_bytes(b"\x00garbage\n{not bytecode")
    assert build(cache, project, tmp_path / "garbage") == expected


def test_a_cache_that_cannot_be_made_never_fails_a_build(tmp_path):
    project = copy_example(tmp_path / "project")
    expected = build(None, project, tmp_path / "without")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert build(blocker, project, tmp_path / "blocked") == expected
    assert build(blocker / "below", project, tmp_path / "below") == expected
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o500)
    try:
        assert build(read_only, project, tmp_path / "read-only-out") == expected
    finally:
        read_only.chmod(0o700)
    homeless = run_cli("relative/path", "-m", "raci_gen", "build", str(project), "--out",
                       str(tmp_path / "homeless"), "-f", "md", "-q", extra={"HOME": str(blocker)})
    assert homeless.returncode == 0, homeless.stderr


def test_a_folder_others_may_write_to_is_not_used(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "raci-gen" / "other").mkdir(parents=True)
    (cache / "raci-gen" / "other").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(usercache, "_folders", {})
    assert usercache.folder("other") is None
    assert usercache.folder("templates") is not None
    (cache / "raci-gen").chmod(0o775)
    monkeypatch.setattr(usercache, "_folders", {})
    assert usercache.folder("templates") is None
    (cache / "raci-gen").chmod(0o700)
    os.symlink(cache / "raci-gen" / "templates", cache / "raci-gen" / "linked")
    monkeypatch.setattr(usercache, "_folders", {})
    assert usercache.folder("linked") is None


def test_a_projects_own_template_is_compiled_but_never_stored(tmp_path):
    project = copy_example(tmp_path / "project")
    marker = "A-project-template-marker-7f3a"
    (project / "templates").mkdir()
    (project / "templates" / "raci.md.j2").write_text(f"# {{{{ doc.title }}}} {marker}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    for out in ("first", "second"):
        result = build(cache, project, tmp_path / out, formats="md")
        assert marker in result["raci-matrix.md"].decode()
    assert not any(marker.encode() in entry.read_bytes() for entry in entries(cache, "templates"))


def test_the_template_cache_key_follows_the_code_that_compiles(tmp_path):
    a = templating.PackagedTemplateCache(str(tmp_path), autoescape=True)
    b = templating.PackagedTemplateCache(str(tmp_path), autoescape=False)
    assert a.get_cache_key("raci.md.j2", "x") != b.get_cache_key("raci.md.j2", "x")
    assert a.get_cache_key("raci.md.j2", "x") != a.get_cache_key("raci.html.j2", "x")


@pytest.mark.parametrize("warm", [False, True], ids=["no cache", "warm cache"])
def test_a_markdown_build_lint_and_check_import_only_what_they_use(tmp_path, warm):
    """The Markdown, lint and check paths of a valid project load neither pydantic nor the other formats'
    libraries, with a cache or without one."""
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache" if warm else None
    commands = [["build", str(project), "--out", str(tmp_path / "out"), "-f", "md", "-q"],
                ["lint", str(project)],
                ["build", str(project), "--out", str(tmp_path / "out"), "-f", "md", "--check", "-q"]]
    for command in commands:
        run_cli(cache, "-m", "raci_gen", *command)  # fills the cache
        result = run_cli(cache, "-X", "importtime", "-m", "raci_gen", *command)
        assert result.returncode in (0, 1), result.stderr
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        for heavy in ("pydantic", "weasyprint", "openpyxl", "ruamel", "markdown_it", "pypdf", "raci_gen.input.schema",
                      "zipfile", "xml.etree"):
            assert not any(name == heavy or name.startswith(heavy + ".") for name in imported), (command, heavy)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the modes say")
def test_an_unreadable_entry_is_compiled_again(tmp_path):  # pragma: no cover - the suite runs as root in CI
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    expected = build(cache, project, tmp_path / "first")
    for entry in entries(cache, "templates"):
        entry.chmod(0)
    assert build(cache, project, tmp_path / "second") == expected


def test_templates_compiled_once_are_kept_in_memory_for_the_processes_forked_next(monkeypatch, example_document):
    """A PDF's parts are laid out in processes forked after ``compile_templates``: none of them compiles the
    built-in templates again, even with no cache folder at all (each did, 0.14 s a part, in a new CI container)."""
    import jinja2

    from raci_gen.documents.html import render_html_text

    monkeypatch.setattr(usercache, "_folders", {})
    monkeypatch.setattr(templating, "_caches", {})
    monkeypatch.setenv(usercache.NO_CACHE, "1")
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a[1]) or real(self, *a, **k))
    templating.compile_templates(example_document, ("raci.html.j2", "raci.css"), autoescape=True)
    assert sorted(compiled) == ["raci.css", "raci.html.j2"]
    before = len(compiled)
    html = render_html_text(example_document)
    assert len(compiled) == before, compiled[before:]
    monkeypatch.setattr(templating, "_caches", {})
    assert render_html_text(example_document) == html  # compiled afresh: the same text
    assert len(compiled) > before
