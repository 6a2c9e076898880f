"""Python's cycle collector paused around an import. An import allocates millions of small acyclic
objects (parsed packets, rows, relationship ends); every so many allocations the collector walks
all live objects, and over a full phenopacket-store import those walks cost about a quarter of the
time (bench.phenopackets). Reference counting still frees everything as usual; only cycles made
meanwhile (few: an exception's traceback) wait for the collector's next run after the block."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_state = {"depth": 0, "was_enabled": True}  # blocks open in any thread; the collector's state before the first


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """The collector off while any such block runs (in any thread), then as it was before the first."""
    with _LOCK:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.enable()
