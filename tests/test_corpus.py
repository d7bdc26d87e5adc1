"""The corpus of bad inputs, each run through the real command line in its own process.

Every case is a folder under ``tests/corpus/``: a small project (``raci.yaml``,
``roles/``, ``activities/``) and ``expected.txt``. The first line of
``expected.txt`` is the first line the build must print on stderr; a second line
``exit N`` gives the exit status when it is not 2 (1 for lint findings). A case
whose ``expected.txt`` is just ``exit 0`` is input raci-gen accepts: it must build
and print nothing on stderr.

Cases too big or too odd to commit (a 50 MB file, an alias bomb, deep nesting,
symbolic links leading outside the project, a FIFO) hold a ``generate.txt`` naming a
function of :data:`GENERATORS`, which writes the rest of the project into the
temporary copy of the case before the build, and may put files in a folder
``outside`` next to it, which stands for the rest of the machine.

A case that runs another command than the build holds ``args.txt``: the arguments
after ``python -m raci_gen``, ``{out}`` standing for OUT. Its error may name a PATH
without a line and column (a file to be written), and must be one line only.

For every case, ``python -m raci_gen build . --out OUT`` must: exit with the
expected status; print the expected first line, naming FILE:LINE:COL; print no
traceback; write nothing (neither OUT nor anything in the project, nor outside it); finish within
:data:`TIME_LIMIT` seconds; and peak below :data:`MEMORY_LIMIT_MB` of resident
memory, under an address-space limit of :data:`ADDRESS_SPACE_LIMIT` bytes so that
a runaway build dies of MemoryError instead of taking the machine down.

Peak memory is the child's own VmHWM, which it writes on exit: the ``ru_maxrss`` of
``os.wait4`` or ``RUSAGE_CHILDREN`` also counts the pages the child shared with
this process between fork and exec, so it reads as big as pytest itself.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from raci_gen.input import limits, yamlsource

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
TIME_LIMIT = 30.0
"""CPU seconds one case may use, start of the process to exit. CPU, not wall time, and generous: this
bounds a runaway (a quadratic parse, a bomb), it is not a speed test, and it holds on a loaded machine."""
KILL_AFTER = 180.0
"""A case still running after this long is killed (and fails)."""
MEMORY_LIMIT_MB = 500
ADDRESS_SPACE_LIMIT = 1536 * 1024 * 1024
LOCATED = re.compile(r"^[^\s:][^:]*:\d+:\d+: (error|warning): \S")
PATH_ERROR = re.compile(r"^[^\s:][^:]*: error: \S")

# The child sets its own address-space limit, arranges to write its peak resident memory (kB)
# to $RACI_TEST_PEAK on exit, then runs `python -m raci_gen` exactly as -m does (runpy with
# alter_sys). Setting the limit in the child avoids preexec_fn, which is unsafe with the threads
# that run the cases in parallel.
CHILD = (
    "import atexit, os, resource, runpy\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE_LIMIT}, {ADDRESS_SPACE_LIMIT}))\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        kb = [line.split()[1] for line in status if line.startswith('VmHWM:')]\n"
    "    with open(os.environ['RACI_TEST_PEAK'], 'w') as out:\n"
    "        out.write(kb[0])\n"
    "atexit.register(peak)\n"
    "runpy.run_module('raci_gen', run_name='__main__', alter_sys=True)\n"
)


# --- generated cases ----------------------------------------------------------------------------------------------

ROLES = "roles/roles.yaml"
ACTIVITIES = "activities/01-model.yaml"


def _write(project: Path, rel: str, text: str | bytes) -> None:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def alias_bomb(project: Path, outside: Path) -> None:
    """Billion laughs: ten levels of ten aliases each, 10**10 values if expanded."""
    lines = ["phase: Model engineering", 'x0: &x0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, 10):
        lines.append(f"x{level}: &x{level} [" + ", ".join([f"*x{level - 1}"] * 10) + "]")
    lines.append("activities: [*x9, *x9, *x9, *x9, *x9, *x9, *x9, *x9, *x9, *x9]")
    _write(project, ACTIVITIES, "\n".join(lines) + "\n")


def alias_text_bomb(project: Path, outside: Path) -> None:
    """Few values but much text: a 1 MB name given to 2,000 activities by an alias (2 GB of text)."""
    lines = ["phase: Model engineering", "activities:",
             f"  - {{id: ME-0, name: &big \"{'lorem ipsum ' * 87_000}\", raci: {{R1: A, R2: R}}}}"]
    lines += [f"  - {{id: ME-{i}, name: *big, raci: {{R1: A, R2: R}}}}" for i in range(1, 2_000)]
    _write(project, ACTIVITIES, "\n".join(lines) + "\n")


def alias_deep_through_keys(project: Path, outside: Path) -> None:
    """Anchors defined in mapping keys, each 60 lists deep around an alias of the one before:
    used once, the last one nests 1,800 levels deep, though no anchor is deeper than 61."""
    lines = ["? &k0 x", ": 1"]
    for k in range(1, 31):
        lines += [f"? &k{k} " + "[" * 60 + f"*k{k - 1}" + "]" * 60, ": 1"]
    lines.append("roles: *k30")
    _write(project, ROLES, "\n".join(lines) + "\n")


def deep_nesting_block(project: Path, outside: Path) -> None:
    """800 levels of indented mappings (640 KB of indentation)."""
    text = "phase: Model engineering\nactivities:\n  - id: ME-1\n    name: Define\n    raci:\n"
    text += "".join(" " * (4 + 2 * i) + "R1:\n" for i in range(1, 800))
    _write(project, ACTIVITIES, text)


def deep_nesting_flow_config(project: Path, outside: Path) -> None:
    """100,000 nested flow lists in raci.yaml."""
    _write(project, "raci.yaml", "title: " + "[" * 100_000 + "]" * 100_000 + "\n")


def huge_file_50mb(project: Path, outside: Path) -> None:
    """A 50 MB role file of valid YAML."""
    entry = "  - id: R1\n    name: Product Owner\n"
    count = 50 * 1024 * 1024 // len(entry)
    _write(project, ROLES, "roles:\n" + entry * count)


def file_one_byte_over_limit(project: Path, outside: Path) -> None:
    """An activity file one byte larger than MAX_FILE_BYTES."""
    head = "phase: Model engineering\nactivities: []\n"
    _write(project, ACTIVITIES, head + "#" * (yamlsource.MAX_FILE_BYTES + 1 - len(head) - 1) + "\n")


def too_many_values(project: Path, outside: Path) -> None:
    """MAX_NODES + 1 values in one flat list (400 KB)."""
    _write(project, ROLES, "roles: [" + ", ".join(["1"] * yamlsource.MAX_NODES) + "]\n")


def too_many_roles(project: Path, outside: Path) -> None:
    """MAX_ROLES + 1 roles."""
    roles = "".join(f"  - id: R{i}\n    name: Role {i}\n" for i in range(1, limits.MAX_ROLES + 2))
    _write(project, ROLES, "roles:\n" + roles)


def too_many_activities(project: Path, outside: Path) -> None:
    """MAX_ACTIVITIES + 1 activities, in two files."""
    half = limits.MAX_ACTIVITIES // 2
    for number, ids in ((1, range(half)), (2, range(half, limits.MAX_ACTIVITIES + 1))):
        body = "".join(f"  - {{id: A{i}, name: Activity {i}, raci: {{R1: A, R2: R}}}}\n" for i in ids)
        _write(project, f"activities/0{number}-model.yaml", f"phase: Phase {number}\nactivities:\n{body}")


def roles_dir_symlink_outside(project: Path, outside: Path) -> None:
    """roles/ is a symbolic link to a folder outside the project."""
    (outside / "roles").mkdir(parents=True)
    (outside / "roles" / "roles.yaml").write_text("roles:\n  - id: R1\n    name: Stranger\n", encoding="utf-8")
    (project / "roles").symlink_to(outside / "roles", target_is_directory=True)


def activities_file_symlink_outside(project: Path, outside: Path) -> None:
    """An activity file that is a symbolic link to /etc/passwd."""
    (project / "activities" / "02-extra.yaml").symlink_to("/etc/passwd")


def roles_file_symlink_outside(project: Path, outside: Path) -> None:
    """raci.yaml names a role file that is a symbolic link to a file outside the project."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "team.yaml").write_text("roles:\n  - id: R1\n    name: Stranger\n", encoding="utf-8")
    (project / "team.yaml").symlink_to(outside / "team.yaml")


def config_symlink_outside(project: Path, outside: Path) -> None:
    """raci.yaml is a symbolic link to /etc/passwd: read, its first line would show in the error."""
    (project / "raci.yaml").symlink_to("/etc/passwd")


def template_symlink_outside(project: Path, outside: Path) -> None:
    """templates/raci.md.j2 is a symbolic link to /etc/passwd: used, it would be copied into the Markdown."""
    (project / "templates").mkdir()
    (project / "templates" / "raci.md.j2").symlink_to("/etc/passwd")


# Writes: links that would lead a write out of the project, pages that are not pages.

SECRET = b"ssh-ed25519 AAAAC3 the owner's only key\n"


def _outside_secret(outside: Path) -> Path:
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "authorized_keys").write_bytes(SECRET)
    return outside / "authorized_keys"


def output_file_symlink_outside(project: Path, outside: Path) -> None:
    """output/raci-matrix.md is a committed link to a key file outside: a build would write the document into it."""
    (project / "output").mkdir()
    (project / "output" / "raci-matrix.md").symlink_to(_outside_secret(outside))


def output_dangling_link_outside(project: Path, outside: Path) -> None:
    """output/raci-matrix.md is a link to a file that does not exist yet, outside: followed, it would create it."""
    _outside_secret(outside)
    (project / "output").mkdir()
    (project / "output" / "raci-matrix.md").symlink_to(outside / "new-file")


def output_dangling_link_inside(project: Path, outside: Path) -> None:
    """A link that leads nowhere, even inside the project, is never followed."""
    (project / "output").mkdir()
    (project / "output" / "raci-matrix.md").symlink_to("missing.md")


def output_dir_symlink_outside(project: Path, outside: Path) -> None:
    """output/ itself is a link to a folder outside."""
    _outside_secret(outside)
    (project / "output").symlink_to(outside, target_is_directory=True)


def out_dir_symlink_outside(project: Path, outside: Path) -> None:
    """--out output names a folder of the project that is a link outside: naming it does not make it the user's."""
    output_dir_symlink_outside(project, outside)


def schema_dir_symlink_outside(project: Path, outside: Path) -> None:
    """schemas/ is a link to a folder outside: `raci-gen schema` would write there."""
    _outside_secret(outside)
    (project / "schemas").symlink_to(outside, target_is_directory=True)


def schema_file_symlink_outside(project: Path, outside: Path) -> None:
    """schemas/roles.schema.json is a link to a key file outside."""
    (project / "schemas").mkdir()
    (project / "schemas" / "roles.schema.json").symlink_to(_outside_secret(outside))


def init_into_symlinked_folder(project: Path, outside: Path) -> None:
    """`raci-gen init team` where team/ is a committed link to a folder outside."""
    _outside_secret(outside)
    (project / "team").symlink_to(outside, target_is_directory=True)


def inject_fifo(project: Path, outside: Path) -> None:
    """The page to inject into is a FIFO: read, it would wait for a writer forever."""
    os.mkfifo(project / "page.md")


def inject_cr_only_page(project: Path, outside: Path) -> None:
    """A page with old-Mac line endings (CR only) and a BEGIN without END on its third line."""
    (project / "page.md").write_bytes(b"# Team\rIntro.\r<!-- BEGIN RACI -->\rold\r")


def inject_symlink_outside(project: Path, outside: Path) -> None:
    """The page is a link to a file outside, which has the markers: injected, the file outside would change."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "page.md").write_bytes(b"<!-- BEGIN RACI -->\n<!-- END RACI -->\n")
    (project / "page.md").symlink_to(outside / "page.md")


def inject_page_over_limit(project: Path, outside: Path) -> None:
    """A page one byte over the 5 MiB limit."""
    from raci_gen.writing.inject import MAX_PAGE_BYTES

    head = b"<!-- BEGIN RACI -->\n<!-- END RACI -->\n"
    (project / "page.md").write_bytes(head + b"x" * (MAX_PAGE_BYTES + 1 - len(head)))


GENERATORS: dict[str, Callable[[Path, Path], None]] = {
    f.__name__.replace("_", "-"): f for f in [
        alias_bomb, alias_text_bomb, alias_deep_through_keys, deep_nesting_block, deep_nesting_flow_config,
        huge_file_50mb, file_one_byte_over_limit, too_many_values, too_many_roles, too_many_activities,
        roles_dir_symlink_outside, activities_file_symlink_outside, roles_file_symlink_outside,
        config_symlink_outside, template_symlink_outside, output_file_symlink_outside, output_dangling_link_outside,
        output_dangling_link_inside, output_dir_symlink_outside, out_dir_symlink_outside, schema_dir_symlink_outside,
        schema_file_symlink_outside, init_into_symlinked_folder, inject_fifo, inject_cr_only_page,
        inject_symlink_outside, inject_page_over_limit,
    ]
}


# --- running a case -----------------------------------------------------------------------------------------------


@dataclass
class Expected:
    first_line: str | None
    """The first line of stderr; None when the input is accepted."""
    status: int


@dataclass
class Run:
    status: int | None
    """Exit status; None when killed after KILL_AFTER seconds; negative: killed by that signal."""
    stdout: str
    stderr: str
    seconds: float
    """CPU seconds (user and system) of the child."""
    max_rss_mb: float
    out_dir: Path
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    outside_before: dict[str, bytes]
    outside_after: dict[str, bytes]
    with_args: bool


def expected_of(case: str) -> Expected:
    lines = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    if lines[0] == "exit 0":
        return Expected(None, 0)
    status = int(lines[1].split()[1]) if len(lines) > 1 else 2
    return Expected(lines[0], status)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` (not following links) with its size and mtime."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            found[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return found


def contents(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` with its bytes (links are not followed)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()} if root.exists() else {}


def run_case(case: str, work: Path) -> Run:
    project = work / "project"
    shutil.copytree(CORPUS / case, project, symlinks=True, ignore=shutil.ignore_patterns("expected.txt",
                                                                                           "generate.txt", "args.txt"))
    generate = CORPUS / case / "generate.txt"
    if generate.exists():
        GENERATORS[generate.read_text(encoding="utf-8").strip()](project, work / "outside")
    out_dir = work / "out"
    args_file = CORPUS / case / "args.txt"
    args = ["build", ".", "--out", str(out_dir)]
    if args_file.exists():
        args = [a.replace("{out}", str(out_dir)) for a in args_file.read_text(encoding="utf-8").split()]
    outside_before = contents(work / "outside")
    before = snapshot(project)
    stdout_path, stderr_path, peak_path = work / "stdout.txt", work / "stderr.txt", work / "peak.txt"
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-c", CHILD, *args],
                                   cwd=project, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                   env={**os.environ, "RACI_TEST_PEAK": str(peak_path)})
        status: int | None = None
        while True:
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                seconds = usage.ru_utime + usage.ru_stime
                status = os.waitstatus_to_exitcode(wait_status)
                process.returncode = status  # reaped here, so that Popen does not wait again
                break
            if time.monotonic() - started > KILL_AFTER:
                process.kill()
                _, _, usage = os.wait4(process.pid, 0)
                process.returncode = -signal.SIGKILL
                seconds = usage.ru_utime + usage.ru_stime
                break
            time.sleep(0.02)
    # Killed before it could say, the child's peak is at most what wait4 reports.
    peak_kb = int(peak_path.read_text()) if peak_path.exists() else usage.ru_maxrss
    return Run(status=status, stdout=stdout_path.read_text(encoding="utf-8", errors="replace"),
               stderr=stderr_path.read_text(encoding="utf-8", errors="replace"), seconds=seconds,
               max_rss_mb=peak_kb / 1024, out_dir=out_dir, before=before, after=snapshot(project),
               outside_before=outside_before, outside_after=contents(work / "outside"), with_args=args_file.exists())


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory) -> dict[str, Run]:
    """Every case this session selected, run two at a time (a case is one process, mostly waiting on imports)."""
    wanted = [item.callspec.params["case"] for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec") and "case" in item.callspec.params]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {case: pool.submit(run_case, case, tmp_path_factory.mktemp(case)) for case in dict.fromkeys(wanted)}
        return {case: future.result() for case, future in futures.items()}


# --- the tests ----------------------------------------------------------------------------------------------------


def test_corpus_is_big_enough():
    assert len(CASES) >= 40
    for case in CASES:
        assert (CORPUS / case / "expected.txt").is_file(), f"{case} has no expected.txt"
        generate = CORPUS / case / "generate.txt"
        if generate.exists():
            assert generate.read_text(encoding="utf-8").strip() in GENERATORS, case
    assert set(GENERATORS) <= {(CORPUS / c / "generate.txt").read_text().strip() for c in CASES
                               if (CORPUS / c / "generate.txt").exists()}, "a generator no case uses"


def test_committed_files_are_small():
    for path in CORPUS.rglob("*"):
        if path.is_file():
            assert path.stat().st_size < 16 * 1024, f"{path} is big: generate it in the test instead"


@pytest.mark.parametrize("case", CASES)
def test_case(case, runs):
    run = runs[case]
    expected = expected_of(case)
    shown = f"exit {run.status} after {run.seconds:.1f} s of CPU\nstderr:\n{run.stderr[:3000]}\nstdout:\n{run.stdout[:1000]}"
    assert run.status is not None, f"killed after {KILL_AFTER} s\n{shown}"
    assert "Traceback" not in run.stderr + run.stdout, shown
    assert "internal error" not in run.stderr, shown
    assert run.status == expected.status, shown
    assert run.seconds < TIME_LIMIT, shown
    assert run.max_rss_mb < MEMORY_LIMIT_MB, f"peak memory {run.max_rss_mb:.0f} MB\n{shown}"
    assert run.after == run.before, "the build changed the project folder"
    assert run.outside_after == run.outside_before, "the build wrote outside the project folder"
    if expected.first_line is None:
        assert run.stderr == "", shown
        written = sorted(p.name for p in run.out_dir.iterdir())
        assert written and all(re.fullmatch(r"raci-matrix\.(md|html|xlsx|pdf)", name) for name in written), written
        return
    first = run.stderr.splitlines()[0] if run.stderr else ""
    assert first == expected.first_line, shown
    assert not run.out_dir.exists(), f"written: {sorted(p.name for p in run.out_dir.iterdir())}"
    if run.with_args:
        assert LOCATED.match(first) or PATH_ERROR.match(first), f"the first line names no FILE or PATH: {first!r}"
        assert len(run.stderr.splitlines()) == 1, shown
        return
    assert LOCATED.match(first), f"the first line names no FILE:LINE:COL: {first!r}"
    if expected.status == 2:
        assert re.fullmatch(r"\d+ problems? found; nothing was written\.", run.stderr.splitlines()[-1]), shown
