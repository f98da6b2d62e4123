"""Worker processes die with the run (domain.md §9: a killed run leaves the previous
complete file or nothing).

A forked worker calls :func:`die_with_parent` first thing. On Linux the kernel
then sends it SIGKILL the moment the process that forked it ends, however it
ends (``kill -9`` included), through ``prctl(PR_SET_PDEATHSIG)``. Elsewhere,
and for the instant between the fork and that call, :func:`parent_alive` is
asked before an output is renamed into place (:mod:`leadbook.write.atomic`):
a worker whose run is gone renames nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# The pid of the run this process works for; None in the run itself.
_PARENT: int | None = None


def die_with_parent(parent: int) -> None:
    """Make this (forked) process end when the process ``parent`` ends."""
    global _PARENT
    _PARENT = parent
    if sys.platform.startswith("linux"):
        try:
            # The running program's own symbols hold libc's: no library search
            # (ctypes.util.find_library costs 1.6 ms, in every child).
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to ask: the check below still holds
            pass
    if os.getppid() != parent:  # the run ended before the call above
        os._exit(1)


def parent_alive() -> bool:
    """False in a worker whose run has ended (it now has another parent)."""
    return _PARENT is None or os.getppid() == _PARENT


def default_jobs() -> int:
    """Worker processes a run or a group uses by default: the cores it may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
