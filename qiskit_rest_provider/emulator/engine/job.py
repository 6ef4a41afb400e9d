"""``validate_job`` and ``run_job``: the engine's whole interface (docs/emulator-internals.md)."""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from qiskit.circuit import QuantumCircuit, Qubit

from ...codec.defaults import DEFAULT_SHOTS
from ...codec.results import encode_result
from ...codec.tagged import tag
from .errors import VALIDATION_ERROR, JobExecutionError, JobInputError, JobStopped
from .estimator import run_estimator_pub
from .inputs import PubTask, check_top_level, parse_pubs
from .iq import run_iq_pub
from .options import get, validate_options
from .qasm import QasmParseError, QasmRejected, parse
from .resilience import Resilience, resolve_resilience
from .resilience import job_metadata as estimator_job_metadata
from .sampler import run_sampler_pub
from .settings import (
    check_sampler_limits,
    estimator_settings,
    job_seed,
    pub_rngs,
    sampler_twirling,
)

__all__ = ["validate_job", "run_job"]

logger = logging.getLogger(__name__)


def _never() -> bool:
    return False


def validate_job(program: str, params: dict[str, Any], backend: Any) -> dict[str, Any]:
    """Synchronous checks at submit time; returns the params to store (unchanged semantics).

    Checks the params keys, the options tree, and every PUB textually (dialect, includes,
    declared sizes, value/observable shapes). Circuits are parsed only where the backend needs
    it (ISA checks on device backends); parse errors surface when the job runs.

    Raises:
        JobInputError: The job is malformed (IBM code 1002 unless stated).
    """
    _validate(program, params, backend, noiseless=getattr(backend, "noiseless", True))
    return params


def _validate(
    program: str, params: dict[str, Any], backend: Any, *, noiseless: bool
) -> tuple[list[PubTask], dict[str, Any], Resilience | None]:
    """The checks of :func:`validate_job`; returns PUBs, options and resilience settings.

    The resilience settings are the estimator's (``None`` for other programs). ``run_job``
    reuses all three: parsing the PUBs again costs as much as the checks.
    """
    check_top_level(program, params)
    options = validate_options(program, params.get("options"))
    tasks = parse_pubs(program, params, backend.num_qubits)
    if program == "sampler":
        check_sampler_limits(tasks, params, options)
    resilience_settings = None
    if program == "estimator":
        resilience_settings = resolve_resilience(params, options)
        if not noiseless:
            for task in tasks:
                if estimator_settings(task, params, options, resilience_settings).plan is None:
                    raise JobInputError(
                        f"PUB {task.index}: precision must be > 0 on {backend.name} (exact "
                        "values need the simulator or a noiseless emulator)."
                    )
    if not getattr(backend, "simulator", True):  # only devices need the parsed circuit now
        for task in tasks:
            try:
                circuit = parse(task.qasm)
            except (QasmParseError, QasmRejected):
                continue  # reported by run_job as the job's failure reason
            backend.check_isa(circuit, task.index)
    return tasks, options, resilience_settings


def run_job(
    program: str,
    params: dict[str, Any],
    backend: Any,
    *,
    seed: int | None,
    noiseless: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Run the PUBs; returns the result JSON (tagged if ``params["support_qiskit"]``).

    Args:
        program: ``"sampler"`` or ``"estimator"``.
        params: The job's params as stored (validated again here: cheap, and the store may
            hold jobs written by an older emulator).
        backend: An ``EmulatedBackend``.
        seed: Seed when the options give none (``simulator.seed_simulator``,
            ``seed_estimator``); ``None`` = fresh entropy.
        noiseless: Run device backends without their noise model.
        should_stop: Polled between PUBs and bindings; ``True`` raises :class:`JobStopped`.

    Raises:
        JobExecutionError: Parse or simulation failure (the job ends FAILED).
        JobStopped: ``should_stop()`` returned True.
    """
    should_stop = should_stop or _never
    try:
        tasks, options, resilience = _validate(
            program, params, backend, noiseless=noiseless or backend.noiseless
        )
    except JobInputError as exc:
        raise JobExecutionError(exc.message, exc.code) from exc
    pub_rng = pub_rngs(job_seed(program, options, None), seed)
    noisy = not (noiseless or getattr(backend, "noiseless", True))
    noise = backend.noise_model if noisy else None
    plans = []
    pub_results, spans = [], []
    for task in tasks:
        if should_stop():
            raise JobStopped()
        start = datetime.now(timezone.utc)
        try:
            circuit = parse(task.qasm)
        except (QasmParseError, QasmRejected) as exc:
            raise JobExecutionError(f"PUB {task.index}: {exc}", VALIDATION_ERROR) from exc
        if circuit.num_qubits > backend.num_qubits:
            raise JobExecutionError(
                f"PUB {task.index}: the circuit has {circuit.num_qubits} qubits but "
                f"{backend.name} has {backend.num_qubits}.",
                VALIDATION_ERROR,
            )
        metadata = task.header.get("metadata", {})
        make_rng = functools.partial(pub_rng, task.index)
        if program == "estimator":
            circuit = _pad_to_observables(circuit, task)
        try:
            if program == "estimator":
                assert resilience is not None  # resolved above for every estimator job
                settings = estimator_settings(task, params, options, resilience)
                plans.append(settings.plan)
                result = run_estimator_pub(
                    task,
                    circuit,
                    settings,
                    make_rng,  # exact small PUBs never need it
                    should_stop,
                    metadata,
                    noise,
                    backend.readout_errors() if noisy else None,
                    getattr(backend, "gate_noise", None) if noisy else None,
                )
            else:
                shots = (
                    task.shots
                    or params.get("shots")
                    or get(options, "default_shots", DEFAULT_SHOTS)
                )
                meas_type = get(options, "execution.meas_type", "classified")
                if meas_type != "classified":
                    result = run_iq_pub(
                        task,
                        circuit,
                        int(shots),
                        make_rng(),
                        should_stop,
                        metadata,
                        backend,
                        noisy,
                        meas_type,
                    )
                else:
                    result = run_sampler_pub(
                        task,
                        circuit,
                        int(shots),
                        make_rng(),
                        should_stop,
                        metadata,
                        noise,
                        backend.readout_errors() if noisy else None,
                        sampler_twirling(options, int(shots)),
                        getattr(backend, "gate_noise", None) if noisy else None,
                    )
        except (JobExecutionError, JobStopped):
            raise
        except Exception as exc:  # a simulator bug must fail the job, not the worker
            logger.exception("PUB %d of a %s job failed", task.index, program)
            raise JobExecutionError(f"PUB {task.index}: simulation failed: {exc}") from exc
        pub_results.append(result)
        if program == "sampler":
            spans.append(_span(task, result.metadata["shots"], start))
    tagged = bool(params.get("support_qiskit", False))
    job_metadata: dict[str, Any] = {"version": 2}
    if program == "sampler" and tagged:
        spans_value = tag("ExecutionSpans", {"spans": spans})
        job_metadata = {"execution": {"execution_spans": spans_value}, "version": 2}
    elif program == "estimator":
        plan = next((p for p in plans if p is not None), None)
        assert resilience is not None  # resolved above for every estimator job
        job_metadata = estimator_job_metadata(resilience, options, plan)
    encoded = encode_result(program, pub_results, job_metadata, tagged=tagged)
    return encoded if tagged else _strict_json(encoded)


def _strict_json(value: Any) -> Any:
    """NaN/inf (e.g. a failed extrapolator's row) -> null: plain results must be strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _strict_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict_json(item) for item in value]
    return value


def _span(task: PubTask, shots: int, start: datetime) -> dict[str, Any]:
    """One ``DoubleSliceSpan`` per PUB (research §4.2 schema form)."""
    size = math.prod(task.shape)
    return tag(
        "DoubleSliceSpan",
        {
            "start": start,
            "stop": datetime.now(timezone.utc),
            "data_slices": {str(task.index): [[*task.shape, shots], 0, size, 0, shots]},
        },
    )


def _pad_to_observables(circuit: QuantumCircuit, task: Any) -> QuantumCircuit:
    """Widen a circuit written on physical qubits ("$n") with idle qubits to its observables.

    Parsed, such a circuit has only ``max(n) + 1`` qubits, but on a device it spans every
    qubit; the extra qubits are idle, in ``|0>``.
    """
    widths = [len(label) for item in task.observables.reshape(-1) for label in item]
    width = max(widths, default=circuit.num_qubits)
    if width <= circuit.num_qubits or not task.physical:
        return circuit
    padded = circuit.copy()
    padded.add_bits([Qubit() for _ in range(width - circuit.num_qubits)])
    return padded
