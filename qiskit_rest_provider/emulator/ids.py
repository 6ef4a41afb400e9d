"""Ids shaped like the service's: the one place jobs and sessions both draw them from."""

from __future__ import annotations

import secrets
import string

__all__ = ["new_id"]

_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_id(prefix: str = "d") -> str:
    """A 20-character lowercase id shaped like the service's job ids."""
    # One urandom call instead of 19 (secrets.choice draws per character); bytes >= 252 are
    # dropped so that every character stays equally likely (252 = 7 * 36).
    chars: list[str] = []
    while len(chars) < 19:
        chars += [_ID_ALPHABET[b % 36] for b in secrets.token_bytes(24) if b < 252]
    return prefix + "".join(chars[:19])
