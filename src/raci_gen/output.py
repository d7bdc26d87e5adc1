"""Build documents in memory, then write them, or compare them with what is on disk.

Generating is kept apart from writing: every document of a build is rendered
before the first byte is written, so bad input or a failing renderer leaves the
output folder as it was. Each file is written to a temporary file in the same
folder and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass
from typing import Iterable

from raci_gen.analysis import Finding
from raci_gen.errors import RaciError, RenderError
from raci_gen.inject import inject_file
from raci_gen.loader import inside_project
from raci_gen.model import Injection, Project
from raci_gen.renderers import FORMATS
from raci_gen.renderers.document import Document, make_document


@dataclass(frozen=True)
class Output:
    path: str
    data: bytes
    format: str


def output_paths(project: Project, formats: Iterable[str], out_dir: str | None = None) -> dict[str, str]:
    """Where each format goes: ``OUT_DIR/NAME.SUFFIX``."""
    settings = project.settings.output
    folder = out_dir
    if folder is None:
        folder = os.path.normpath(os.path.join(project.root, settings.dir))
        if not inside_project(project.root, folder):
            raise RaciError(f"{folder}: error: output.dir {settings.dir!r} leads outside the project folder; "
                            "give --out on the command line to write elsewhere")
    return {f: os.path.join(folder, settings.name + FORMATS[f].suffix) for f in formats}


def generate(project: Project, formats: Iterable[str], out_dir: str | None = None,
             document: Document | None = None, findings: Iterable[Finding] = (),
             injections: Iterable[Injection] = ()) -> list[Output]:
    """Render the chosen formats, and the pages that receive a section, in memory; nothing is written."""
    document = document or make_document(project, findings)
    paths = output_paths(project, formats, out_dir)
    outputs = [Output(path, FORMATS[f].render(document), f) for f, path in paths.items()]
    for injection in injections:
        from raci_gen.renderers.markdown import render_markdown_section

        try:
            content = render_markdown_section(document, injection.section)
        except RenderError as exc:
            where = injection.location or "--section"
            raise RenderError(f"{where}: error: {exc}") from None
        outputs.append(Output(injection.file, inject_file(injection.file, content), "inject"))
    return outputs


def project_injections(project: Project) -> list[Injection]:
    """The pages named in raci.yaml's ``output.inject``, as paths from here; they must stay in the project."""
    result = []
    for injection in project.settings.output.inject:
        path = os.path.normpath(os.path.join(project.root, injection.file))
        if not inside_project(project.root, path):
            where = injection.location or path
            raise RaciError(f"{where}: error: inject page {injection.file!r} is outside the project folder")
        result.append(Injection(path, injection.section, injection.location))
    return result


TEMPORARY = re.compile(r"\.raci-gen-(?:(\d+)-)?[^/]*\.tmp")
"""Temporary files write() makes: ``.raci-gen-PID-XXXXXXXX.tmp``, named after the writing process."""
STALE_AFTER = 3600
"""Seconds after which a temporary file that names no process counts as left over."""


def remove_stale_temporaries(folder: str) -> list[str]:
    """Remove the temporary files that builds killed while writing left in ``folder``; return their names.

    A build killed (SIGKILL, power cut) between creating its temporary file and renaming it
    leaves the file behind; the documents themselves are whole, old or new. A temporary file
    is left over when the process it names is gone (or, for one that names none, when it is
    older than STALE_AFTER); one whose process still runs belongs to a build writing now.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = TEMPORARY.fullmatch(name)
        if not match:
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if match.group(1) is not None:
            if _running(int(match.group(1))):
                continue
        elif time.time() - info.st_mtime < STALE_AFTER:
            continue
        try:
            os.unlink(path)
        except OSError:
            continue
        removed.append(name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # not ours to signal: it runs
        return True
    return True


def write(outputs: Iterable[Output]) -> None:
    """Write each output atomically (temporary file in the same folder, then rename).

    Temporary files that killed builds left in a folder are removed before the first write there.
    """
    cleaned: set[str] = set()
    for output in outputs:
        # A page kept as a symbolic link (a wiki checkout linked into the project) is updated
        # where it lives; replacing the link with a file would silently detach it.
        target = os.path.realpath(output.path) if os.path.islink(output.path) else output.path
        folder = os.path.dirname(target) or "."
        try:
            os.makedirs(folder, exist_ok=True)
            if folder not in cleaned:
                cleaned.add(folder)
                remove_stale_temporaries(folder)
            fd, tmp = tempfile.mkstemp(prefix=f".raci-gen-{os.getpid()}-", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise RaciError(f"{folder}: error: cannot write here: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(output.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
            os.replace(tmp, target)
        except OSError as exc:
            _remove(tmp)
            raise RaciError(f"{output.path}: error: cannot write: {exc.strerror}") from None
        except BaseException:
            _remove(tmp)
            raise


def stale(outputs: Iterable[Output]) -> list[str]:
    """One line per output that differs from the file on disk: ``PATH is missing|out of date``."""
    lines = []
    for output in outputs:
        try:
            with open(output.path, "rb") as fh:
                current = fh.read()
        except FileNotFoundError:
            lines.append(f"{output.path} is missing")
            continue
        except OSError as exc:  # a folder where the file should be, no permission, ...
            raise RaciError(f"{output.path}: error: cannot read: {exc.strerror}") from None
        if current != output.data:
            lines.append(f"{output.path} is out of date")
    return lines


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
