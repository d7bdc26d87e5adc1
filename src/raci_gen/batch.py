"""Run one job per project folder on every core, and keep going past a failing one.

A portfolio office builds many charters at once; paying Python's and WeasyPrint's
start-up once and using both cores is most of the saving. The libraries are
imported in this process before the workers are forked, so every worker starts
with them loaded. A job knows nothing of the others: it takes a folder and
returns its exit status and what it printed, so a bad project cannot stop the rest.

This module does not decide exit codes or wording; the CLI passes the job and
reads the results.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from raci_gen.discovery import distinct


@dataclass(frozen=True)
class Result:
    """What one job left: its folder, exit status, what it printed, and how long it took."""

    folder: str
    status: int
    stdout: str
    stderr: str
    seconds: float


Job = Callable[[str], int]
"""Does the work for one folder, printing as the command would, and returns the exit status."""


def run_captured(job: Job, folder: str) -> Result:
    """Run ``job(folder)`` here, with what it prints kept apart from the terminal."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err):
        status = job(folder)
    return Result(folder, int(status or 0), out.getvalue(), err.getvalue(), time.perf_counter() - started)


def worker_count(jobs: int, requested: int | None = None) -> int:
    """``requested`` workers, else one per core this process may use, never more than there are jobs."""
    if requested:
        return max(1, min(requested, jobs))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, jobs))


def input_size(folder: str) -> int:
    """Bytes of a project's YAML (raci.yaml, roles/, activities/): about how long its build will take."""
    total = 0
    for name in ("raci.yaml", "roles", "activities"):
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path):
                with os.scandir(path) as entries:
                    total += sum(e.stat().st_size for e in entries if e.is_file())
            elif os.path.isfile(path):
                total += os.path.getsize(path)
        except OSError:  # the job itself reports what is wrong with the folder
            pass
    return total


def run_many(job: Job, folders: Sequence[str], workers: int | None = None,
             preload: Iterable[Callable[[], object]] = (),
             on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run ``job`` on every distinct folder (see ``distinct``); return the results in folder order.

    ``on_result`` is called with each result as soon as it and every folder before it are done,
    so what a run prints comes in the order the folders were given, the same from one run to the
    next (a CI log can be compared with yesterday's), whichever worker finishes first.
    ``preload`` runs here first (imports of the renderers a job will use), so forked
    workers share them instead of importing each its own copy.
    """
    folders = distinct(folders)
    for load in preload:
        load()
    count = worker_count(len(folders), workers)
    results: dict[int, Result] = {}
    if count == 1 or "fork" not in multiprocessing.get_all_start_methods():
        # One core, or a platform without fork (Windows, where a spawned worker would
        # import everything again): in this process, one folder after another.
        for index, folder in enumerate(folders):
            results[index] = run_captured(job, folder)
            if on_result:
                on_result(results[index])
        return [results[i] for i in range(len(folders))]
    reported = 0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        # The largest projects first: a 300-activity PDF started last would keep one core busy alone
        # at the end while the other waits. (What is printed keeps the folders' order.)
        sizes = [input_size(folder) for folder in folders]
        order = sorted(range(len(folders)), key=lambda i: (-sizes[i], i))
        futures: dict[Future, int] = {pool.submit(run_captured, job, folders[index]): index for index in order}
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died must not take the others with it
                result = Result(folders[index], 3, "", f"internal error: worker failed: {type(exc).__name__}: "
                                                       f"{exc}\n", 0.0)
            results[index] = result
            while reported in results:
                if on_result:
                    on_result(results[reported])
                reported += 1
    return [results[i] for i in range(len(folders))]
