"""``qiskit-rest jobs``, ``job ID``, ``result ID`` and ``cancel ID``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import FAILED, OK, connection_parent, emit, json_parent, service_from, table
from .results import print_result, result_data

__all__ = ["add_parsers"]


def add_parsers(commands: Any) -> None:
    """Adds ``jobs``, ``job``, ``result`` and ``cancel``."""
    parents = [connection_parent(), json_parent()]
    listing = commands.add_parser(
        "jobs", parents=parents, help="list jobs, newest first (filters as RuntimeService.jobs)"
    )
    listing.add_argument("--limit", type=int, default=10, help="at most N jobs (default 10)")
    listing.add_argument("--skip", type=int, default=0, help="skip the first N")
    listing.add_argument("--backend", help="only jobs on this backend")
    pending = listing.add_mutually_exclusive_group()
    pending.add_argument("--pending", dest="pending", action="store_true", default=None)
    pending.add_argument("--finished", dest="pending", action="store_false", help="final only")
    listing.add_argument("--program", choices=["sampler", "estimator"])
    listing.add_argument("--tag", action="append", default=None, help="has this tag (repeatable)")
    listing.add_argument("--session", help="only jobs of this session or batch")
    listing.add_argument("--created-after", metavar="ISO", help="e.g. 2026-01-31T12:00:00Z")
    listing.add_argument("--created-before", metavar="ISO")
    listing.add_argument("--ascending", action="store_true", help="oldest first")
    listing.set_defaults(handler=_jobs)

    job = commands.add_parser("job", parents=parents, help="a job's status, metrics, timestamps")
    job.add_argument("job_id", metavar="ID")
    job.set_defaults(handler=_job)
    result = commands.add_parser(
        "result", parents=parents, help="a job's result: counts or expectation values"
    )
    result.add_argument("job_id", metavar="ID")
    result.add_argument("--progress", action="store_true", help="show progress while waiting")
    result.set_defaults(handler=_result)
    cancel = commands.add_parser("cancel", parents=[connection_parent()], help="cancel a job")
    cancel.add_argument("job_id", metavar="ID")
    cancel.set_defaults(handler=_cancel)


def _jobs(args: argparse.Namespace) -> int:
    found = service_from(args).jobs(
        limit=args.limit,
        skip=args.skip,
        backend_name=args.backend,
        pending=args.pending,
        program_id=args.program,
        job_tags=args.tag,
        session_id=args.session,
        created_after=args.created_after,
        created_before=args.created_before,
        descending=not args.ascending,
    )
    data = [
        {
            "id": job.job_id(),
            "program": job.program_id,
            "backend": job.backend_name(),
            "status": job.status().value,
            "created": job.creation_date,
            "tags": job.tags,
        }
        for job in found
    ]
    rows = [
        [d["id"], d["program"], d["backend"], d["status"], d["created"], ",".join(d["tags"])]
        for d in data
    ]
    return emit(
        args, data, lambda: table(rows, ["id", "program", "backend", "status", "created", "tags"])
    )


def _job(args: argparse.Namespace) -> int:
    job = service_from(args).job(args.job_id)
    metrics = job.metrics()
    stamps = metrics.get("timestamps") or {}
    usage = metrics.get("usage") or {}
    data = {
        "id": job.job_id(),
        "status": job.status().value,
        "program": job.program_id,
        "backend": job.backend_name(),
        "session": job.session_id,
        "tags": job.tags,
        "created": stamps.get("created") or job.creation_date,
        "running": stamps.get("running"),
        "finished": stamps.get("finished"),
        "quantum_seconds": usage.get("qpu_charge_time_seconds", usage.get("quantum_seconds")),
        "error": job.error_message(),
    }

    def render() -> None:
        rows = [
            [key, ",".join(value) if isinstance(value, list) else value]
            for key, value in data.items()
            if value not in (None, "", [])
        ]
        table(rows, ["field", "value"])

    return emit(args, data, render)


def _result(args: argparse.Namespace) -> int:
    job = service_from(args).job(args.job_id)
    result = job.result(progress=args.progress or None)
    data = result_data(job.program_id, result)
    return emit(args, {"id": job.job_id(), **data}, lambda: print_result(data))


def _cancel(args: argparse.Namespace) -> int:
    job = service_from(args).job(args.job_id)
    if job.cancel():
        print(f"cancelled job {job.job_id()}")
        return OK
    print(
        f"qiskit-rest: job {job.job_id()} is already {job.status().value}; nothing to cancel",
        file=sys.stderr,
    )
    return FAILED
