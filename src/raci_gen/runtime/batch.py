"""Run one job per project folder on every core, and keep going past a failing one.

A portfolio office builds many charters at once; paying Python's and WeasyPrint's
start-up once and using both cores is most of the saving. The libraries are
imported in this process before the workers are forked, so every worker starts
with them loaded. A job knows nothing of the others: it takes a folder and
returns its exit status and what it printed, so a bad project cannot stop the rest.

Each worker is a forked process with a pipe of its own, through which it gets one folder at
a time and sends back each result. So a worker killed from outside (by the kernel for want
of memory, or SIGKILL) costs the project it was working on only, and a new worker takes the
next: a pool (``concurrent.futures.ProcessPoolExecutor``) is broken as a whole when one of
its workers dies, and fails every project still queued.

This module decides two exit statuses, for a worker that did not return: 3 when the job
raised (a bug: the CLI's job never raises), 4 when it died without a word (the machine
refused, as for the killed PDF child of a one-project build). The CLI passes the job and
reads the results.
"""

from __future__ import annotations

import collections
import io
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from raci_gen.runtime.children import die_with
from raci_gen.input.discovery import distinct

RAISED = 3
"""The status of a project whose job raised in its worker: an internal error, as the CLI's EXIT_INTERNAL."""
LOST = 4
"""The status of a project whose worker died without a result (killed): the machine refused, as the CLI's
EXIT_ENVIRONMENT for a killed PDF child."""


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
    # The largest projects first: a 300-activity PDF started last would keep one core busy alone
    # at the end while the other waits. (What is printed keeps the folders' order.)
    sizes = [input_size(folder) for folder in folders]
    waiting = collections.deque(sorted(range(len(folders)), key=lambda i: (-sizes[i], i)))
    context = multiprocessing.get_context("fork")
    idle: list[_Worker] = []
    busy: dict[multiprocessing.connection.Connection, _Worker] = {}
    reported = 0
    try:
        while waiting or busy:
            while waiting and len(busy) < count:
                index = waiting.popleft()
                worker = idle.pop() if idle else _Worker(context, job)
                if not worker.give(index, folders[index]):  # it died while idle: a new one takes the folder
                    worker.end()
                    worker = _Worker(context, job)
                    worker.give(index, folders[index])
                busy[worker.connection] = worker
            for connection in multiprocessing.connection.wait(list(busy)):
                worker = busy.pop(connection)
                result = worker.result()
                if result is None:  # it died: its folder alone is lost, the next goes to a new worker
                    worker.end()
                    result = lost(folders[worker.index], worker.process.exitcode or 0,
                                  time.perf_counter() - worker.started)
                else:
                    idle.append(worker)
                results[worker.index] = result
            while reported in results:
                if on_result:
                    on_result(results[reported])
                reported += 1
    finally:
        for worker in idle:
            worker.end()
        for worker in busy.values():  # interrupted (Ctrl-C): no worker goes on alone
            worker.end(kill=True)
    return [results[i] for i in range(len(folders))]


class _Worker:
    """A forked process that runs the job on the folders it is given, one at a time, and sends back each
    :class:`Result` through its own pipe.

    A worker is kept for the next folder, so what the first job in a process loads on first use (the lint's
    rules, the YAML loader) is paid once per worker, not once per folder: 30 ten-activity projects (``-f md``)
    took 2.3 s with a pool, 6.6 to 9.1 s with a process per project, 1.1 s (as the pool then) this way, on a busy
    two-core machine. Unlike a pool's, a worker that dies takes nothing with it but the folder it was on: the end
    of its pipe says so, and another worker takes the next folder.
    """

    def __init__(self, context, job: Job) -> None:
        self.connection, theirs = context.Pipe()
        # Not a daemon, as a pool's workers are not: a daemonic process may start no process of its own.
        self.process = context.Process(target=_serve, args=(job, theirs, os.getpid()))
        self.process.start()
        theirs.close()  # here, so that the pipe ends (EOF) when the worker does, whatever kills it
        self.index = -1
        self.started = 0.0

    def give(self, index: int, folder: str) -> bool:
        """Start the job on ``folder``; False if the worker is gone."""
        self.index, self.started = index, time.perf_counter()
        try:
            self.connection.send(folder)
        except OSError:  # the worker was killed while it waited
            return False
        return True

    def result(self) -> Result | None:
        """The result of the folder given, once the pipe has something; None if the worker died first."""
        try:
            return self.connection.recv()
        except (EOFError, OSError):  # it died before (or while) sending
            return None

    def end(self, kill: bool = False) -> None:
        """Tell the worker to end, or kill it; then reap it."""
        if kill:
            self.process.kill()
        else:
            try:  # in words: workers forked later hold this end of its pipe too, so it would never close
                self.connection.send(None)
            except OSError:  # it is gone already
                pass
        self.connection.close()
        self.process.join()


def _serve(job: Job, connection: multiprocessing.connection.Connection, parent: int) -> None:
    """In a forked worker: run the job on each folder that comes through ``connection``, until it closes."""
    die_with(parent)  # a killed raci-gen leaves no worker building for nobody
    try:
        while True:
            try:
                folder = connection.recv()
            except (EOFError, OSError):
                return
            if folder is None:  # raci-gen has no more folders to give
                return
            try:
                result = run_captured(job, folder)
            except Exception as exc:  # noqa: BLE001 - reported as this project's failure; the others go on
                result = Result(folder, RAISED, "", f"internal error: worker failed: {type(exc).__name__}: "
                                                    f"{exc}\n", 0.0)
            connection.send(result)
    except KeyboardInterrupt:  # Ctrl-C reaches every process of the terminal's group: raci-gen says "interrupted"
        return


def lost(folder: str, code: int, seconds: float) -> Result:
    """The result of a folder whose worker died on it; ``code`` as multiprocessing gives it (minus the
    signal's number when killed)."""
    try:
        how = f"was killed by signal {-code} ({signal.Signals(-code).name}; out of memory?)" if code < 0 else \
            f"ended with exit status {code} without a result"
    except ValueError:  # a signal Python has no name for
        how = f"was killed by signal {-code}"
    return Result(folder, LOST, "", f"{folder}: error: the process working on this project {how}; the other "
                                    "projects went on\n", seconds)
