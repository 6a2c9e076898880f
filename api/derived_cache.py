"""Derived answers kept for the graph's generation. A stratified report with its bootstrap, the
condition contrasts (MRareBench T2's TF-IDF metrics take seconds), the reference headline and the
coverage map are each worked out once per generation and per whole set of inputs, whichever GraphQL
operation, selection of fields or REST route asks for them; the response cache (response_cache.py)
keeps whole answers, this keeps what several answers are made from.

A key holds everything the computation reads: the generation of the parts of the graph it reads (a
write to them moves it, so nothing computed before such a write is found after it; the coverage map
reads no runs, so an upload leaves it kept) and the inputs after the caller's policy has chosen them
(the runs it may see, above all), so two callers share an entry only where the computation is the
same. The values are shared, never changed by their readers. `MMRARE_DERIVED_CACHE` sets the number
of entries (0: off).
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


Key = tuple[Hashable, ...]
_MISSING = object()


class DerivedCache:
    """At most `entries` derived values by key; the least recently used leave first.

    One value is worked out at a time. On a busy server these are the costly requests: several at once
    only share the interpreter, and hold up the cheap requests (item pages) for all of that time. A
    caller whose key is being worked out waits for that value instead of repeating the work (a report
    asked by several clients right after a write is worked out once). The key is read again when the
    caller's turn comes, so a write meanwhile is seen and no value is worked out for a generation
    nobody asks for any more."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self.entries = entries
        self._values: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._working = threading.RLock()  # re-entrant: a value may be made of other derived values
        self.hits = self.misses = 0

    def _found(self, key: Key) -> Any:
        with self._lock:
            if key not in self._values:
                return _MISSING
            self._values.move_to_end(key)
            self.hits += 1
            return self._values[key]

    def get_or_compute(self, key_now: Callable[[], Key], compute: Callable[[], Value]) -> Value:
        """The value for the key `key_now()` gives (read before and again after waiting one's turn)."""
        if self.entries == 0:
            return compute()
        found = self._found(key_now())
        if found is not _MISSING:
            return found
        with self._working:
            key = key_now()
            found = self._found(key)
            if found is not _MISSING:
                return found
            with self._lock:
                self.misses += 1
            value = compute()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.entries:
                    self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
