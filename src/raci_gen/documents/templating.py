"""The Jinja2 environment shared by the Markdown and HTML renderers.

Templates are looked up first in the project's ``templates/`` folder, then in the
package, so a file of the same name overrides a built-in one. Templates run in
Jinja2's sandbox: a user template cannot reach Python internals; and within the
bounds of time, memory and size of :mod:`raci_gen.documents.sandbox`.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys

from typing import Callable, Iterable

import jinja2
import jinja2.bccache
from markupsafe import Markup, escape

from raci_gen import __version__
from raci_gen.runtime import confined
from raci_gen.input import templatefolder
from raci_gen.runtime import usercache
from raci_gen.model.errors import Problem, RaciError, RenderError, TemplateFailure
from raci_gen.model.matrix import Location
from raci_gen.documents.document import Document
from raci_gen.documents.sandbox import BoundedSandbox, TemplateLimit, render_within_limits, time_limit

# Characters that start an inline construct in GitHub-flavoured Markdown, and '#', which
# closes an ATX heading when it ends one ("### Phase ##" would show as "Phase").
_MD_INLINE = re.compile(r"([\\`*_\[\]<|~&$#])")
_MD_BLOCK_START = re.compile(r"^(\s*)([-+=>#]|\d+[.)])")
# Control characters other than tab and line breaks: invalid in HTML, and in a Markdown file
# they reach the terminal of whoever runs `cat` on it. Shown as U+FFFD, as in the workbook.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _finalize(value: object) -> object:
    """Applied to every ``{{ ... }}`` output: replaces control characters, keeps Markup as Markup."""
    if isinstance(value, str) and _CONTROL.search(value):
        cleaned = _CONTROL.sub("\ufffd", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


@jinja2.pass_environment
def _bounded_finalize(env: BoundedSandbox, value: object) -> object:
    """:func:`_finalize`, after the sandbox has measured the value."""
    env.finalize_value(value)
    return _finalize(value)


def md_escape(text: object, line_break: str = "<br>") -> str:
    """Text that GFM shows literally inside a table cell or heading, on one line."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _MD_INLINE.sub(r"\\\1", text)
    # A table cell cannot hold a line break: an HTML <br> is the one tag GFM wikis accept there.
    lines = [line.strip() for line in text.split("\n")]
    return line_break.join(lines).replace("\t", " ")


def md_text(text: object) -> str:
    """Text that GFM shows literally within a paragraph: :func:`md_escape`, but a line break of the text
    is a hard break (a backslash ending the line) rather than ``<br>``, which markdownlint's default
    configuration refuses as inline HTML (MD033). :func:`md_wrap` keeps such a break where it is."""
    # Breaks at either end would show a backslash (a hard break must be followed by text).
    return md_escape(("" if text is None else str(text)).strip(), "\\\n")


def _escape_block_start(line: str) -> str:
    """``line`` with a backslash where it would start a list, heading, quote or setext underline.

    A list number is escaped at its punctuation (``1\\.``): a backslash escapes punctuation only,
    so ``\\1.`` would show the backslash.
    """
    def escape(m: re.Match) -> str:
        marker = m.group(2)
        if marker[0].isdigit():
            return m.group(1) + marker[:-1] + "\\" + marker[-1]
        return m.group(1) + "\\" + marker

    return _MD_BLOCK_START.sub(escape, line)


def md_paragraph(text: object) -> str:
    """Text that GFM shows literally as a paragraph (no list, heading or quote starts), on one line.

    Blank lines at either end are dropped: a paragraph of only ``<br>`` would be a raw HTML block.
    """
    return _escape_block_start(md_escape(("" if text is None else str(text)).strip()))


def md_wrapped_paragraph(text: object) -> str:
    """Text that GFM shows literally as a paragraph (no list, heading or quote starts), wrapped as
    :func:`md_wrap` wraps, for markdownlint's line length (MD013); a line break of the text is a hard
    break (a backslash ending the line), not ``<br>``, which markdownlint refuses as inline HTML (MD033).
    Blank lines at either end are dropped.
    """
    return md_wrap(md_text(("" if text is None else str(text)).strip()))


MD_WIDTH = 80
"""Longest line of the Markdown's paragraphs: markdownlint's default line length (MD013)."""
_BREAK = re.compile(r"(?<! ) (?! )")
"""Where a line may break: a single space. A run of spaces stays on its line, as the text holds it (GFM
reads a break as one space, and drops the spaces around it)."""


def md_wrap(text: object, indent: str = "", start: int | None = None, escape: bool = True) -> str:
    """Markdown text (already escaped) broken at its spaces into lines of at most :data:`MD_WIDTH`
    characters, counting ``indent``, which starts each line but the first, and on the first line the
    ``start`` characters the template writes before the text (default: as many as ``indent``, a list
    marker's width).

    A word longer than a line stays whole, on a line of its own (markdownlint accepts a line with
    no space past the limit). A line that would start a block is escaped (unless ``escape`` is false:
    the text of an HTML comment); GFM joins the lines with a space, as it shows the text unwrapped.
    """
    text = "" if text is None else str(text)
    lines: list[str] = []
    # Columns of the line taken before its text: what the template writes first, then the indent.
    taken = len(indent) if start is None else start
    for hard_line in text.split("\n"):  # each line of the text (ended by a hard break) wrapped on its own
        line = ""
        for word in _BREAK.split(hard_line.strip(" ")):
            if line and taken + len(line) + 1 + len(word) > MD_WIDTH:
                lines.append(line)
                line, taken = word, len(indent)
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        taken = len(indent)
    return ("\n" + indent).join(_escape_block_start(line) if escape else line for line in lines)


def md_table(rows: object) -> str:
    """A table's rows (its Markdown, header first) with markdownlint's line length (MD013) turned off
    before it and the rules' state restored after it: a row cannot be wrapped, and a matrix's rows are
    longer than the 80 characters of markdownlint's default. Inline HTML (MD033) is turned off too
    where a cell holds a ``<br>``, the one line break a GFM table cell has."""
    rows = ("" if rows is None else str(rows)).strip("\n")
    rules = "MD013 MD033" if "<br>" in rows else "MD013"
    return (f"<!-- markdownlint-capture --><!-- markdownlint-disable {rules} -->\n\n{rows}\n\n"
            "<!-- markdownlint-restore -->")


def md_heading(text: object, level: int) -> str:
    """An ATX heading of ``text`` (already escaped); one longer than :data:`MD_WIDTH` characters, which
    cannot be wrapped, comes after a comment that turns markdownlint's line length (MD013) off for it."""
    heading = "#" * level + " " + ("" if text is None else str(text))
    return f"<!-- markdownlint-disable-next-line MD013 -->\n{heading}" if len(heading) > MD_WIDTH else heading


def md_cells(cells: object) -> str:
    """A table row's cells after its first ``|``: `` text |`` each, and `` |`` for an empty one,
    markdownlint's *compact* table style (MD060: one space either side of a cell's text)."""
    return "".join(f" {cell} |" if cell else " |" for cell in (str(c) for c in cells))


def html_comment(text: object) -> str:
    """Text that stays inside an HTML comment: no ``-->`` (or ``--!>``) and no line break."""
    text = "" if text is None else str(text)
    text = re.sub(r"[\r\n]+", " ", text)
    return text.replace(">", "&gt;")


LONG_RUN = 32
"""Longest run of non-space characters the HTML leaves without a line-break opportunity."""
_LONG_RUN = re.compile(r"\S{%d,}" % (LONG_RUN + 1))


def breakable(text: object) -> Markup:
    """Escaped HTML text with a ``<wbr>`` after every :data:`LONG_RUN` characters of a longer word.

    CSS ``overflow-wrap: anywhere`` already keeps a long word inside its column, but
    WeasyPrint's time to break a word grows with the square of its length (minutes for
    a few thousand characters); short runs keep that cost bounded. Words of ordinary
    length are left alone.
    """
    text = "" if text is None else str(text)
    parts: list[str] = []
    last = 0
    for match in _LONG_RUN.finditer(text):
        run = match.group()
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup("<wbr>").join(escape(run[i:i + LONG_RUN]) for i in range(0, len(run), LONG_RUN)))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("".join(parts))


EMAIL_PIECE = 24
"""Longest piece of an e-mail address kept on one line (:func:`email_breakable`); a longer one breaks as
:func:`breakable` text does, so that it still fits its column."""
_EMAIL_POINTS = re.compile(r"(?=[@.])")


def email_breakable(text: object) -> Markup:
    """An e-mail address that breaks only before its ``@`` and its dots, as typesetters break one, never at a
    hyphen of a name (``anne-marie``): each piece between those points is kept on one line (raci.css,
    ``.nobreak``) with a ``<wbr>`` before the next."""
    pieces = [piece for piece in _EMAIL_POINTS.split("" if text is None else str(text)) if piece]
    return Markup("<wbr>").join(
        Markup('<span class="nobreak">%s</span>') % piece if len(piece) <= EMAIL_PIECE else breakable(piece)
        for piece in pieces)


def name_breakable(text: object, line_chars: int) -> Markup:
    """A name that breaks at its spaces, and at the hyphens of a word only when the word is longer than a line
    of ``line_chars`` characters: each hyphenated word that fits is kept on one line (raci.css, ``.nobreak``),
    so that a column header reads "Head of" / "data-platform", not "Head of data-" / "platform"."""
    words = ("" if text is None else str(text)).split(" ")
    return Markup(" ").join(
        Markup('<span class="nobreak">%s</span>') % word if "-" in word and len(word) <= line_chars
        else breakable(word) for word in words)


def css_string(text: object) -> Markup:
    """A quoted CSS string that shows ``text`` literally, safe inside an HTML <style>."""
    text = "" if text is None else str(text)
    out = []
    for char in text:
        if char in '\\"<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):X} ")
        else:
            out.append(char)
    return Markup('"' + "".join(out) + '"')


BUILT_IN_TEMPLATES = templatefolder.BUILT_IN_NAMES
"""The package's templates, which a project's file of the same name replaces."""


class PackagedTemplateCache(jinja2.BytecodeCache):
    """The built-in templates' compiled code, kept in this process and in raci-gen's cache folder
    (:mod:`raci_gen.runtime.usercache`): compiling them costs more than rendering the example's Markdown.

    Only templates loaded from the package's own folder are cached; a project's templates are
    compiled at every run and never stored. An entry's name covers everything that shapes the
    compiled code: raci-gen's and Jinja2's versions, the sandbox and this module (their source, so
    the code generator and the environment's settings), autoescape and the template; Jinja2 adds a
    checksum of the template's text and its own and Python's bytecode versions, and refuses an entry
    that does not match. An entry that cannot be read or written is compiled again, as without a cache.

    The code compiled or read once is also kept in memory (``folder`` None: only there), so that the
    processes a PDF's parts are laid out in, forked after :func:`compile_templates`, do not each compile
    the same templates again (with a cold cache folder, as in a new CI container, that was 0.14 s a part).
    """

    def __init__(self, folder: str | None, autoescape: bool):
        here = os.path.dirname(os.path.abspath(__file__))
        try:
            code = usercache.file_digest(os.path.join(here, "sandbox.py"), os.path.abspath(__file__))
        except OSError:  # raci-gen's own sources unreadable: entries that could not be told apart are not stored
            code, folder = "", None
        self.folder = folder
        self.salt = "\0".join(("templates 1", __version__, jinja2.__version__, sys.version, code, str(autoescape)))
        self.memory: dict[str, tuple[str, object]] = {}
        """Cache key -> (the template's checksum, its code)."""

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        if filename is None or os.path.dirname(os.path.abspath(filename)) != templatefolder.built_in_folder():
            return jinja2.bccache.Bucket(environment, "", "")  # a project's template: compiled, never stored
        return super().get_bucket(environment, name, filename, source)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.salt}\0{name}\0{filename}".encode("utf-8", "surrogatepass")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not bucket.key:
            return
        kept = self.memory.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]
            return
        data = usercache.read(self.folder, bucket.key) if self.folder else None
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # a damaged entry (pickle and marshal fail in many ways): compile instead
            bucket.reset()
        if bucket.code is not None:
            self.memory[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key and bucket.code is not None:
            self.memory[bucket.key] = (bucket.checksum, bucket.code)
            if self.folder:
                usercache.write(self.folder, bucket.key, bucket.bytecode_to_string())


_caches: dict[bool, PackagedTemplateCache] = {}


def _template_cache(autoescape: bool) -> PackagedTemplateCache:
    if autoescape not in _caches:
        _caches[autoescape] = PackagedTemplateCache(usercache.folder("templates"), autoescape)
    return _caches[autoescape]


def compile_templates(document: Document, names: Iterable[str], autoescape: bool) -> None:
    """Compiles (or reads from the cache folder) the templates ``names`` that ``document`` is drawn from, so that
    they are kept in this process's memory: processes forked next find them there."""
    env = environment(document, autoescape)
    for name in names:
        env.get_template(name)


class TemplateRefused(jinja2.TemplateError):
    """A template name the project's loader will not read (see :func:`templatefolder.template_name_refusal`).

    Not a :class:`jinja2.TemplateNotFound`: :class:`jinja2.ChoiceLoader` and ``ignore missing`` would
    pass over that and look further; a refusal ends the render."""

    def __init__(self, name: str, reason: str, filename: str | None = None):
        super().__init__(f"template {name!r} is not read: {reason}")
        self.name = name
        self.reason = reason
        self.filename = filename
        """The file in the templates folder the name leads to, when the refusal concerns the file itself."""


class ProjectTemplateLoader(jinja2.BaseLoader):
    """The project's templates folder: each name read beneath it, never outside.

    The name must pass :func:`templatefolder.template_name_refusal` (relative, no ``..``, nothing
    hidden or of a version-control folder, a template's suffix); the file is then reached as
    :func:`confined.read_regular` reaches it, one folder at a time from a descriptor of the templates
    folder, without following a link that leads out of it, and refused above
    :data:`templatefolder.MAX_FILE_BYTES`. A name that is not there is :class:`jinja2.TemplateNotFound`,
    so the built-in template of that name is used; so is a file that is the built-in template, same name and
    same bytes (:func:`templatefolder.is_built_in`), which is then read, compiled and cached as the built-in.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        reason = templatefolder.template_name_refusal(template)
        if reason is not None:
            raise TemplateRefused(template, reason)
        path = os.path.join(self.folder, *templatefolder.template_parts(template))
        try:
            data = confined.read_regular(path, self.folder, templatefolder.MAX_FILE_BYTES, "template")
        except (FileNotFoundError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None
        except RaciError as exc:
            # confined words it "PATH: error: WHY"; the place is given by the template that asked
            raise TemplateRefused(template, str(exc).split(": error: ", 1)[-1], path) from None
        except OSError as exc:
            raise TemplateRefused(template, f"cannot be read: {exc.strerror}", path) from None
        if templatefolder.is_built_in(template, data):
            raise jinja2.TemplateNotFound(template)  # the built-in loader, next in line, reads it
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateRefused(template, f"not UTF-8 text (byte {exc.start + 1})", path) from None
        # One environment serves one render, so a template read once stays as read.
        return source, path, lambda: True

    def is_own(self, template: str) -> bool:
        """Whether the folder's file ``template`` is the project's own: there, and not the built-in template
        of that name (a file that is refused counts as its own: the render will say why)."""
        try:
            self.get_source(jinja2.Environment(), template)
        except jinja2.TemplateNotFound:
            return False
        except TemplateRefused:
            return True
        return True

    def list_templates(self) -> list[str]:
        """The names of the folder's template files, within the limits of :func:`templatefolder.walk`."""
        return sorted(entry.relative for entry in templatefolder.walk(self.folder).entries
                      if not entry.is_folder and templatefolder.template_name_refusal(entry.relative) is None)


def environment(document: Document, autoescape: bool) -> BoundedSandbox:
    loaders: list[jinja2.BaseLoader] = []
    if document.template_dir:
        loaders.append(ProjectTemplateLoader(document.template_dir))
    loaders.append(jinja2.FileSystemLoader(templatefolder.built_in_folder()))
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        finalize=_bounded_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_template_cache(autoescape),
    )
    env.filters["md"] = md_escape
    env.filters["md_paragraph"] = md_paragraph
    env.filters["md_wrapped_paragraph"] = md_wrapped_paragraph
    env.filters["md_text"] = md_text
    env.filters["md_wrap"] = md_wrap
    env.filters["md_cells"] = md_cells
    env.filters["md_table"] = md_table
    env.filters["md_heading"] = md_heading
    env.filters["css_string"] = css_string
    env.filters["html_comment"] = html_comment
    env.filters["breakable"] = breakable
    env.filters["email_breakable"] = email_breakable
    env.filters["name_breakable"] = name_breakable
    return env


def template_blocks(document: Document, name: str) -> list[str]:
    """The ``{% block %}`` names of a template, in the order they appear."""
    try:
        return list(environment(document, autoescape=False).get_template(name).blocks)
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound, TemplateRefused) as exc:
        raise _loading_failure(exc, name, document, None) from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}:1:1: error: template failed: {exc}") from None


def _loading_failure(exc: jinja2.TemplateError, name: str, document: Document,
                     template: jinja2.Template | None) -> TemplateFailure:
    """A template that could not be loaded, as one problem at its place: the line of a syntax error, or the
    line that asked for a template (``{% include %}``, ``{% import %}``, ``{% extends %}``) that is refused or
    found nowhere."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = Location(_shown(exc.filename or name, name, document), exc.lineno or 1, 1)
        return TemplateFailure([Problem(where, f"template syntax error: {exc.message}")])
    where = _where(exc, name, document, template)
    if isinstance(exc, TemplateRefused):
        if template is None and exc.filename:  # the template asked for by name is itself refused
            where = Location(_shown(exc.filename, name, document), 1, 1)
        return TemplateFailure([Problem(where, str(exc))])
    folder = f"in {_shown(document.template_dir, name, document)}/ nor " if document.template_dir else ""
    return TemplateFailure([Problem(where, f"template {exc.name!r} not found {folder}among the built-in "
                                           f"templates ({', '.join(BUILT_IN_TEMPLATES)})")])


def _project_templates(document: Document) -> bool:
    """Whether the project's templates folder holds any file of its own a render could use."""
    if not document.template_dir:
        return False
    loader = ProjectTemplateLoader(document.template_dir)
    return any(name not in BUILT_IN_TEMPLATES or loader.is_own(name) for name in loader.list_templates())


def _where(exc: BaseException, name: str, document: Document, template: jinja2.Template | None = None) -> Location:
    """The template line a render was at when ``exc`` stopped it: the innermost template frame.

    Jinja2 rewrites the traceback of an ``Exception`` into frames named after the template;
    a :class:`TemplateLimit` (a ``BaseException``) keeps the compiled frames, whose globals
    hold the template and its map of line numbers.
    """
    found: tuple[str, int] | None = None
    frame = getattr(exc, "frame", None)
    if frame is not None and frame.f_globals.get("__jinja_template__") is not None:
        template_of_frame = frame.f_globals["__jinja_template__"]
        found = (template_of_frame.filename, template_of_frame.get_corresponding_lineno(frame.f_lineno))
    tb = exc.__traceback__
    while tb is not None:
        scope = tb.tb_frame.f_globals
        template = scope.get("__jinja_template__")
        if template is not None and template.filename:
            found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        elif "__jinja_exception__" in scope and tb.tb_frame.f_code.co_filename:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return Location(_shown(template.filename if template and template.filename else name, name, document), 1, 1)
    return Location(_shown(found[0], name, document), max(found[1], 1), 1)


def _shown(filename: str, name: str, document: Document) -> str:
    """A template's file as the user knows it: the project's path, or the name of a built-in one."""
    if document.template_dir and os.path.commonpath(
            [os.path.abspath(document.template_dir), os.path.abspath(filename)]) == os.path.abspath(
            document.template_dir):
        return os.path.normpath(filename)
    return os.path.basename(filename) if os.path.isabs(filename) else filename


def render_template(document: Document, name: str, autoescape: bool, block: str | None = None,
                    **context: object) -> str:
    """Render template ``name``, or only its ``{% block %}`` called ``block`` (one of :func:`template_blocks`).

    Within the bounds of :mod:`raci_gen.documents.sandbox`; time and memory are watched when
    the project has templates of its own.
    """
    env = environment(document, autoescape)
    template = None
    try:
        template = env.get_template(name)
        variables = {"doc": document, "matrix": document.matrix, **context}
        if block is None:
            chunks = lambda: template.generate(variables)  # noqa: E731
        else:
            chunks = lambda: template.blocks[block](template.new_context(variables))  # noqa: E731
        cells = len(document.matrix.roles) * sum(1 for _ in document.matrix.activities())
        return render_within_limits(env, chunks, watched=_project_templates(document), seconds=time_limit(cells))
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound, TemplateRefused) as exc:
        raise _loading_failure(exc, name, document, template) from None
    except TemplateLimit as exc:
        raise TemplateFailure([Problem(_where(exc, name, document, template), f"the template {exc}")]) from None
    except RecursionError as exc:
        raise TemplateFailure([Problem(_where(exc, name, document, template), "the template calls itself too "
                                       "deeply (a macro or include without an end?)")]) from None
    except jinja2.TemplateError as exc:
        raise TemplateFailure([Problem(_where(exc, name, document, template), f"template failed: {exc}")]) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, MemoryError) as exc:
        # A template (possibly the user's) that fails while running: a division by zero, a
        # sandboxed range() too long, pop() on an empty list. Said in one line, like any input error.
        raise TemplateFailure([Problem(_where(exc, name, document, template),
                                       f"template failed: {type(exc).__name__}: {exc}")]) from None
