"""What each section of a 150 x 30 PDF costs to lay out, against the naive one-table render; nothing is asserted.

    python benchmarks/bench_sections.py            # 150 activities x 30 roles, medians of 3
    python benchmarks/bench_sections.py 300 20     # another size
    python benchmarks/bench_sections.py --project .   # a project folder: the built-in example

bench_ratios.py compares the whole PDF command with the naive render (one plain HTML table of the
matrix through WeasyPrint with its defaults). This script says where the difference lies: every
section of raci-gen's document is laid out and written on its own (as the PDF parts of a long
matrix are, renderers/pdf_parts.py), in this one process, after WeasyPrint is imported and warmed
up, and so is the naive table. Time is CPU seconds of this process, the median of the runs.

The last lines give the sum of the sections, and that sum spread evenly over the cores this
machine has: the least wall time the sections could take, laid out side by side with no cost for
cutting and joining. When that bound is above the naive render, no scheduling of these sections
reaches it; only less content, or cheaper layout of the same content, can.
"""

from __future__ import annotations

import argparse
import gc
import html
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


def naive_html(matrix) -> str:
    """The same table as bench_ratios.naive_html."""
    head = "".join(f"<th>{html.escape(r.id)}</th>" for r in matrix.roles)
    rows = []
    for activity in matrix.activities():
        cells = "".join(f"<td>{'/'.join(activity.letters(r.id))}</td>" for r in matrix.roles)
        rows.append(f"<tr><td>{html.escape(activity.id)}</td><td>{html.escape(activity.name)}</td>{cells}</tr>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>@page {{ size: A4 landscape }}</style>"
            f"</head><body><table><tr><th>ID</th><th>Activity</th>{head}</tr>{''.join(rows)}</table></body></html>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("activities", type=int, nargs="?", default=150)
    parser.add_argument("roles", type=int, nargs="?", default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--project", help="a project folder instead of a generated matrix")
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

    from raci_gen import output
    from raci_gen.loader import load_project
    from raci_gen.renderers import pdf
    from raci_gen.renderers.html import Part, described, matrix_layout, phase_rows, render_html_text

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
    naive = naive_html(document.matrix)

    weasyprint = pdf._weasyprint()
    fetcher = pdf._fetcher_class(weasyprint)()

    def cost(page: str, tagged: bool) -> tuple[float, int]:
        times = []
        for _ in range(args.runs):
            gc.collect()
            gc.disable()
            start = time.process_time()
            laid_out = weasyprint.HTML(string=page, base_url="about:blank", url_fetcher=fetcher).render(
                pdf_tags=tagged)
            laid_out.write_pdf(pdf_tags=tagged)
            times.append(time.process_time() - start)
            count = len(laid_out.pages)
            del laid_out
            gc.enable()
        return statistics.median(times), count

    with pdf._fonttools_subsetting():
        weasyprint.HTML(string="<p>warm up</p>").write_pdf()
        floor, floor_pages = cost(naive, tagged=False)
        rows = [(name, *cost(page, tagged=True)) for name, page in pages.items()]
        whole_cost, whole_pages = cost(whole, tagged=True)

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
