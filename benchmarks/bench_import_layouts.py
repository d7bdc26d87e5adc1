"""The ratio of issue 19, item 1, printed as bench_ratios.py prints its rows; nothing is asserted.

    python benchmarks/bench_import_layouts.py             # medians of 5
    python benchmarks/bench_import_layouts.py --runs 3

One row: `raci-gen import` of a messy 1,000-activity x 30-role workbook (a title and a subtitle row above a
group row and the header, a blank row and a merged, filled "Phase N" row every 25 activities, a Notes column,
a legend below) vs the same table without the mess (a header row, then one row per activity, a Phase
column) (target <= 2.0x). Both are made with openpyxl in a temporary folder; each run is a fresh process,
its time the CPU seconds (user + system) of the child, from ``resource.getrusage(RUSAGE_CHILDREN)``, with
the wall seconds beside it.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTIVITIES, ROLES, PER_PHASE = 1000, 30, 25
TARGET = 2.0


def matrix() -> list[tuple[str, str, str, list[str]]]:
    """(phase, id, name, letters per role) of every activity."""
    rng = random.Random(19)
    rows = []
    for i in range(ACTIVITIES):
        cells = [""] * ROLES
        for j in rng.sample(range(ROLES), 5):
            cells[j] = rng.choice(["R", "C", "I", "C/I"])
        cells[rng.randrange(ROLES)] = "A"
        rows.append((f"Phase {i // PER_PHASE + 1}", f"T-{i + 1}", f"Activity number {i + 1}", cells))
    return rows


def role_names() -> list[str]:
    return [f"Role {chr(65 + j // 26)}{chr(65 + j % 26)} name" for j in range(ROLES)]


def clean(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Phase", "Activity"] + role_names())
    for phase, aid, name, cells in matrix():
        ws.append([aid, phase, name] + [c or None for c in cells])
    wb.save(path)
    return path


def messy(path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    width = 2 + ROLES + 1
    last = get_column_letter(width)
    wb = Workbook()
    ws = wb.active
    ws.append(["Programme Phoenix: responsibilities"])
    ws.append(["Version 3.1, owned by the PMO"])
    ws.append([None, None] + [f"Group {j // 6 + 1}" if j % 6 == 0 else None for j in range(ROLES)])
    for j in range(0, ROLES, 6):
        ws.merge_cells(f"{get_column_letter(3 + j)}3:{get_column_letter(min(2 + j + 6, 2 + ROLES))}3")
    ws.append(["ID", "Activity"] + [n.replace(" ", "\n", 1) for n in role_names()] + ["Notes"])
    for c in ws[4]:
        c.font, c.fill = bold, fill
    phase = None
    for p, aid, name, cells in matrix():
        if p != phase:
            if phase is not None:
                ws.append([None])
            ws.append([p])
            r = ws.max_row
            ws.merge_cells(f"A{r}:{last}{r}")
            ws.cell(row=r, column=1).font, ws.cell(row=r, column=1).fill = bold, fill
            phase = p
        ws.append([aid, name] + [c or None for c in cells] + ["see the charter" if aid.endswith("7") else None])
    ws.append([None])
    for row in (["Legend"], ["R", "Responsible"], ["A", "Accountable"], ["C", "Consulted"], ["I", "Informed"]):
        ws.append(row)
    wb.save(path)
    return path


def cpu_run(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-layouts-") as tmp:
        folder = Path(tmp)
        sources = {"clean": clean(folder / "clean.xlsx"), "messy": messy(folder / "messy.xlsx")}
        figures = {}
        for label, source in sources.items():
            runs = []
            for n in range(args.runs):
                out = folder / f"{label}-{n}"
                runs.append(cpu_run([sys.executable, "-m", "raci_gen", "import", str(source), "--out", str(out)]))
            figures[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    (ours, ours_wall), (floor, floor_wall) = figures["messy"], figures["clean"]
    print(f"{'ratio (CPU s, median of %d)' % args.runs:<56} {'ours':>7} {'floor':>7} {'ratio':>6} "
          f"{'target':>7} {'wall ratio':>10}")
    name = f"import {ACTIVITIES:,}x{ROLES} messy xlsx vs the clean table"
    print(f"{name:<56} {ours:>7.2f} {floor:>7.2f} {ours / floor:>5.2f}x {'<=' + str(TARGET) + 'x':>7} "
          f"{ours_wall / floor_wall:>9.2f}x")


if __name__ == "__main__":
    main()
