"""Bulk work without the cycle collector.

An import builds millions of long-lived objects (parsed records, rows, references) and makes no
reference cycles worth collecting while it runs, yet the collector's passes walk all of them again
and again: on the full Orphanet release they were a third of the write time (`python -m
bench.orphanet`). Inside `bulk_work()` the collector is off; it is back on (if it was on) when the
block ends, and catches up on its next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def bulk_work() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def in_bulk(function: Callable[P, R]) -> Callable[P, R]:
    """The function runs inside `bulk_work()`."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with bulk_work():
            return function(*args, **kwargs)

    return run
