"""`raci-gen build --check` of the default formats against a Markdown-only build, side by side.

    python benchmarks/bench_check.py            # the example, 5 runs each
    python benchmarks/bench_check.py --runs 9

Target (issue 9): the check costs at most 1.5x a Markdown-only build of the same
project. Each run is a fresh `python -m raci_gen` process, timed as wall clock and
as CPU time of the child (the figure that matters in a pre-commit hook on a busy
machine); the medians of the runs are printed, and the ratio. Run once, in one go,
so both commands see the same machine. Prints figures; asserts nothing.
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


def timed(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the child and exit code of ``python -m raci_gen ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        for name in ("raci.yaml",):
            shutil.copy(ROOT / name, project / name)
        for name in ("roles", "activities"):
            shutil.copytree(ROOT / name, project / name)
        env_epoch = os.environ.pop("SOURCE_DATE_EPOCH", None)
        build = subprocess.run([sys.executable, "-m", "raci_gen", "build", "-q"], cwd=project)
        if build.returncode != 0:
            sys.exit("the example does not build")
        commands = {"build -f md": ["build", "-q", "--force", "-f", "md", "-o", str(Path(tmp) / "md-only")],
                    "build --check (default formats)": ["build", "--check", "-q"]}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(options.runs):  # interleaved, so that a busy moment hits both
            for name, args in commands.items():
                wall, cpu, code = timed(args, project)
                if code != 0:
                    sys.exit(f"{name} exited {code}")
                results[name].append((wall, cpu))
        if env_epoch is not None:
            os.environ["SOURCE_DATE_EPOCH"] = env_epoch
    print(f"example project, median of {options.runs} fresh processes each")
    print(f"{'command':<34} {'wall s':>8} {'cpu s':>8}")
    medians = {}
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        medians[name] = (wall, cpu)
        print(f"{name:<34} {wall:8.3f} {cpu:8.3f}")
    (md_wall, md_cpu), (check_wall, check_cpu) = medians.values()
    print(f"{'ratio check / md-only':<34} {check_wall / md_wall:8.2f} {check_cpu / md_cpu:8.2f}   (target <= 1.5)")


if __name__ == "__main__":
    main()
