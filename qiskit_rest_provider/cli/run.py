"""``qiskit-rest run FILE.qasm --backend NAME [--shots N | --observable PAULIS]``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from .common import connection_parent, emit, json_parent, service_from
from .results import print_result, result_data

__all__ = ["add_parser", "load_circuit", "parse_observable"]

_QASM2 = re.compile(r"\s*(//[^\n]*\n\s*)*OPENQASM\s+2")


def add_parser(commands: Any) -> None:
    """Adds ``run``."""
    run = commands.add_parser(
        "run",
        parents=[connection_parent(), json_parent()],
        help="run an OpenQASM 2/3 file: sample it, or estimate observables",
        description="Transpiles the circuit for the backend (unless --no-transpile), submits a "
        "sampler job (--shots) or an estimator job (--observable), waits and prints the result.",
    )
    run.add_argument("file", metavar="FILE.qasm", help="OpenQASM 2 or 3 source")
    run.add_argument("--backend", required=True, help="backend name")
    what = run.add_mutually_exclusive_group()
    what.add_argument("--shots", type=int, metavar="N", help="sample N shots (the default job)")
    what.add_argument(
        "--observable",
        action="append",
        metavar="PAULIS",
        help="estimate <PAULIS>: a label like ZZI (qubit 0 rightmost) or weighted terms "
        "'ZZI:0.5,XXI:-1'; repeat for several observables",
    )
    run.add_argument("--precision", type=float, help="estimator target precision")
    run.add_argument("--optimization-level", type=int, default=1, choices=range(4))
    run.add_argument("--no-transpile", action="store_true", help="the file is already ISA")
    run.add_argument("--tag", action="append", default=None, help="job tag (repeatable)")
    run.add_argument("--no-wait", action="store_true", help="print the job id and return")
    run.add_argument("--progress", action="store_true", help="show progress while waiting")
    run.set_defaults(handler=_run)


def load_circuit(path: str) -> Any:
    """The circuit in an OpenQASM 2 or 3 file.

    Raises:
        OSError: The file cannot be read.
        InvalidInputError: It is not OpenQASM the parsers accept.
    """
    from qiskit import qasm2, qasm3

    from ..exceptions import InvalidInputError

    text = Path(path).read_text(encoding="utf-8")
    try:
        if _QASM2.match(text):
            return qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
        return qasm3.loads(text)
    except ImportError as exc:  # qasm3.loads needs qiskit-qasm3-import
        raise InvalidInputError(
            f"Reading OpenQASM 3 needs qiskit-qasm3-import ({exc}); install it with: "
            "python -m pip install 'qiskit-rest-provider[transpiler]'."
        ) from None
    except Exception as exc:  # the parsers raise several unrelated classes
        raise InvalidInputError(f"{path} is not valid OpenQASM: {exc}") from None


def parse_observable(spec: str, num_qubits: int) -> Any:
    """``"ZZI"`` or ``"ZZI:0.5,XXI:-1"`` as a ``SparsePauliOp`` on ``num_qubits`` qubits.

    Raises:
        InvalidInputError: A label of the wrong width or alphabet, or a bad coefficient.
    """
    from qiskit.quantum_info import SparsePauliOp

    from ..exceptions import InvalidInputError

    terms = []
    for term in filter(None, (part.strip() for part in spec.split(","))):
        label, _, coeff = term.partition(":")
        label = label.strip().upper()
        if len(label) != num_qubits or set(label) - set("IXYZ"):
            raise InvalidInputError(
                f"Observable term {label!r} must be {num_qubits} letters from I, X, Y, Z (one "
                "per qubit of the circuit, qubit 0 rightmost)."
            )
        try:
            terms.append((label, complex(coeff) if coeff.strip() else 1.0))
        except ValueError:
            raise InvalidInputError(f"Coefficient {coeff!r} of {label} is not a number.") from None
    if not terms:
        raise InvalidInputError(f"Observable {spec!r} has no terms.")
    return SparsePauliOp.from_list(terms).simplify()


def _run(args: argparse.Namespace) -> int:
    from ..exceptions import InvalidInputError

    circuit = load_circuit(args.file)
    estimate = bool(args.observable)
    if estimate:
        observables = [parse_observable(spec, circuit.num_qubits) for spec in args.observable]
        circuit = circuit.remove_final_measurements(inplace=False)
    elif not any(inst.operation.name == "measure" for inst in circuit.data):
        raise InvalidInputError(
            f"{args.file} measures nothing: add measurements to sample it, or pass "
            "--observable PAULIS to estimate an expectation value."
        )
    service = service_from(args)
    backend = service.backend(args.backend)
    if not args.no_transpile:
        from qiskit.transpiler import generate_preset_pass_manager

        manager = generate_preset_pass_manager(args.optimization_level, backend=backend)
        isa = manager.run(circuit)
    else:
        isa = circuit
    job = _submit(args, backend, isa, observables if estimate else None)
    print(f"submitted {job.program_id} job {job.job_id()} to {backend.name}", file=sys.stderr)
    if args.no_wait:
        return emit(args, {"id": job.job_id()}, lambda: print(job.job_id()))
    data = result_data(job.program_id, job.result(progress=args.progress or None))
    return emit(args, {"id": job.job_id(), **data}, lambda: print_result(data))


def _submit(args: argparse.Namespace, backend: Any, isa: Any, observables: list[Any] | None) -> Any:
    options = {"environment": {"job_tags": args.tag}} if args.tag else {}
    if observables is None:
        from ..primitives.sampler import SamplerV2

        return SamplerV2(mode=backend, options=options).run([isa], shots=args.shots)
    from ..primitives.estimator import EstimatorV2

    layout = getattr(isa, "layout", None)
    if layout is not None:
        observables = [obs.apply_layout(layout) for obs in observables]
    pub = (isa, observables if len(observables) > 1 else observables[0])
    return EstimatorV2(mode=backend, options=options).run([pub], precision=args.precision)
