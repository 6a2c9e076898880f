"""paused_cycle_collection: off inside, restored after the outermost block, even on an error."""

from __future__ import annotations

import gc
import threading

import pytest

from mmrare.importers.cycle_collection import paused_cycle_collection


def test_off_inside_and_back_on_after_the_outermost_block() -> None:
    assert gc.isenabled()
    with paused_cycle_collection():
        assert not gc.isenabled()
        with paused_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block's end does not switch it back on
    assert gc.isenabled()


def test_an_error_inside_still_restores_it() -> None:
    with pytest.raises(RuntimeError), paused_cycle_collection():
        raise RuntimeError("an import failed")
    assert gc.isenabled()


def test_left_off_where_it_was_off_before() -> None:
    gc.disable()
    try:
        with paused_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_another_thread_s_block_keeps_it_off_until_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with paused_cycle_collection():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with paused_cycle_collection():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # this block ended, the other thread's has not
    release.set()
    thread.join()
    assert gc.isenabled()
