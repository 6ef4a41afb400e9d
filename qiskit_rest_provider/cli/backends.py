"""``qiskit-rest backends`` and ``qiskit-rest backend NAME``."""

from __future__ import annotations

import argparse
from typing import Any

from .common import connection_parent, emit, json_parent, service_from, table

__all__ = ["add_parsers"]


def add_parsers(commands: Any) -> None:
    """Adds ``backends`` and ``backend``."""
    parents = [connection_parent(), json_parent()]
    listing = commands.add_parser(
        "backends", parents=parents, help="list backends: name, qubits, status, queue"
    )
    kind = listing.add_mutually_exclusive_group()
    kind.add_argument("--simulator", dest="simulator", action="store_true", default=None)
    kind.add_argument("--device", dest="simulator", action="store_false", help="devices only")
    listing.add_argument("--operational", action="store_true", default=None, help="accepting jobs")
    listing.add_argument("--min-qubits", type=int, metavar="N", help="at least N qubits")
    listing.set_defaults(handler=_backends)

    one = commands.add_parser("backend", parents=parents, help="one backend's configuration")
    one.add_argument("name", help="backend name")
    one.set_defaults(handler=_backend)


def _backends(args: argparse.Namespace) -> int:
    service = service_from(args)
    found = service.backends(
        min_num_qubits=args.min_qubits, operational=args.operational, simulator=args.simulator
    )
    data = []
    for backend in sorted(found, key=lambda b: b.name):
        status = backend.status()
        data.append(
            {
                "name": backend.name,
                "qubits": backend.num_qubits_hint,
                "simulator": backend.simulator,
                "operational": status.operational,
                "status": status.status_msg or ("active" if status.operational else "offline"),
                "queue": status.pending_jobs,
            }
        )
    rows = [[d["name"], d["qubits"], d["status"], d["queue"]] for d in data]
    return emit(args, data, lambda: table(rows, ["name", "qubits", "status", "queue"]))


def summary(backend: Any) -> dict[str, Any]:
    """The configuration facts a person looks for first."""
    config = backend.configuration()
    status = backend.status()
    processor = config.get("processor_type") or {}
    return {
        "name": backend.name,
        "version": config.get("backend_version"),
        "qubits": backend.num_qubits_hint,
        "simulator": backend.simulator,
        "processor": " ".join(str(v) for v in processor.values()) or None,
        "operational": status.operational,
        "status": status.status_msg,
        "queue": status.pending_jobs,
        "basis_gates": list(config.get("basis_gates") or []),
        "max_shots": config.get("max_shots"),
        "max_circuits": config.get("max_experiments"),
        "dynamic_circuits": "qasm3" in (config.get("supported_features") or [])
        or bool(config.get("dynamic_reprate_enabled")),
        "coupling_map_edges": len(config.get("coupling_map") or []),
        "dt": config.get("dt"),
    }


def _backend(args: argparse.Namespace) -> int:
    data = summary(service_from(args).backend(args.name))

    def render() -> None:
        rows = [
            [key, ", ".join(value) if isinstance(value, list) else value]
            for key, value in data.items()
            if value not in (None, "")
        ]
        table(rows, ["field", "value"])

    return emit(args, data, render)
