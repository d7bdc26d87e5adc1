"""``raci-gen import``: a RACI table from Markdown, CSV/TSV, Excel or HTML into a project, or back into one.

* One reader per source format (``markdown``, ``csv``, ``xlsx``, ``html``), registered
  in :data:`READERS` by file suffix; each turns bytes into
  :class:`~raci_gen.importers.table.SourceTable`s and imports its library only when used.
* :mod:`~raci_gen.importers.core` is the pure core: tables in, an
  :class:`~raci_gen.importers.core.ImportedMatrix` and a report out.
* :mod:`~raci_gen.importers.project` makes the files of a new project;
  :mod:`~raci_gen.importers.roundtrip` changes an existing project's YAML in place (ruamel.yaml).

Nothing here writes a file: :func:`import_new` and :func:`import_into` return the
files to write, and the CLI writes them all or none.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import dataclass

from raci_gen.model.errors import InputError, RaciError
from raci_gen.importers.core import (
    Choice, ImportedMatrix, Note, choose, guess_variant, name_roles_from_a_roles_table, read_matrix,
)
from raci_gen.importers.table import ReadOptions, SourceError, SourceTable, join_side_by_side, read_limited
from raci_gen.model.matrix import Variant
from raci_gen.model.variants import VARIANTS


@dataclass(frozen=True)
class Reader:
    name: str
    module: str
    function: str

    def read(self, data: bytes, shown: str, options: ReadOptions) -> list[SourceTable]:
        return getattr(importlib.import_module(self.module), self.function)(data, shown, options)


READERS: dict[str, Reader] = {
    ".md": Reader("Markdown", "raci_gen.importers.markdown", "read_markdown"),
    ".markdown": Reader("Markdown", "raci_gen.importers.markdown", "read_markdown"),
    ".csv": Reader("CSV", "raci_gen.importers.csv", "read_csv"),
    ".tsv": Reader("TSV", "raci_gen.importers.csv", "read_tsv"),
    ".tab": Reader("TSV", "raci_gen.importers.csv", "read_tsv"),
    ".xlsx": Reader("Excel", "raci_gen.importers.xlsx", "read_xlsx"),
    ".xlsm": Reader("Excel", "raci_gen.importers.xlsx", "read_xlsx"),
    ".html": Reader("HTML", "raci_gen.importers.html", "read_html"),
    ".htm": Reader("HTML", "raci_gen.importers.html", "read_html"),
}
"""Source readers by file suffix (lower case)."""


@dataclass(frozen=True)
class ImportOptions:
    table: int | None = None
    sheet: str | None = None
    range: str | None = None
    transpose: bool = False
    variant: str | None = None


@dataclass(frozen=True)
class ImportResult:
    matrix: ImportedMatrix
    notes: tuple[Note, ...]
    files: tuple[tuple[str, bytes], ...]
    """(path, bytes) of each file to write."""
    summary: str = ""
    diff: object | None = None
    """For --into: the :class:`raci_gen.documents.diff.MatrixDiff` of the change."""
    created: frozenset[str] = frozenset()
    """For --into: the paths of :attr:`files` that are new files, written only where no file is."""
    expected: tuple[tuple[str, bytes], ...] = ()
    """For --into: (path, bytes) of each file of :attr:`files` that is edited, as it was read: replaced
    only if it still holds them."""

    @property
    def dropped(self) -> bool:
        return any(n.dropped for n in self.notes)


def read_source(source: str, options: ImportOptions, variant: Variant | None = None
                ) -> tuple[ImportedMatrix, list[Note]]:
    """Read ``source`` and the table in it into a matrix, with the report's notes."""
    suffix = os.path.splitext(source)[1].lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise SourceError(f"{source}: error: cannot import {suffix or 'a file without a suffix'}; expected "
                          + ", ".join(sorted(set(READERS))))
    if options.sheet is not None and reader.name != "Excel":
        raise SourceError(f"{source}: error: --sheet is for workbooks (.xlsx); this is {reader.name}")
    if options.range is not None and reader.name != "Excel":
        raise SourceError(f"{source}: error: --range is for workbooks (.xlsx); this is {reader.name}")
    data = read_limited(source, source)
    tables = reader.read(data, source, ReadOptions(sheet=options.sheet, range=options.range))
    if options.table is None:  # --table N counts the tables as the source has them
        tables = join_side_by_side(tables)
    if variant is None:
        if options.variant is not None:
            if options.variant not in VARIANTS:
                raise SourceError(f"--variant: error: unknown variant {options.variant!r}; choose from "
                                  + ", ".join(VARIANTS))
            variant = VARIANTS[options.variant]
        else:
            variant = guess_variant(tables)
    choice: Choice
    choice, notes = choose(tables, variant, options.table, source)
    matrix = read_matrix(choice, variant, source, transposed=options.transpose,
                         others=tables if options.table is None else ())
    name_roles_from_a_roles_table(matrix, [t for t in tables if t not in choice.tables])
    notes = notes + matrix.notes
    if options.variant is None and variant.name != "RACI":
        notes.insert(0, Note(choice.label(), f"the letters read best as the {variant.name} variant; "
                                             "give --variant to choose another"))
    return matrix, notes


def import_new(source: str, out_dir: str, options: ImportOptions, force: bool = False) -> ImportResult:
    """The files of a new project in ``out_dir`` made from the table in ``source``; refuses existing files
    unless ``force``. The project is loaded from a temporary copy first, so what is written loads."""
    from raci_gen.importers.project import project_files

    matrix, notes = read_source(source, options)
    texts = project_files(matrix, source)
    files = tuple((os.path.join(out_dir, rel), text.encode("utf-8")) for rel, text in texts.items())
    if not force:
        existing = [path for path, _ in files if os.path.lexists(path)]
        if existing:
            raise RaciError(f"{existing[0]}: error: exists; refusing to overwrite "
                            f"{len(existing)} file{'s' if len(existing) != 1 else ''} (give --force to replace them)")
    _check_loads(texts, source)
    return ImportResult(matrix, tuple(notes), files)


def _check_loads(texts: dict[str, str], source: str) -> None:
    """Loads the files made in a temporary folder. A file over a limit of the loader (a phase of 4,700
    activities of 40 roles is 2.8 MB of YAML; a file holds 2 MiB) is the source's size, not a bug: one line,
    exit 2. Any other refusal is a bug of the importer."""
    from raci_gen.input.loader import load_project
    from raci_gen.input.yamlsource import MAX_FILE_BYTES

    for rel, text in texts.items():
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            raise SourceError(f"{source}: error: the project made from it would not load: {rel} would be "
                              f"{size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes a file (a phase that "
                              "large is best split in the source)")
    with tempfile.TemporaryDirectory(prefix="raci-gen-import-") as tmp:
        for rel, text in texts.items():
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        try:
            load_project(tmp)
        except InputError as exc:
            over = [p for p in exc.problems if "; the limit is " in p.message]
            if over and len(over) == len(exc.problems):  # a limit of the loader (values, text in one file)
                first = over[0]
                raise SourceError(f"{source}: error: the project made from it would not load: "
                                  f"{os.path.relpath(first.location.file, tmp)}: {first.message}") from None
            # a bug: the project files we made do not load
            raise RuntimeError("the imported project does not load: " + "; ".join(
                f"{os.path.relpath(p.location.file, tmp)}:{p.location.line}: {p.message}"
                for p in exc.problems)) from None


def import_into(source: str, project_dir: str, options: ImportOptions, delete: bool = False,
                force: bool = False) -> ImportResult:
    """The changed YAML files of the project in ``project_dir`` after an edit of ``source``."""
    from raci_gen.importers.roundtrip import changes_into

    return changes_into(source, project_dir, options, delete=delete, force=force)
