"""Time `raci-gen import` of generated tables in each source format, and print the figures.

    python benchmarks/bench_import.py           # 120 x 30 and 5,000 x 30 tables, as CSV, Markdown, HTML, xlsx

Each run is a fresh process (`python -m raci_gen import ... --out ...`), so import costs are counted as a
user pays them. It prints seconds per run and the ratio to the CSV run of the same size; it asserts nothing.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def table(activities: int, roles: int) -> list[list[str]]:
    rng = random.Random(activities * roles)
    rows = [["ID", "Activity"] + [f"R{j} (Role {j})" for j in range(1, roles + 1)]]
    for i in range(1, activities + 1):
        cells = [""] * roles
        for j in rng.sample(range(roles), 5):
            cells[j] = rng.choice(["R", "C", "I", "r/a", "Responsible", "-"])
        cells[rng.randrange(roles)] = "A"
        rows.append([f"T-{i}", f"Activity number {i}"] + cells)
    return rows


def write_all(rows: list[list[str]], folder: Path) -> dict[str, Path]:
    paths = {}
    with open(folder / "t.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    paths["csv"] = folder / "t.csv"
    md = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])] + ["| " + " | ".join(r) + " |" for r in rows[1:]]
    (folder / "t.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    paths["md"] = folder / "t.md"
    html = ["<table>"] + ["<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows] + ["</table>"]
    (folder / "t.html").write_text("\n".join(html), encoding="utf-8")
    paths["html"] = folder / "t.html"
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(folder / "t.xlsx")
    paths["xlsx"] = folder / "t.xlsx"
    return paths


def main() -> None:
    for activities, roles in ((120, 30), (5000, 30)):
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_all(table(activities, roles), Path(tmp))
            times = {}
            for fmt, path in paths.items():
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "raci_gen", "import", str(path), "--out", f"{tmp}/p-{fmt}"],
                               check=True, capture_output=True)
                times[fmt] = time.perf_counter() - started
            for fmt, seconds in times.items():
                print(f"{activities:>5} x {roles} {fmt:<5} {seconds:6.2f} s  ({seconds / times['csv']:.1f}x csv)")


if __name__ == "__main__":
    main()
