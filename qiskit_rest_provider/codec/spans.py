"""Execution spans: when each part of a sampler result was taken.

``result.metadata["execution"]["execution_spans"]`` arrives as the tagged JSON
``{"__type__": "ExecutionSpans", "__value__": {"spans": [...]}}``. :func:`decode_spans` turns it
into :class:`ExecutionSpans` of :class:`SliceSpan`/:class:`DoubleSliceSpan`, with the interface
of qiskit-ibm-runtime 0.51's classes of the same names (``start``, ``stop``, ``duration``,
``size``, ``mask``, ``pub_idxs``, ``contains_pub``, ``filter_by_pub``, iteration, sorting),
written here so the client does not depend on that package. Span types this module does not
know (twirled spans) stay as their tagged JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import numpy as np

__all__ = ["ExecutionSpan", "SliceSpan", "DoubleSliceSpan", "ExecutionSpans", "decode_spans"]


def _indices(pub_idx: int | Iterable[int]) -> set[int]:
    return {pub_idx} if isinstance(pub_idx, int) else set(pub_idx)


class ExecutionSpan:
    """A time window ``[start, stop]`` (UTC) and the part of each PUB's data taken in it.

    Spans compare equal by value and sort by ``(start, stop)``.
    """

    def __init__(self, start: datetime, stop: datetime, data_slices: dict[int, Any]) -> None:
        self._start = start
        self._stop = stop
        self._data_slices = data_slices

    def __eq__(self, other: object) -> bool:
        # Defining __eq__ leaves the class unhashable, as theirs: spans compare by value.
        return (
            isinstance(other, ExecutionSpan)
            and type(other) is type(self)
            and (self.start, self.stop, self._data_slices)
            == (other.start, other.stop, other._data_slices)
        )

    def __lt__(self, other: ExecutionSpan) -> bool:
        return (self.start, self.stop) < (other.start, other.stop)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(<start='{self.start:%Y-%m-%d %H:%M:%S}', "
            f"stop='{self.stop:%Y-%m-%d %H:%M:%S}', size={self.size}>)"
        )

    @property
    def start(self) -> datetime:
        """Start of the window, in UTC."""
        return self._start

    @property
    def stop(self) -> datetime:
        """End of the window, in UTC."""
        return self._stop

    @property
    def duration(self) -> float:
        """Length of the window in seconds."""
        return (self.stop - self.start).total_seconds()

    @property
    def pub_idxs(self) -> list[int]:
        """The PUBs with data in this span."""
        return sorted(self._data_slices)

    @property
    def size(self) -> int:
        """How many results (shots, for the sampler) of all PUBs were taken in this span."""
        return int(sum(self.mask(index).sum() for index in self.pub_idxs))

    def mask(self, pub_idx: int) -> np.ndarray:
        """Boolean array shaped like the PUB's data: which results belong to this span.

        Raises:
            KeyError: The PUB has no data in this span.
        """
        raise NotImplementedError

    def contains_pub(self, pub_idx: int | Iterable[int]) -> bool:
        """Whether any of these PUBs has data in this span."""
        return not _indices(pub_idx).isdisjoint(self.pub_idxs)

    def filter_by_pub(self, pub_idx: int | Iterable[int]) -> ExecutionSpan:
        """The same span limited to these PUBs."""
        keep = _indices(pub_idx)
        slices = {i: v for i, v in self._data_slices.items() if i in keep}
        return type(self)(self.start, self.stop, slices)

    def _slices(self, pub_idx: int) -> Any:
        if pub_idx not in self._data_slices:
            raise KeyError(f"Pub {pub_idx} is not included in the span.")
        return self._data_slices[pub_idx]


class SliceSpan(ExecutionSpan):
    """A span covering one slice of each PUB's row-major flattened data.

    ``data_slices`` maps a PUB index to ``(shape, slice)``.
    """

    def mask(self, pub_idx: int) -> np.ndarray:
        """Boolean array shaped like the PUB's data: which results belong to this span."""
        shape, part = self._slices(pub_idx)
        mask = np.zeros(shape, dtype=np.bool_)
        mask.ravel()[part] = True
        return mask

    @property
    def size(self) -> int:
        """How many results of all PUBs were taken in this span."""
        return sum(len(range(math.prod(shape))[part]) for shape, part in self._data_slices.values())


class DoubleSliceSpan(ExecutionSpan):
    """A span covering a slice of parameter sets times a slice of shots, per PUB.

    ``data_slices`` maps a PUB index to ``(shape, args_slice, shots_slice)``; ``shape`` ends
    with the shots axis.
    """

    def mask(self, pub_idx: int) -> np.ndarray:
        """Boolean array shaped like the PUB's data: which results belong to this span."""
        shape, args, shots = self._slices(pub_idx)
        mask = np.zeros(shape, dtype=np.bool_)
        mask.reshape(math.prod(shape[:-1]), shape[-1])[args, shots] = True
        return mask

    @property
    def size(self) -> int:
        """How many results of all PUBs were taken in this span."""
        return sum(
            len(range(math.prod(shape[:-1]))[args]) * len(range(shape[-1])[shots])
            for shape, args, shots in self._data_slices.values()
        )


class ExecutionSpans:
    """The spans of one job: a list-like of :class:`ExecutionSpan`."""

    def __init__(self, spans: Iterable[Any]) -> None:
        self._spans = list(spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, idxs: int | slice | list[int]) -> Any:
        if isinstance(idxs, int):
            return self._spans[idxs]
        if isinstance(idxs, slice):
            return ExecutionSpans(self._spans[idxs])
        return ExecutionSpans(self._spans[i] for i in idxs)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._spans)

    def __repr__(self) -> str:
        return f"ExecutionSpans({self._spans!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExecutionSpans) and self._spans == other._spans

    @property
    def pub_idxs(self) -> list[int]:
        """The PUBs with data in any span."""
        return sorted({index for span in self for index in span.pub_idxs})

    @property
    def start(self) -> datetime:
        """Start of the earliest span, in UTC."""
        starts: list[datetime] = [span.start for span in self]
        return min(starts)

    @property
    def stop(self) -> datetime:
        """End of the latest span, in UTC."""
        stops: list[datetime] = [span.stop for span in self]
        return max(stops)

    @property
    def duration(self) -> float:
        """Seconds from the first start to the last stop."""
        return (self.stop - self.start).total_seconds()

    def filter_by_pub(self, pub_idx: int | Iterable[int]) -> ExecutionSpans:
        """Every span limited to these PUBs."""
        return ExecutionSpans(span.filter_by_pub(pub_idx) for span in self)

    def sort(self, inplace: bool = True) -> ExecutionSpans:
        """Sort by start time, in place (default) or as a copy."""
        target = self if inplace else ExecutionSpans(self)
        target._spans.sort()
        return target


def _span(item: Any) -> Any:
    if not isinstance(item, Mapping) or "__value__" not in item:
        return item
    kind, value = item.get("__type__"), item["__value__"]
    raw = value.get("data_slices") or {}
    slices: dict[int, Any]
    if kind == "DoubleSliceSpan":
        slices = {
            int(i): (tuple(shape), slice(a0, a1), slice(s0, s1))
            for i, (shape, a0, a1, s0, s1) in raw.items()
        }
        return DoubleSliceSpan(value["start"], value["stop"], slices)
    if kind in ("ExecutionSpan", "SliceSpan"):  # qiskit-ibm-runtime tags SliceSpan so
        slices = {int(i): (tuple(shape), slice(a, b)) for i, (shape, a, b) in raw.items()}
        return SliceSpan(value["start"], value["stop"], slices)
    return item  # a span type this client does not know: kept as sent


def decode_spans(value: Any) -> Any:
    """``ExecutionSpans`` from its tagged JSON (datetimes already decoded); else ``value``."""
    if not (isinstance(value, Mapping) and value.get("__type__") == "ExecutionSpans"):
        return value
    try:
        spans = [_span(item) for item in (value.get("__value__") or {}).get("spans") or []]
        if not all(isinstance(span, ExecutionSpan) for span in spans):
            return value
        if not all(isinstance(span.start, datetime) for span in spans):
            return value
    except (TypeError, ValueError, KeyError, AttributeError):
        return value  # malformed: keep the JSON rather than fail the whole result
    return ExecutionSpans(spans)


def decode_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Job metadata with ``execution.execution_spans`` decoded."""
    execution = metadata.get("execution")
    if isinstance(execution, Mapping) and "execution_spans" in execution:
        execution = dict(execution)
        execution["execution_spans"] = decode_spans(execution["execution_spans"])
        return {**metadata, "execution": execution}
    return metadata
