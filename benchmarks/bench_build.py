"""Time `raci-gen build` per format, with peak memory, and print the figures.

    python benchmarks/bench_build.py            # example + generated 120x30 and 300x30 matrices
    python benchmarks/bench_build.py --quick    # example only

Each (case, format) runs in a fresh process, so import costs are counted the way
a user pays them and peak RSS belongs to that format alone. This prints figures;
it asserts nothing (targets are read by people, not enforced by tests).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ["md", "html", "xlsx", "pdf"]

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    t0 = time.perf_counter()
    from raci_gen.input.loader import load_project
    from raci_gen.writing.output import generate
    project = load_project(sys.argv[1])
    t1 = time.perf_counter()
    [out] = generate(project, [sys.argv[2]], out_dir=sys.argv[3])
    t2 = time.perf_counter()
    print(json.dumps({"load_s": t1 - t0, "render_s": t2 - t1, "total_s": t2 - t0,
                      "bytes": len(out.data),
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")


def generated_project(folder: Path, activities: int, roles: int, phases: int = 10) -> Path:
    (folder / "roles").mkdir(parents=True)
    (folder / "activities").mkdir()
    lines = ["roles:"]
    for r in range(1, roles + 1):
        lines += [f"  - id: ROLE{r}", f"    name: Generated role number {r}",
                  f"    description: Role {r} of a generated benchmark matrix."]
    (folder / "roles" / "roles.yaml").write_text("\n".join(lines) + "\n")
    per_phase = activities // phases
    n = 0
    for p in range(phases):
        lines = [f"phase: Phase {p + 1}", "activities:"]
        for _ in range(per_phase):
            n += 1
            lines += [f"  - id: ACT-{n}", f"    name: Generated activity number {n} with a realistic length of name",
                      "    raci:", f"      ROLE{n % roles + 1}: A/R"]
            given = {n % roles + 1}
            for k in (3, 7, 11):
                r = (n + k) % roles + 1
                if r not in given:  # with 2, 4 or 8 roles two of the steps land on one role: a key given twice
                    given.add(r)
                    lines.append(f"      ROLE{r}: {'CIR'[k % 3]}")
        (folder / "activities" / f"{p:02d}.yaml").write_text("\n".join(lines) + "\n")
    return folder


def run(case: str, project: Path, fmt: str, out: Path) -> dict:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    result = subprocess.run([sys.executable, "-c", CHILD, str(project), fmt, str(out)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{case} {fmt} failed:\n{result.stderr}")
    return {"case": case, "format": fmt, **json.loads(result.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the built-in example")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cases = [("example (39x7)", ROOT)]
        if not args.quick:
            cases.append(("generated 120x30", generated_project(tmp_path / "wide", 120, 30)))
            cases.append(("generated 300x30", generated_project(tmp_path / "big", 300, 30)))
        print(f"{'case':<18} {'format':<6} {'load s':>7} {'render s':>9} {'total s':>8} {'size KiB':>9} {'peak MiB':>9}")
        for case, project in cases:
            for fmt in FORMATS:
                row = run(case, project, fmt, tmp_path / "out")
                print(f"{row['case']:<18} {row['format']:<6} {row['load_s']:>7.2f} {row['render_s']:>9.2f} "
                      f"{row['total_s']:>8.2f} {row['bytes'] / 1024:>9.1f} {row['peak_mib']:>9.1f}")


if __name__ == "__main__":
    main()
