"""Hex shots in an ASCII buffer -> packed ``BitArray`` bytes, one cache-sized step at a time.

The plain result format sends a shot as ``0x`` and its hex digits, leading zeros dropped. A
step takes each shot's last ``2 * nbytes`` characters as a row (what precedes a shorter
shot's digits becomes '0'); ``binascii.unhexlify`` then checks and packs the step's rows in one
C pass. A step covers about 1 MiB of text, so its temporaries stay in the CPU cache and the
text is read from memory about once: the time grows with the shots, not faster.

Whichever step finds it, the refusal is the one a whole-text check would give first: a missing
``0x``, then a shot without digits, then a non-hex digit, then a value wider than the register.
"""

from __future__ import annotations

import binascii

import numpy as np
from qiskit.primitives import BitArray

from ..exceptions import DecodeError

__all__ = ["HexRows", "count_strings", "read_json_strings"]

_BLOCK = 1 << 20  # bytes of text (and of rows) per step
_INVALID = 255
_NIBBLE = np.full(256, _INVALID, dtype=np.uint8)
for _digit in b"0123456789abcdefABCDEF":
    _NIBBLE[_digit] = int(chr(_digit), 16)
_ZERO, _X, _COMMA, _QUOTE, _SPACE = ord("0"), ord("x"), ord(","), ord('"'), ord(" ")
_BACKSLASH = ord("\\")
PREFIX = "Every sampler sample must be a '0x'-prefixed hex string."
EMPTY = "A sampler sample has no hex digits after '0x'."
NON_HEX = "Invalid hex sample: a sample has a non-hex character."
_NONE = 5  # the rank of "no refusal yet"; a lower rank is refused first


def _sliding(text: np.ndarray, width: int) -> np.ndarray:
    """Every ``width`` consecutive characters of ``text`` (at least that long), as a view."""
    # sliding_window_view does the same with checks that cost more than small decodes
    shape = (text.size - width + 1, width)
    view: np.ndarray = np.ndarray(shape, dtype=np.uint8, buffer=text, strides=(1, 1))
    return view


def _windows(text: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` characters before each of ``ends`` (rising), as rows of a new array.

    Shots that end within the first ``width`` characters are read from a copy of the text's
    head with ``width`` zeros in front (their missing characters are zeros).
    """
    lead = int(np.searchsorted(ends, width))
    rows = np.empty((0, width), dtype=np.uint8)
    if lead < ends.size:  # then the text is at least `width` long
        rows = _sliding(text, width)[ends[lead:] - width]
    if lead:
        head = np.concatenate((np.full(width, _ZERO, dtype=np.uint8), text[: ends[lead - 1]]))
        first = _sliding(head, width)[ends[:lead]]
        rows = np.concatenate((first, rows))
    return rows


class HexRows:
    """The shots of one ASCII text, added in rising order, then read as one ``BitArray``."""

    def __init__(self, text: np.ndarray, num_bits: int) -> None:
        self.text = text
        self.num_bits = num_bits
        self.nbytes = max((num_bits + 7) // 8, 1)
        self.width = 2 * self.nbytes
        self.step = max(_BLOCK // self.width, 1)  # shots per step
        self.count = 0
        self._parts: list[np.ndarray] = []
        # _leading[p]: a row's first p characters (what precedes a shot of width - p digits)
        self._leading = np.arange(self.width) < np.arange(self.width + 1)[:, None]
        self._rank = _NONE
        self._message = ""

    def _refuse(self, rank: int, message: str) -> None:
        if rank < self._rank:  # the first of equal rank stays
            self._rank, self._message = rank, message

    def add(self, starts: np.ndarray, ends: np.ndarray) -> None:
        """Shots ``text[starts[k]:ends[k]]`` ('0x' + digits), after those added before."""
        self.count += ends.size
        for low in range(0, ends.size, self.step):
            self._add(starts[low : low + self.step], ends[low : low + self.step])

    def _add(self, starts: np.ndarray, ends: np.ndarray) -> None:
        text, width = self.text, self.width
        digits = ends - starts - 2
        if digits.min() < 0 or (text[starts] != _ZERO).any() or (text[starts + 1] != _X).any():
            return self._refuse(0, PREFIX)
        if digits.min() == 0:
            return self._refuse(1, EMPTY)
        if self._rank <= 2:
            return None  # nothing below can come first
        rows = _windows(text, ends, width)
        short = np.flatnonzero(digits < width)
        if short.size:  # what precedes a short shot's digits becomes '0'
            some = np.take(rows, short, axis=0)  # contiguous rows: a copy per row
            np.copyto(some, np.uint8(_ZERO), where=self._leading[width - digits[short]])
            row = np.dtype((np.void, width))  # a whole row as one item: a fast scatter
            np.put(rows.view(row), short, some.view(row))
        try:
            packed = np.frombuffer(binascii.unhexlify(rows.data), dtype=np.uint8)
        except binascii.Error:
            return self._refuse(2, NON_HEX)
        if self._rank <= 3:
            return None
        packed = packed.reshape(ends.size, self.nbytes)
        self._check_leading(starts, ends, digits)
        top = self.num_bits % 8
        if (top and (packed[:, 0] >> top).any()) or (self.num_bits == 0 and packed.any()):
            self._refuse(4, self._wider())
        self._parts.append(packed)
        return None

    def _wider(self) -> str:
        return f"A sample is wider than its register's {self.num_bits} bits."

    def _check_leading(self, starts: np.ndarray, ends: np.ndarray, digits: np.ndarray) -> None:
        """Digits before a shot's last ``width`` ones must be '0' (leading zeros; rare)."""
        width = self.width
        over = np.flatnonzero(digits > width)
        if not over.size:
            return
        bounds = np.empty(2 * over.size, dtype=np.intp)
        bounds[0::2] = starts[over] + 2
        bounds[1::2] = ends[over] - width
        # Each shot's extra digits are one segment [start + 2, end - width): their min and max
        # are both '0' exactly when all of them are (the odd segments lie between shots).
        text = self.text[: bounds[-1] + 1]
        least = np.minimum.reduceat(text, bounds)[0::2]
        most = np.maximum.reduceat(text, bounds)[0::2]
        offending = over[(least != _ZERO) | (most != _ZERO)]
        if offending.size:  # the first such shot names the refusal
            shot = offending[0]
            extra = text[starts[shot] + 2 : ends[shot] - width]
            invalid = np.any(_NIBBLE[extra] == _INVALID)
            self._refuse(3, NON_HEX if invalid else self._wider())

    def finish(self, shape: tuple[int, ...]) -> BitArray:
        """The shots added so far, as a ``BitArray`` of ``shape`` (plus shots); or a refusal."""
        if self._rank < _NONE:
            raise DecodeError(self._message)
        out = np.concatenate(self._parts or [np.empty((0, self.nbytes), dtype=np.uint8)])
        array = out.reshape(shape + (self.nbytes,))
        if self.num_bits == 0:
            array = array[..., :0]
        return BitArray(array, self.num_bits)


def _separated(text: np.ndarray, before: np.ndarray, after: np.ndarray) -> bool:
    """Whether each closing quote ``before[k]`` is followed by ``,`` or ``, `` and ``after[k]``."""
    gaps = after - before  # 2: "," between strings; 3: ", "
    return not gaps.size or not (
        gaps.min() < 2
        or gaps.max() > 3
        or (text[before + 1] != _COMMA).any()
        or (text[(before + 2)[gaps == 3]] != _SPACE).any()
    )


def count_strings(span: bytes | memoryview) -> int:
    """How many strings a flat JSON array of hex strings holds (half its quotes)."""
    text = np.frombuffer(span, dtype=np.uint8)
    quotes = 0
    for low in range(0, text.size, _BLOCK):  # small temporaries, in the cache
        quotes += int(np.count_nonzero(text[low : low + _BLOCK] == _QUOTE))
    return quotes // 2


def read_json_strings(span: bytes | memoryview, num_bits: int) -> BitArray | None:
    """The inside of a flat JSON array of hex strings -> ``BitArray``, or ``None``.

    ``None`` when the span is not in the simple form read here (no shots, escapes, nesting,
    whitespace other than one space after a comma or around the strings); the caller then
    parses it as JSON. Quotes are found a block of text at a time, and each block's shots are
    checked and packed while the block is in the cache.
    """
    text = np.frombuffer(span, dtype=np.uint8)
    rows = HexRows(text, num_bits)
    carry = np.empty(0, dtype=np.intp)  # an opening quote whose string ends in a later block
    last = -1  # the last closing quote so far
    for low in range(0, text.size, _BLOCK):
        block = text[low : low + _BLOCK]
        if (block == _BACKSLASH).any():
            return None  # an escape: JSON reads it
        quotes = np.flatnonzero(block == _QUOTE) + low
        quotes = np.concatenate((carry, quotes))
        even = quotes.size - quotes.size % 2
        opens, closes, carry = quotes[0:even:2], quotes[1:even:2], quotes[even:]
        if not opens.size:
            continue
        if last < 0:
            if bytes(span[: opens[0]]).strip():
                return None
            before, after = closes[:-1], opens[1:]
        else:
            before, after = np.concatenate(([last], closes[:-1])), opens
        if not _separated(text, before, after):
            return None
        rows.add(opens + 1, closes)
        last = int(closes[-1])
    if last < 0 or carry.size or bytes(span[last + 1 :]).strip():
        return None  # no shots (JSON reads that as fast), or an unclosed string
    return rows.finish((rows.count,))
