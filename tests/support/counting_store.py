"""A real store that counts every call to a public method of the store protocol (a read or a
write), by name: the store-call budget of a request is measured on the store it really uses."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mmrare.graph.store import GraphStore

# every public method of the protocol: one added to GraphStore is counted without a change here
STORE_METHODS = frozenset(n for n in dir(GraphStore) if not n.startswith("_") and callable(getattr(GraphStore, n)))


class CountingStore:
    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name not in STORE_METHODS:
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted
