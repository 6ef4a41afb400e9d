"""``/backends`` routes; the same handlers serve the current and the Classic dialect."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from .. import errors
from ..auth import Principal
from ..errors import ApiError
from ..leniency import check_calibration
from .deps import emu


def _backend(request: Request, name: str) -> Any:
    backend = emu(request).backends.get(name)
    if backend is None:
        raise ApiError(404, errors.BACKEND_NOT_FOUND, f"Backend not found: {name[:100]}")
    check_calibration(backend, request.query_params.get("calibration_id"))
    return backend


def make_router(auth: Callable[..., Any], *, classic: bool) -> APIRouter:
    """Builds the backend routes behind the dialect's auth dependency.

    Args:
        auth: The dependency that authenticates the request.
        classic: Classic ``/backends`` lists names only (``{"devices": ["ibm_x", ...]}``).
    """
    router = APIRouter(tags=["classic" if classic else "backends"])
    # Annotations are evaluated here (no __future__ import) so FastAPI sees the local alias.
    Who = Annotated[Principal, Depends(auth)]  # noqa: N806

    @router.get("/backends")
    async def list_backends(request: Request, who: Who) -> JSONResponse:
        backends = emu(request).backends.values()
        if classic:
            return JSONResponse({"devices": [b.name for b in backends]})
        queued = emu(request).runner.queue_length()
        devices = []
        for backend in backends:
            summary = dict(backend.device_summary())
            summary.setdefault("queue_length", queued)
            devices.append(summary)
        return JSONResponse({"devices": devices})

    @router.get("/backends/{name}/configuration")
    async def configuration(name: str, request: Request, who: Who) -> JSONResponse:
        return JSONResponse(_backend(request, name).configuration())

    @router.get("/backends/{name}/properties")
    async def properties(name: str, request: Request, who: Who) -> JSONResponse:
        # The official client needs a 200 here even for simulators: {} means "no properties".
        return JSONResponse(_backend(request, name).properties() or {})

    @router.get("/backends/{name}/status")
    async def status(name: str, request: Request, who: Who) -> JSONResponse:
        body = dict(_backend(request, name).status())
        body["length_queue"] = emu(request).runner.queue_length()
        return JSONResponse(body)

    @router.get("/backends/{name}/defaults")
    async def defaults(name: str, request: Request, who: Who) -> JSONResponse:
        _backend(request, name)
        return JSONResponse({})

    return router
