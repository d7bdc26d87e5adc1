"""The Jinja2 environment shared by the Markdown and HTML renderers.

Templates are looked up first in the project's ``templates/`` folder, then in the
package, so a file of the same name overrides a built-in one. Templates run in
Jinja2's sandbox: a user template cannot reach Python internals.
"""

from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from raci_gen.errors import RenderError
from raci_gen.model import Location
from raci_gen.renderers.document import Document

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


def md_escape(text: object) -> str:
    """Text that GFM shows literally inside a table cell or heading, on one line."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _MD_INLINE.sub(r"\\\1", text)
    # A table cell cannot hold a line break: an HTML <br> is the one tag GFM wikis accept there.
    lines = [line.strip() for line in text.split("\n")]
    return "<br>".join(lines).replace("\t", " ")


def md_paragraph(text: object) -> str:
    """Text that GFM shows literally as a paragraph (no list, heading or quote starts).

    Blank lines at either end are dropped: a paragraph of only ``<br>`` would be a raw HTML block.
    A list number is escaped at its punctuation (``1\\.``): a backslash escapes punctuation only,
    so ``\\1.`` would show the backslash.
    """
    escaped = md_escape(("" if text is None else str(text)).strip())

    def escape(m: re.Match) -> str:
        marker = m.group(2)
        if marker[0].isdigit():
            return m.group(1) + marker[:-1] + "\\" + marker[-1]
        return m.group(1) + "\\" + marker

    return _MD_BLOCK_START.sub(escape, escaped)


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


MAX_TEMPLATE_VALUE = 10_000_000
"""Largest string or list a template may build with ``*`` or ``**`` (Jinja2's sandbox does not bound them)."""


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, plus a bound on ``'x' * 10**9`` and ``10 ** 10**9``, which would exhaust memory or time."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) \
                        and len(seq) * count > MAX_TEMPLATE_VALUE:
                    raise SecurityError(f"the template builds a value of more than {MAX_TEMPLATE_VALUE:,} items")
        if operator == "**" and isinstance(right, int) and abs(right) > 1000 and isinstance(left, int) \
                and abs(left) > 1:
            raise SecurityError("the template raises a number to a power over 1000")
        return super().call_binop(context, operator, left, right)


def environment(document: Document, autoescape: bool) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    if document.template_dir:
        loaders.append(jinja2.FileSystemLoader(document.template_dir))
    loaders.append(jinja2.PackageLoader("raci_gen", "templates"))
    env = _BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_escape
    env.filters["md_paragraph"] = md_paragraph
    env.filters["css_string"] = css_string
    env.filters["html_comment"] = html_comment
    env.filters["breakable"] = breakable
    return env


def template_blocks(document: Document, name: str) -> list[str]:
    """The ``{% block %}`` names of a template, in the order they appear."""
    try:
        return list(environment(document, autoescape=False).get_template(name).blocks)
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: error: template failed: {exc}") from None


def render_template(document: Document, name: str, autoescape: bool, block: str | None = None,
                    **context: object) -> str:
    """Render template ``name``, or only its ``{% block %}`` called ``block`` (one of :func:`template_blocks`)."""
    env = environment(document, autoescape)
    try:
        template = env.get_template(name)
        variables = {"doc": document, "matrix": document.matrix, **context}
        if block is None:
            return template.render(variables)
        return "".join(template.blocks[block](template.new_context(variables)))
    except jinja2.TemplateSyntaxError as exc:
        where = Location(exc.filename or name, exc.lineno or 1, 1)
        raise RenderError(f"{where}: error: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name!r} not found") from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: error: template failed: {exc}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, MemoryError) as exc:
        # A template (possibly the user's) that fails while running: a division by zero, a
        # sandboxed range() too long, pop() on an empty list. Said in one line, like any input error.
        raise RenderError(f"{name}: error: template failed: {type(exc).__name__}: {exc}") from None
