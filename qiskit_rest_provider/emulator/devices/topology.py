"""Coupling maps of the emulated devices (IBM's heavy-hex layouts, built by hand).

Both layouts are rows of qubits joined by "bridge" qubits every fourth column, alternating
between columns 0, 4, 8, 12 and 2, 6, 10, 14, as on IBM's Eagle and Heron processors:

* Eagle (127 qubits, 144 couplers): rows of 14, 15, 15, 15, 15, 15, 14 qubits, 4 bridges
  between consecutive rows (the numbering of ibm_brisbane / ibm_washington).
* Heron r1 (133 qubits, 150 couplers): 7 rows of 15 qubits, 4 bridges between rows and 4
  more hanging below the last row (ibm_torino's count).
"""

from __future__ import annotations

__all__ = ["eagle_edges", "heron_edges", "heavy_hex_rows"]


def heavy_hex_rows(
    row_lengths: list[int], row_offsets: list[int], trailing_bridges: bool = False
) -> list[tuple[int, int]]:
    """Undirected edges ``(a, b)`` with ``a < b`` of a row-and-bridge heavy-hex layout.

    Args:
        row_lengths: Qubits per row.
        row_offsets: Column of each row's first qubit (Eagle's short rows start at 0 or 1).
        trailing_bridges: Add 4 bridge qubits below the last row, attached to it only.
    """
    edges: list[tuple[int, int]] = []
    next_qubit = 0
    pending: list[tuple[int, int]] = []  # (bridge qubit, column) waiting for the next row
    for index, (length, offset) in enumerate(zip(row_lengths, row_offsets)):
        row = {offset + k: next_qubit + k for k in range(length)}
        next_qubit += length
        edges.extend((row[c], row[c + 1]) for c in sorted(row) if c + 1 in row)
        for bridge, column in pending:
            edges.append((bridge, row[column]))
        pending = []
        last = index == len(row_lengths) - 1
        if not last or trailing_bridges:
            columns = (0, 4, 8, 12) if index % 2 == 0 else (2, 6, 10, 14)
            for column in columns:
                bridge = next_qubit
                next_qubit += 1
                edges.append((row[column], bridge))
                if not last:
                    pending.append((bridge, column))
    return sorted((min(a, b), max(a, b)) for a, b in edges)


def eagle_edges() -> list[tuple[int, int]]:
    """The 144 couplers of a 127-qubit Eagle processor."""
    # Row 0 spans columns 0..13, rows 1..5 columns 0..14, row 6 columns 1..14.
    return heavy_hex_rows([14, 15, 15, 15, 15, 15, 14], [0, 0, 0, 0, 0, 0, 1])


def heron_edges() -> list[tuple[int, int]]:
    """The 150 couplers of a 133-qubit Heron r1 processor."""
    return heavy_hex_rows([15] * 7, [0] * 7, trailing_bridges=True)
