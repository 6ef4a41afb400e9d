"""Narrowing generic HTTP errors to the resource they concern."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..exceptions import NotFoundError

__all__ = ["narrow_not_found"]


@contextmanager
def narrow_not_found(cls: type[NotFoundError], what: str) -> Iterator[None]:
    """Re-raise a 404 as ``cls`` (e.g. ``JobNotFoundError``) with ``what`` in the message."""
    try:
        yield
    except NotFoundError as exc:
        if isinstance(exc, cls):
            raise
        raise exc.recast(cls, f"{what} was not found: {exc.message}") from exc
