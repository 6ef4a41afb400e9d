"""A tour of the service layer, against an embedded emulator (no account, no network).

Saving an account, picking a backend, options, a session and a batch, retrieval by id, and the
cloud transpiler. Every step is what you would write against IBM Quantum, bar the URL.

    python examples/tour.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qiskit_rest_provider import (
    Batch,
    CloudTranspiler,
    EstimatorOptions,
    EstimatorV2,
    RuntimeService,
    SamplerV2,
    Session,
)
from qiskit_rest_provider.emulator import start_emulator


def main() -> None:
    with start_emulator(seed=7) as server, tempfile.TemporaryDirectory() as home:
        accounts = str(Path(home) / "qiskit-ibm.json")
        crn = "crn:v1:bluemix:public:quantum-computing:us-east:a/tour:tour::"

        # 1. Save an account once (same file and format as qiskit-ibm-runtime), then load it.
        RuntimeService.save_account(
            token="my-api-key", instance=crn, url=server.url, filename=accounts, name="tour"
        )
        service = RuntimeService(filename=accounts, name="tour")

        # 2. Pick a backend: by name, by filter, or the least busy device.
        print("backends:", [b.name for b in service.backends()])
        device = service.least_busy(simulator=False, operational=True, min_num_qubits=100)
        print(f"least busy device: {device.name}, target: {device.target.num_qubits} qubits")

        # 3. Transpile in the cloud (the transpiler's task API), same shape as a pass manager.
        circuit = QuantumCircuit(3)
        circuit.h(0)
        circuit.cx(0, 1)
        circuit.cx(1, 2)
        transpiler = CloudTranspiler(
            backend_name=device.name, optimization_level=2, service=service
        )
        isa, isa_measured = transpiler.run([circuit, circuit.measure_all(inplace=False)])
        observable = SparsePauliOp.from_list([("ZZI", 1.0), ("IZZ", 1.0), ("XXX", 0.5)])

        # 4. Options, as in qiskit-ibm-runtime: attributes or dicts, validated on set.
        options = EstimatorOptions(default_precision=0.02, resilience_level=1)
        options.environment.job_tags = ["tour"]

        # 5. A session: jobs inside carry its id; observables mapped through the layout.
        with Session(device, max_time="10m") as session:
            estimator = EstimatorV2(mode=session, options=options, apply_layout=True)
            job = estimator.run([(isa, observable)])
            print(f"estimator in session {session.session_id}: {job.result()[0].data.evs:.3f}")

        # 6. A batch of independent jobs.
        with Batch(device) as batch:
            jobs = [SamplerV2(mode=batch).run([isa_measured], shots=500) for _ in range(2)]
            for sampled in jobs:
                print("batch counts:", sampled.result()[0].data.meas.get_counts())

        # 7. Retrieve a job by id (from any process or machine) and list jobs by tag.
        again = service.job(job.job_id())
        print(f"retrieved {again.job_id()}: {again.status()}, evs {again.result()[0].data.evs:.3f}")
        print("tagged jobs:", [j.job_id() for j in service.jobs(job_tags=["tour"])])


if __name__ == "__main__":
    main()
