"""The errors raci-gen reports to users.

Everything that can go wrong with the input is turned into an :class:`InputError`
that carries a :class:`~raci_gen.model.matrix.Location`, so the CLI can print
``FILE:LINE:COL: error: MESSAGE`` and exit with status 2. Nothing outside the
loader sees PyYAML's or pydantic's exceptions.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from raci_gen.model.matrix import Location


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, at one place."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: error: {self.message}"


class RaciError(Exception):
    """Base class of the errors the CLI reports without a traceback."""


class InputError(RaciError):
    """The project's input is wrong; carries every problem found in one run."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: p.location.sort_key())
        super().__init__("\n".join(str(p) for p in self.problems))


class EnvironmentFailure(RaciError):
    """The machine refused a write (disk full, read-only file system, permission, a folder in the way).

    Not the input's fault: the CLI gives it an exit status of its own.
    """


ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
                                errno.EIO})
"""What an OSError says when the machine, not raci-gen nor the input, is at fault: disk full, quota, file
size limit, read-only file system, permission, a failing disk."""


class RenderError(RaciError):
    """A document could not be produced (a missing system library, a broken template)."""


class TemplateFailure(InputError, RenderError):
    """A template that fails to compile or to run. The project's templates are input like its
    YAML, so this is reported as an input problem (with the template's line), and it is a
    failure to render for the code that asks for a document."""


def fail(location: Location, message: str) -> InputError:
    """Shorthand for an :class:`InputError` with a single problem."""
    return InputError([Problem(location, message)])
