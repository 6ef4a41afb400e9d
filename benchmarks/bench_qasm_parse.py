"""Parse time of a 100-qubit ISA circuit: the emulator's parser path vs ``qiskit.qasm3.loads``.

The circuit is 5 layers of ``rz-sx-rz`` on every qubit plus a ``cz`` matching, then
``measure_all``; it is written twice, with ``codec.circuits.export_circuit`` (what our client
sends) and with plain ``qasm3.dumps``, and for each text both parsers run side by side.
Run: ``python benchmarks/bench_qasm_parse.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time

import numpy as np
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import Parameter

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.engine.qasm import parse

logger = logging.getLogger("bench_qasm_parse")


def isa_circuit(num_qubits: int = 100, layers: int = 5, parametric: bool = False) -> QuantumCircuit:
    rng = np.random.default_rng(1)
    qc = QuantumCircuit(num_qubits)
    theta = Parameter("θ")
    for layer in range(layers):
        for q in range(num_qubits):
            qc.rz(theta if parametric and q == 0 else float(rng.uniform(-np.pi, np.pi)), q)
            qc.sx(q)
            qc.rz(float(rng.uniform(-np.pi, np.pi)), q)
        for q in range(layer % 2, num_qubits - 1, 2):
            qc.cz(q, q + 1)
    qc.measure_all()
    return qc


def _median_ms(fn, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    ours = lambda text: parse(text, use_cache=False)  # noqa: E731 - the cache would hide the parse
    texts = {
        "export_circuit": export_circuit(isa_circuit()).qasm,
        "qasm3.dumps": qasm3.dumps(isa_circuit()),
        "export_circuit, 1 input": export_circuit(isa_circuit(parametric=True)).qasm,
    }
    logger.info(
        "%-26s %12s %14s %8s", "text (100 qubits, 5 layers)", "ours [ms]", "loads [ms]", "ratio"
    )
    for label, text in texts.items():
        assert ours(text).num_qubits == qasm3.loads(text).num_qubits  # same circuit size
        fast = _median_ms(ours, text, args.repeat)
        slow = _median_ms(qasm3.loads, text, max(3, args.repeat // 3))
        logger.info("%-26s %12.2f %14.2f %7.3fx", label, fast, slow, fast / slow)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
