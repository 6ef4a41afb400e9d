"""The engine's bounded, thread-safe caches: one way to look up and to keep an entry.

Each cache is an ``OrderedDict`` with its lock and bound in its own module (the parsed texts in
:mod:`.qasm`, the estimator's and the sampler's preparations); these two functions are the
least-recently-used discipline they share.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["lookup", "keep"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def lookup(
    cache: OrderedDict[K, V],
    lock: threading.Lock,
    key: K,
    valid: Callable[[V], bool] | None = None,
) -> V | None:
    """The entry of ``key`` (now the most recently used), or ``None``; ``valid`` may veto it."""
    with lock:
        found = cache.get(key)
        if found is not None and (valid is None or valid(found)):
            cache.move_to_end(key)
            return found
    return None


def keep(cache: OrderedDict[K, V], lock: threading.Lock, key: K, value: V, size: int) -> None:
    """Stores ``value`` under ``key``, dropping the least recently used beyond ``size``."""
    with lock:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
