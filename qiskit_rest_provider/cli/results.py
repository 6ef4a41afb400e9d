"""A ``PrimitiveResult`` as plain data (for ``--json``) and as tables."""

from __future__ import annotations

import sys
from typing import Any

from .common import table

__all__ = ["result_data", "print_result"]


def result_data(program: str, result: Any) -> dict[str, Any]:
    """Counts per classical register (sampler) or values and errors (estimator), per PUB."""
    import numpy as np

    pubs: list[dict[str, Any]] = []
    for pub in result:
        data = pub.data
        if program == "estimator":
            evs, stds = np.asarray(data.evs, dtype=float), np.asarray(data.stds, dtype=float)
            pubs.append({"shape": list(evs.shape), "evs": evs.tolist(), "stds": stds.tolist()})
        else:
            arrays = dict(data.items())
            first = next(iter(arrays.values()), None)
            pubs.append(
                {
                    "shape": list(first.shape) if first is not None else [],
                    "shots": int(first.num_shots) if first is not None else 0,
                    "registers": {name: _counts(a.get_counts()) for name, a in arrays.items()},
                }
            )
    return {"program": program, "pubs": pubs}


def _counts(counts: dict[str, int]) -> dict[str, int]:
    # Most frequent first; ties by bitstring, so the output is stable.
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def print_result(data: dict[str, Any]) -> None:
    """Prints ``result_data``'s output as tables."""
    import numpy as np

    out = sys.stdout
    if data["program"] == "estimator":
        rows: list[tuple[int, str, float, float]] = []
        for index, pub in enumerate(data["pubs"]):
            evs, stds = np.asarray(pub["evs"]), np.asarray(pub["stds"])
            for where in np.ndindex(evs.shape):
                label = ",".join(map(str, where)) or "-"
                rows.append((index, label, float(evs[where]), float(stds[where])))
        table(
            [[p, i, _round(ev), _round(sd)] for p, i, ev, sd in rows],
            ["pub", "index", "value", "std"],
        )
        return
    for index, pub in enumerate(data["pubs"]):
        for name, counts in pub["registers"].items():
            total = sum(counts.values()) or 1
            shape = "x".join(map(str, pub["shape"]))
            where = f", {shape} parameter sets" if shape else ""
            out.write(f"PUB {index}, register {name} ({total} shots{where}):\n")
            table(
                [[bits, count, round(count / total, 4)] for bits, count in counts.items()],
                ["outcome", "count", "probability"],
            )
