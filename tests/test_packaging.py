"""raci-gen as a published package has it: the licence in the repository, the sdist and the wheel, a py.typed
marker, the project's addresses and classifiers in the metadata; and shell completion, rule ids included.

The sdist and the wheel are built from this working tree by hatchling, the build backend pyproject.toml names
(in the test extra), in a subprocess, as ``pip wheel`` or ``python -m build`` would have it build them.
"""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import documentation
from raci_gen.checks.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
URL = "https://github.com/raci-gen/raci-gen"
"""The project's address, as ci/raci-gen.gitlab-ci.yml gives it."""


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-t", "sdist", "-d", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [wheel], [sdist] = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    return {"wheel": wheel, "sdist": sdist}


def wheel_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sdist_files(sdist: Path) -> dict[str, bytes]:
    with tarfile.open(sdist) as archive:
        return {m.name.split("/", 1)[1]: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def metadata(text: bytes):
    return email.parser.BytesParser().parsebytes(text)


def test_the_repository_has_the_mit_licence():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 raci-gen developers\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text


def test_the_wheel_carries_the_licence_and_py_typed(dist):
    files = wheel_files(dist["wheel"])
    [info] = {name.split("/")[0] for name in files if name.split("/")[0].endswith(".dist-info")}
    assert files[f"{info}/licenses/LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert "raci_gen/py.typed" in files  # PEP 561: type checkers read raci_gen's annotations
    assert metadata(files[f"{info}/METADATA"]).get_all("License-File") == ["LICENSE"]


def test_the_sdist_carries_the_licence_and_py_typed(dist):
    files = sdist_files(dist["sdist"])
    assert files["LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert "src/raci_gen/py.typed" in files
    assert metadata(files["PKG-INFO"]).get_all("License-File") == ["LICENSE"]


def test_the_sdist_carries_the_documentation_its_tests_read(dist):
    """The tests hold README.md and every page of docs/ to the code (tests/documentation.py), so the sdist, which
    carries the tests, carries the pages too, as they are here."""
    files = sdist_files(dist["sdist"])
    assert "tests/documentation.py" in files
    assert {str(page.relative_to(ROOT)): files.get(str(page.relative_to(ROOT))) for page in documentation.PAGES} == \
        {str(page.relative_to(ROOT)): page.read_bytes() for page in documentation.PAGES}


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_metadata_names_the_licence_addresses_and_pythons(dist, kind):
    if kind == "wheel":
        files = wheel_files(dist["wheel"])
        info = metadata(next(v for k, v in files.items() if k.endswith(".dist-info/METADATA")))
    else:
        info = metadata(sdist_files(dist["sdist"])["PKG-INFO"])
    assert tuple(int(p) for p in info["Metadata-Version"].split(".")) >= (2, 4)  # PEP 639
    assert info["License-Expression"] == "MIT"
    urls = dict(u.split(", ", 1) for u in info.get_all("Project-URL"))
    assert urls == {"Homepage": URL, "Documentation": f"{URL}#readme", "Source": URL, "Issues": f"{URL}/issues"}
    classifiers = info.get_all("Classifier")
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: License-Expression alone
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert "Typing :: Typed" in classifiers
    minimum = re.fullmatch(r">=3\.(\d+)", info["Requires-Python"]).group(1)
    versions = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert versions == list(range(int(minimum), 14)) == [10, 11, 12, 13]


# --- the built-in templates, kept at the top (issue 20, item 1) ---------------------------------------------------------

TEMPLATES = ("raci.css", "raci.html.j2", "raci.md.j2")


def test_the_wheel_and_the_sdist_carry_the_built_in_templates(dist):
    """Kept once, in the top-level templates/ (the example's templates folder); the wheel's copy is raci_gen/templates."""
    assert sorted(p.name for p in (ROOT / "templates").iterdir()) == list(TEMPLATES)
    assert not (ROOT / "src" / "raci_gen" / "templates").exists()
    wheel = wheel_files(dist["wheel"])
    assert sorted(name for name in wheel if name.startswith("raci_gen/templates/")) == \
        [f"raci_gen/templates/{name}" for name in TEMPLATES]
    sdist = sdist_files(dist["sdist"])
    for name in TEMPLATES:
        assert wheel[f"raci_gen/templates/{name}"] == sdist[f"templates/{name}"] == (ROOT / "templates" / name).read_bytes()


def test_an_installed_wheel_builds_the_example_with_the_same_bytes(dist, tmp_path):
    """pip installs the wheel (off every index; its dependencies are this environment's), and that raci-gen, reading
    its packaged templates, builds the example it carries as this checkout builds it."""
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                           str(target), str(dist["wheel"])], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": "1700000000"}
    where = subprocess.run([sys.executable, "-c", "from raci_gen.input.templatefolder import built_in_folder as b; "
                            "print(b())"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert where.stdout.strip() == str((target / "raci_gen" / "templates").resolve()), where.stderr
    made = subprocess.run([sys.executable, "-m", "raci_gen", "init", "--templates", "team"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    for name in TEMPLATES:
        assert (tmp_path / "team" / "templates" / name).read_bytes() == (ROOT / "templates" / name).read_bytes()
    documents = {}
    for who, environment in (("wheel", env), ("checkout", {**env, "PYTHONPATH": str(ROOT / "src")})):
        built = subprocess.run([sys.executable, "-m", "raci_gen", "build", "team", "-f", "md,html,xlsx", "--no-lint",
                                "-o", who], env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert built.returncode == 0, built.stderr
        documents[who] = {p.name: p.read_bytes() for p in sorted((tmp_path / who).iterdir())}
    assert len(documents["wheel"]) == 3 and documents["wheel"] == documents["checkout"]


# --- shell completion -------------------------------------------------------------------------------------------------


def complete(shell: str, *words: str) -> list[str]:
    """What the installed raci-gen answers a shell's completion function (click's protocol: the words typed,
    the index of the one being completed, _RACI_GEN_COMPLETE=SHELL_complete), one line per answer."""
    env = {**os.environ, "COMP_WORDS": " ".join(("raci-gen",) + words), "COMP_CWORD": str(len(words)),
           "_RACI_GEN_COMPLETE": f"{shell}_complete"}
    done = subprocess.run(["raci-gen"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_rule_ids_for_select_and_ignore():
    for option in ("--select", "--ignore"):
        assert complete("bash", "lint", option, "") == [f"plain,{rid}" for rid in RULES]
    assert complete("bash", "lint", "--select", "too-many-") == \
        ["plain,too-many-responsible", "plain,too-many-consulted", "plain,too-many-informed"]


def test_completion_goes_on_after_a_comma_and_leaves_out_what_is_given():
    answers = complete("bash", "lint", "--ignore", "too-many-informed,too-many-")
    assert answers == ["plain,too-many-informed,too-many-responsible", "plain,too-many-informed,too-many-consulted"]
    assert complete("bash", "lint", "--select", "no-such-") == []


def test_zsh_shows_each_rule_with_its_summary():
    answers = complete("zsh", "lint", "--select", "idle")
    assert answers == ["plain", "idle-role", RULES["idle-role"].SUMMARY]


def test_commands_and_options_complete_too():
    assert "plain,lint" in complete("bash", "")
    assert "plain,--select" in complete("bash", "lint", "--")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_readme_way_prints_a_completion_script(shell):
    """docs/commands.md, "Shell completion": eval "$(_RACI_GEN_COMPLETE=bash_source raci-gen)" and the like."""
    env = {**os.environ, "_RACI_GEN_COMPLETE": f"{shell}_source"}
    done = subprocess.run(["raci-gen"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "_RACI_GEN_COMPLETE" in done.stdout
    assert f"_RACI_GEN_COMPLETE={shell}_source raci-gen" in documentation.text()
