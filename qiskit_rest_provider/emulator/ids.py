"""Ids shaped like the service's: the one place jobs and sessions both draw them from."""

from __future__ import annotations

import os
import random
import secrets
import string

__all__ = ["new_id"]

_ID_ALPHABET = string.ascii_lowercase + string.digits
_SPACE = 36**19
_BITS = _SPACE.bit_length()
# Ids must be unique and unguessable enough, not secret (another instance's job is a 404
# anyway): a generator seeded from the OS once, instead of a urandom call per id, which
# released the GIL on every submit and then waited for the worker threads to give it back.
_rng = random.Random(secrets.token_bytes(32))


def _reseed() -> None:
    _rng.seed(secrets.token_bytes(32))


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed)  # a forked process must not repeat our ids


def new_id(prefix: str = "d") -> str:
    """A 20-character lowercase id shaped like the service's job ids."""
    number = _rng.getrandbits(_BITS)
    while number >= _SPACE:  # redraw rather than fold: every id stays equally likely
        number = _rng.getrandbits(_BITS)
    chars = []
    for _ in range(19):
        number, digit = divmod(number, 36)
        chars.append(_ID_ALPHABET[digit])
    return prefix + "".join(chars)
