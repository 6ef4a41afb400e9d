"""Descending ``for`` ranges reach the wire with the iterations Python's range has."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.unroll import exporter_ranges


def _loop(indexset, *, use_variable: bool = False) -> QuantumCircuit:
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(indexset) as i:
        if use_variable:  # the writer leaves such loops to the exporter (the general path)
            qc.rx(i, 0)
        else:
            qc.x(0)
    qc.measure(0, 0)
    return qc


@pytest.mark.parametrize("use_variable", [False, True], ids=["writer", "exporter"])
@pytest.mark.parametrize(
    ("indexset", "wire"),
    [
        (range(4, -1, -2), "[4:-2:0]"),  # 4, 2, 0 (the exporter alone wrote [4:-2:-2])
        (range(4, 3, -2), "[4:-2:4]"),  # one value
        (range(10, 0, -3), "[10:-3:1]"),  # 10, 7, 4, 1
        (range(0, 5, 2), "[0:2:4]"),  # ascending ranges were right already
        (range(0, 6, 2), "[0:2:5]"),
        (range(3), "[0:2]"),
        (range(0, 5, -1), "[0:-1:4]"),  # empty: no OpenQASM iteration either
    ],
)
def test_the_written_range_has_pythons_iterations(indexset, wire, use_variable):
    text = export_circuit(_loop(indexset, use_variable=use_variable)).qasm
    assert f" in {wire} {{" in text
    start, step, end = (
        (int(v) for v in wire[1:-1].split(":"))
        if wire.count(":") == 2
        else (
            int(wire[1:-1].split(":")[0]),
            1,
            int(wire[1:-1].split(":")[1]),
        )
    )
    inclusive = range(start, end + (1 if step > 0 else -1), step)  # OpenQASM's range
    assert list(inclusive) == list(indexset)


def test_circuits_without_a_descending_range_are_returned_as_they_are():
    flat = QuantumCircuit(1)
    flat.x(0)
    assert exporter_ranges(flat) is flat
    ascending = _loop(range(0, 4, 2))
    assert exporter_ranges(ascending) is ascending


def test_a_descending_range_inside_another_block_is_fixed_too():
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        with qc.for_loop(range(2, -1, -1)):
            qc.x(0)
    fixed = exporter_ranges(qc)
    assert fixed is not qc
    (inner,) = fixed.data[1].operation.blocks[0].data
    assert inner.operation.params[0] == range(2, 1, -1)  # the exporter writes [2:-1:0]
    assert qc.data[1].operation.blocks[0].data[0].operation.params[0] == range(2, -1, -1)
    assert "for int _ in [2:-1:0] {" in export_circuit(qc).qasm
