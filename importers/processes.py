"""Pure-Python work spread over worker processes (parsing GA4GH packets, reading and judging result
files): the machine's cores, where one process would use one."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from mmrare.core.progress import Progress, no_progress

Job = TypeVar("Job")
Result = TypeVar("Result")

MAX_WORKERS = 8


def stream_in_processes(
    work: Callable[[Job], Result], jobs: Iterable[Job], workers: int = MAX_WORKERS
) -> Iterator[Result]:
    """work(job) for every job, yielded in job order as each is done. Jobs are taken from `jobs` as it
    yields them and handed to the workers at once, so reading the next job, and whatever the caller
    does with a result, overlap the workers' work. Worker processes are forked (they see this
    process's memory as it is at the first job) and only from a single-threaded process: a fork
    copies no other thread, so a lock one of them held would never be released in the child. With
    one core or one worker, with other threads, or when a worker dies (memory?), the jobs not yet
    answered run here instead."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS, workers)
    jobs = iter(jobs)
    handed: deque[tuple[Job, Future[Result]]] = deque()  # in job order, not yet answered here
    taken: list[Job] = []  # a job taken from `jobs` while it is being handed over
    if workers > 1 and threading.active_count() == 1:
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for job in jobs:
                    taken = [job]
                    handed.append((job, pool.submit(work, job)))
                    taken = []
                    while handed and handed[0][1].done():
                        yield handed[0][1].result()
                        handed.popleft()
                while handed:
                    yield handed[0][1].result()
                    handed.popleft()
            return
        except BrokenProcessPool:
            pass  # a worker died: what it had not answered runs here
    for job in [*(job for job, _ in handed), *taken]:
        yield work(job)
    for job in jobs:
        yield work(job)


def map_in_processes(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    progress: Progress = no_progress,
    stage: str = "",
) -> list[Result]:
    """work(job) for every job, in order (stream_in_processes, as many workers as jobs at most)."""
    done: list[Result] = []
    for result in stream_in_processes(work, jobs, len(jobs)):
        done.append(result)
        progress(stage, len(done), len(jobs))
    return done
