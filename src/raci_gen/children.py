"""What a forked child process of raci-gen does first: die with the process that forked it.

Both the full build's PDF child (:mod:`raci_gen.output`) and the PDF part workers
(:mod:`raci_gen.renderers.pdf_parts`) are forked; neither may outlive a killed build,
working for nobody. This module imports nothing of raci-gen, so every layer may use it.
"""

from __future__ import annotations

import os
import signal
import sys


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
