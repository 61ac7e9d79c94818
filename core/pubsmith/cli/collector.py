"""When the ``pubsmith`` process runs Python's cyclic garbage collector.

Start-up loads tens of thousands of objects (modules, classes, functions, compiled
patterns) that live as long as the process, yet the collector walks them again at every
full collection while they load, and twice more at exit: about a fifth of the CPU a short
run spends before its first request. A process the command owns collects nothing until
its start-up is over; what start-up loaded is then frozen out of every later collection
(``gc.freeze``, as long-running servers do after they load), and at exit everything left is.
"""

from __future__ import annotations

import gc

__all__ = ["collect_from_now_on", "freeze_for_exit", "hold_collection"]

_held = False


def hold_collection() -> None:
    """Collect nothing until :func:`collect_from_now_on`; only for a process pubsmith owns."""
    global _held
    gc.disable()
    _held = True


def collect_from_now_on() -> None:
    """Start-up is over: collect again, leaving out what has been loaded so far.

    Does nothing unless :func:`hold_collection` held collection, so a command run inside
    another program (tests, an embedding script) leaves that program's collector alone.
    """
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def freeze_for_exit() -> None:
    """The process is about to exit: the collections of interpreter shutdown skip it all.

    Nothing relies on a collection at exit for its effect: files and connections are
    closed where they are used, never by a finalizer.
    """
    gc.freeze()
