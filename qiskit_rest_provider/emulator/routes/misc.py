"""Instance usage, API versions and other small current-dialect endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..auth import Principal
from ..config import API_VERSIONS
from ..errors import bad_request
from .deps import current_principal, emu

router = APIRouter()
Who = Annotated[Principal, Depends(current_principal)]


@router.get("/api/v1/versions", tags=["misc"])
async def versions() -> JSONResponse:
    """The API versions this emulator accepts in ``IBM-API-Version`` (unauthenticated)."""
    return JSONResponse({"versions": list(API_VERSIONS)})


@router.get("/api/v1/instances/usage", tags=["misc"])
async def usage(request: Request, who: Who) -> JSONResponse:
    """Usage of the caller's instance this month (the client checks it before each submit)."""
    state = emu(request)
    now = dt.datetime.now(dt.timezone.utc)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    consumed = round(state.store.usage_seconds(who.instance), 3)
    limit = state.config.usage_limit_seconds
    return JSONResponse(
        {
            "instance_id": who.instance,
            "plan_id": "emulator",
            "usage_period": {
                "start": start.isoformat().replace("+00:00", "Z"),
                "end": end.isoformat().replace("+00:00", "Z"),
            },
            "usage_consumed_seconds": consumed,
            "usage_limit_seconds": limit,
            "usage_allocation_seconds": limit,
            "usage_limit_reached": consumed >= limit,
        }
    )


@router.get("/api/v1/instance", tags=["misc"])
async def instance(request: Request, who: Who) -> JSONResponse:
    """The caller's instance: its backends and plan."""
    return JSONResponse(
        {
            "backends": sorted(emu(request).backends),
            "plan_id": "emulator",
            "instance_limit_seconds": None,
            "usage_allocation_seconds": None,
        }
    )


@router.get("/api/v1/tags", tags=["misc"])
async def tags(request: Request, who: Who) -> JSONResponse:
    """Job tags of the caller's instance containing ``search`` (``type=job`` required)."""
    q = request.query_params
    if q.get("type") != "job":
        raise bad_request("Query parameter 'type' must be 'job'.")
    search = q.get("search") or ""
    if not 3 <= len(search) <= 100:
        raise bad_request("Query parameter 'search' must have 3 to 100 characters.")
    return JSONResponse({"tags": emu(request).store.search_tags(who.instance, search)})
