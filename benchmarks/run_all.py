"""Every row of the performance table (issue 15), ours and its anchor side by side, in one run.

Each row runs ours and the anchor round-robin in the same loop (the start rotates); a ratio is
the median of the per-repeat ratios ours / anchor, so both sides of it were measured under the
same load. This machine is shared and noisy: rerun before you trust a digit.

    python benchmarks/run_all.py [--repeats N] [--only ROW[,ROW...]]

Rows: encode-sampler, encode-estimator, decode-hex, decode-tagged, bell-sampler,
bell-estimator, ghz-noiseless, ghz-noisy. See docs/performance.md for what each one measures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from _util import fmt, interleaved, paired_ratio
from qiskit import QuantumCircuit

ROWS: dict[str, Callable[[argparse.Namespace, Any], None]] = {}
SUMMARY: list[tuple[str, str, str, str, str]] = []


def row(name: str):
    def register(fn):
        ROWS[name] = fn
        return fn

    return register


def report(
    title: str, times: dict[str, list[float]], ours: str, anchor: str | None, target: str
) -> None:
    print(f"\n## {title} (n={len(times[ours])} interleaved repeats, medians)")
    for name, samples in times.items():
        print(f"  {name:<58} {fmt(statistics.median(samples))}")
    ratio = f"{paired_ratio(times[ours], times[anchor]):.2f}x" if anchor else "-"
    print(f"  ratio ours / anchor: {ratio}   (target {target})")
    if anchor:
        medians = statistics.median(times[ours]) / statistics.median(times[anchor])
        # Few repeats on a loaded machine: a spike in one pair moves the paired median.
        print(f"  ratio of the medians: {medians:.2f}x")
    SUMMARY.append(
        (
            title,
            fmt(statistics.median(times[ours])).strip(),
            fmt(statistics.median(times[anchor])).strip() if anchor else "-",
            ratio,
            target,
        )
    )


# ------------------------------------------------------------------------------ workloads


def isa_sampler_circuit(edges, n: int = 100, layers: int = 5, seed: int = 0) -> QuantumCircuit:
    """A 100-qubit ISA circuit: layers of rz-sx-rz on every qubit + a random cz matching.

    The same generator as the anchor script (shared/bench/encode_bench.py).
    """
    rng = np.random.default_rng(seed)
    edges = sorted({tuple(sorted(e)) for e in edges if max(e) < n})
    qc = QuantumCircuit(n, name=f"isa_{seed}")
    for _ in range(layers):
        for q in range(n):
            qc.rz(float(rng.uniform(-np.pi, np.pi)), q)
            qc.sx(q)
            qc.rz(float(rng.uniform(-np.pi, np.pi)), q)
        used: set[int] = set()
        for i in rng.permutation(len(edges)):
            a, b = edges[i]
            if a not in used and b not in used:
                qc.cz(a, b)
                used.update((a, b))
    qc.measure_all()
    return qc


def estimator_workload(target, seed: int = 7):
    from qiskit import transpile
    from qiskit.circuit.library import efficient_su2
    from qiskit.quantum_info import SparsePauliOp

    logical = efficient_su2(50)  # 400 parameters
    isa = transpile(logical, target=target, optimization_level=1, seed_transpiler=seed)
    obs = [
        SparsePauliOp.from_sparse_list(
            [("ZZ", [i, (i + 1) % 50], 1.0), ("X", [i], 0.5)], num_qubits=50
        ).apply_layout(isa.layout)
        for i in range(50)
    ]
    values = np.random.default_rng(seed).uniform(-np.pi, np.pi, size=(1000, 1, 400))
    return isa, obs, values


class Env:
    """One embedded emulator, a service on it and one whose POST /jobs only captures the body."""

    def __init__(self) -> None:
        from qiskit_rest_provider import RuntimeService
        from qiskit_rest_provider.emulator import start_emulator

        self.server = start_emulator(seed=1)
        self.service = RuntimeService(token="bench", url=self.server.url, instance="crn:bench")
        self.capture = RuntimeService(token="bench", url=self.server.url, instance="crn:bench")
        self.captured: list[bytes] = []
        real_send = self.capture.transport._send

        def send(method, url, params, data, headers, *rest):
            if method == "POST" and url.endswith("/jobs"):
                import requests

                self.captured.append(data)
                response = requests.Response()
                response.status_code = 201
                response._content = b'{"id": "bench", "backend": "ibm_torino"}'
                return response
            return real_send(method, url, params, data, headers, *rest)

        self.capture.transport._send = send

    def close(self) -> None:
        self.server.stop()


# ------------------------------------------------------------------------------ rows


def _runtime_capture(cls, backend):
    """qiskit-ibm-runtime's primitive with the real ``Runtime.program_run``, body captured."""
    sys.path.insert(0, "/work/shared/bench")
    from encode_bench import make_primitive

    return make_primitive(cls, backend)


@row("encode-sampler")
def encode_sampler(args, env: Env) -> None:
    from qiskit_ibm_runtime import SamplerV2 as RuntimeSampler
    from qiskit_ibm_runtime.fake_provider import FakeFez

    from qiskit_rest_provider import SamplerV2

    fez = FakeFez()
    torino = env.capture.backend("ibm_torino")
    theirs_c = [isa_sampler_circuit(fez.target["cz"], seed=s) for s in range(100)]
    ours_c = [isa_sampler_circuit(torino.target["cz"], seed=s) for s in range(100)]
    anchor = _runtime_capture(RuntimeSampler, fez)
    ours = SamplerV2(mode=torino)
    times = interleaved(
        {
            "ours SamplerV2.run -> body (validation on)": lambda: ours.run(ours_c, shots=2000),
            "qiskit-ibm-runtime SamplerV2.run (QPY)": lambda: anchor.run(
                [(c, None, 2000) for c in theirs_c]
            ),
        },
        args.repeats,
        warmup=1,
    )
    body = env.captured[-1]
    print(f"  our body {len(body):,} B; anchor body {len(anchor.run(theirs_c)):,} B")
    report(
        "sampler encode, 100 PUBs x 100-qubit ISA",
        times,
        "ours SamplerV2.run -> body (validation on)",
        "qiskit-ibm-runtime SamplerV2.run (QPY)",
        "<= 0.5x",
    )


@row("encode-estimator")
def encode_estimator(args, env: Env) -> None:
    from qiskit_ibm_runtime import EstimatorV2 as RuntimeEstimator
    from qiskit_ibm_runtime.fake_provider import FakeFez

    from qiskit_rest_provider import EstimatorV2

    fez = FakeFez()
    torino = env.capture.backend("ibm_torino")
    theirs = estimator_workload(fez.target)
    ours_pub = estimator_workload(torino.target)
    anchor = _runtime_capture(RuntimeEstimator, fez)
    ours = EstimatorV2(mode=torino)
    times = interleaved(
        {
            "ours EstimatorV2.run -> body": lambda: ours.run([ours_pub]),
            "qiskit-ibm-runtime EstimatorV2.run": lambda: anchor.run([theirs]),
        },
        args.repeats,
        warmup=1,
    )
    print(f"  our body {len(env.captured[-1]):,} B; anchor {len(anchor.run([theirs])):,} B")
    _zlib_levels(args, ours_pub[2])
    report(
        "estimator encode, 50q / 400 params x 1000 / 50 obs",
        times,
        "ours EstimatorV2.run -> body",
        "qiskit-ibm-runtime EstimatorV2.run",
        "<= 0.35x",
    )


def _zlib_levels(args, values: np.ndarray) -> None:
    """Time and size of the parameter array's payload per zlib level (and ours: adaptive)."""
    import base64
    import io
    import zlib

    from qiskit_rest_provider.codec.tagged import encode_ndarray

    buffer = io.BytesIO()
    np.save(buffer, values, allow_pickle=False)
    raw = buffer.getvalue()
    cases = {
        f"zlib level {level}": lambda level=level: base64.b64encode(zlib.compress(raw, level))
        for level in (0, 1, 6)
    }
    cases["ours (level 1, stored if a probe hardly compresses)"] = lambda: encode_ndarray(values)
    times = interleaved(cases, args.repeats, warmup=1)
    print(f"  parameter values {values.shape}: npy {len(raw):,} B")
    for name, samples in times.items():
        size = (
            len(cases[name]())
            if name.startswith("zlib")
            else len(encode_ndarray(values)["__value__"])
        )
        print(f"    {name:<52} {fmt(statistics.median(samples))}  {size:,} B base64")


def _hex_body(shots: int, num_bits: int, pubs: int = 1) -> tuple[bytes, list[Any]]:
    from qiskit_rest_provider.codec.circuits import CregSpec
    from qiskit_rest_provider.codec.pubs import PubSpec

    rng = np.random.default_rng(3)
    results = []
    for _ in range(pubs):
        values = rng.integers(0, 2**63, size=shots, dtype=np.uint64).astype(object)
        values = (values << 64 | rng.integers(0, 2**63, size=shots, dtype=np.uint64)) >> (
            128 - num_bits
        )
        samples = [hex(v) for v in values]
        results.append({"data": {"meas": {"samples": samples, "num_bits": num_bits}}})
    body = json.dumps({"results": results, "metadata": {}}).encode()
    spec = PubSpec(shape=(), cregs=(CregSpec("meas", "meas", num_bits),), shots=shots)
    return body, [spec] * pubs


def _hex_anchor(body: bytes):
    from qiskit.primitives import BitArray

    data = json.loads(body)
    return [
        BitArray.from_samples(r["data"]["meas"]["samples"], r["data"]["meas"]["num_bits"])
        for r in data["results"]
    ]


@row("decode-hex")
def decode_hex(args, env: Env) -> None:
    from qiskit_rest_provider.codec.results import decode_result

    big, big_specs = _hex_body(1_000_000, 127)
    small, small_specs = _hex_body(100_000, 127)
    ours_big = decode_result(big, "sampler", big_specs)[0].data.meas
    assert ours_big == _hex_anchor(big)[0]
    times = interleaved(
        {
            "ours decode_result(bytes), 1M shots": lambda: decode_result(big, "sampler", big_specs),
            "json.loads + BitArray.from_samples, 1M shots": lambda: _hex_anchor(big),
            "ours, 100k shots": lambda: decode_result(small, "sampler", small_specs),
        },
        max(5, args.repeats),
        warmup=1,
    )
    report(
        "decode plain hex, 1M shots x 127 bits",
        times,
        "ours decode_result(bytes), 1M shots",
        "json.loads + BitArray.from_samples, 1M shots",
        "<= 0.45x, linear",
    )
    big_times, small_times = times["ours decode_result(bytes), 1M shots"], times["ours, 100k shots"]
    scale = paired_ratio(big_times, small_times)
    of_medians = statistics.median(big_times) / statistics.median(small_times)
    print(
        f"  ours 1M / ours 100k: {scale:.1f}x paired, {of_medians:.1f}x of the medians,"
        " for 10x the shots (linear: ~10x)"
    )


def _tagged_body(pubs: int, shots: int, num_bits: int) -> tuple[bytes, list[Any]]:
    from qiskit.primitives import BitArray, DataBin, SamplerPubResult

    from qiskit_rest_provider.codec.circuits import CregSpec
    from qiskit_rest_provider.codec.pubs import PubSpec
    from qiskit_rest_provider.codec.results import encode_result

    rng = np.random.default_rng(4)
    nbytes = (num_bits + 7) // 8
    results = []
    for _ in range(pubs):
        array = rng.integers(0, 256, size=(shots, nbytes), dtype=np.uint8)
        array[:, 0] &= (1 << (num_bits % 8 or 8)) - 1
        meas = BitArray(array, num_bits)
        results.append(SamplerPubResult(DataBin(meas=meas), metadata={"shots": shots}))
    body = json.dumps(encode_result("sampler", results, {"version": 2}, tagged=True)).encode()
    spec = PubSpec(shape=(), cregs=(CregSpec("meas", "meas", num_bits),), shots=shots)
    return body, [spec] * pubs


@row("decode-tagged")
def decode_tagged(args, env: Env) -> None:
    from qiskit_ibm_runtime.utils.json import RuntimeDecoder

    from qiskit_rest_provider.codec.results import decode_result

    for pubs, shots, bits in ((10, 100_000, 127), (1, 4096, 5)):
        body, specs = _tagged_body(pubs, shots, bits)
        theirs = json.loads(body.decode(), cls=RuntimeDecoder)
        assert decode_result(body, "sampler", specs)[0].data.meas == theirs[0].data.meas
        times = interleaved(
            {
                "ours decode_result(bytes)": lambda b=body, s=specs: decode_result(b, "sampler", s),
                "qiskit-ibm-runtime RuntimeDecoder(text)": lambda b=body: json.loads(
                    b.decode(), cls=RuntimeDecoder
                ),
            },
            args.repeats if shots < 10_000 else max(3, args.repeats // 2),
            warmup=1,
        )
        report(
            f"decode tagged, {pubs} PUBs x {shots} shots x {bits} bits",
            times,
            "ours decode_result(bytes)",
            "qiskit-ibm-runtime RuntimeDecoder(text)",
            "<= 1.0x",
        )


def _bell():
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    return bell


@row("bell-sampler")
def bell_sampler(args, env: Env) -> None:
    from qiskit.primitives import StatevectorSampler

    from qiskit_rest_provider import SamplerV2

    measured = _bell().measure_all(inplace=False)
    ours = SamplerV2(mode=env.service.backend("ibmq_qasm_simulator"))
    ref = StatevectorSampler(seed=1)
    times = interleaved(
        {
            "ours SamplerV2 + emulator (one process)": lambda: ours.run(
                [measured], shots=1000
            ).result(),
            "StatevectorSampler": lambda: ref.run([measured], shots=1000).result(),
        },
        args.repeats * 5,
        collect=False,
    )
    report(
        "warm Bell sampler job, 1,000 shots",
        times,
        "ours SamplerV2 + emulator (one process)",
        "StatevectorSampler",
        "<= 2x",
    )


@row("bell-estimator")
def bell_estimator(args, env: Env) -> None:
    from qiskit.primitives import StatevectorEstimator

    from qiskit_rest_provider import EstimatorV2

    bell = _bell()
    ours = EstimatorV2(mode=env.service.backend("ibmq_qasm_simulator"))
    ref = StatevectorEstimator()
    times = interleaved(
        {
            "ours EstimatorV2 + emulator (one process)": lambda: ours.run(
                [(bell, "ZZ")], precision=0
            ).result(),
            "StatevectorEstimator": lambda: ref.run([(bell, "ZZ")], precision=0).result(),
        },
        args.repeats * 5,
        collect=False,
    )
    report(
        "warm Bell estimator job, precision 0",
        times,
        "ours EstimatorV2 + emulator (one process)",
        "StatevectorEstimator",
        "<= 3x",
    )


def _ghz(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    qc.measure_all()
    return qc


@row("ghz-noiseless")
def ghz_noiseless(args, env: Env) -> None:
    from qiskit_aer import AerSimulator

    from qiskit_rest_provider import SamplerV2

    ghz = _ghz(20)
    ours = SamplerV2(mode=env.service.backend("ibmq_qasm_simulator"))
    aer = AerSimulator(method="statevector")
    times = interleaved(
        {
            "ours SamplerV2 + emulator, noiseless simulator": lambda: ours.run(
                [ghz], shots=1000
            ).result(timeout=args.timeout),
            "AerSimulator(method='statevector').run": lambda: aer.run(ghz, shots=1000).result(),
        },
        max(3, args.repeats // 2),
        warmup=1,
        collect=False,
    )
    report(
        "20-qubit GHZ, 1,000 shots, noiseless",
        times,
        "ours SamplerV2 + emulator, noiseless simulator",
        "AerSimulator(method='statevector').run",
        "ours <= 0.1 s",
    )


@row("ghz-noisy")
def ghz_noisy(args, env: Env) -> None:
    from qiskit import transpile

    from qiskit_rest_provider import SamplerV2

    backend = env.service.backend("ibm_torino")
    isa = transpile(_ghz(20), target=backend.target, optimization_level=1, seed_transpiler=1)
    ours = SamplerV2(mode=backend)
    samples = []
    for _ in range(max(2, args.repeats // 3)):
        start = time.perf_counter()
        result = ours.run([isa], shots=1000).result(timeout=args.timeout)
        samples.append(time.perf_counter() - start)
    counts = result[0].data.meas.get_counts()
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
    print(f"\n  most frequent outcomes: {top}")
    print(f"  first job (also builds the errors of these 20 qubits' gates): {fmt(samples[0])}")
    report(
        "20-qubit GHZ for ibm_torino with its noise, 1,000 shots (warm)",
        {"ours SamplerV2 + emulator, device noise": samples[1:]},
        "ours SamplerV2 + emulator, device noise",
        None,
        "ours <= 10 s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated row names")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per emulator job")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    wanted = [name for name in args.only.split(",") if name] or list(ROWS)
    env = Env()
    try:
        for name in wanted:
            try:
                ROWS[name](args, env)
            except Exception as exc:  # a row that fails must not hide the others
                print(f"\n## {name}: FAILED: {type(exc).__name__}: {exc}")
                SUMMARY.append((name, "failed", "-", "-", "-"))
    finally:
        env.close()
    print("\n## summary")
    print("| case | ours | anchor | ratio | target |")
    print("|---|---|---|---|---|")
    for line in SUMMARY:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
