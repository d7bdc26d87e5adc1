"""What a forked child process of raci-gen shares: dying with the process that forked it, and
carrying an exception back to it.

Both the full build's PDF child (:mod:`raci_gen.writing.output`) and the PDF part workers
(:mod:`raci_gen.documents.pdf_parts`) are forked; neither may outlive a killed build,
working for nobody (:func:`die_with`). What goes wrong in them must reach the user exactly as
it would from a build in one process: the same message and the same exit code. So an
exception is sent back through the pipe with :func:`portable` and raised again in the parent
from :func:`restored`; a child that dies without a word is :func:`stopped`. This module
imports nothing of raci-gen but :mod:`raci_gen.model.errors`, so every layer may use it.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from dataclasses import dataclass

from raci_gen.model.errors import EnvironmentFailure, RaciError


def die_with(parent: int) -> None:
    """On Linux, have the kernel kill this child when ``parent`` (the pid that forked it) dies;
    elsewhere the child ends when it finds its pipe closed."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


# --- an exception's trip back ------------------------------------------------------------------


@dataclass(frozen=True)
class _Described:
    """An exception that does not survive pickling as it is, described by what the command line reads of it:
    its class (or the nearest one pickle can name), its name, its text, its arguments and attributes (those
    that pickle, such as InputError's problems or OSError's errno)."""

    base: type
    exact: bool
    """Whether ``base`` is the exception's own class."""
    name: str
    qualname: str
    module: str
    text: str
    args: tuple
    attributes: dict


_OS_ATTRIBUTES = ("errno", "strerror", "filename", "filename2")
"""OSError keeps these outside its __dict__; the command line reads them (the machine refused)."""


def portable(exc: BaseException, where: str):
    """``exc`` in a form that pickles and that :func:`restored` turns back into an exception the command
    line reports with the same message and exit code: ``exc`` itself when it comes back equal, else a
    description of it. ``where`` names the child, for the traceback ``--debug`` shows of a bug."""
    if not isinstance(exc, RaciError) and exc.__traceback__ is not None and hasattr(exc, "add_note"):
        import traceback  # a bug: --debug shows where it was (Python 3.11 and later)

        exc.add_note(f"raised in {where}:\n" + "".join(traceback.format_tb(exc.__traceback__)).rstrip())
    exc.__traceback__ = None
    if _returns_equal(exc, exc):
        return exc
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a __str__ that fails: its class name is all there is to say
        text = ""
    cls = type(exc)
    base = next(c for c in cls.__mro__ if _named_by_pickle(c))  # BaseException at worst
    attributes = {k: v for k, v in vars(exc).items() if _pickles(v)}
    if isinstance(exc, OSError):
        attributes.update({k: getattr(exc, k) for k in _OS_ATTRIBUTES if _pickles(getattr(exc, k))})
    args = exc.args if _pickles(exc.args) else (text,)
    for exact in ((True, False) if base is cls else (False,)):
        described = _Described(base, exact, cls.__name__, cls.__qualname__, cls.__module__, text, args, attributes)
        if _returns_equal(described, exc):
            return described
    return _Described(base, False, cls.__name__, cls.__qualname__, cls.__module__, text, (text,), {})


def restored(value) -> BaseException:
    """The exception :func:`portable` made ``value`` of, to raise in the parent."""
    if isinstance(value, BaseException):
        return value
    cls = value.base
    if not value.exact:
        text = value.text
        # A class of the same name under the nearest class pickle could name: the command line says
        # "internal error: NAME: TEXT" for a bug, and decides the exit code by the classes it knows.
        cls = type(value.name, (cls,), {"__str__": lambda self: text, "__module__": value.module,
                                        "__qualname__": value.qualname})
    try:
        exc = cls.__new__(cls, *value.args)
    except Exception:  # noqa: BLE001 - a __new__ that wants other arguments
        exc = cls.__new__(cls)
    exc.args = value.args
    for name, attribute in value.attributes.items():
        try:
            setattr(exc, name, attribute)
        except (AttributeError, TypeError):
            pass
    return exc


def stopped(code: int) -> EnvironmentFailure:
    """What the user reads when a child died without a word (``code`` as ``os.waitstatus_to_exitcode`` and
    multiprocessing give it: minus the signal's number when killed): killed, most likely by the kernel for
    want of memory. The machine refused, not the input."""
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    return EnvironmentFailure(f"error: a process rendering the PDF was stopped ({how}; out of memory?); "
                              "no file was changed")


def _returns_equal(value, exc: BaseException) -> bool:
    """Whether ``value`` comes back from pickling as an exception the command line cannot tell from ``exc``."""
    try:
        back = restored(pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
        same = (type(back).__name__ == type(exc).__name__ and str(back) == str(exc)
                and all(getattr(back, k, None) == getattr(exc, k) for k in ("problems", *_OS_ATTRIBUTES)
                        if hasattr(exc, k)))
        return bool(same) and all(isinstance(back, c) for c in type(exc).__mro__ if _named_by_pickle(c))
    except Exception:  # noqa: BLE001 - whatever fails, it does not come back equal
        return False


def _named_by_pickle(cls: type) -> bool:
    try:
        return pickle.loads(pickle.dumps(cls)) is cls
    except Exception:  # noqa: BLE001
        return False


def _pickles(value) -> bool:
    try:
        pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return True
    except Exception:  # noqa: BLE001
        return False
