"""The ``executor`` program: a QuantumProgram (schema ``v2.0``) run item by item on the simulator.

Wire formats are IBM's own models (``ibm_quantum_schemas.executor.version_2_0``), the ones
qiskit-ibm-runtime 0.51's ``Executor`` sends and its ``ExecutorResultDecoder`` reads:

* circuit items: every binding of ``circuit_arguments`` (broadcast to the item's ``shape``) runs
  ``shots`` times; each classical register comes back as a boolean array
  ``(*shape, shots, size)``;
* samplex items (what the client-side primitives send): the samplex is sampled with
  samplomatic to get each randomization's parameter values (and its outputs such as measurement
  flips, returned as they are), then the circuit runs as above.

Devices run with their noise model (readout included); ``meas_level`` ``kerneled`` and
``avg_kerneled`` return IQ points (:mod:`..iq`). ``both`` is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..errors import JobInputError, JobStopped
from ..iq import centroids_points

_MAX_EXECUTIONS = 10_000_000  # bindings x shots, as for the sampler
_AER_CHUNK = 32
_MAX_DENSE_QUBITS = 24


def parse(params: dict[str, Any]) -> Any:
    """The params as IBM's ``ParamsModel`` (v2.0), with the limits checked.

    Raises:
        JobInputError: Not a valid v2.0 executor input, or too large.
    """
    try:
        from ibm_quantum_schemas.executor.version_2_0 import ParamsModel
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover - the emulator extra installs it
        raise JobInputError("The executor program needs 'ibm-quantum-schemas'.") from None
    version = params.get("schema_version")
    if version != "v2.0":
        raise JobInputError(
            f"Executor schema_version {str(version)[:20]!r} is not supported; send 'v2.0' "
            "(qiskit-ibm-runtime 0.51)."
        )
    try:
        model = ParamsModel.model_validate(params)
    except ValidationError as exc:
        raise JobInputError(f"Invalid executor input: {str(exc)[:2000]}") from None
    program = model.quantum_program
    if program.meas_level == "both":
        raise JobInputError("meas_level 'both' is not emulated; use 'classified' or 'kerneled'.")
    total = sum(math.prod(_declared_shape(item)) for item in program.items) * program.shots
    if total > _MAX_EXECUTIONS:
        raise JobInputError(
            f"The program has {total} executions (bindings x shots); the limit is "
            f"{_MAX_EXECUTIONS}."
        )
    return model


def check_circuits(model: Any, backend: Any) -> None:
    """On a device, every item's circuit must be ISA, as the service requires.

    Raises:
        JobInputError: Code 1005/1003 naming the item, as for sampler PUBs.
    """
    if getattr(backend, "simulator", True):
        return
    for index, circuit in enumerate(model.quantum_program.circuits.to_python()):
        try:
            backend.check_isa(circuit, index)
        except JobInputError as exc:
            raise JobInputError(exc.message.replace("PUB ", "Item ", 1), exc.code) from None


def _declared_shape(item: Any) -> tuple[int, ...]:
    if item.item_type == "circuit":
        args = item.circuit_arguments.to_numpy()
        return tuple(np.broadcast_shapes(args.shape[:-1], tuple(item.shape)))
    return tuple(item.shape)


def _samplex_values(item: Any, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Samples a samplex item over its shape: parameter values and the samplex's outputs."""
    from ibm_quantum_schemas.common import CompressedTensorModel, PauliLindbladMapModel

    samplex = item.samplex.to_samplex()
    if not getattr(samplex, "_finalized", True):  # some samplexes arrive unfinalized
        samplex.finalize()
    arguments = samplex.inputs().make_broadcastable()
    for name, value in item.samplex_arguments.items():
        if isinstance(value, CompressedTensorModel):
            value = value.to_numpy()
        elif isinstance(value, PauliLindbladMapModel):
            value = value.to_pauli_lindblad_map()
        arguments[name] = value
    shape = tuple(item.shape)
    padded = (1,) * (len(shape) - arguments.ndim) + tuple(arguments.shape)
    sweep = [i for i in range(len(shape)) if padded[i] > 1]  # broadcast (sweep) axes
    rand = [i for i in range(len(shape)) if padded[i] <= 1]  # randomization axes
    rand_shape = tuple(shape[i] for i in rand)
    out: dict[str, np.ndarray] = {}
    for index in np.ndindex(*(shape[i] for i in sweep)):
        picks = iter(index)
        sliced = arguments[tuple(next(picks) if d > 1 else 0 for d in arguments.shape)]
        sample = dict(samplex.sample(sliced, num_randomizations=math.prod(rand_shape), rng=rng))
        picks = iter(index)
        where = tuple(next(picks) if d > 1 else slice(None) for d in padded)
        for key, value in sample.items():
            if key not in out:
                out[key] = np.empty((*shape, *value.shape[1:]), dtype=value.dtype)
            out[key][where] = value.reshape(*rand_shape, *value.shape[1:])
    return out


def _run_bindings(
    circuit: Any,
    rows: np.ndarray,
    shots: int,
    backend: Any,
    noisy: bool,
    readout: bool,
    rng: np.random.Generator,
    should_stop: Callable[[], bool],
) -> np.ndarray:
    """Bools ``(len(rows), shots, num_clbits)``: lone qubits sampled apart (:mod:`.lone`)."""
    from ....codec.bits import bitarray_from_hex
    from ..methods import aer_simulator
    from . import lone as lone_qubits

    parts = lone_qubits.split(circuit)
    entangled, lone = parts if parts is not None else (list(range(circuit.num_qubits)), {})
    if parts is None:
        from ..circuits import active_qubits

        entangled = active_qubits(circuit, idle=[])
    reduced = lone_qubits.without(circuit, entangled)
    model = backend.noise_model(entangled, readout=readout) if noisy and entangled else None
    # Still wide (many entangled qubits): a matrix-product state, linear in the width.
    method = "matrix_product_state" if len(entangled) > _MAX_DENSE_QUBITS else "automatic"
    simulator = aer_simulator(method, model)
    sampler = lone_qubits.LoneSampler(backend, noisy, readout) if lone else None
    params, full_params = list(reduced.parameters), list(circuit.parameters)
    out = []
    for start in range(0, len(rows), _AER_CHUNK):
        if should_stop():
            raise JobStopped()
        chunk = rows[start : start + _AER_CHUNK]
        bound = [reduced.assign_parameters(dict(zip(params, row))) for row in chunk]
        seed = int(rng.integers(2**31))
        result = simulator.run(bound, shots=shots, memory=True, seed_simulator=seed).result()
        for i, row in enumerate(chunk):
            memory = result.data(i).get("memory", ["0x0"] * shots)
            bools = bitarray_from_hex(memory, circuit.num_clbits).to_bool_array(order="little")
            if sampler is not None:
                full = circuit.assign_parameters(dict(zip(full_params, row)))
                for qubit, p1 in sampler.probabilities(full, lone).items():
                    bools[:, lone[qubit]] = rng.random(shots) < p1
            out.append(bools)
    empty = np.zeros((0, shots, circuit.num_clbits), dtype=bool)
    return np.stack(out) if out else empty


def _registers(
    circuit: Any,
    bools: np.ndarray,
    shape: tuple[int, ...],
    meas_level: str,
    backend: Any,
    noisy: bool,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    from ..iq import measured_qubit_of_clbits

    writer = measured_qubit_of_clbits(circuit)
    readout = backend.readout_errors() if noisy else None
    out = {}
    for creg in circuit.cregs:
        clbits = [circuit.find_bit(bit).index for bit in creg]
        values = bools[..., clbits].reshape(*shape, bools.shape[-2], len(clbits))
        if meas_level != "classified":
            values = centroids_points(
                values, [writer.get(c) for c in clbits], backend, readout, rng
            )
            if meas_level == "avg_kerneled":
                values = values.mean(axis=-2)
        out[creg.name] = values
    return out


def run(
    params: dict[str, Any],
    backend: Any,
    *,
    seed: int | None,
    noisy: bool,
    should_stop: Callable[[], bool],
) -> str:
    """Runs the program; returns the ``QuantumProgramResultModel`` JSON text."""
    from ibm_quantum_schemas.common import CompressedTensorModel
    from ibm_quantum_schemas.executor.version_2_0 import (
        ChunkPart,
        ChunkSpan,
        ItemMetadataModel,
        MetadataModel,
        QuantumProgramResultItemModel,
        QuantumProgramResultModel,
    )

    model = parse(params)
    program = model.quantum_program
    rng = np.random.default_rng(seed)
    circuits = program.circuits.to_python()
    data, spans = [], []
    for index, (circuit, item) in enumerate(zip(circuits, program.items)):
        start = datetime.now(timezone.utc)
        extra: dict[str, np.ndarray] = {}
        if item.item_type == "circuit":
            args = item.circuit_arguments.to_numpy()
            shape = _declared_shape(item)
            args = np.broadcast_to(args, (*shape, args.shape[-1] if args.ndim else 0))
        else:
            extra = _samplex_values(item, rng)
            shape = tuple(item.shape)
            args = extra.pop("parameter_values")
        rows = args.reshape(math.prod(shape), -1) if shape else args.reshape(1, -1)
        bools = _run_bindings(
            circuit,
            rows,
            program.shots,
            backend,
            noisy,
            program.meas_level == "classified",
            rng,
            should_stop,
        )
        results = {
            **extra,
            **_registers(circuit, bools, shape, program.meas_level, backend, noisy, rng),
        }
        data.append(
            QuantumProgramResultItemModel(
                results={
                    k: CompressedTensorModel.from_numpy(np.asarray(v)) for k, v in results.items()
                },
                metadata=ItemMetadataModel(),
            )
        )
        size = math.prod(shape)
        part = ChunkPart(
            idx_item=index,
            size=size,
            permutation=list(range(len(shape))),
            element_range=(0, size, 1),
        )
        spans.append(ChunkSpan(start=start, stop=datetime.now(timezone.utc), parts=[part]))
    result = QuantumProgramResultModel(
        data=data,
        metadata=MetadataModel(chunk_timing=spans),
        passthrough_data=program.passthrough_data,
        semantic_role=program.semantic_role,
    )
    text: str = result.model_dump_json()
    return text
