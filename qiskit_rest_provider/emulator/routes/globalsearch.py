"""IBM Cloud Global Search and Global Catalog, just enough for instance discovery.

qiskit-ibm-runtime lists the caller's Quantum instances through Global Search and reads each
plan from Global Catalog (research official-client-interop.md rows G1-G2). With
``GLOBAL_SEARCH_URL=<emulator>`` and ``GLOBAL_CATALOG_URL=<emulator>/globalcatalog/api/v1`` it
then works with no instance given and without ``QISKIT_FUNCTIONS_EXPERIMENTAL``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..errors import unauthorized
from ..state import EmulatorState
from .deps import emu

router = APIRouter(tags=["ibm-cloud"])

#: The instance listed for keys that may use any instance.
DEFAULT_INSTANCE = "crn:v1:bluemix:public:quantum-computing:us-east:a/emulator:emulator::"
PLAN_ID = "emulator-plan"


def _user(state: EmulatorState, request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    claims = state.tokens.verify(token.strip()) if scheme.lower() == "bearer" else None
    if claims is None or claims.get("kind") != "iam":
        raise unauthorized()
    return str(claims["sub"])


@router.post("/v3/resources/search")
async def search(request: Request) -> JSONResponse:
    """The caller's Quantum instances, in Global Search's item shape."""
    state = emu(request)
    user = _user(state, request)
    crns = [c for c in state.accounts.instances_of(user) if c != "*"] or [DEFAULT_INSTANCE]
    backends = sorted(state.backends)
    items = [
        {
            "crn": crn,
            "name": crn.split(":")[-3] or "emulator",
            "service_plan_unique_id": PLAN_ID,
            "tags": [],
            "doc": {"extensions": {"quantum_computing": {"backends": backends}}},
        }
        for crn in crns
    ]
    return JSONResponse({"items": items, "search_cursor": None, "limit": 100})


@router.get("/globalcatalog/api/v1/{plan_id}")
async def catalog(plan_id: str, request: Request) -> JSONResponse:
    """The plan of an instance: name and pricing type."""
    _user(emu(request), request)
    return JSONResponse(
        {
            "id": plan_id,
            "overview_ui": {"en": {"display_name": "Emulator"}},
            "metadata": {"pricing": {"type": "free"}},
        }
    )
