"""The parser boundary: YAML text in, plain data plus source positions out.

PyYAML's safe composer builds a node tree; we walk it ourselves so that we can
reject what PyYAML would silently accept (a key given twice), refuse every tag
that asks for an object, bound alias expansion and nesting, and record for each
value the 1-based line and column it came from. This is the only module that
imports PyYAML.

Files are parsed by libyaml (PyYAML's C extension, in its wheels), a hundred times
faster than PyYAML's own parser, which would take about a minute on a 2 MiB file
and is most of the cost of loading a small project. The two agree on every input
the tests and the fuzzing tried, except some tabs inside plain text, which libyaml
accepts as YAML allows and PyYAML refuses, a byte order mark inside the text, and
where an empty value is. So a file no longer than FAST_PARSE_FROM is judged by
PyYAML whenever libyaml finds a problem or one of those could differ: the data,
positions and messages are PyYAML's, whichever parser ran. In longer files
libyaml's syntax errors are reworded into PyYAML's terms, and one found early in
the file is reported from PyYAML's parser.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # a PyYAML built without libyaml
    _CParser = None

from raci_gen.model.errors import InputError, Problem
from raci_gen.model.matrix import Location

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest input file read, in bytes (2 MiB: a matrix of thousands of activities fits)."""
MAX_NODES = 200_000
"""Most YAML values one file may expand to, aliases included (stops "billion laughs")."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""
MAX_TEXT_CHARS = 4 * MAX_FILE_BYTES
"""Most characters of text (keys and values) one file may expand to, aliases included: stops a
long text repeated by aliases ("quadratic blowup"), which few values would not."""
FAST_PARSE_FROM = 64 * 1024
"""Files longer than this (in characters) are parsed by libyaml when PyYAML has it: PyYAML's own
parser reads about 50 KB a second, libyaml a hundred times faster. Smaller files, and errors
found in their first FAST_PARSE_FROM characters, go through PyYAML's parser, which words
errors better."""
MAX_SLOW_PARSE_CHARS = 256 * 1024
"""Characters PyYAML's own parser may read in one load of a project (see SlowParse): about 4 s of its time.
A short file sent to it (a tab, an empty value or an error in the first FAST_PARSE_FROM characters) costs up
to a second (0.8 s for 62 KB of small values), and a project may have thousands of files."""


MAX_LOAD_VALUES = 500_000
"""YAML values in all the files of one load (aliases expanded), as MAX_NODES is in one: each costs some 8 us to
compose, walk and check, and 540 files of 31,000 small values (within the 32 MiB the loader reads) took 140 s, 1,000,000 values 26 s.
The largest matrix (5,000 activities of 30 cells) has some 180,000."""


class SlowParse:
    """What is left, in characters, of MAX_SLOW_PARSE_CHARS for the files of one load (once it is spent, files
    are judged by libyaml alone, as long files are, its errors reworded in PyYAML's terms), and of
    MAX_LOAD_VALUES (once it is exceeded, the file that exceeds it is refused and ``exceeded`` is set: the loader
    reads no more files)."""

    def __init__(self, chars: int = MAX_SLOW_PARSE_CHARS, values: int = MAX_LOAD_VALUES):
        self.left = chars
        self.values_left = values
        self.exceeded = False

    def count_values(self, values: int, file: str, node: yaml.Node) -> None:
        self.values_left -= values
        if self.values_left < 0:
            self.exceeded = True
            raise InputError([Problem(_location(file, node.start_mark),
                                      f"more than {MAX_LOAD_VALUES:,} YAML values in the project's files together, "
                                      f"{-self.values_left:,} past it with this file's {values:,}; the limit is "
                                      f"{MAX_LOAD_VALUES:,} (files after this one are not read)")])

    def allows(self, text: str) -> bool:
        return min(len(text), FAST_PARSE_FROM) <= self.left

    def charge(self, text: str) -> None:
        self.left = max(0, self.left - min(len(text), FAST_PARSE_FROM))

Path = tuple  # a path into the data: keys and list indexes

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class Located:
    """Parsed data of one file, with the position of every value and every key."""

    data: Any
    file: str
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """What ``parse(..., keep_going=True)`` refused while the rest stayed readable: a key given twice
    (the first kept), a tag, a merge key or a key that is not text (left out)."""
    dropped: set[Path] = field(default_factory=set)
    """Values read as nothing because their tag was refused: a problem was said there already."""
    given_twice: set[Path] = field(default_factory=set)
    """Keys given twice: which value was meant is unknown (the first is in ``data``)."""
    short_of_keys: set[Path] = field(default_factory=set)
    """Mappings that had a key left out (a merge key, a refused tag, a key that is not text): a key
    "missing" there may be the one left out."""
    timestamps: dict[Path, str] = field(default_factory=dict)
    """The text of each value YAML reads as a date, as written (``2026-1-5`` is a date to YAML), for a
    reader that takes ISO 8601's form only (people's ``from:`` and ``until:``)."""

    def at(self, path: Path) -> Location:
        """Where the value at ``path`` is, or the nearest enclosing value."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Location(self.file))

    def key_at(self, path: Path) -> Location:
        """Where the key that names ``path`` is (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.at(path)


def _location(file: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


def read_text(path: str, shown: str) -> str:
    """Read a UTF-8 file, refusing what is too large or not text."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise InputError([Problem(Location(shown), f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise InputError([Problem(Location(shown),
                                  f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")])
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(Location(shown), f"cannot read file: {exc.strerror}")]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark, as Windows editors write it, is harmless
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        # Columns count characters, as PyYAML's do, not bytes.
        line, column = _line_column(before, len(before))
        raise InputError([Problem(Location(shown, line, column),
                                  f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]) from None


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``text[position]``; lines end at LF, CRLF or a lone CR, as editors count."""
    before = text[:position]
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, position - start + 1


def parse(text: str, file: str, keep_going: bool = False, slow: SlowParse | None = None) -> Located:
    """Parse one YAML document into plain data with positions.

    A key given twice, a refused tag or merge key are raised as an InputError; with ``keep_going``
    they are returned in ``Located.problems`` with the data read around them, so that the rest of
    the file can still be checked. Syntax errors and the size limits always raise: there is no
    data to go on. ``slow``: what PyYAML's own parser may still read in this load (unbounded without it)."""
    bad = _NOT_PRINTABLE.search(text)
    if bad:  # PyYAML refuses these too, but libyaml does not say where
        line, column = _line_column(text, bad.start())
        raise InputError([Problem(Location(file, line, column),
                                  f"control character U+{ord(bad.group()):04X} is not allowed in YAML; "
                                  "remove it")])
    # Composing makes a few small objects per character and no reference cycles (a value that
    # contains itself is refused below): the garbage collector would only double the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        node = _compose(text, file, slow)
        located = Located(data=None, file=file)
        if node is None:
            return located
        values = _check_size(node, file)
        if slow is not None:
            slow.count_values(values, file, node)
        located.values[()] = _location(file, node.start_mark)
        walker = _Walker(file, located)
        located.data = walker.value(node, (), 0)
    finally:
        if collecting:
            gc.enable()
    if walker.problems and not keep_going:
        raise InputError(walker.problems)
    located.problems = walker.problems
    return located


_NOT_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_PYYAML_ONLY = re.compile("[\t\ufeff\x85\u2028\u2029]")
"""Characters in whose presence a short file is parsed by PyYAML only (see _compose)."""


def _compose(text: str, file: str, slow: SlowParse | None = None) -> yaml.Node | None:
    """The node tree of ``text``: by libyaml, else (or to word an early error) by PyYAML.

    A short file with a tab, a byte order mark or a Unicode line break in it goes to PyYAML
    straight away: there the two parsers disagree (libyaml accepts some tabs that PyYAML refuses,
    skips a second byte order mark that PyYAML reads as text), and a short file must be judged as
    it always was. Any error libyaml finds in a short file is found again by PyYAML, which words
    it; so is a file with an empty value, which the two place differently."""
    # With ``slow`` spent, a short file is judged by libyaml alone, as a long one is.
    spent = _FastLoader is not None and slow is not None and not slow.allows(text)
    long = len(text) > FAST_PARSE_FROM or spent
    if _FastLoader is not None and (long or not _PYYAML_ONLY.search(text)):
        fast = _FastLoader(text)
        try:
            node = fast.get_single_node()
            if long or not _has_empty_value(node):
                return node
            # libyaml places an empty value (``key:`` with nothing after it) elsewhere than PyYAML
            # does, and "got nothing" problems point there: PyYAML parses this file again.
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            if not long:
                pass  # a short file is parsed again by PyYAML, whose message is the one users know
            elif "maximum nesting depth" in (getattr(exc, "problem", None) or ""):  # libyaml's limit: 1,000
                deepest = _first_too_deep(text)
                if deepest is not None or mark is None or mark.index >= FAST_PARSE_FROM or spent:
                    raise InputError([Problem(_location(file, deepest or mark),
                                              f"nesting is too deep (limit {MAX_DEPTH} levels)")]) from None
            elif mark is not None and (mark.index >= FAST_PARSE_FROM or spent):
                raise _syntax_problem(_in_pyyaml_words(exc, text), file) from None
            # Found early: PyYAML's parser stops there too, and says it better.
        finally:
            fast.dispose()
    if slow is not None:
        slow.charge(text)
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except _TooDeep as exc:
        raise InputError([Problem(_location(file, exc.mark),
                                  f"nesting is too deep (limit {MAX_DEPTH} levels)")]) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, file) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(Location(file), f"YAML error: {' '.join(str(exc).split())}")]) from None
    except RecursionError:
        raise InputError([Problem(Location(file), f"nesting is too deep (limit {MAX_DEPTH} levels)")]) from None
    finally:
        loader.dispose()


def _has_empty_value(root: yaml.Node | None) -> bool:
    """Whether the tree holds an empty plain scalar (a value left out), each node looked at once."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.value and not node.style:  # plain: None from PyYAML, "" from libyaml
                return True
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        else:
            stack.extend(node.value)
    return False


def _first_too_deep(text: str) -> yaml.Mark | None:
    """Where the first value more than MAX_DEPTH levels deep starts, from libyaml's events
    (where PyYAML's composer would stop), or None."""
    parser = _CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                if depth > MAX_DEPTH:
                    return event.start_mark
                depth += isinstance(event, yaml.CollectionStartEvent)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.StreamEndEvent):
                return None
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    if exc.problem == "could not find expected ':'" and exc.context_mark:
        mark = exc.context_mark  # the text that wants to be a key, not where the search gave up
    return InputError([Problem(_location(file, mark), f"YAML syntax error: {_syntax_message(exc)}")])


def _in_pyyaml_words(exc: yaml.MarkedYAMLError, text: str) -> yaml.MarkedYAMLError:
    """libyaml's complaint reworded as PyYAML's parser words it, which _syntax_message understands.

    libyaml's marks count characters, like PyYAML's, so ``text[mark.index]`` is where it stopped.
    """
    mark = exc.problem_mark
    if mark is not None:  # PyYAML's kind of mark, which _mid_line can look along the line of
        mark = exc.problem_mark = yaml.Mark(mark.name, mark.index, mark.line, mark.column, text, mark.index)
    at = text[mark.index:] if mark is not None else ""
    found = repr(at[0]) if at else "'<stream end>'"
    problem = (exc.problem or "").replace("expected node content", "expected the node content")
    if problem == "found character that cannot start any token" and at:
        problem = f"found character {at[0]!r} that cannot start any token"
    elif problem == "found a tab character that violates indentation":
        problem = "found character '\\t' that cannot start any token"
    elif problem == "found unknown escape character" and at[:1] == "\\" and len(at) > 1:
        problem = f"found unknown escape character {at[1]!r}"  # PyYAML points at the character, after the \\
        exc.problem_mark = yaml.Mark(mark.name, mark.index + 1, mark.line, mark.column + 1, text, mark.index + 1)
    elif problem == "mapping values are not allowed in this context":
        problem = "mapping values are not allowed here"
    elif problem in ("did not find expected key", "did not find expected '-' indicator"):
        problem = f"expected <block end>, but found {found}"
    elif problem.startswith("did not find expected "):
        problem = f"expected {problem[len('did not find expected '):]}, but found {found}"
    elif problem == "found undefined alias":
        name = re.match(r"\*([^\s,\[\]{}]+)", at)
        problem += f" {name.group(1)!r}" if name else ""
    if exc.context == "found duplicate anchor; first occurrence":
        name = re.match(r"&([^\s,\[\]{}]+)", at)
        exc.context = f"found duplicate anchor {name.group(1)!r}; first occurrence" if name else exc.context
    exc.problem = problem
    return exc


_KINDS = {
    "flow sequence": ("'['", "list"),
    "flow mapping": ("'{'", "mapping"),
    "block mapping": ("", "mapping"),
    "block collection": ("", "list"),
    "block sequence": ("", "list"),
    "block node": ("", "value"),
    "flow node": ("", "value"),
    "quoted scalar": ("quote", "quoted text"),
    "double-quoted scalar": ("quote", "quoted text"),
    "single-quoted scalar": ("quote", "quoted text"),
    "simple key": ("", "key"),
}


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's complaint, reworded for people who edit YAML by hand; always one line."""
    problem = " ".join((exc.problem or "").split())
    context = " ".join((exc.context or "").split())
    cmark = exc.context_mark
    at = f"line {cmark.line + 1}, column {cmark.column + 1}" if cmark else ""
    opener, kind = "", ""
    match = re.match(r"while (?:parsing|scanning) an? (.+)$", context)
    if match:
        opener, kind = _KINDS.get(match.group(1), ("", match.group(1)))
    ended = "<stream end>" in problem or "end of stream" in problem

    if "found character '\\t'" in problem:
        return "a tab character cannot indent YAML; use spaces"
    found = re.match(r"found character (.+) that cannot start any token$", problem)
    if found:
        return f"{found.group(1)} cannot start a value; put the text in quotes"
    if problem == "could not find expected ':'":
        return "expected ':' after this key; write 'key: value', or check the indentation"
    if problem == "mapping values are not allowed here":
        return "unexpected ':' here; check the indentation, or put text containing ': ' in quotes"
    if problem.startswith("expected <block end>"):
        if _mid_line(exc.problem_mark):
            return "unexpected text after a value; put the whole value in quotes"
        where = f" that starts at {at}" if at else ""
        return f"this does not line up with the {kind or 'block'}{where}; check the indentation"
    if opener == "quote" and ended:
        return f"the quote at {at} is never closed"
    if opener and at:
        expected = re.match(r"(expected .+?), but (?:got|found) (.+)$", problem)
        if expected:
            if ended:
                return f"{expected.group(1)}, but the file ended; the {opener} at {at} is never closed"
            return f"{expected.group(1)}, but found {expected.group(2)}; the {opener} at {at} is still open"
    if context == "expected a single document in the stream":
        return "expected one YAML document per file, but found a second one (after '---')"
    duplicate = re.match(r"found duplicate anchor (.+); first occurrence$", context)
    if duplicate and cmark:
        return f"anchor {duplicate.group(1)} is defined twice (first at {at}); rename one"
    undefined = re.match(r"found undefined alias '(.+)'$", problem)
    if undefined:
        name = undefined.group(1)
        return f"alias *{name} names no anchor; define &{name} before it is used"
    text = (problem.replace("expected the node content", "expected a value")
            .replace("'<stream end>'", "the end of the file")) or context or "invalid YAML"
    if ended and text.startswith("expected "):
        return re.sub(r", but (?:got|found) the end of the file$", ", but the file ended", text)
    pmark = exc.problem_mark
    if kind and at and not (pmark and (pmark.line, pmark.column) == (cmark.line, cmark.column)):
        text += f" (in the {kind} that starts at {at})"
    return text


def _mid_line(mark: yaml.Mark | None) -> bool:
    """Whether something other than spaces comes before ``mark`` on its line."""
    if mark is None or not isinstance(mark.buffer, str):
        return False
    start = mark.buffer.rfind("\n", 0, mark.pointer) + 1
    return bool(mark.buffer[start: mark.pointer].strip())


def _check_size(root: yaml.Node, file: str) -> int:
    """Refuse a tree that aliases expand beyond MAX_NODES values or MAX_TEXT_CHARS characters,
    that nests deeper than MAX_DEPTH, or that contains itself.

    Sizes are computed once per node (aliases share nodes), so this is quick even
    for a "billion laughs" file; the problem points at the smallest value too big.
    Depth is checked here too, before anything recurses further: anchors defined in
    keys (never walked into) can chain aliases far deeper than the composer saw.
    """
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError([Problem(_location(file, node.start_mark),
                                      "this value contains itself through an alias; that is not allowed")])
        if depth > MAX_DEPTH:
            raise InputError([Problem(_location(file, node.start_mark),
                                      f"nesting is too deep (limit {MAX_DEPTH} levels)")])
        total, chars = 1, 0
        if isinstance(node, yaml.ScalarNode):
            chars = len(node.value)
        else:
            active.add(key)
            # Keys count as text only: just text keys are accepted, and those are never walked into.
            pairs = node.value if isinstance(node, yaml.MappingNode) else ((None, v) for v in node.value)
            for key_node, child in pairs:
                if key_node is not None and depth >= MAX_DEPTH:  # a key is a level deeper, as PyYAML's composer counts
                    raise InputError([Problem(_location(file, key_node.start_mark),
                                              f"nesting is too deep (limit {MAX_DEPTH} levels)")])
                if isinstance(key_node, yaml.ScalarNode):
                    chars += len(key_node.value)
                values, text = size(child, depth + 1)
                total += values
                chars += text
                if total > MAX_NODES or chars > MAX_TEXT_CHARS:
                    break
            active.discard(key)
        if total > MAX_NODES:
            raise InputError([Problem(_location(file, node.start_mark),
                                      f"too many values: this expands to more than {MAX_NODES:,} "
                                      "(each use of an alias counts); it is refused")])
        if chars > MAX_TEXT_CHARS:
            raise InputError([Problem(_location(file, node.start_mark),
                                      f"too much text: this expands to more than {MAX_TEXT_CHARS:,} characters "
                                      "(each use of an alias counts); it is refused")])
        sizes[key] = (total, chars)
        return total, chars

    return size(root, 0)[0]


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark | None):
        super().__init__("too deep")
        self.mark = mark


if _CParser is not None:
    class _FastLoader(_CParser, yaml.resolver.Resolver):
        """libyaml's parser and composer, with PyYAML's safe resolver: only plain tags are
        resolved, and constructors are never used. libyaml stops at 1,000 levels of nesting;
        _check_size applies MAX_DEPTH."""

        def __init__(self, stream: str):
            _CParser.__init__(self, stream)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    _FastLoader = None


class _Loader(yaml.SafeLoader):
    """The safe loader; we only use its composer, never its constructors.

    Its composer recurses once per nesting level; we stop it at MAX_DEPTH, long
    before Python's recursion limit, so that ``[[[[...`` is a clean error.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a UTF-16 surrogate pair. UTF-8 text cannot hold one, but a quoted YAML string's escape
(``"\\uD83D\\uDE00"``, as JSON writes an emoji) makes one, which no document could then be written with."""


def _surrogate_problem(text: str, where: Location) -> Problem:
    code = ord(_SURROGATE.search(text).group())
    return Problem(where, f"the text holds U+{code:04X}, half of a UTF-16 surrogate pair, which is not a character "
                          "and cannot be written as UTF-8; write the character itself (or one 8-digit escape, "
                          "\\U0001F600, for a character above U+FFFF)")


def _tag_problem(node: yaml.Node, where: Location) -> Problem:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
    return Problem(where, f"YAML tag {tag!r} is not allowed; only plain text, numbers, lists and mappings are")


class _Walker:
    def __init__(self, file: str, located: Located):
        self.file = file
        self.located = located
        self.nodes = 0
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.nodes += 1
        where = _location(self.file, node.start_mark)
        if self.nodes > MAX_NODES:
            raise InputError([Problem(where, f"file expands to more than {MAX_NODES:,} values "
                                             "(anchors and aliases included); it is refused")])
        if depth > MAX_DEPTH:
            raise InputError([Problem(where, f"nesting is too deep (limit {MAX_DEPTH} levels)")])
        self.located.values[path] = where
        if node.tag not in _PLAIN_TAGS:
            self.problems.append(_tag_problem(node, where))
            self.located.dropped.add(path)
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            first: dict[Any, Location] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(Problem(_location(self.file, key_node.start_mark),
                                                 "YAML merge keys ('<<') are not supported"))
                    self.located.short_of_keys.add(path)
                    continue
                key_where = _location(self.file, key_node.start_mark)
                if key_node.tag not in _PLAIN_TAGS:
                    self.problems.append(_tag_problem(key_node, key_where))
                    self.located.short_of_keys.add(path)
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(key_where, "a mapping key must be plain text"))
                    self.located.short_of_keys.add(path)
                    continue
                if key_node.style == '"' and _SURROGATE.search(key_node.value):
                    self.problems.append(_surrogate_problem(key_node.value, key_where))
                    self.located.short_of_keys.add(path)
                    continue
                key = self.scalar(key_node)
                if key in first:
                    self.problems.append(Problem(key_where, f"key {key!r} is given twice "
                                                            f"(first at line {first[key].line}); keep one"))
                    self.located.given_twice.add(path + (key,))
                    continue
                first[key] = key_where
                self.located.keys[path + (key,)] = key_where
                result[key] = self.value(value_node, path + (key,), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.style == '"' and _SURROGATE.search(node.value):  # only a double-quoted string has escapes
            self.problems.append(_surrogate_problem(node.value, where))
            self.located.dropped.add(path)
            return None
        if node.tag == "tag:yaml.org,2002:timestamp":
            self.located.timestamps[path] = node.value
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        text = node.value
        if tag == "tag:yaml.org,2002:str":
            return text
        try:
            if tag == "tag:yaml.org,2002:null":
                return None
            if tag == "tag:yaml.org,2002:bool":
                return _Loader.construct_yaml_bool(_constructor, node)
            if tag == "tag:yaml.org,2002:int":
                return _Loader.construct_yaml_int(_constructor, node)
            if tag == "tag:yaml.org,2002:float":
                return _Loader.construct_yaml_float(_constructor, node)
            if tag == "tag:yaml.org,2002:timestamp":
                value = _Loader.construct_yaml_timestamp(_constructor, node)
                return value if isinstance(value, _dt.date) else text
        except (ValueError, LookupError, AttributeError, OverflowError, yaml.YAMLError):
            # A value its explicit tag does not fit (``!!int`` with nothing, ``!!bool maybe``,
            # ``!!timestamp 2024-02-30``): PyYAML's constructors fail in many ways; keep the text.
            return text
        return text


_constructor = yaml.SafeLoader("")
