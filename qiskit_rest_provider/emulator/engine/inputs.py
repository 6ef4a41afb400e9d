"""``params`` of a sampler/estimator job -> checked, canonical PUB tasks.

Accepts both PUB dialects (research runtime-rest-api.md §3.2): what our client and
qiskit-ibm-runtime send (tagged ndarray values, full-length PUBs) and the REST guides' short
forms (bare QASM string, ``[qasm]``, ``[qasm, None, 500]``, ``[qasm, obs]``, values as
``None`` / nested lists / a dict keyed by parameter name, observables as dicts / label strings
/ nested lists). Everything here is textual: no circuit is parsed, except that a QPY circuit
(``{"__type__": "QuantumCircuit"}``, what qiskit-ibm-runtime sends) is loaded and re-exported
as the lossless, full-width OpenQASM 3 our own client sends, so the rest of the engine sees
one dialect.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...codec.circuits import declared_inputs, declared_registers, export_circuit, read_header
from ...codec.pubs import normalize_observables, normalize_parameter_values, split_wire_pub
from ...exceptions import DecodeError, EncodeError
from .errors import JobInputError
from .qasm import QasmRejected, screen

__all__ = ["PubTask", "parse_pubs", "check_top_level", "PROGRAMS"]

PROGRAMS = ("sampler", "estimator")
_COMMON_KEYS = {"pubs", "options", "version", "support_qiskit"}
_PROGRAM_KEYS = {"estimator": {"resilience_level", "precision"}, "sampler": {"shots"}}
_PAULI = frozenset("IXYZ")


@dataclass
class PubTask:
    """One PUB in canonical form.

    Attributes:
        index: Position in ``params["pubs"]`` (for error messages and execution spans).
        qasm: The OpenQASM 3 text as sent.
        names: Declared ``input`` names; the last axis of ``values`` follows this order.
        values: Float array ``(*bindings_shape, len(names))``.
        observables: Estimator only: object array of ``{pauli_label: coeff}``.
        shots: Sampler shots as given in the PUB (``None`` = job default).
        precision: Estimator precision as given in the PUB (``None`` = job default).
        shape: The PUB's broadcast shape.
        physical: Estimator only: the circuit addresses only hardware qubits (``$n``), so it
            spans the device.
        header: The text's ``// qiskit_rest_provider:`` header (registers, metadata...).
        registers: ``(name, size)`` of each declared classical register, in order.

    The text is scanned once, here (screen, sizes, inputs, header, registers); later stages
    read these fields instead of the text.
    """

    index: int
    qasm: str
    names: list[str]
    values: np.ndarray
    observables: np.ndarray | None
    shots: int | None
    precision: float | None
    shape: tuple[int, ...]
    physical: bool = False
    header: dict[str, Any] = field(default_factory=dict)
    registers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def bindings_shape(self) -> tuple[int, ...]:
        """Shape of the parameter bindings (``values`` without its last axis)."""
        return tuple(self.values.shape[:-1])


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_top_level(program: str, params: Any) -> None:
    """Check the keys and types of ``params`` itself (not the PUBs or options)."""
    if program not in PROGRAMS:
        raise JobInputError(f"Unknown program '{program}'; use one of {list(PROGRAMS)}.")
    if not isinstance(params, Mapping):
        raise JobInputError("'params' must be an object.")
    unknown = sorted(set(params) - _COMMON_KEYS - _PROGRAM_KEYS[program])
    if unknown:
        hint = (
            " (Sampler V2 does not support resilience levels)"
            if "resilience_level" in unknown
            else ""
        )
        raise JobInputError(f"Unknown key(s) in params: {unknown}{hint}.")
    if params.get("version", 2) != 2 or isinstance(params.get("version"), bool):
        raise JobInputError(f"params.version must be 2, not {params.get('version')!r}.")
    if not isinstance(params.get("support_qiskit", False), bool):
        raise JobInputError("params.support_qiskit must be a boolean.")
    if (
        "options" in params
        and params["options"] is not None
        and not isinstance(params["options"], Mapping)
    ):
        raise JobInputError("params.options must be an object.")
    pubs = params.get("pubs")
    if not isinstance(pubs, list) or not pubs:
        raise JobInputError("params.pubs must be a non-empty list of PUBs.")
    if program == "estimator":
        level = params.get("resilience_level", 1)
        if not _is_int(level) or not 0 <= level <= 2:
            raise JobInputError(f"params.resilience_level must be 0, 1 or 2, not {level!r}.")
        _check_precision(params.get("precision"), "params.precision")
    else:
        _check_shots(params.get("shots"), "params.shots")


def _check_precision(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise JobInputError(f"{where} must be a number >= 0 (0 = exact), not {value!r}.")
    return float(value)


def _check_shots(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not _is_int(value) or value < 1:
        raise JobInputError(f"{where} must be an integer >= 1, not {value!r}.")
    if value > 10_000_000:
        raise JobInputError(f"{where} = {value} exceeds the limit of 10,000,000 shots.")
    return int(value)


def _check_observables(
    raw: Any, num_qubits: int | None, where: str, max_width: int | None = None
) -> np.ndarray:
    """``max_width``: observables may be wider than the text, up to it (physical qubits)."""
    if raw is None:
        raise JobInputError(f"{where}: an estimator PUB needs observables.")
    observables = normalize_observables(raw)
    for item in observables.reshape(-1):
        if not item:
            raise JobInputError(f"{where}: an observable has no terms.")
        lengths = {len(label) for label in item}
        for label, coeff in item.items():
            if not label or not _PAULI.issuperset(label):
                raise JobInputError(
                    f"{where}: Pauli label {label[:40]!r} must use only I, X, Y, Z."
                )
            if not math.isfinite(coeff):
                raise JobInputError(f"{where}: coefficient of {label[:40]!r} is not finite.")
        if len(lengths) != 1:
            raise JobInputError(f"{where}: the Pauli labels of one observable differ in length.")
        (length,) = lengths
        if max_width is not None and num_qubits is not None and num_qubits <= length <= max_width:
            continue
        if num_qubits is not None and length != num_qubits:
            raise JobInputError(
                f"{where}: observable {next(iter(item))[:40]!r} has {length} qubits but the "
                f"circuit has {num_qubits}."
            )
    return observables


def _qpy_to_qasm(pub: Any) -> Any:
    """Replace a tagged QPY circuit (research §3.2 (b)) by its OpenQASM 3 export."""
    if not (isinstance(pub, (list, tuple)) and pub and isinstance(pub[0], Mapping)):
        return pub
    if pub[0].get("__type__") != "QuantumCircuit":
        return pub
    from qiskit import qpy

    try:
        raw = zlib.decompress(base64.b64decode(pub[0].get("__value__") or "", validate=True))
        circuits = qpy.load(io.BytesIO(raw))
    except Exception as exc:  # base64, zlib and QPY each raise their own types
        raise DecodeError(f"The QPY circuit cannot be read: {exc}") from exc
    if len(circuits) != 1:
        raise DecodeError(f"A QPY circuit must hold exactly one circuit, not {len(circuits)}.")
    # IBM's service keys QPY results by the circuit's own register names, which the exporter
    # may have renamed ("if" -> "if_0"): mark the header so results use the original names.
    try:
        qasm = export_circuit(circuits[0], header_extra={"keyed_by_name": True}).qasm
    except EncodeError as exc:
        raise DecodeError(str(exc)) from exc
    return [qasm, *pub[1:]]


#: Texts up to this size have their inputs, header and registers remembered (by text, as
#: ``qasm.screen`` remembers its scan): clients resend the same circuits. The header is shared
#: between the jobs of one text, so nobody may change a ``PubTask.header``.
_TEXT_MEMO_CHARS = 1 << 16


def _read_text(qasm: str) -> tuple[tuple[str, ...], dict[str, Any], tuple[tuple[str, int], ...]]:
    return tuple(declared_inputs(qasm)), read_header(qasm), tuple(declared_registers(qasm))


_read_text_memo = functools.lru_cache(maxsize=128)(_read_text)


def _text_facts(
    qasm: str,
) -> tuple[tuple[str, ...], dict[str, Any], tuple[tuple[str, int], ...]]:
    """Declared input names, header and classical registers of the text."""
    return _read_text_memo(qasm) if len(qasm) <= _TEXT_MEMO_CHARS else _read_text(qasm)


#: Small tagged value arrays, normalised, by payload and input names (a circuit without
#: parameters sends the same empty array with every job); a copy is handed out each time.
_VALUES: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
_VALUES_MAX = 256
_VALUES_MAX_CHARS = 512
_VALUES_MAX_BYTES = 4096


def _parameter_values(raw: Any, names: tuple[str, ...]) -> np.ndarray:
    """``normalize_parameter_values(raw, names)``, remembered for small tagged arrays."""
    tagged = type(raw) is dict and len(raw) == 2 and raw.get("__type__") == "ndarray"
    payload = raw.get("__value__") if tagged else None
    if not isinstance(payload, str) or len(payload) > _VALUES_MAX_CHARS:
        return normalize_parameter_values(raw, names)
    key = (payload, names)
    found = _VALUES.get(key)
    values = normalize_parameter_values(raw, names) if found is None else found.copy()
    if found is None and values.nbytes <= _VALUES_MAX_BYTES:
        if len(_VALUES) >= _VALUES_MAX:
            _VALUES.clear()
        _VALUES[key] = values.copy()
    return values


def parse_pubs(program: str, params: Mapping[str, Any], max_qubits: int) -> list[PubTask]:
    """Check and normalise every PUB; raises :class:`JobInputError` naming the PUB index."""
    tasks = []
    for index, pub in enumerate(params["pubs"]):
        where = f"PUB {index}"
        try:
            qasm, raw_obs, raw_values, extra = split_wire_pub(program, _qpy_to_qasm(pub))
            if not qasm.strip():
                raise JobInputError(f"{where}: the OpenQASM circuit is empty.")
            declarations = screen(qasm)
            num_qubits = declarations.num_qubits
            if num_qubits is not None and num_qubits > max_qubits:
                raise JobInputError(
                    f"{where}: the circuit has {num_qubits} qubits but the backend has "
                    f"{max_qubits}."
                )
            physical = program == "estimator" and declarations.physical_only
            names, header, registers = _text_facts(qasm)
            values = _parameter_values(raw_values, names)
            if not np.all(np.isfinite(values)):
                raise JobInputError(f"{where}: parameter values must be finite numbers.")
            if program == "estimator":
                # "$n" circuits are device-wide, so observables may span the whole device.
                widest = max_qubits if physical else None
                observables = _check_observables(raw_obs, num_qubits, where, widest)
                precision = _check_precision(extra, f"{where}: precision")
                shots = None
                try:
                    shape = np.broadcast_shapes(observables.shape, values.shape[:-1])
                except ValueError as exc:
                    raise JobInputError(
                        f"{where}: observables of shape {observables.shape} and parameter values "
                        f"of shape {values.shape[:-1]} do not broadcast."
                    ) from exc
            else:
                observables, precision = None, None
                shots = _check_shots(extra, f"{where}: shots")
                shape = values.shape[:-1]
        except (DecodeError, QasmRejected, TypeError, ValueError) as exc:
            raise JobInputError(f"{where}: {exc}") from exc
        tasks.append(
            PubTask(
                index,
                qasm,
                list(names),
                values,
                observables,
                shots,
                precision,
                tuple(shape),
                physical,
                header,
                list(registers),
            )
        )
    return tasks
