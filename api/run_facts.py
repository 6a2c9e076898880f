"""Each run's report facts, kept across the writes that only add a run.

A report reads the facts of every prediction of its runs (graph/questions.py PredictionFacts), and
every write moves the graph's generation, so a report after an upload would read every run again,
though an upload only adds a run: the facts of the runs already there are what they were. The
service tells this cache which of its own writes only added a run (a new run, its model unchanged,
in one commit of its own); a run's facts read at generation g are used at a later generation only
when every generation after g is such a write. Any other write (an audit, a score, an import, a
write by another process, whose generation the service never saw) makes every kept run be read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from mmrare.graph.questions import PredictionFacts
from mmrare.graph.store import GraphStore

DEFAULT_FACTS = 500_000  # predictions' facts kept at most (a few hundred bytes each)


class RunFacts:
    def __init__(self, store: GraphStore, most: int = DEFAULT_FACTS) -> None:
        self.store, self.most = store, most
        self._kept: OrderedDict[str, tuple[int, list[PredictionFacts]]] = OrderedDict()  # run -> (read at, facts)
        self._size = 0
        # every generation in (first, last] was a write that only added a run
        self._first = self._last = -1
        self._lock = threading.Lock()
        self.reads = 0  # runs read from the store (the tests count them)

    def only_added_a_run(self, before: int, after: int) -> None:
        """A write of this service, alone between reading `before` and `after`, only added a run."""
        with self._lock:
            if after != before + 1:
                return  # another commit landed too: what it did is unknown
            if before != self._last:
                self._first = before  # the generations up to `before` are not known to be such writes
            self._last = after

    def _still_true(self, read_at: int, now: int) -> bool:
        return read_at == now or self._first <= read_at <= now <= self._last

    def __call__(self, run_ids: Sequence[str]) -> list[PredictionFacts]:
        """store.report_facts(run_ids): the runs in the order given, each by prediction id; runs kept
        since a generation they are still true at are not read again. All runs (none named) are read."""
        if not run_ids:
            return self.store.report_facts(())
        now = self.store.generation()  # read before the facts: a write meanwhile only makes them newer
        wanted = list(dict.fromkeys(run_ids))
        found: dict[str, list[PredictionFacts]] = {}
        with self._lock:
            for run in wanted:
                kept = self._kept.get(run)
                if kept is not None and self._still_true(kept[0], now):
                    found[run] = kept[1]
                    self._kept.move_to_end(run)
        missing = [r for r in wanted if r not in found]
        if missing:
            read: dict[str, list[PredictionFacts]] = {r: [] for r in missing}
            for fact in self.store.report_facts(missing):
                read[fact.run_id].append(fact)
            with self._lock:
                self.reads += len(missing)
                for run, facts in read.items():
                    if facts:  # a run that is not there (yet) is not kept: adding it later is such a write
                        self._keep(run, now, facts)
            found.update(read)
        return [fact for run in wanted for fact in found[run]]

    def _keep(self, run: str, read_at: int, facts: list[PredictionFacts]) -> None:
        old = self._kept.pop(run, None)
        self._size += len(facts) - (len(old[1]) if old else 0)
        self._kept[run] = (read_at, facts)
        while self._size > self.most and self._kept:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._size -= len(dropped)
