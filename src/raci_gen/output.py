"""Build documents in memory, then write them, or compare them with what is on disk.

Generating is kept apart from writing: every document of a build is rendered
before the first byte is written, so bad input or a failing renderer leaves the
output folder as it was. Writing is :func:`raci_gen.confined.write_all`: every file
of the build, or none, each beneath the project folder or the folder named with
``--out``, never through a symbolic link that leads out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable

from raci_gen.analysis import Finding
from raci_gen.confined import TEMPORARY, Write, confine, remove_stale_temporaries, write_all  # noqa: F401
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
    root: str | None = None
    """The folder the file must stay in: the project, or the folder named on the command line."""


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
    outputs = [Output(path, FORMATS[f].render(document), f, confine(path, project.root, out_dir))
               for f, path in paths.items()]
    for injection in injections:
        from raci_gen.renderers.markdown import render_markdown_section

        try:
            content = render_markdown_section(document, injection.section)
        except RenderError as exc:
            where = injection.location or "--section"
            raise RenderError(f"{where}: error: {exc}") from None
        root = confine(injection.file, project.root, os.path.dirname(injection.file) or ".")
        outputs.append(Output(injection.file, inject_file(injection.file, content, root), "inject", root))
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


def write(outputs: Iterable[Output]) -> None:
    """Write every output or none (see :mod:`raci_gen.confined`), each beneath its ``root``.

    An output without a root stays in its own folder. Temporary files that killed builds
    left in a folder are removed before the first write there.
    """
    write_all([Write(o.path, o.data, o.root if o.root is not None else os.path.dirname(o.path) or ".")
               for o in outputs])


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
