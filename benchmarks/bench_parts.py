"""Where laying a PDF out in parts starts to pay: one piece against parts, side by side, at several sizes.

    python benchmarks/bench_parts.py                        # 30 roles: 20, 30, 40, 60, 80, 150 activities
    python benchmarks/bench_parts.py --sizes 40x10,60x10 --runs 3
    python benchmarks/bench_parts.py --model                # part by part, in this process

Without ``--model``, each figure is a fresh ``raci-gen build -f pdf`` of a generated matrix
(bench_build.generated_project), the thresholds of documents/pdf_parts.py set for the run so that the same
matrix is laid out in one piece (``one``) or in parts on every core this process may use (``parts``); the two
take turns, medians of ``--runs``. Wall seconds are what a user waits for (issue 22's targets are on wall
time); CPU seconds (the build's processes together) are what the parts cost the machine. On a shared
machine the wall figures say more of the neighbours than of raci-gen: hence ``--model``.

With ``--model``, in this process: the processor time of the PDF in one piece, then of each part laid out one
after the other (and of the footers, the join and the rest), and the wall time two idle cores would take, the
parts started in the order pdf_parts._run starts them on two workers. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import generated_project  # noqa: E402
from bench_ratios import PY, compile_package, cpu_run  # noqa: E402

FORCED = """
import sys
from raci_gen.documents import pdf_parts
mode = sys.argv.pop(1)
limit = 10**9 if mode == "one" else 0
pdf_parts.PARTS_FROM = pdf_parts.PARTS_FROM_CELLS = pdf_parts.PARTS_FROM_WORK = limit
from raci_gen import cli
sys.argv[0] = "raci-gen"
cli.run()
"""
"""A build with the PDF laid out in one piece or in parts, whatever its size."""


def shapes(text: str) -> list[tuple[int, int]]:
    return [tuple(map(int, shape.split("x"))) if "x" in shape else (int(shape), 30) for shape in text.split(",")]


def measured(args, folder: Path) -> None:
    compile_package()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"{cores} cores, medians of {args.runs}: {'size':>8} {'one wall':>9} {'parts wall':>10} {'ratio':>6} "
          f"{'one cpu':>8} {'parts cpu':>9}")
    for activities, roles in shapes(args.sizes):
        project = generated_project(folder / f"p{activities}x{roles}", activities, roles)
        runs: dict[str, list[tuple[float, float]]] = {"one": [], "parts": []}
        for _ in range(args.runs):
            for mode in runs:
                runs[mode].append(cpu_run([PY, "-c", FORCED, mode, "build", str(project), "--out", str(folder / "out"),
                                           "-f", "pdf", "--no-lint", "-q", "--force"]))
        (one_cpu, one_wall), (parts_cpu, parts_wall) = (
            (statistics.median(c for c, _ in runs[m]), statistics.median(w for _, w in runs[m])) for m in runs)
        print(f"{'':>30} {f'{activities}x{roles}':>8} {one_wall:>8.2f}s {parts_wall:>9.2f}s "
              f"{parts_wall / one_wall:>5.2f}x {one_cpu:>7.2f}s {parts_cpu:>8.2f}s", flush=True)


def modelled(args, folder: Path) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    from raci_gen.documents import pdf, pdf_parts
    from raci_gen.input.loader import load_project
    from raci_gen.writing import output

    def document(activities: int, roles: int):
        project = generated_project(folder / f"p{activities}x{roles}", activities, roles)
        return output.build_document(load_project(str(project)), str(folder / "out"))

    pdf.render_pdf(document(20, 5))  # warm: fonts, styles, imports
    real = pdf_parts._lay_out, pdf_parts._footers, pdf_parts.join, pdf_parts.worker_count
    for activities, roles in shapes(args.sizes):
        doc = document(activities, roles)
        pdf_parts.PARTS_FROM = pdf_parts.PARTS_FROM_CELLS = pdf_parts.PARTS_FROM_WORK = 10**9
        start = time.process_time()
        pdf.render_pdf(doc)
        one = time.process_time() - start
        pdf_parts.PARTS_FROM = pdf_parts.PARTS_FROM_CELLS = pdf_parts.PARTS_FROM_WORK = 0
        durations: dict[tuple[int, int], tuple[float, int | None]] = {}
        extra: dict[str, float] = {}

        def lay_out(weasyprint, document, fetcher, options, stream, start, per_part, path):
            began = time.process_time()
            laid = real[0](weasyprint, document, fetcher, options, stream, start, per_part, path)
            number = int(re.search(r"part-(\d+)-", path).group(1))
            durations[number, start] = (time.process_time() - began, laid.following)
            return laid

        def timed(name, function):
            def run(*args, **kwargs):
                began = time.process_time()
                result = function(*args, **kwargs)
                extra[name] = time.process_time() - began
                return result
            return run

        pdf_parts._lay_out, pdf_parts._footers, pdf_parts.join = lay_out, timed("footers", real[1]), timed("join", real[2])
        pdf_parts.worker_count = lambda: 0
        try:
            start = time.process_time()
            pdf.render_pdf(doc)
            total = time.process_time() - start
        finally:
            pdf_parts._lay_out, pdf_parts._footers, pdf_parts.join, pdf_parts.worker_count = real
        # pdf_parts._run's order on two workers, each part taking the time it took here.
        streams = pdf_parts._streams(doc)
        ready = collections.deque((n, 0) for n in sorted(range(len(streams)), key=lambda n: -streams[n].weight))
        clock, running = 0.0, []
        while ready or running:
            while ready and len(running) < 2:
                number, first = ready.popleft()
                cost, following = durations[number, first]
                running.append((clock + cost, number, following))
            running.sort()
            clock, number, following = running.pop(0)
            if following is not None:
                ready.appendleft((number, following))
        parts = sum(cost for cost, _ in durations.values())
        rest = total - parts - extra["footers"] - extra["join"]
        two_cores = rest + clock + extra["footers"] + extra["join"]
        print(f"{activities}x{roles} (layout work {pdf_parts.layout_work(doc):,}): one piece {one:.2f} s; "
              f"{len(durations)} parts {[round(cost, 2) for cost, _ in durations.values()]}, footers "
              f"{extra['footers']:.2f}, join {extra['join']:.2f}, the rest {rest:.2f}: {total:.2f} s in all "
              f"({total / one:.2f}x); on two idle cores {two_cores:.2f} s = {two_cores / one:.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,30,40,60,80,150",
                        help="activities (of 30 roles) or ACTIVITIESxROLES, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", action="store_true", help="part by part, in this process (see above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (modelled if args.model else measured)(args, Path(tmp))


if __name__ == "__main__":
    main()
