"""``/jobs`` routes; the same handlers serve the current and the Classic dialect."""

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ..auth import Principal
from ..errors import bad_request
from ..jobs import JobService
from ..runner import FINAL
from ..views import job_view, parse_iso
from .deps import emu, json_body

MAX_LIMIT = 200
#: Submit bodies up to this size are validated on the event loop: their checks take well under
#: a millisecond, less than the two thread hand-offs of ``run_in_threadpool``. Larger ones
#: (big circuits, parameter sweeps) are validated in a worker thread to keep the loop free.
INLINE_VALIDATION_BYTES = 16 * 1024
#: Distinct ``tags`` filters one listing may give (each is one SQL condition; SQLite refuses
#: expressions deeper than 1,000, and a job carries at most 8 tags anyway).
MAX_TAG_FILTERS = 100


def _flag(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise bad_request(f"Query parameter '{name}' must be true or false.")


def _int(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"Query parameter '{name}' must be an integer.") from None
    if abs(number) >= 2**63:  # SQLite integers are 64-bit; a larger one made the query a 500
        raise bad_request(f"Query parameter '{name}' is out of range.")
    return number


def _list_filters(request: Request, who: Principal) -> tuple[list[str], list[Any]]:
    q = request.query_params
    where: list[str] = ["instance = ?"]
    args: list[Any] = [who.instance]
    pending = _flag(q.get("pending"), "pending")
    if pending is not None:
        where.append(
            "status IN ('Queued', 'Running')" if pending else "status NOT IN ('Queued', 'Running')"
        )
    for key, column in (
        ("program", "program"),
        ("backend", "backend"),
        ("session_id", "session_id"),
    ):
        if q.get(key):
            where.append(f"{column} = ?")
            args.append(q[key])
    for key, op in (("created_after", ">="), ("created_before", "<=")):
        if q.get(key):
            try:
                args.append(parse_iso(q[key]))
            except ValueError:
                raise bad_request(
                    f"Query parameter '{key}' must be an ISO-8601 timestamp."
                ) from None
            where.append(f"created_ts {op} ?")
    tags = list(dict.fromkeys(q.getlist("tags")))
    if len(tags) > MAX_TAG_FILTERS:
        raise bad_request(
            f"Too many 'tags' filters: {len(tags)} (limit {MAX_TAG_FILTERS}; a job has at most "
            "8 tags)."
        )
    for tag in tags:
        where.append("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)")
        args.append(tag)
    return where, args


async def submit_job(
    request: Request, who: Principal, deferred: list[str] | None = None
) -> JSONResponse:
    """``POST /jobs``: validates and queues a job; answers ``{"id", "backend", ...}``.

    Args:
        request: The request.
        who: The caller.
        deferred: If given, the job is stored as Queued but handed to the workers by the
            caller (its id is appended here), after the answer is sent: a worker that starts
            at once holds the GIL for the whole run of a small job, and the answer (and so the
            client's first poll) would wait for it.
    """
    body = await json_body(request)
    caller = request.headers.get("x-qx-client-application")
    service = JobService(emu(request))
    enqueue = deferred is None
    if len(await request.body()) <= INLINE_VALIDATION_BYTES:
        job = service.submit(who, body, caller, enqueue=enqueue)
    else:
        # Validation parses the circuits: keep a large one off the event loop.
        job = await run_in_threadpool(service.submit, who, body, caller, enqueue=enqueue)
    if deferred is not None:
        deferred.append(job["id"])
    out: dict[str, Any] = {"id": job["id"], "backend": job["backend"]}
    if job.get("session_id"):
        out["session_id"] = job["session_id"]
    if job.get("private"):
        out["private"] = True
    return JSONResponse(out)


async def read_job(request: Request, who: Principal, job_id: str, classic: bool) -> JSONResponse:
    """``GET /jobs/{id}``: the job object (``params`` unless ``exclude_params=true``)."""
    exclude = _flag(request.query_params.get("exclude_params"), "exclude_params")
    job = JobService(emu(request)).get(who, job_id, light=bool(exclude))
    return JSONResponse(job_view(job, include_params=not exclude, classic=classic))


async def read_results(request: Request, who: Principal, job_id: str) -> Response:
    """``GET /jobs/{id}/results``: the result text, or 204 while there is none.

    A job still Queued or Running is waited for up to ``result_hold`` seconds first (a
    write of its row wakes the wait; see :mod:`..job_watch`): a small job's result then
    comes in the first read after its submit, without a poll or a sleep.
    """
    state = emu(request)
    service = JobService(state)
    text = service.results(who, job_id)
    if text is None and state.config.result_hold > 0:
        text = await _held_results(service, who, job_id, state.config.result_hold)
    if text is None:
        return Response(status_code=204)
    if text[:1] in "{[":
        return Response(content=text, media_type="application/json")
    return PlainTextResponse(text)


async def _held_results(
    service: JobService, who: Principal, job_id: str, hold: float
) -> str | None:
    """The result once the job is final, or ``None`` when it is not within ``hold`` s."""
    end = time.monotonic() + hold
    while True:
        with service.state.store.watch.watch(job_id) as changed:
            # Registered before the read: an outcome written in between still wakes us.
            if service.get(who, job_id, light=True)["status"] in FINAL:
                return service.results(who, job_id)
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed, remaining)


def make_router(auth: Callable[..., Any], *, classic: bool) -> APIRouter:
    """Builds the job routes behind the dialect's auth dependency."""
    router = APIRouter(tags=["classic" if classic else "jobs"])
    # Annotations are evaluated here (no __future__ import) so FastAPI sees the local alias.
    Who = Annotated[Principal, Depends(auth)]  # noqa: N806

    @router.post("/jobs")
    async def submit(request: Request, who: Who) -> JSONResponse:
        return await submit_job(request, who)

    @router.get("/jobs")
    async def list_jobs(request: Request, who: Who) -> JSONResponse:
        q = request.query_params
        limit = _int(q.get("limit"), "limit", MAX_LIMIT)
        if not 1 <= limit <= MAX_LIMIT:
            limit = MAX_LIMIT  # the service silently falls back to the default
        offset = max(0, _int(q.get("offset"), "offset", 0))
        sort = (q.get("sort") or "DESC").upper()
        if sort not in ("ASC", "DESC"):
            raise bad_request("Query parameter 'sort' must be ASC or DESC.")
        exclude = _flag(q.get("exclude_params"), "exclude_params")
        where, args = _list_filters(request, who)
        include = exclude is False
        rows, count = emu(request).store.list_jobs(
            where, args, descending=sort == "DESC", limit=limit, offset=offset, light=not include
        )
        jobs = [job_view(r, include_params=include, classic=classic) for r in rows]
        return JSONResponse({"jobs": jobs, "count": count, "offset": offset, "limit": limit})

    @router.get("/jobs/{job_id}")
    async def get_job(job_id: str, request: Request, who: Who) -> JSONResponse:
        return await read_job(request, who, job_id, classic)

    @router.get("/jobs/{job_id}/results")
    async def results(job_id: str, request: Request, who: Who) -> Response:
        return await read_results(request, who, job_id)

    @router.post("/jobs/{job_id}/cancel", status_code=204)
    async def cancel(job_id: str, request: Request, who: Who) -> Response:
        JobService(emu(request)).cancel(who, job_id)
        return Response(status_code=204)

    @router.delete("/jobs/{job_id}", status_code=204)
    async def delete(job_id: str, request: Request, who: Who) -> Response:
        JobService(emu(request)).delete(who, job_id)
        return Response(status_code=204)

    @router.put("/jobs/{job_id}/tags", status_code=204)
    async def tags(job_id: str, request: Request, who: Who) -> Response:
        JobService(emu(request)).set_tags(who, job_id, await json_body(request))
        return Response(status_code=204)

    @router.get("/jobs/{job_id}/logs")
    async def logs(job_id: str, request: Request, who: Who) -> Response:
        job = JobService(emu(request)).get(who, job_id)
        return PlainTextResponse(job.get("logs") or "")

    @router.get("/jobs/{job_id}/metrics")
    async def metrics(job_id: str, request: Request, who: Who) -> JSONResponse:
        return JSONResponse(JobService(emu(request)).metrics(who, job_id))

    return router
