"""The collector paused while the toolkit builds objects that live on (toolkit/collector.py)."""

from __future__ import annotations


def test_paused_gc_promotes_what_it_allocated_and_still_frees_cycles():
    """After a paused block the young generation is empty (no collection traverses the block's
    objects on the way out), nothing stays frozen, and a cycle made inside is still freed."""
    import gc
    import weakref

    from toolkit.collector import paused_gc

    class Node:
        pass

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        kept = [[i] for i in range(50_000)]  # far beyond the young generation's threshold
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector can free
        gone = weakref.ref(a)
        del a, b
    assert gc.isenabled()
    assert gc.get_count()[0] < gc.get_threshold()[0]  # moved on, not waiting to be traversed
    assert gc.get_freeze_count() == 0
    assert gone() is not None
    gc.collect()
    assert gone() is None
    assert len(kept) == 50_000
