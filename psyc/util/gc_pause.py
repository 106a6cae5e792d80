"""Pausing Python's cyclic garbage collector while a circuit is constructed.

Building a circuit allocates millions of small objects (targets, rows, witness
generators) that all stay alive; each full collection rescans all of them, which made
up half the time of building a fold circuit (measured: 2.9 s with collections, 1.45 s
without). These objects hold no reference cycles worth collecting mid-build, so the
collector is paused for the construction and runs normally afterwards.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

F = TypeVar("F", bound=Callable)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nesting-safe: only the outermost
    block turns it back on, and only if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def with_gc_paused(fn: F) -> F:
    """Decorator form of :func:`gc_paused`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with gc_paused():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
