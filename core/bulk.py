"""Bulk work without the cycle collector.

An import builds millions of long-lived objects (parsed records, rows, references) and makes no
reference cycles worth collecting while it runs, yet the collector's passes walk all of them again
and again: on the full Orphanet release they were a third of the write time (`python -m
bench.orphanet`), and on phenopacket-store's packets and result files a quarter of the import
(`python -m bench.phenopackets`). Inside `bulk_work()` the collector is off; it is back on (if it
was on) when the last open block ends, and catches up on its next pass.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


_LOCK = threading.Lock()
_open = {"blocks": 0, "was_on": True}  # bulk blocks open in any thread; the collector before the first


@contextmanager
def bulk_work() -> Iterator[None]:
    """The collector off while any bulk block runs, in any thread (blocks nest and overlap), then
    as it was before the first, even when a block ends in an error."""
    with _LOCK:
        if _open["blocks"] == 0:
            _open["was_on"] = gc.isenabled()
            gc.disable()
        _open["blocks"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _open["blocks"] -= 1
            if _open["blocks"] == 0 and _open["was_on"]:
                gc.enable()


def in_bulk(function: Callable[P, R]) -> Callable[P, R]:
    """The function runs inside `bulk_work()`."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with bulk_work():
            return function(*args, **kwargs)

    return run
