"""`raci-gen serve`: from a saved edit to the served page showing it.

    python benchmarks/bench_serve.py              # the example and a generated 150 x 30 matrix, 9 edits each
    python benchmarks/bench_serve.py --edits 21

Target (issue 22): at most 0.5 s for the example and 1.5 s at 150 x 30. A real `raci-gen serve` process on a
free port; each edit rewrites one cell of an activity file (the letter goes back and forth), and the time is
taken from the write to the first served HTML (polled every 5 ms, the way the page fetches it) whose cell shows
the new letter. The median and the worst are printed. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import re
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


def served(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/")
    body = connection.getresponse().read().decode()
    connection.close()
    return body


def cell(page: str, activity: str, column: int) -> str | None:
    """The letter in the matrix row of ``activity``, in role column ``column`` (1-based)."""
    row = re.search(rf'<th[^>]*scope="row"[^>]*>{re.escape(activity)}</th>(.*?)</tr>', page, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S) if row else []
    return re.sub(r"<[^>]+>", "", cells[column]).strip() if len(cells) > column else None


def measure(project: Path, file: Path, line: str, letters: tuple[str, str], activity: str, column: int,
            edits: int) -> list[float]:
    process = subprocess.Popen([sys.executable, "-m", "raci_gen", "serve", str(project), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(re.search(r":(\d+)/", process.stdout.readline()).group(1))
        assert cell(served(port), activity, column) == letters[0], "the cell to edit is not where expected"
        times = []
        for n in range(edits):
            old, new = (letters if n % 2 == 0 else letters[::-1])
            text = file.read_text()
            time.sleep(0.3)  # apart from the previous edit, as typing is
            started = time.perf_counter()
            file.write_text(text.replace(line + old + "\n", line + new + "\n", 1))
            while cell(served(port), activity, column) != new:
                if time.perf_counter() - started > 30:
                    raise SystemExit("the edit was not served within 30 s")
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
        return times
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=9)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        example.mkdir()
        shutil.copy(ROOT / "raci.yaml", example / "raci.yaml")
        for name in ("roles", "activities"):
            shutil.copytree(ROOT / name, example / name)
        large = generated_project(Path(tmp) / "large", 150, 30)
        cases = {
            "example (48 x 7)": (example, example / "activities" / "01-project-initiation.yaml", "      R2: ",
                                 ("C", "I"), "GD-1", 2, 0.5),
            "generated 150 x 30": (large, large / "activities" / "00.yaml", "      ROLE5: ", ("C", "I"), "ACT-1", 5,
                                   1.5),
        }
        print(f"{'case':<22} {'median s':>9} {'worst s':>8} {'target s':>9}")
        for name, (project, file, line, letters, activity, column, target) in cases.items():
            times = measure(project, file, line, letters, activity, column, options.edits)
            print(f"{name:<22} {statistics.median(times):>9.3f} {max(times):>8.3f} {target:>9.1f}")


if __name__ == "__main__":
    main()
