"""Python's cyclic garbage collector, held off while a plan is built and written."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["few_collections"]


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Collect cyclic garbage rarely, and never rescan what was alive before.

    A plan allocates many small, long-lived objects (inputs, outputs, futures); at the default
    thresholds Python's collector rescans them over and over and takes more than half the run
    at a few thousand resources. Writing a plan's files then allocates as much again, while
    everything the plan left is still in memory: each full collection rescanned it all, about a
    second at 6,000 resources (bench/plan_bench.py). Objects alive on entry are frozen out of
    the scans, and the thresholds are raised, until the block ends.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
