"""bulk_work: the cycle collector off inside, back after the last open block (nested or in another
thread), even on an error; in_bulk runs a function inside one."""

from __future__ import annotations

import gc
import threading

import pytest

from mmrare.core.bulk import bulk_work, in_bulk


def test_off_inside_and_back_on_after_the_outermost_block() -> None:
    assert gc.isenabled()
    with bulk_work():
        assert not gc.isenabled()
        with bulk_work():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block's end does not switch it back on
    assert gc.isenabled()


def test_an_error_inside_still_restores_it() -> None:
    with pytest.raises(RuntimeError), bulk_work():
        raise RuntimeError("an import failed")
    assert gc.isenabled()


def test_left_off_where_it_was_off_before() -> None:
    gc.disable()
    try:
        with bulk_work():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_another_thread_s_block_keeps_it_off_until_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with bulk_work():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with bulk_work():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # this block ended, the other thread's has not
    release.set()
    thread.join()
    assert gc.isenabled()


def test_a_function_in_bulk_runs_without_the_collector() -> None:
    @in_bulk
    def collector_state() -> bool:
        return gc.isenabled()

    assert collector_state() is False
    assert gc.isenabled()
