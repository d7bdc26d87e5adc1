"""What each section of a 150 x 30 PDF costs to lay out, against the naive one-table render; nothing is asserted.

    python benchmarks/bench_sections.py            # 150 activities x 30 roles, medians of 3
    python benchmarks/bench_sections.py 300 20     # another size
    python benchmarks/bench_sections.py --project .   # a project folder: the built-in example

bench_ratios.py compares the whole PDF command with the naive render (one plain HTML table of the
matrix through WeasyPrint with its defaults). This script says where the difference lies: every
section of raci-gen's document is laid out and written on its own (as the PDF parts of a long
matrix are, documents/pdf_parts.py), in this one process, after WeasyPrint is imported and warmed
up, with render_pdf's settings (tagged, fonts subset by fontTools, the cyclic collector off). The
naive table is laid out as bench_ratios.py's floor lays it out, with WeasyPrint's defaults (its own
font subsetting, the collector on): with raci-gen's settings it took a third less, which made every
ratio below look half as large again. Time is CPU seconds of this process, the median of the runs.

The last lines give the sum of the sections, and that sum spread evenly over the cores this
machine has: the least wall time the sections could take, laid out side by side with no cost for
cutting and joining. When that bound is above the naive render, no scheduling of these sections
reaches it; only less content, or cheaper layout of the same content, can (cutting the sections
into smaller parts helps only as far as a part costs less than its share of its section).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import generated_project  # noqa: E402
from bench_ratios import naive_table  # noqa: E402


def written(weasyprint, page: str, as_raci_gen: bool):
    """``page`` laid out and written, as raci-gen's render_pdf does or as bench_ratios.py's naive render
    does (``NAIVE``: WeasyPrint's defaults): the PDF and the laid-out document (whose freeing is not timed)."""
    if not as_raci_gen:
        laid_out = weasyprint.HTML(string=page).render()
        return laid_out.write_pdf(), laid_out
    from raci_gen.documents import pdf, weasyprint_private

    collecting = gc.isenabled()
    gc.disable()
    try:
        with weasyprint_private.fonttools_subsetting():
            laid_out = weasyprint.HTML(string=page, base_url="about:blank",
                                       url_fetcher=pdf._fetcher_class(weasyprint)()).render(pdf_tags=True)
            return laid_out.write_pdf(pdf_tags=True), laid_out
    finally:
        if collecting:
            gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("activities", type=int, nargs="?", default=150)
    parser.add_argument("roles", type=int, nargs="?", default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--project", help="a project folder instead of a generated matrix")
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

    from raci_gen.writing import output
    from raci_gen.input.loader import load_project
    from raci_gen.documents import pdf, weasyprint_private
    from raci_gen.documents.html import Part, described, matrix_layout, phase_rows, render_html_text

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(args.project) if args.project else generated_project(Path(tmp) / "project",
                                                                              args.activities, args.roles)
        document = output.build_document(load_project(str(project)), str(Path(tmp) / "out"))
    layout = matrix_layout(document)
    sections = [(f"matrix, roles {chunk.roles[0].id}-{chunk.roles[-1].id}",
                 Part(front=chunk.number == 1, chunks=(chunk,), phase_rows=phase_rows(document)))
                for chunk in layout.chunks]
    sections += [("roles and notes", Part(roles=True, notes=described(document), notes_heading=True)),
                 ("by role", Part(views=tuple(document.role_views()), views_heading=True)),
                 ("workload and approval", Part(workload=True, tail=True))]
    pages = {name: render_html_text(document, part) for name, part in sections}
    whole = render_html_text(document)
    naive = naive_table(document.matrix)

    weasyprint = pdf._weasyprint()

    def cost(page: str, as_raci_gen: bool) -> tuple[float, int]:
        times = []
        for _ in range(args.runs):
            gc.collect()
            start = time.process_time()
            _, laid_out = written(weasyprint, page, as_raci_gen)
            times.append(time.process_time() - start)
            count = len(laid_out.pages)
            del laid_out
        return statistics.median(times), count

    with weasyprint_private.fonttools_subsetting():
        weasyprint.HTML(string="<p>warm up</p>").write_pdf()
    weasyprint.HTML(string="<p>warm up</p>").write_pdf()
    floor, floor_pages = cost(naive, as_raci_gen=False)
    rows = [(name, *cost(page, as_raci_gen=True)) for name, page in pages.items()]
    whole_cost, whole_pages = cost(whole, as_raci_gen=True)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    total = sum(seconds for _, seconds, _ in rows)
    size = f"{len(list(document.matrix.activities()))} activities x {len(document.matrix.roles)} roles"
    print(f"{args.project or 'generated'}: {size}, CPU s of this process, median of {args.runs}")
    print(f"{'section':<34} {'CPU s':>7} {'pages':>6} {'/ naive':>8}")
    print(f"{'naive one-table render':<34} {floor:>7.2f} {floor_pages:>6} {1:>7.2f}x")
    for name, seconds, count in rows:
        print(f"{name:<34} {seconds:>7.2f} {count:>6} {seconds / floor:>7.2f}x")
    print(f"{'sum of the sections':<34} {total:>7.2f} {'':>6} {total / floor:>7.2f}x")
    print(f"{'the whole document, one piece':<34} {whole_cost:>7.2f} {whole_pages:>6} {whole_cost / floor:>7.2f}x")
    print(f"{f'sum spread over {cores} cores (bound)':<34} {total / cores:>7.2f} {'':>6} {total / cores / floor:>7.2f}x")


if __name__ == "__main__":
    main()
