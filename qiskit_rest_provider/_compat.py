"""Work-arounds for bugs in the interpreter and libraries, each in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["ast_safe"]

T = TypeVar("T")


def ast_safe(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call ``fn``, retrying CPython 3.11's spurious AST ``SystemError``.

    CPython 3.11 keeps the AST constructor's recursion depth in state shared by all threads
    (python/cpython#106905): under concurrent ``ast`` use (``ast.parse``, ``literal_eval``, and
    so ``np.load``'s header parsing) valid input sporadically raises "SystemError: AST
    constructor recursion depth mismatch" (seen once in ~6,000 emulator jobs).
    """
    for attempt in range(3):
        try:
            return fn(*args, **kwargs)
        except SystemError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
