"""raci-gen's private cache (usercache): validated input files and compiled built-in templates.

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
from raci_gen import loader, usercache
from raci_gen.renderers import templating


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
    assert entries(cache, "validated") and entries(cache, "templates")
    warm = build(cache, project, tmp_path / "warm")
    assert without == cold == warm
    for folder in (cache / "raci-gen", cache / "raci-gen" / "validated", cache / "raci-gen" / "templates"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for entry in entries(cache, "validated") + entries(cache, "templates"):
        assert not entry.stat().st_mode & 0o077


def test_an_unchanged_file_skips_pydantic_and_a_changed_one_does_not(tmp_path):
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    script = ("import sys; from raci_gen.loader import load_project; "
              f"load_project({str(project)!r}); print('pydantic' in sys.modules)")
    assert run_cli(cache, "-c", script).stdout.split() == ["True"]
    assert run_cli(cache, "-c", script).stdout.split() == ["False"]
    phase = sorted((project / "activities").iterdir())[0]
    phase.write_text(phase.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert run_cli(cache, "-c", script).stdout.split() == ["True"]


def test_the_loaded_project_is_the_same_from_pydantic_and_from_the_cache(tmp_path, monkeypatch):
    project = copy_example(tmp_path / "project")
    monkeypatch.setattr(usercache, "_folders", {})
    monkeypatch.setenv("RACI_GEN_NO_CACHE", "1")
    without = loader.load_project(str(project))
    monkeypatch.delenv("RACI_GEN_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(usercache, "_folders", {})
    cold = loader.load_project(str(project))
    warm = loader.load_project(str(project))
    assert without == cold == warm


def test_damaged_or_foreign_entries_are_ignored(tmp_path):
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    expected = build(cache, project, tmp_path / "first")
    validated, templates = entries(cache, "validated"), entries(cache, "templates")
    # Another entry's content under each name (a right checksum, but the wrong key), then garbage.
    first = validated[0].read_bytes()
    for entry in validated[1:]:
        entry.write_bytes(first)
    for entry in templates:
        entry.write_bytes(entry.read_bytes()[:40])
    assert build(cache, project, tmp_path / "swapped") == expected
    for entry in entries(cache, "validated") + entries(cache, "templates"):
        entry.write_bytes(b"\x00garbage\n{not json")
    assert build(cache, project, tmp_path / "garbage") == expected
    key, checksum, payload = first.split(b"\n", 2)
    validated[0].write_bytes(key + b"\n" + checksum + b"\n" + payload.replace(b'"', b"'", 1))
    assert build(cache, project, tmp_path / "edited") == expected


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
    (cache / "raci-gen" / "validated").mkdir(parents=True)
    (cache / "raci-gen" / "validated").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(usercache, "_folders", {})
    assert usercache.folder("validated") is None
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


def test_a_warm_markdown_build_imports_only_what_it_uses(tmp_path):
    """The Markdown, lint and check paths load neither the checks' nor the other formats' libraries."""
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    commands = [["build", str(project), "--out", str(tmp_path / "out"), "-f", "md", "-q"],
                ["lint", str(project)],
                ["build", str(project), "--out", str(tmp_path / "out"), "-f", "md", "--check", "-q"]]
    for command in commands:
        run_cli(cache, "-m", "raci_gen", *command)  # fills the cache
        result = run_cli(cache, "-X", "importtime", "-m", "raci_gen", *command)
        assert result.returncode in (0, 1), result.stderr
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        for heavy in ("pydantic", "weasyprint", "openpyxl", "ruamel", "markdown_it", "pypdf", "raci_gen.schema"):
            assert not any(name == heavy or name.startswith(heavy + ".") for name in imported), (command, heavy)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the modes say")
def test_an_unreadable_entry_is_compiled_again(tmp_path):  # pragma: no cover - the suite runs as root in CI
    project = copy_example(tmp_path / "project")
    cache = tmp_path / "cache"
    expected = build(cache, project, tmp_path / "first")
    for entry in entries(cache, "validated") + entries(cache, "templates"):
        entry.chmod(0)
    assert build(cache, project, tmp_path / "second") == expected
