"""Routes of the dashboard: the static page and three read-only views behind the API's auth."""

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from .. import errors
from ..auth import Principal
from ..errors import ApiError
from ..jobs import JobService
from ..routes.deps import current_principal, emu
from ..sessions import SessionService
from ..views import iso, job_view
from . import queries, views

__all__ = ["make_router", "SECURITY_HEADERS"]

_ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_SESSION_PAGE = 50


def _asset(name: str) -> bytes:
    return resources.files(__package__).joinpath("static").joinpath(name).read_bytes()


def make_router() -> APIRouter:
    """The ``/dashboard`` routes (the page, its assets and the views it reads)."""
    router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
    # Annotations are evaluated here (no __future__ import) so FastAPI sees the local alias.
    Who = Annotated[Principal, Depends(current_principal)]  # noqa: N806

    @router.get("")
    @router.get("/")
    async def page() -> Response:
        return Response(
            _asset("index.html"), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS
        )

    @router.get("/static/{name}")
    async def asset(name: str) -> Response:
        if name not in _ASSETS:
            raise ApiError(404, errors.NOT_FOUND, "Not found.")
        return Response(_asset(name), media_type=_ASSETS[name], headers=SECURITY_HEADERS)

    @router.get("/api/jobs/{job_id}")
    async def job(job_id: str, request: Request, who: Who) -> JSONResponse:
        state = emu(request)
        service = JobService(state)
        row = service.get(who, job_id)
        view: dict[str, Any] = {
            "job": job_view(row, include_params=False),
            "metrics": service.metrics(who, job_id),
            "logs": row.get("logs") or "",
            "options": (row.get("params") or {}).get("options") if not row.get("private") else None,
            "pubs": [],
            "results": None,
            "spans": [],
        }
        view["job"]["tags"] = views.visible_tags(view["job"]["tags"])
        params = row.get("params") or {}
        program = row["program"]
        if program in ("sampler", "estimator") and not row.get("private"):
            pubs = params.get("pubs") or []
            view["pubs"] = views.pub_views(program, pubs)
            body = state.store.get_result(job_id) if row["status"] == "Completed" else None
            if body:
                view["results"] = views.result_view(body, program, pubs)
                view["spans"] = views.spans_view(body)
        return JSONResponse(view)

    @router.get("/api/sessions")
    async def sessions(request: Request, who: Who, offset: int = 0) -> JSONResponse:
        state = emu(request)
        service = SessionService(state)
        rows, count = queries.list_sessions(
            state.store, who.instance, _SESSION_PAGE, max(0, offset)
        )
        items = []
        for row in rows:
            item = {**service.view(who, row["id"]), **queries.session_usage(state.store, row["id"])}
            items.append(item)
        return JSONResponse(
            {"sessions": items, "count": count, "offset": offset, "limit": _SESSION_PAGE}
        )

    @router.get("/api/backends/{name}")
    async def backend(name: str, request: Request, who: Who) -> JSONResponse:
        state = emu(request)
        emulated = state.backends.get(name)
        if emulated is None:
            raise ApiError(404, errors.BACKEND_NOT_FOUND, "Backend not found.")
        configuration = emulated.configuration()
        summary = {
            key: configuration.get(key)
            for key in (
                "backend_name",
                "n_qubits",
                "basis_gates",
                "simulator",
                "max_shots",
                "processor_type",
                "dt",
                "backend_version",
            )
        }
        queue = queries.queue_length(state.store, name)
        return JSONResponse(
            {
                "name": name,
                "configuration": summary,
                "status": {**emulated.status(), "length_queue": queue},
                "map": views.backend_map(configuration, emulated.properties()),
                "now": iso(None),
            }
        )

    return router
