"""map_in_processes: jobs in order, in forked workers only from a single-threaded process."""

from __future__ import annotations

import os
import threading

from mmrare.importers.processes import map_in_processes


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_results_come_in_job_order_with_progress() -> None:
    seen: list[tuple[str, int, int]] = []
    results = map_in_processes(_pid_and_square, list(range(7)), lambda s, d, t: seen.append((s, d, t)), "squaring")
    assert [square for _, square in results] == [0, 1, 4, 9, 16, 25, 36]
    assert seen[-1] == ("squaring", 7, 7) and len(seen) == 7
    here = {pid for pid, _ in results} == {os.getpid()}
    # workers are forked only where there are several cores and no other thread
    assert here == (os.cpu_count() == 1 or threading.active_count() > 1)


def test_with_another_thread_running_the_jobs_run_here() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        results = map_in_processes(_pid_and_square, [2, 3])
    finally:
        stop.set()
        other.join()
    assert results == [(os.getpid(), 4), (os.getpid(), 9)]


def test_no_jobs_give_no_results() -> None:
    assert map_in_processes(_pid_and_square, []) == []
