"""Many projects in one run: `raci-gen build DIR...` against one process per project.

Twelve copies of the example, each built to md, xlsx and pdf, timed side by side in
one run (medians of --repeat rounds, the two ways taking turns so both see the same
machine). Prints wall seconds (what the portfolio office waits for), CPU seconds of
the child processes, and the ratio. Target (issue 13): ratio of wall time <= 0.5.

    python benchmarks/bench_many.py [--copies 12] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "raci_gen"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: list[list[str]], cwd: Path) -> tuple[float, float]:
    """Run the commands one after another; (wall seconds, CPU seconds of the children)."""
    cpu, started = children_cpu(), time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    return time.perf_counter() - started, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        names = [f"project-{i:02d}" for i in range(args.copies)]
        for name in names:
            (base / name).mkdir()
            shutil.copy(ROOT / "raci.yaml", base / name / "raci.yaml")
            shutil.copytree(ROOT / "roles", base / name / "roles")
            shutil.copytree(ROOT / "activities", base / name / "activities")
        # --force: every round renders and writes, as the first did (a build leaves what is up to date as it is)
        separate = [[*CLI, "build", name, "-q", "--force"] for name in names]
        together = [[*CLI, "build", *names, "-q", "--force"]]
        rounds: dict[str, list[tuple[float, float]]] = {"separate": [], "together": []}
        for _ in range(args.repeat):
            rounds["separate"].append(timed(separate, base))
            rounds["together"].append(timed(together, base))
    wall = {k: statistics.median(w for w, _ in v) for k, v in rounds.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in rounds.items()}
    print(f"{args.copies} copies of the example, md + xlsx + pdf, median of {args.repeat}, "
          f"{os.cpu_count()} cores")
    print(f"{'':28}{'wall s':>10}{'CPU s':>10}")
    print(f"{'one process per project':28}{wall['separate']:10.2f}{cpu['separate']:10.2f}")
    print(f"{'one build of all':28}{wall['together']:10.2f}{cpu['together']:10.2f}")
    ratio = wall["together"] / wall["separate"]
    print(f"ratio (wall): {ratio:.2f}x  target <= 0.50x  {'met' if ratio <= 0.5 else 'NOT met'}")
    print(f"ratio (CPU):  {cpu['together'] / cpu['separate']:.2f}x")


if __name__ == "__main__":
    main()
