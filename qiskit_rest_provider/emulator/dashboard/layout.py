"""Positions for drawing a coupling map: IBM's row-and-bridge heavy-hex picture, else a circle.

IBM numbers heavy-hex qubits row by row: a row is a chain of consecutive indices joined by
couplers, and the "bridge" qubits between two rows are numbered after the upper row. Drawing
rows as rows and bridges between them gives the picture users know from IBM's platform; any
other graph is drawn on a circle, which is always readable if less familiar.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["coupling_layout"]

_MIN_ROW = 3  # shorter chains of consecutive qubits are bridges, not rows


def _chains(num_qubits: int, edges: set[tuple[int, int]]) -> list[list[int]]:
    """Maximal runs ``q, q+1, …`` whose neighbours are joined by a coupler."""
    chains: list[list[int]] = []
    for q in range(num_qubits):
        if chains and (q - 1, q) in edges and chains[-1][-1] == q - 1:
            chains[-1].append(q)
        else:
            chains.append([q])
    return chains


def _heavy_hex(num_qubits: int, edges: set[tuple[int, int]]) -> dict[int, tuple[float, float]]:
    neighbours: dict[int, set[int]] = {q: set() for q in range(num_qubits)}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    pos: dict[int, tuple[float, float]] = {}
    row_y = -2.0
    pending: list[int] = []  # bridges placed below the last row, waiting for the next one
    for chain in _chains(num_qubits, edges):
        if len(chain) >= _MIN_ROW:
            row_y += 2.0
            offset = 0.0
            for bridge in pending:  # align this row under the bridges above it
                below = [q for q in chain if q in neighbours[bridge]]
                if below:
                    offset = pos[bridge][0] - chain.index(below[0])
                    break
            for k, q in enumerate(chain):
                pos[q] = (offset + k, row_y)
            pending = []
            continue
        for bridge in chain:
            above = [q for q in neighbours[bridge] if q in pos and pos[q][1] == row_y]
            if not above:
                return {}
            pos[bridge] = (pos[above[0]][0], row_y + 1.0)
            pending.append(bridge)
    return pos


def _circle(num_qubits: int) -> dict[int, tuple[float, float]]:
    radius = max(1.0, num_qubits / (2 * math.pi))
    return {
        q: (
            radius + radius * math.cos(2 * math.pi * q / num_qubits),
            radius + radius * math.sin(2 * math.pi * q / num_qubits),
        )
        for q in range(num_qubits)
    }


def coupling_layout(
    num_qubits: int, edges: Iterable[tuple[int, int]]
) -> dict[int, tuple[float, float]]:
    """``{qubit: (x, y)}`` for drawing, in grid units (x right, y down).

    Args:
        num_qubits: Number of qubits of the device.
        edges: Couplers, either direction.
    """
    undirected = {(min(a, b), max(a, b)) for a, b in edges if a != b}
    if num_qubits <= 0:
        return {}
    layout = _heavy_hex(num_qubits, undirected) if undirected else {}
    if len(layout) != num_qubits:
        layout = _circle(num_qubits)
    return layout
