"""The seed flow: build circuits, transpile, run estimator and sampler jobs, print results.

Runs against an embedded emulator (no account, no network) unless a service is given::

    python examples/seed_flow.py
    python examples/seed_flow.py --url https://cloud.ibm.com --token KEY --instance CRN \\
        --backend ibm_fez

The same can be set with QISKIT_REST_PROVIDER_URL, QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE.
"""

from __future__ import annotations

import argparse
import contextlib
import os

from qiskit import QuantumCircuit
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("QISKIT_REST_PROVIDER_URL"))
    parser.add_argument("--token", default=os.environ.get("QISKIT_IBM_TOKEN"))
    parser.add_argument("--instance", default=os.environ.get("QISKIT_IBM_INSTANCE"))
    parser.add_argument("--backend", default="ibm_brisbane")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        if args.url is None:
            from qiskit_rest_provider.emulator import start_emulator

            server = stack.enter_context(start_emulator(seed=42))
            args.url, args.token = server.url, "emulator-api-key"
            args.instance = "crn:v1:bluemix:public:quantum-computing:us-east:a/demo:seed::"
            print(f"embedded emulator at {server.url}")
        service = RuntimeService(token=args.token, url=args.url, instance=args.instance)
        run(service, service.backend(args.backend))


def run(service: RuntimeService, backend) -> None:
    """Transpile the seed's circuits for ``backend`` and run both primitives."""
    print(f"backend: {backend.name} ({backend.num_qubits} qubits)")
    circuit = random_circuit(5, depth=3, seed=42)
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()

    pass_manager = generate_preset_pass_manager(
        optimization_level=1, backend=backend, seed_transpiler=7
    )
    isa_circuit, isa_bell = pass_manager.run([circuit, bell])
    observable = SparsePauliOp.from_list([("IIZII", 1), ("XIZZZ", 2.3)])
    isa_observable = observable.apply_layout(isa_circuit.layout)

    estimator = EstimatorV2(mode=backend)
    job = estimator.run([(isa_circuit, isa_observable)], precision=0.01)
    print(f"estimator job {job.job_id()}: {job.status()}")
    pub = job.result()[0]
    exact = Statevector(circuit).expectation_value(observable).real
    print(f"  <IIZII + 2.3 XIZZZ> = {float(pub.data.evs):.4f} ± {float(pub.data.stds):.4f}")
    print(f"  metadata: {pub.metadata}")

    # The same PUB with zero-noise extrapolation (resilience level 2) on top of TREX.
    mitigated = EstimatorV2(mode=backend, options={"resilience_level": 2})
    zne = mitigated.run([(isa_circuit, isa_observable)], precision=0.01).result()[0]
    print(
        f"  with ZNE (resilience_level=2): {float(zne.data.evs):.4f} ± {float(zne.data.stds):.4f}"
    )
    print(f"  exact (Statevector, noiseless): {exact:.4f}")

    sampler = SamplerV2(mode=backend)
    job = sampler.run([isa_bell], shots=1000)
    print(f"sampler job {job.job_id()}: {job.status()}")
    counts = job.result()[0].data.meas.get_counts()
    print(f"  Bell counts: {dict(sorted(counts.items()))}")

    again = service.job(job.job_id())
    print(
        f"retrieved {again.job_id()} by id: {again.status()}, "
        f"same counts: {again.result()[0].data.meas.get_counts() == counts}"
    )


if __name__ == "__main__":
    main()
