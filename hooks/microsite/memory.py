"""How the core spares the cyclic garbage collector: work that makes many objects and no garbage cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """For work that allocates many objects and no garbage cycles (loading, reading the history, making the
    downloads): collecting during it walks every object again and again, which made its time superlinear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
