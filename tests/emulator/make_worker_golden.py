"""Writes ``worker_golden.json``: worker requests and the result bodies the worker answered.

The requests are what our client sends (bodies captured before the POST, with a fixed server
seed), plus hand-written REST dialect variants; the bodies are what ``worker_child._run``
answered at the commit that wrote the file. ``test_worker_golden.py`` checks that the worker
still answers each request with the same bytes (execution-span times masked).

    PYTHONPATH=. python tests/emulator/make_worker_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("worker_golden.json")


class _Captured(Exception):
    def __init__(self, body: bytes) -> None:
        self.body = body


def _capture_requests() -> list[dict[str, Any]]:
    import numpy as np
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit import Parameter
    from qiskit.quantum_info import SparsePauliOp

    from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2
    from qiskit_rest_provider.emulator import start_emulator

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    measured = bell.measure_all(inplace=False)
    theta, phi = Parameter("theta"), Parameter("phi")
    param = QuantumCircuit(3)
    param.ry(theta, 0)
    param.cx(0, 1)
    param.rz(phi, 1)
    param.cx(1, 2)
    param.h(2)
    param_measured = param.measure_all(inplace=False)
    dynamic = QuantumCircuit(2, 2)
    dynamic.h(0)
    dynamic.measure(0, 0)
    with dynamic.if_test((dynamic.clbits[0], 1)):
        dynamic.x(1)
    dynamic.measure(1, 1)
    values = np.array([[0.1, 0.2], [1.3, -0.4], [2.0, 0.7]])
    observables = [
        SparsePauliOp.from_list([("ZZ", 1.0)]),
        SparsePauliOp.from_list([("XX", 0.5), ("YY", -0.5)]),
    ]
    observables3 = [
        SparsePauliOp.from_list([("ZIZ", 0.25), ("IZI", 0.75), ("XYI", 0.1)]),
        SparsePauliOp.from_list([("XXX", 1.0)]),
        SparsePauliOp.from_list([("ZZZ", -1.0), ("IIY", 0.5)]),
    ]
    requests: list[dict[str, Any]] = []
    with start_emulator(seed=1) as server:
        service = RuntimeService(token="golden", url=server.url, instance="crn:golden")
        simulator = service.backend("ibmq_qasm_simulator")
        torino = service.backend("ibm_torino")
        isa_bell = transpile(bell, torino, optimization_level=1, seed_transpiler=3)
        isa_measured = transpile(measured, torino, optimization_level=1, seed_transpiler=3)
        isa_param = transpile(param_measured, torino, optimization_level=1, seed_transpiler=3)
        isa_obs = SparsePauliOp("ZZ").apply_layout(isa_bell.layout)
        isa_obs2 = SparsePauliOp.from_list([("XX", 1.0), ("ZI", 0.5)]).apply_layout(isa_bell.layout)

        def send(*args: Any, **kwargs: Any) -> None:
            data = args[3] if len(args) > 3 else kwargs["data"]
            raise _Captured(data)

        service.transport._send = send  # type: ignore[method-assign]
        cases: list[tuple[str, Any]] = []

        def est(backend: Any, pubs: Any, **run: Any) -> None:
            options = run.pop("options", {})
            cases.append(
                ("estimator", lambda: EstimatorV2(mode=backend, options=options).run(pubs, **run))
            )

        def samp(backend: Any, pubs: Any, **run: Any) -> None:
            options = run.pop("options", {})
            cases.append(
                ("sampler", lambda: SamplerV2(mode=backend, options=options).run(pubs, **run))
            )

        est(simulator, [(bell, "ZZ")], precision=0)
        est(simulator, [(bell, observables[:2])], precision=0)
        est(simulator, [(param, observables3[0], values)], precision=0)
        est(simulator, [(param, [[o] for o in observables3], values)], precision=0)
        est(simulator, [(bell, "ZZ"), (param, observables3[2], values)], precision=0.05)
        est(simulator, [(bell, ["ZZ", "XX"])], options={"resilience_level": 0}, precision=0.1)
        est(simulator, [(bell, "ZZ")], options={"default_shots": 500, "seed_estimator": 7})
        est(simulator, [(bell, "XX")], options={"resilience_level": 2}, precision=0.1)
        est(torino, [(isa_bell, [isa_obs, isa_obs2])], precision=0.1)
        est(torino, [(isa_bell, isa_obs)], options={"resilience_level": 2}, precision=0.2)
        est(torino, [(isa_bell, isa_obs)], options={"resilience_level": 0}, precision=0.1)
        samp(simulator, [measured], shots=1000)
        samp(simulator, [(param_measured, values)], shots=100)
        samp(simulator, [measured, (param_measured, values[:1], 50)], shots=20)
        samp(simulator, [dynamic], shots=64)
        samp(simulator, [measured], options={"simulator": {"seed_simulator": 5}}, shots=10)
        samp(torino, [isa_measured], shots=200)
        samp(torino, [(isa_param, values)], shots=50)
        samp(
            torino,
            [isa_measured],
            options={"twirling": {"enable_gates": True, "enable_measure": True}},
            shots=128,
        )
        samp(torino, [isa_measured], options={"execution": {"meas_type": "kerneled"}}, shots=8)
        for program, case in cases:
            try:
                case()
            except _Captured as captured:
                body = json.loads(captured.body)
            else:  # pragma: no cover - the transport always raises
                raise RuntimeError("the job was sent")
            requests.append(
                {
                    "program": program,
                    "backend": body["backend"],
                    "seed": 131 + len(requests),
                    "noiseless": False,
                    "params": body["params"],
                }
            )
    plain = []
    for request in requests[:4] + requests[11:15]:
        params = {**request["params"], "support_qiskit": False}
        plain.append({**request, "params": params, "seed": request["seed"] + 1000})
    noiseless = {**requests[16], "noiseless": True}
    return [*requests, *plain, noiseless]


def answers(requests: list[dict[str, Any]]) -> list[str]:
    """What the worker answers each request (``worker_child.encode`` bytes as text)."""
    from qiskit_rest_provider.emulator import engine, worker_child
    from qiskit_rest_provider.emulator.devices import default_backends

    backends = default_backends(noiseless=False)
    out = []
    for request in requests:
        raw = worker_child.encode(
            worker_child._run(engine, backends, json.loads(json.dumps(request)))
        )
        out.append(raw.decode("utf-8", "surrogatepass"))
    return out


def main() -> None:
    requests = _capture_requests()
    bodies = answers(requests)
    for body in bodies:
        if not body.startswith("B"):
            sys.exit(f"a golden request failed: {body[:300]}")
    OUT.write_text(
        json.dumps([{"request": r, "answer": b} for r, b in zip(requests, bodies)], indent=1) + "\n"
    )
    print(f"wrote {len(requests)} requests to {OUT}")


if __name__ == "__main__":
    main()
