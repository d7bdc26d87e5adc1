"""The benchmarks' floors: what a ratio is measured against is what its docstring says it is (nothing is timed here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def benchmarks():
    sys.path.insert(0, str(BENCHMARKS))
    import bench_ratios
    import bench_sections
    yield bench_ratios, bench_sections
    sys.path.remove(str(BENCHMARKS))


def test_bench_sections_lays_out_the_naive_table_as_bench_ratios_does(benchmarks, tmp_path, make_project,
                                                                       document_of, monkeypatch):
    """bench_sections' "/ naive" column divides by bench_ratios' floor: the same page, written to the same bytes
    as bench_ratios' NAIVE program writes it (WeasyPrint's defaults, not raci-gen's font subsetting)."""
    import weasyprint

    bench_ratios, bench_sections = benchmarks
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "project", [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                           {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "Plan",
                                                                 "raci": {"R1": "A/R", "R2": "C"}}]}})
    page = bench_ratios.naive_table(document_of(project).matrix)
    (tmp_path / "naive.html").write_text(page, encoding="utf-8")
    subprocess.run([sys.executable, "-c", bench_ratios.NAIVE, str(tmp_path / "naive.html"), str(tmp_path / "naive.pdf")],
                   check=True, env=bench_ratios.ENV | {"SOURCE_DATE_EPOCH": "1700000000"})
    floor, _ = bench_sections.written(weasyprint, page, as_raci_gen=False)
    assert floor == (tmp_path / "naive.pdf").read_bytes()


@pytest.mark.parametrize("roles", [1, 2, 4, 8, 30])
def test_generated_projects_load_at_every_size(benchmarks, tmp_path, roles):
    """bench_build's generated matrix, which bench_sections and bench_ratios lay out, for any number of roles:
    with 2, 4 or 8 roles an activity named a role twice and the project did not load."""
    from bench_build import generated_project

    from raci_gen.input.loader import load_project

    project = load_project(str(generated_project(tmp_path / "project", 20, roles)))
    assert len(project.matrix.roles) == roles and len(list(project.matrix.activities())) == 20
