"""The FastAPI application: routers of both dialects and IBM-shaped error handlers."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import errors
from .dashboard import make_router as make_dashboard_router
from .errors import ApiError, error_body
from .middleware import BodyTooLarge, EmulatorMiddleware, HostCheck, printable
from .routes import backends, globalsearch, identity, jobs, misc, sessions, transpile
from .routes.deps import classic_principal, current_principal
from .state import EmulatorState
from .store import storage_full

logger = logging.getLogger(__name__)

_CLASSIC_PREFIXES = ("/runtime", "/api/users")
_TRANSPILER_PREFIXES = ("/transpile", "/backends", "/version")


def _respond(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    if request.url.path.startswith(_CLASSIC_PREFIXES):
        # Classic clients read the legacy {"error": {...}} shape; send both.
        first = body["errors"][0]
        body["error"] = {"status": status, "message": first["message"], "code": first["code"]}
    elif request.url.path.startswith(_TRANSPILER_PREFIXES):
        # Transpiler clients read FastAPI's {"detail": "..."}; send both.
        body["detail"] = body["errors"][0]["message"]
    return JSONResponse(body, status_code=status, headers=headers)


def _unexpected(request: Request, exc: BaseException) -> JSONResponse:
    if storage_full(exc):
        # Nothing is lost (the write failed whole) and it heals once space is freed: say so.
        logger.error("storage is full on %s %s", request.method, printable(request.url.path))
        body = error_body(
            errors.STORAGE_FULL,
            "The emulator's storage is full; the request was not carried out.",
            "Free disk space where the emulator keeps its data, then try again.",
        )
        return _respond(request, 507, body, {"Retry-After": "5"})
    logger.exception("unexpected error on %s %s", request.method, printable(request.url.path))
    return _respond(request, 500, error_body(errors.INTERNAL, "Internal error in the emulator."))


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _respond(request, exc.status, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI would answer 422 in its own shape; the service answers 400, IBM-shaped.
        details = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _respond(request, 400, error_body(errors.VALIDATION, f"Invalid request: {details}"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = errors.NOT_FOUND if exc.status_code == 404 else errors.VALIDATION
        message = "Not found." if exc.status_code == 404 else str(exc.detail)
        return _respond(request, exc.status_code, error_body(code, message))

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return _respond(request, 413, error_body(errors.BODY_TOO_LARGE, "Request body too large."))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _unexpected(request, exc)


_HOT_PATH = re.compile(r"(/api/v1|/runtime)/jobs(?:/([^/]+)(/results)?)?")


class HotRoutes:
    """Serves the routes a job's round trip polls, bypassing FastAPI's router and DI.

    ``POST /jobs``, ``GET /jobs/{id}`` and ``GET /jobs/{id}/results`` (both dialects) run
    the same handlers, auth functions and error rendering as their FastAPI routes, which stay
    registered (OpenAPI, HEAD...); FastAPI's route matching and dependency solving cost
    about half of such a request's server time. Everything else goes to FastAPI.

    Args:
        app: The FastAPI application.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """ASGI entry point."""
        match = None
        if scope["type"] == "http" and not scope.get("root_path"):
            match = _HOT_PATH.fullmatch(scope["path"])
        method = scope.get("method")
        if match is None or (method, bool(match[2])) not in (("POST", False), ("GET", True)):
            await self.app(scope, receive, send)
            return
        scope["app"] = self.app  # what Starlette sets; the handlers read app.state.emu
        request = Request(scope, receive)
        classic = match[1] == "/runtime"
        deferred: list[str] = []  # jobs to hand to the workers once the answer is out
        response: Response
        try:
            who = await (classic_principal if classic else current_principal)(request)
            if match[2] is None:
                response = await jobs.submit_job(request, who, deferred)
            elif match[3]:
                response = await jobs.read_results(request, who, match[2])
            else:
                response = await jobs.read_job(request, who, match[2], classic)
        except ApiError as exc:
            response = _respond(request, exc.status, exc.body(), exc.headers)
        except BodyTooLarge:
            response = _respond(
                request, 413, error_body(errors.BODY_TOO_LARGE, "Request body too large.")
            )
        except Exception as exc:
            response = _unexpected(request, exc)
        try:
            await response(scope, receive, send)
        finally:
            for job_id in deferred:  # also when the client went away: the job exists
                self.app.state.emu.runner.submit(job_id)


def create_app(state: EmulatorState) -> Any:
    """Builds the ASGI application of one emulator.

    Returns:
        The FastAPI app wrapped in :class:`HotRoutes` and :class:`EmulatorMiddleware`; the
        FastAPI app itself is its ``.app.app`` attribute.
    """
    from ..version import __version__

    app = FastAPI(
        title="qiskit_rest_provider emulator",
        version=__version__,
        description="A local stand-in for IBM Quantum's runtime REST API (both dialects) "
        "and the transpiler task API.",
    )
    app.state.emu = state
    _install_handlers(app)
    app.include_router(identity.router)
    app.include_router(misc.router)
    for module in (backends, jobs, sessions):
        app.include_router(module.make_router(current_principal, classic=False), prefix="/api/v1")
        app.include_router(module.make_router(classic_principal, classic=True), prefix="/runtime")
    app.include_router(transpile.router)
    app.include_router(globalsearch.router)
    app.include_router(make_dashboard_router())
    config = state.config
    return EmulatorMiddleware(
        HotRoutes(app),
        state.faults,
        config.max_body_bytes,
        config.log_requests,
        HostCheck(config.host, config.allowed_hosts),
    )
