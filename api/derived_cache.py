"""Derived answers kept for the graph's generation. A stratified report with its bootstrap, the
condition contrasts (MRareBench T2's TF-IDF metrics take seconds), the reference headline and the
coverage map are each worked out once per generation and per whole set of inputs, whichever GraphQL
operation, selection of fields or REST route asks for them; the response cache (response_cache.py)
keeps whole answers, this keeps what several answers are made from.

A key holds everything the computation reads: the generation (a write moves it, so nothing computed
before a write is found after it) and the inputs after the caller's policy has chosen them (the runs
it may see, above all), so two callers share an entry only where the computation is the same. The
values are shared, never changed by their readers. `MMRARE_DERIVED_CACHE` sets the number of entries
(0: off).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

DEFAULT_ENTRIES = 128
Value = TypeVar("Value")


def entries_from_env() -> int:
    text = os.environ.get("MMRARE_DERIVED_CACHE", str(DEFAULT_ENTRIES))
    try:
        entries = int(text)
    except ValueError:
        raise ValueError(f"MMRARE_DERIVED_CACHE={text!r}: a number of entries (0 turns the cache off)") from None
    if entries < 0:
        raise ValueError(f"MMRARE_DERIVED_CACHE={entries}: a number of entries, 0 or more")
    return entries


class DerivedCache:
    """At most `entries` derived values by key; the least recently used leave first."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self.entries = entries
        self._values: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: tuple[Hashable, ...], compute: Callable[[], Value]) -> Value:
        if self.entries == 0:
            return compute()
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
            self.misses += 1
        value = compute()  # outside the lock: another key is not held up by this one
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
