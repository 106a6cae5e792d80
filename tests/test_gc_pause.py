"""The collector pause used while circuits are built: nesting-safe, restores the state."""

import gc

import pytest

from psyc.util.gc_pause import gc_paused, with_gc_paused


def test_pause_nests_and_restores():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outermost block turns it back on
    assert gc.isenabled()


def test_pause_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_decorator_restores_after_an_exception():
    @with_gc_paused
    def boom():
        assert not gc.isenabled()
        raise ValueError("x")

    with pytest.raises(ValueError):
        boom()
    assert gc.isenabled()
