"""Jinja2's sandbox with bounds on time, memory and the size of what a template builds.

A user template (the project's ``templates/`` folder) comes with the pull request, so
it is untrusted code. Jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment` keeps it
away from Python's internals, but not from exhausting the machine: ``'x'|center(2e9)``,
``'{:>2000000000}'.format(1)``, a text doubled with ``~`` thirty times, or two nested
``range(100000)`` loops. Three kinds of bound close that:

* **Single operations that can build a huge value in one C call** (center, ljust,
  replace, join, ``%`` and ``str.format`` widths, ``*``, ``+``, ``~``, turning a list
  into text...) are checked *before* they run: :data:`MAX_VALUE` characters or items.
  A signal cannot interrupt a C call, so these must be refused up front.
* **The text a render that uses a project template yields** is counted chunk by chunk:
  :data:`MAX_OUTPUT` characters. The built-in templates' output is bounded by the loader's limits
  (244 Mi characters of HTML at the largest matrix it accepts), and is not cut.
* **Time and memory** of a render that uses a project template are watched by a
  timer (``SIGPROF`` every :data:`TICK` seconds of processor time, main thread
  only; elsewhere the sandbox's own hooks look at the clock): :func:`time_limit`
  seconds of processor time, which grows with the size of the matrix, and
  :data:`MEMORY_LIMIT` bytes of growth. Processor time, not the wall clock, so that
  a busy CI machine does not fail an honest template. Pure-Python loops are
  interrupted between two bytecodes, wherever the template is.

Every bound ends in :class:`TemplateLimit`, a ``BaseException`` so that no
``except Exception`` inside Jinja2 or a filter can swallow it; the renderer turns
it into a one-line error naming the template and its line.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable, Iterator

from jinja2.compiler import CodeGenerator, Frame
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from markupsafe import Markup

MAX_VALUE = 10_000_000
"""Largest text (characters) or list (items) one template operation may build."""
MAX_OUTPUT = 64 * 1024 * 1024
"""Most characters one render that uses a project template may produce. Renders with the built-in templates
only are not held to it: their HTML of the largest matrix the loader accepts (5,000 activities, 200 roles,
names of 300 characters, ids of 32) is 244 Mi characters, and must build."""
MAX_INT_BITS = 100_000
"""Largest integer (in bits, about 30,000 digits) a template may compute with ``*`` or ``**``."""
TIME_BASE = 2.0
"""Seconds of processor time a render that uses a project template may take, plus :data:`TIME_PER_CELL`..."""
TIME_PER_CELL = 0.0001
"""... for each cell of the matrix (roles × activities): the built-in templates take about a third of that."""


def time_limit(cells: int) -> float:
    """Seconds of processor time for a render of a matrix of ``cells`` cells."""
    return TIME_BASE + TIME_PER_CELL * cells
MEMORY_LIMIT = 256 * 1024 * 1024
"""Bytes of memory a render that uses a project template may add to the process."""
TICK = 0.05
"""Seconds between two looks at the clock and the memory while a project template runs."""


class TemplateLimit(BaseException):
    """A template went past one of the bounds; the message says which.

    ``frame`` is the template's frame when the bound was found outside it (the output
    counted between two chunks); otherwise the traceback leads there.
    """

    frame: Any = None


def _too_big(what: str = "a value") -> TemplateLimit:
    unit = {"a text": "characters", "a list": "items"}.get(what, "characters or items")
    return TemplateLimit(f"builds {what} of more than {MAX_VALUE:,} {unit} (the limit for one value)")


def _check_count(n: object, what: str = "a value") -> None:
    if isinstance(n, (int, float)) and not isinstance(n, bool) and n > MAX_VALUE:
        raise _too_big(what)


def text_size(value: object, limit: int = MAX_VALUE) -> int:
    """About how many characters ``str(value)`` has; counting stops once past ``limit``.

    Containers are walked (a list of a thousand references to one long text is long
    as text, though short as a list); other objects are measured once each.
    """
    total = 0
    stack = [value]
    measured: dict[int, int] = {}
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            total += 8
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            total += 2 + 2 * len(item)
            if id(item) in measured or total > limit:
                continue
            measured[id(item)] = 0
            stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            key = id(item)
            if key not in measured:
                try:
                    measured[key] = len(str(item))
                except Exception:  # noqa: BLE001 - str() failing here fails again where it matters
                    measured[key] = 0
            total += measured[key]
    return total


def _check_text(*values: object) -> None:
    if sum(text_size(v) for v in values) > MAX_VALUE:
        raise _too_big("a text")


# --- printf-style and str.format widths ---------------------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


def _check_printf(template: object, args: object) -> None:
    """Refuse ``'%2000000000s' % x`` and ``('%s' * 1000) % big``: bound the result before formatting."""
    if not isinstance(template, str):
        return
    values = list(args.values()) if isinstance(args, dict) else list(args) if isinstance(args, tuple) else [args]
    specs = _PRINTF.findall(template)
    widest = 0
    for width, precision, _ in specs:
        for number in (width, precision):
            if number == "*":
                widest = max([widest] + [v for v in values if isinstance(v, int)])
            elif number:
                widest = max(widest, int(number))
    _check_count(widest, "a text")
    largest = max((text_size(v) for v in values), default=0)
    _check_count(len(template) + len(specs) * max(widest, largest), "a text")


class _CountingFormatter(SandboxedFormatter):
    """str.format in the sandbox, refusing huge widths and precisions and counting what it builds."""

    def __init__(self, env: Any, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self.built = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        for number in re.findall(r"\d+", format_spec):
            _check_count(int(number), "a text")
        self.built += text_size(value) + len(format_spec)
        _check_count(self.built, "a text")
        return super().format_field(value, format_spec)


class _CountingEscapeFormatter(_CountingFormatter, SandboxedEscapeFormatter):
    pass


# --- str and list methods, and filters, that build in one step ----------------------------------------------------


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: object = None) -> object:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _replaced_size(text: object, old: object, new: object, count: object) -> int:
    if not isinstance(text, (str, bytes)) or not isinstance(old, type(text)) or not isinstance(new, type(text)):
        return 0
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def _check_str_method(name: str, text: str | bytes, args: tuple, kwargs: dict) -> None:
    if name in ("center", "ljust", "rjust", "zfill"):
        _check_count(_arg(args, kwargs, 0, "width", 0), "a text")
    elif name == "expandtabs":
        size = _arg(args, kwargs, 0, "tabsize", 8)
        if isinstance(size, int):
            _check_count(len(text) + text.count("\t" if isinstance(text, str) else b"\t") * size, "a text")
    elif name == "replace":
        _check_count(_replaced_size(text, _arg(args, kwargs, 0, "old"), _arg(args, kwargs, 1, "new"),
                                    _arg(args, kwargs, 2, "count", -1)), "a text")
    elif name == "translate":
        table = _arg(args, kwargs, 0, "table")
        if isinstance(table, dict):
            _check_count(len(text) * max([1] + [text_size(v) for v in table.values()]), "a text")


def _check_join(separator: object, items: list) -> None:
    _check_count(len(items))
    size = text_size(separator) * max(len(items) - 1, 0) + sum(text_size(item) for item in items)
    _check_count(size, "a text")


_GROWING_FILTERS = ("center", "indent", "format", "replace", "wordwrap", "join", "batch", "slice", "string",
                    "pprint", "tojson", "urlencode", "xmlattr", "sum", "list", "map")
"""Jinja2's filters that can build a value much larger than their input in one step. The others
(``upper``, ``first``, ``escape``...) build at most a few times their input."""


def _checked_filter(name: str, func: Callable) -> Callable:
    """``func`` (a Jinja2 filter) with its arguments bounded before it runs and its result after."""
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        passed, rest = args[:skip], args[skip:]
        value = rest[0] if rest else None
        options, more = rest[1:], kwargs
        if name == "center":
            _check_count(_arg(options, more, 0, "width", 80), "a text")
        elif name == "indent":
            width = _arg(options, more, 0, "width", 4)
            lines = value.count("\n") + 1 if isinstance(value, str) else 1
            _check_count(text_size(value) + lines * (len(width) if isinstance(width, str) else
                                                     width if isinstance(width, int) else 0), "a text")
        elif name == "format":
            _check_printf(value, kwargs or tuple(options))
        elif name == "replace":
            _check_count(_replaced_size(value, _arg(options, more, 0, "old"), _arg(options, more, 1, "new"),
                                        _arg(options, more, 2, "count", -1)), "a text")
        elif name == "wordwrap":
            width = _arg(options, more, 0, "width", 79)
            wrap = _arg(options, more, 2, "wrapstring", None) or "\n"
            if isinstance(value, str) and isinstance(width, int) and width > 0:
                lines = len(value) // width + value.count("\n") + 1
                _check_count(len(value) + lines * text_size(wrap), "a text")
        elif name == "join":
            items = list(value) if value is not None else []
            _check_join(_arg(options, more, 0, "d", ""), items)
            rest = (items,) + tuple(options)
        elif name in ("batch", "slice"):
            _check_count(_arg(options, more, 0, "linecount" if name == "batch" else "slices", 0))
        elif name in ("string", "pprint", "tojson", "urlencode", "xmlattr"):
            _check_text(value)
        elif name == "sum":
            start = _arg(options, more, 1, "start", 0)
            if isinstance(start, (str, list, tuple)):
                items = list(value) if value is not None else []
                _check_count(sum(len(i) for i in items if isinstance(i, (str, list, tuple))))
                rest = (items,) + tuple(options)
        result = func(*passed, *rest, **kwargs)
        if isinstance(result, (str, bytes, list, tuple, dict)) and len(result) > MAX_VALUE:
            raise _too_big()
        return result

    return checked


# --- the environment ----------------------------------------------------------------------------------------------


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` so that the sandbox measures the parts before joining them, and
    leaves every ``{{ ... }}`` to run time: evaluated while compiling (Jinja2 does so for
    constants), ``{{ 'x'|center(2e9) }}`` would run out of reach of line numbers and clock."""

    def _output_child_to_const(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str:
        raise nodes.Impossible()

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.checked_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


def _resident_bytes() -> int:
    """Memory the process holds now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class BoundedSandbox(SandboxedEnvironment):
    """See the module docstring."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, **options: Any) -> None:
        # No constant folding: it would run filters while compiling, out of reach of the
        # line numbers (and of the clock) that a render has.
        options.setdefault("optimized", False)
        super().__init__(**options)
        for name in _GROWING_FILTERS:
            self.filters[name] = _checked_filter(name, self.filters[name])
        self._deadline: float | None = None
        self._seconds = TIME_BASE

    # Hooks the compiled template calls: each one also looks at the clock, for renders
    # outside the main thread, where no timer can interrupt the template.

    def _look_at_clock(self) -> None:
        if self._deadline is not None and time.process_time() > self._deadline:
            raise self._out_of_time()

    def _out_of_time(self) -> TemplateLimit:
        return TemplateLimit(f"ran for more than {self._seconds:.1f} s of processor time (the limit for project "
                             "templates on a matrix of this size)")

    def checked_parts(self, parts: tuple) -> tuple:
        self._look_at_clock()
        _check_text(*parts)
        return parts

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self._look_at_clock()
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and count > 0:
                    _check_count(len(seq) * count)
                    if not isinstance(seq, str):
                        _check_count(text_size(seq, MAX_VALUE // count + 1) * count, "a list")
            if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimit(f"computes a number of more than {MAX_INT_BITS:,} bits")
        elif operator == "**":
            if _is_int(left) and _is_int(right) and abs(left) > 1 and (
                    abs(right) > MAX_INT_BITS or left.bit_length() * abs(right) > MAX_INT_BITS):
                raise TemplateLimit(f"computes a number of more than {MAX_INT_BITS:,} bits")
        elif operator == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                _check_count(len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._look_at_clock()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._look_at_clock()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja2
        __self._look_at_clock()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, (str, bytes)):
            _check_str_method(name, owner, args, kwargs)
            if name == "join":
                items = list(args[0]) if args else []
                _check_join(owner, items)
                args = (items,)
        elif isinstance(owner, list) and name == "extend" and args:
            items = list(args[0])
            _check_count(len(owner) + len(items))
            args = (items,)
        elif name == "generate_lorem_ipsum":
            _check_count(_arg(args, kwargs, 0, "n", 5))
        result = SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        if isinstance(owner, (list, dict, set)) and len(owner) > MAX_VALUE:
            raise _too_big("a list")
        if isinstance(result, (str, bytes, list, tuple, dict)) and len(result) > MAX_VALUE:
            raise _too_big()
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """As Jinja2's, with a formatter that bounds widths and counts what it builds."""
        if getattr(value, "__name__", None) not in ("format", "format_map") \
                or super().wrap_str_format(value) is None:
            return None
        f_self = value.__self__
        is_format_map = value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            self._look_at_clock()
            formatter = (_CountingEscapeFormatter(self, escape=f_self.escape) if isinstance(f_self, Markup)
                         else _CountingFormatter(self))
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                args, kwargs = (), args[0]
            return type(f_self)(formatter.vformat(f_self, args, kwargs))

        return functools.update_wrapper(bounded, value)

    def finalize_value(self, value: Any) -> None:
        """Measures what a ``{{ ... }}`` prints, before it becomes text."""
        if self._deadline is not None:
            self._look_at_clock()
        if isinstance(value, str):
            if len(value) > MAX_VALUE:
                raise _too_big("a text")
        elif not (value is None or isinstance(value, (int, float))):
            _check_text(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- running a render within the limits ---------------------------------------------------------------------------


def _innermost_frame(generator: Any) -> Any:
    """The frame a suspended generator (and those it yields from) stands in."""
    frame = None
    while generator is not None and getattr(generator, "gi_frame", None) is not None:
        frame = generator.gi_frame
        generator = getattr(generator, "gi_yieldfrom", None)
    return frame


def render_within_limits(env: BoundedSandbox, chunks: Callable[[], Iterable[str]], watched: bool,
                         seconds: float = TIME_BASE) -> str:
    """Join what ``chunks()`` yields.

    With ``watched`` (a project template takes part), the render is stopped past :data:`MAX_OUTPUT`
    characters, after ``seconds`` of processor time or :data:`MEMORY_LIMIT` bytes of growth.
    """
    parts: list[str] = []
    produced = 0
    timer = watched and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous_handler: Any = None
    if watched:
        env._seconds = seconds
        env._deadline = time.process_time() + seconds
    memory_ceiling = _resident_bytes() + MEMORY_LIMIT
    active = [True]

    def on_tick(signum: int, frame: Any) -> None:
        if not active[0]:
            return
        if time.process_time() > (env._deadline or 0):
            raise env._out_of_time()
        if _resident_bytes() > memory_ceiling:
            raise TemplateLimit(f"used more than {MEMORY_LIMIT // 2**20} MiB of memory "
                                "(the limit for project templates)")

    if timer:
        previous_handler = signal.signal(signal.SIGPROF, on_tick)
        signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
    try:
        iterator: Iterator[str] = iter(chunks())
        for chunk in iterator:
            produced += len(chunk)
            if watched and produced > MAX_OUTPUT:
                limit = TemplateLimit(f"produces more than {MAX_OUTPUT // 2**20} Mi characters "
                                      "(the limit for one document)")
                limit.frame = _innermost_frame(iterator)
                raise limit
            parts.append(chunk)
        return "".join(parts)
    finally:
        active[0] = False
        if timer:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            signal.signal(signal.SIGPROF, previous_handler if previous_handler is not None else signal.SIG_DFL)
        env._deadline = None
