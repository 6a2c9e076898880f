"""Pure-Python work spread over worker processes (parsing GA4GH packets, reading and judging result
files): the machine's cores, where one process would use one."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from mmrare.core.progress import Progress, no_progress

Job = TypeVar("Job")
Result = TypeVar("Result")

MAX_WORKERS = 8


def map_in_processes(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    progress: Progress = no_progress,
    stage: str = "",
) -> list[Result]:
    """work(job) for every job, in order. Worker processes are forked (they see this process's memory
    as it is now, so a job can be a small index into data prepared before the call), and only from a
    single-threaded process: a fork copies no other thread, so a lock one of them held would never be
    released in the child. With one core, one job or other threads, or when a worker dies (memory?),
    the jobs run here instead."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS, len(jobs))
    if workers > 1 and threading.active_count() == 1:
        done: list[Result] = []
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for result in pool.map(work, jobs):
                    done.append(result)
                    progress(stage, len(done), len(jobs))
            return done
        except BrokenProcessPool:
            pass  # a worker died: run every job here
    out = []
    for job in jobs:
        out.append(work(job))
        progress(stage, len(out), len(jobs))
    return out
