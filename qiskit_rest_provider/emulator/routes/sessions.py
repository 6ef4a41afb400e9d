"""``/sessions`` routes; the same handlers serve the current and the Classic dialect."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from ..auth import Principal
from ..sessions import SessionService
from .deps import emu, json_body


def make_router(auth: Callable[..., Any], *, classic: bool) -> APIRouter:
    """Builds the session routes behind the dialect's auth dependency."""
    router = APIRouter(tags=["classic" if classic else "sessions"])
    # Annotations are evaluated here (no __future__ import) so FastAPI sees the local alias.
    Who = Annotated[Principal, Depends(auth)]  # noqa: N806

    @router.post("/sessions")
    async def create(request: Request, who: Who) -> JSONResponse:
        session = SessionService(emu(request)).create(who, await json_body(request))
        return JSONResponse(session)

    @router.get("/sessions/{session_id}")
    async def get(session_id: str, request: Request, who: Who) -> JSONResponse:
        return JSONResponse(SessionService(emu(request)).view(who, session_id))

    @router.patch("/sessions/{session_id}", status_code=204)
    async def update(session_id: str, request: Request, who: Who) -> Response:
        SessionService(emu(request)).update(who, session_id, await json_body(request))
        return Response(status_code=204)

    @router.delete("/sessions/{session_id}/close", status_code=204)
    async def cancel(session_id: str, request: Request, who: Who) -> Response:
        SessionService(emu(request)).cancel(who, session_id)
        return Response(status_code=204)

    return router
