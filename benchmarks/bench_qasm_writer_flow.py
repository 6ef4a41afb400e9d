"""Encode time of a dynamic ISA circuit: our writer against the ``qasm3.dumps`` path.

A 100-qubit circuit in the Heron basis (``rz``, ``sx``, ``x``, ``ecr`` on neighbours), five
rounds of a layer of single-qubit gates and entanglers, then mid-circuit measurement of 20
qubits each round and ``if_else`` corrections on their neighbours (``x`` or, in the else
branch, a ``delay``), a ``box`` around one round, final measurement of every qubit. Each case
is ``export_circuit`` (the whole per-circuit encode: text, header, register specs); the
general path is the same call with the writer refused, so it writes the same text through
``qasm3.dumps`` after the preparation.

    python benchmarks/bench_qasm_writer_flow.py [repeats]
"""

from __future__ import annotations

import statistics
import sys

from _util import fmt, interleaved, paired_ratio

N = 100


def dynamic_circuit():
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    qc = QuantumCircuit(QuantumRegister(N, "q"), ClassicalRegister(N, "meas"))
    mid = ClassicalRegister(20, "mid")
    qc.add_register(mid)
    for layer in range(5):
        for q in range(N):
            qc.rz(0.1 * (q + 1) + layer, q)
            qc.sx(q)
        for q in range(layer % 2, N - 1, 2):
            qc.ecr(q, q + 1)
        measured = range(layer, N, 5)
        if layer == 2:
            with qc.box():
                qc.barrier()
        for k, q in enumerate(measured):
            qc.measure(q, mid[k])
        for k, q in enumerate(measured):
            with qc.if_test((mid[k], True)) as else_:
                qc.x((q + 1) % N)
            with else_:
                qc.delay(64, (q + 1) % N)
    qc.measure(range(N), range(N))
    return qc


def main(repeats: int) -> None:
    from qiskit_rest_provider.codec import circuits

    qc = dynamic_circuit()
    writer = circuits.write_flat_qasm

    def general():
        circuits.write_flat_qasm = lambda circuit, names: None
        try:
            return circuits.export_circuit(qc)
        finally:
            circuits.write_flat_qasm = writer

    assert writer(qc, {}) is not None, "the writer must cover this circuit"
    assert circuits.export_circuit(qc).qasm == general().qasm
    times = interleaved({"writer": lambda: circuits.export_circuit(qc), "dumps": general}, repeats)
    ops = sum(1 for _ in qc.data)
    print(f"dynamic ISA circuit: {N} qubits, {ops} top-level instructions, repeats={repeats}")
    for name, values in times.items():
        print(f"  {name:7s} median {fmt(statistics.median(values))}")
    ratio = paired_ratio(times["writer"], times["dumps"])
    print(f"  writer / dumps (paired median ratio): {ratio:.3f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
