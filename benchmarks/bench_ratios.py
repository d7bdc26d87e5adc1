"""The ratios of issue 13, measured side by side in one run, and printed; nothing is asserted.

    python benchmarks/bench_ratios.py              # every ratio, medians of 5
    python benchmarks/bench_ratios.py --runs 3     # fewer runs
    python benchmarks/bench_ratios.py --only pdf   # only the rows whose name contains "pdf"

Every figure is a fresh process, as a user pays it. Time is CPU seconds (user + system) of the
child processes, from ``resource.getrusage(RUSAGE_CHILDREN)`` before and after each run, so that
other work on a shared machine disturbs it less than wall time (wall seconds are printed beside
it). Memory is sampled from /proc every 20 ms: the peak RSS of the largest process of the build and
that of all its processes together.

Each line compares a raci-gen command with a floor that does the least the same libraries can. Issue 22
retired the CPU targets against the naive table: three rows are judged on wall time, what a user waits
for on this 2-core machine (marked "(wall)"): the full cold build (<= 2.5x), the 150 x 30 PDF (<= 2.0x) and
the build of an unchanged project (<= 1.5x); the others keep their CPU targets.

* full build of the example vs a process that imports weasyprint, openpyxl, jinja2 and yaml and
  writes a one-paragraph PDF and an empty workbook (target <= 2.0x CPU); the same build cold (a fresh,
  empty cache at every run, as in a new CI container; target <= 2.5x wall, issue 22);
* Markdown-only build of the example vs ``import yaml, jinja2`` (target <= 2.5x), and beside it
  the other paths of a quick start against the same floor: ``lint`` and ``build --check -f md``
  (what the pre-commit hooks run), each with raci-gen's cache warm (the files unchanged since the
  last run, as in pre-commit) and cold (a fresh, empty cache at every run, as in a new CI container);
* a 150-activity x 30-role PDF vs the naive render of the same matrix: one plain HTML table
  (header of role ids, a row per activity: id, name, letters) through WeasyPrint with its
  defaults (target <= 2.0x wall, issue 22; the PDF is laid out in parts on both cores, pdf_parts.py);
* the peak RSS of a 1,000 x 30 PDF build, of its largest process and of all its processes together
  (the PDF is laid out by worker processes; target <= 400 MB for both);
* the full build with the PDF rendered in a forked child vs the same build all in one process (no
  target: what the child gains, in wall time);
* the multi-project build (12 copies of the example in one ``raci-gen build``) vs 12 separate
  builds (target <= 0.5x): measured when the CLI takes several project folders, else "n/a";
* a build of the example already built (md, xlsx, pdf, all up to date: nothing rendered but the
  Markdown, nothing written) vs ``build --check`` of it (target <= 1.5x in wall time, issue 22).

raci-gen's own modules are byte-compiled before anything is measured, as pip does when it installs
a wheel: with PYTHONDONTWRITEBYTECODE set, an editable install would otherwise compile them from
source at every run, which no installed copy does (the floors' libraries are compiled already).
The rows use a cache folder of their own (XDG_CACHE_HOME in the temporary folder), warmed by the
first run; the "cold" rows give every run a new empty one.
"""

from __future__ import annotations

import argparse
import html
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import generated_project  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")

FLOOR_FULL = """
import sys, weasyprint, openpyxl, jinja2, yaml
weasyprint.HTML(string="<p>One paragraph.</p>").write_pdf(sys.argv[1] + "/floor.pdf")
openpyxl.Workbook().save(sys.argv[1] + "/floor.xlsx")
"""
FLOOR_MD = "import yaml, jinja2"
UNCHANGED = "build of the built example / build --check of it"
FULL_COLD = "full build of the example, cold cache / floor"
PDF_150 = "150x30 pdf / naive one-table render"
ON_WALL = (UNCHANGED, FULL_COLD, PDF_150)
"""The rows whose target is on wall time, not CPU time (issue 22)."""
NAIVE = """
import sys, weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
"""


def naive_html(project: Path) -> str:
    """The matrix of ``project`` as one plain table, read with raci-gen's loader (not timed)."""
    sys.path.insert(0, str(ROOT / "src"))
    from raci_gen.input.loader import load_project

    return naive_table(load_project(str(project)).matrix)


def naive_table(matrix) -> str:
    """The naive render's page: ``matrix`` as one plain HTML table (bench_sections.py lays out the same)."""
    head = "".join(f"<th>{html.escape(r.id)}</th>" for r in matrix.roles)
    rows = []
    for activity in matrix.activities():
        cells = "".join(f"<td>{'/'.join(activity.letters(r.id))}</td>" for r in matrix.roles)
        rows.append(f"<tr><td>{html.escape(activity.id)}</td><td>{html.escape(activity.name)}</td>{cells}</tr>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>@page {{ size: A4 landscape }}</style>"
            f"</head><body><table><tr><th>ID</th><th>Activity</th>{head}</tr>{''.join(rows)}</table></body></html>")


def cpu_run(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``argv``, children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stderr}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    text = stat.read()
            except OSError:
                continue
            children.setdefault(int(text[text.rindex(")") + 2:].split()[1]), []).append(int(name))
    found = [root]
    for pid in found:
        found += children.get(pid, [])
    return found


def tree_peaks_mib(argv: list[str]) -> tuple[float, float]:
    """(largest process, whole process tree) peak RSS of one run of ``argv``, sampled every 20 ms.

    The PDF of a long matrix is laid out by worker processes: the peak of the largest one alone
    would hide the others. The tree's figure adds every process's RSS, pages a worker shares with
    its parent counted twice, so it errs high."""
    child = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    largest = total = 0
    while child.poll() is None:
        sizes = [_rss_kib(pid) for pid in _tree(child.pid)]
        largest, total = max(largest, max(sizes)), max(total, sum(sizes))
        time.sleep(0.02)
    if child.returncode != 0:
        sys.exit(f"failed ({child.returncode}): {' '.join(argv)}")
    return largest / 1024, total / 1024


def medians(pairs: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median CPU and wall seconds of each command, the commands taking turns so that load drifts hit all alike."""
    cpu: dict[str, list[float]] = {k: [] for k in pairs}
    wall: dict[str, list[float]] = {k: [] for k in pairs}
    for _ in range(runs):
        for name, argv in pairs.items():
            c, w = cpu_run(argv)
            cpu[name].append(c)
            wall[name].append(w)
    return {k: (statistics.median(cpu[k]), statistics.median(wall[k])) for k in pairs}


def cold(argv: list[str], scratch: Path) -> list[str]:
    """``argv`` with a new, empty cache folder at every run (the cost of making it is counted against us)."""
    return ["sh", "-c", f'XDG_CACHE_HOME="$(mktemp -d -p {scratch})" exec "$@"', "sh", *argv]


def warm_up(argv: list[str]) -> None:
    """One run, not measured, that fills the cache."""
    subprocess.run(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def compile_package() -> None:
    """Byte-compile the raci_gen that ``PY`` imports, as an installed wheel is."""
    subprocess.run([PY, "-c", "import compileall, os, raci_gen; "
                    "compileall.compile_dir(os.path.dirname(raci_gen.__file__), quiet=1)"], env=ENV, check=True)


def build(project: Path, out: Path, *options: str, force: bool = True) -> list[str]:
    """A build that renders and writes every document (--force: a build leaves what is up to date as it is)."""
    return [PY, "-m", "raci_gen", "build", str(project), "--out", str(out), "--no-lint", "-q", *options] + \
        (["--force"] if force else [])


def multi_project_supported() -> bool:
    """Whether ``raci-gen build`` takes several project folders (issue 13, point 4: someone else's)."""
    text = subprocess.run([PY, "-m", "raci_gen", "build", "--help"], env=ENV, capture_output=True, text=True).stdout
    return "PROJECT_DIR..." in text or "[PROJECT_DIRS]..." in text or "DIRS..." in text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="only the rows whose name contains this")
    args = parser.parse_args()
    rows = []
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        out = tmp_path / "out"
        out.mkdir()
        ENV["XDG_CACHE_HOME"] = str(tmp_path / "cache")
        scratch = tmp_path / "cold-caches"
        scratch.mkdir()

        def want(name: str) -> bool:
            return args.only in name

        if want("full build"):
            m = medians({"ours": build(ROOT, out), "floor": [PY, "-c", FLOOR_FULL, str(out)]}, args.runs)
            rows.append(("full build of the example / floor", m, 2.0))
            m = medians({"ours": cold(build(ROOT, out), scratch), "floor": [PY, "-c", FLOOR_FULL, str(out)]},
                        args.runs)
            rows.append((FULL_COLD, m, 2.5))
        if want("pdf child"):
            # What rendering the PDF in a forked child (output._RenderingChild) gains: the same build with the
            # child switched off in process. No target; the wall ratio is the point (below 1: the child pays).
            in_process = [PY, "-c", "import sys; from raci_gen import cli; from raci_gen.writing import output; output._may_fork = lambda: False; "
                          "sys.argv[0] = 'raci-gen'; cli.run()", *build(ROOT, out)[3:]]
            m = medians({"ours": build(ROOT, out), "floor": in_process}, args.runs)
            rows.append(("full build, pdf child / pdf in process", m, None))
        if want("markdown build"):
            warm_up(build(ROOT, out, "-f", "md"))
            m = medians({"ours": build(ROOT, out, "-f", "md"), "floor": [PY, "-c", FLOOR_MD]}, args.runs)
            rows.append(("markdown build of the example / import yaml, jinja2", m, 2.5))
        if want("markdown build, cold"):
            m = medians({"ours": cold(build(ROOT, out, "-f", "md"), scratch), "floor": [PY, "-c", FLOOR_MD]},
                        args.runs)
            rows.append(("markdown build, cold cache / import yaml, jinja2", m, 2.5))
        if want("lint"):
            warm_up([PY, "-m", "raci_gen", "lint", str(ROOT)])
            m = medians({"ours": [PY, "-m", "raci_gen", "lint", str(ROOT)], "floor": [PY, "-c", FLOOR_MD]}, args.runs)
            rows.append(("lint of the example / import yaml, jinja2", m, 2.5))
            m = medians({"ours": cold([PY, "-m", "raci_gen", "lint", str(ROOT)], scratch),
                         "floor": [PY, "-c", FLOOR_MD]}, args.runs)
            rows.append(("lint, cold cache / import yaml, jinja2", m, 2.5))
        if want("check"):
            checked = tmp_path / "checked"
            check = [PY, "-m", "raci_gen", "build", str(ROOT), "--out", str(checked), "--check", "-q", "-f", "md"]
            subprocess.run(check[:check.index("--check")] + ["-q", "-f", "md"], env=ENV, check=True,
                           stdout=subprocess.DEVNULL)
            warm_up(check)
            m = medians({"ours": check, "floor": [PY, "-c", FLOOR_MD]}, args.runs)
            rows.append(("build --check -f md / import yaml, jinja2", m, 2.5))
            m = medians({"ours": cold(check, scratch), "floor": [PY, "-c", FLOOR_MD]}, args.runs)
            rows.append(("build --check -f md, cold cache / import yaml, jinja2", m, 2.5))
        if want("150x30 pdf"):
            project = generated_project(tmp_path / "p150", 150, 30)
            page = tmp_path / "naive150.html"
            page.write_text(naive_html(project), encoding="utf-8")
            m = medians({"ours": build(project, out, "-f", "pdf"),
                         "floor": [PY, "-c", NAIVE, str(page), str(out / "naive.pdf")]}, args.runs)
            rows.append((PDF_150, m, 2.0))
        if want("unchanged"):
            # Nothing built twice (issue 22, item 1): a build of an example built already leaves every document
            # as it is, deciding as build --check does; its target is on wall time (the figure).
            built = tmp_path / "built"
            subprocess.run(build(ROOT, built), env=ENV, check=True, stdout=subprocess.DEVNULL)
            m = medians({"ours": build(ROOT, built, force=False), "floor": build(ROOT, built, "--check", force=False)},
                        args.runs)
            rows.append((UNCHANGED, m, 1.5))
        if want("12 projects"):
            if multi_project_supported():
                copies = []
                for i in range(12):
                    copy = tmp_path / f"copy{i}"
                    copy.mkdir()
                    for name in ("raci.yaml", "roles", "activities"):
                        src = ROOT / name
                        (shutil.copytree if src.is_dir() else shutil.copy)(src, copy / name)
                    copies.append(copy)
                fmt = ["-f", "md,xlsx,pdf"]
                one = [PY, "-m", "raci_gen", "build", *map(str, copies), "--no-lint", "-q", "--force", *fmt]
                twelve = ["sh", "-c", " && ".join(" ".join(build(c, out, *fmt)) for c in copies)]
                m = medians({"ours": one, "floor": twelve}, args.runs)
                rows.append(("12 projects in one build / 12 builds", m, 0.5))
            else:
                rows.append(("12 projects in one build / 12 builds", None, 0.5))

        print(f"{'ratio (CPU s, median of %d)' % args.runs:<56} {'ours':>7} {'floor':>7} {'ratio':>6} "
              f"{'target':>7} {'wall ratio':>10}")
        for name, m, target in rows:
            if m is None:
                print(f"{name:<56} {'n/a (build takes one project folder)':>40}")
                continue
            (ours, ours_wall), (floor, floor_wall) = m["ours"], m["floor"]
            ratio = ours / floor
            if target is None:
                print(f"{name:<56} {ours:>7.2f} {floor:>7.2f} {ratio:>5.2f}x {'':>7} {ours_wall / floor_wall:>9.2f}x")
                continue
            judged = ours_wall / floor_wall if name in ON_WALL else ratio
            print(f"{name:<56} {ours:>7.2f} {floor:>7.2f} {ratio:>5.2f}x {'<=' + str(target) + 'x':>7} "
                  f"{ours_wall / floor_wall:>9.2f}x  {'ok' if judged <= target else 'MISSED'}"
                  f"{' (wall)' if name in ON_WALL else ''}")
        if want("1000x30 peak"):
            project = generated_project(tmp_path / "p1000", 1000, 30)
            runs = max(1, min(args.runs, 3))
            peaks = [tree_peaks_mib(build(project, out, "-f", "pdf")) for _ in range(runs)]
            for label, peak in (("largest process", statistics.median(p[0] for p in peaks)),
                                ("all processes", statistics.median(p[1] for p in peaks))):
                print(f"{'1000x30 pdf peak RSS, %s (MiB, median of %d)' % (label, runs):<56} {peak:>7.0f} "
                      f"{'':>7} {'':>6} {'<=400':>7} {'':>10}  {'ok' if peak <= 400 else 'MISSED'}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
