"""The transpiler task API: ``POST /transpile`` → ``{"task_id"}``, ``GET /transpile/{id}``."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .. import errors
from ..auth import Principal
from ..errors import ApiError, bad_request
from ..transpile import PM_OPTIONS, TaskInputError, bound_work, screen_qasm2, split_statements
from .deps import emu, json_body, transpiler_principal

router = APIRouter(tags=["transpiler"])
Who = Annotated[Principal, Depends(transpiler_principal)]

AI_VALUES = ("true", "false", "auto")
LAYOUT_MODES = ("keep", "optimize", "improve")


def _circuits(body: dict[str, Any]) -> tuple[list[str], str | None]:
    qasm, qpy = body.get("qasm_circuits"), body.get("qpy_circuits")
    if qpy is not None:
        if not isinstance(qpy, str) or not qpy:
            raise bad_request("'qpy_circuits' must be a base64 QPY string.")
        return [], qpy
    if isinstance(qasm, str):
        qasm = [qasm]
    if not isinstance(qasm, list) or not qasm or not all(isinstance(c, str) for c in qasm):
        raise bad_request("'qasm_circuits' must be an OpenQASM string or a non-empty list of them.")
    return qasm, None


#: Circuit text up to this size is screened on the event loop; longer text in a thread.
INLINE_SCREEN_CHARS = 16 * 1024


def _screen(qasm: list[str]) -> None:
    """Bounds each circuit's work, then refuses what no parser may see (synchronous 400s)."""
    for index, text in enumerate(qasm):
        text = split_statements(text)
        try:
            bound_work(text, index)
        except TaskInputError as exc:
            raise bad_request(str(exc)) from None
        try:
            if text.lstrip().startswith("OPENQASM 2"):
                screen_qasm2(text)
            else:
                from ..engine import qasm as safe_qasm

                safe_qasm.screen(text)
        except (TaskInputError, ValueError) as exc:
            raise bad_request(f"Circuit {index}: {exc}") from None


def _query_coupling_map(request: Request) -> Any:
    """``coupling_map`` in the query: a JSON list, or the flat pairs ``requests`` makes of one.

    ``requests`` turns ``params={"coupling_map": [[0, 1], [1, 2]]}`` into
    ``coupling_map=0&coupling_map=1&coupling_map=1&coupling_map=2`` (and drops ``[]``).
    """
    values = request.query_params.getlist("coupling_map")
    if not values:
        return None
    if len(values) == 1 and values[0].lstrip().startswith("["):
        try:
            return json.loads(values[0])
        except ValueError:
            raise bad_request("Query parameter 'coupling_map' is not a JSON list.") from None
    try:
        flat = [int(v) for v in values]
    except ValueError:
        raise bad_request("Query parameter 'coupling_map' must be qubit numbers.") from None
    if len(flat) % 2:
        raise bad_request("Query parameter 'coupling_map' must list qubits in pairs.")
    return [flat[i : i + 2] for i in range(0, len(flat), 2)]


def _coupling_map(value: Any) -> list[list[int]] | None:
    if value is None or value == []:
        return None  # the seed sends [] meaning "none"
    ok = isinstance(value, list) and all(
        isinstance(e, list) and len(e) == 2 and all(isinstance(q, int) and q >= 0 for q in e)
        for e in value
    )
    if not ok:
        raise bad_request("'backend_coupling_map' must be a list of [control, target] pairs.")
    pairs: list[list[int]] = value
    return pairs


#: ``transpile()`` keywords that make no sense through a remote service.
UNSUPPORTED_OPTIONS = frozenset(
    {"backend", "target", "callback", "num_processes", "output_name", "circuits"}
)


def _options(value: Any, query: str | None) -> dict[str, Any]:
    if query is not None:  # the options as a JSON object in the query string
        if value is not None:
            raise bad_request("Give 'qiskit_transpile_options' in the body or the query, not both.")
        try:
            value = json.loads(query)
        except ValueError:
            raise bad_request(
                "Query parameter 'qiskit_transpile_options' must be a JSON object; send the "
                "options in the JSON body instead."
            ) from None
    if value is None or value == []:
        return {}
    if not isinstance(value, dict):
        raise bad_request("'qiskit_transpile_options' must be an object.")
    value = {k: v for k, v in value.items() if k != "optimization_level"}
    for key in value:
        if key in UNSUPPORTED_OPTIONS or key == "ignore_backend_supplied_default_methods":
            raise bad_request(
                f"qiskit_transpile_options: '{key}' is not supported by the transpiler "
                "service (give the backend or the coupling map as request parameters)."
            )
        if key not in PM_OPTIONS:
            raise bad_request(
                f"Error transpiling with Qiskit and qiskit_transpile_options: transpile() got "
                f"an unexpected keyword argument '{key}'"
            )
    options: dict[str, Any] = value
    return options


@router.post("/transpile")
async def submit(
    request: Request,
    who: Who,
    backend: str | None = None,
    optimization_level: Annotated[int, Query(ge=0, le=3)] = 1,
    ai: str = "true",
    ai_layout_mode: str = "optimize",
    use_ai: str | None = None,
) -> JSONResponse:
    """Creates a transpile task; validation errors are synchronous, transpile errors FAILURE."""
    state = emu(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object with 'qasm_circuits'.")
    mode = str(body.get("ai_layout_mode", ai_layout_mode)).lower()
    if (use_ai or ai).lower() not in AI_VALUES:
        raise bad_request(f"'ai' must be one of {', '.join(AI_VALUES)}.")
    if mode not in LAYOUT_MODES:
        raise bad_request(f"'ai_layout_mode' must be one of {', '.join(LAYOUT_MODES)}.")
    options = _options(
        body.get("qiskit_transpile_options"),
        request.query_params.get("qiskit_transpile_options"),
    )
    coupling_map = _coupling_map(
        body.get("backend_coupling_map", body.get("coupling_map"))
        or _query_coupling_map(request)
        or options.pop("coupling_map", None)
    )
    if backend is None and coupling_map is None:
        raise bad_request("Give a 'backend' or a 'backend_coupling_map'.")
    if backend is not None and backend not in state.backends:
        raise ApiError(
            400,
            errors.BACKEND_NOT_FOUND,
            f"User doesn't have access to the specified backend: {backend[:100]}",
        )
    qasm, qpy = _circuits(body)
    if sum(map(len, qasm)) <= INLINE_SCREEN_CHARS:
        _screen(qasm)
    else:  # counting a long text's work must not hold up every other request
        await run_in_threadpool(_screen, qasm)
    task = {
        "backend": backend,
        "optimization_level": optimization_level,
        "layout_mode": mode,
        "ai": (use_ai or ai).lower(),
        "coupling_map": coupling_map,
        "qasm": qasm,
        "qpy": qpy,
        "options": options,
    }
    return JSONResponse({"task_id": state.transpiler.submit(who.instance, task)})


@router.get("/transpile/{task_id}")
async def poll(task_id: str, request: Request, who: Who) -> JSONResponse:
    """``{"state": PENDING|SUCCESS|FAILURE, "result": [...] | message | null}``."""
    state = emu(request)
    task = state.store.get_task(task_id)
    if task is None or task["instance"] != who.instance:
        raise ApiError(404, errors.TASK_NOT_FOUND, f"Task not found: {task_id[:64]}")
    finished = task.get("finished_ts")
    if finished is not None and time.time() > finished + state.config.transpile_result_ttl:
        raise ApiError(404, errors.TASK_NOT_FOUND, f"Task {task_id[:64]} expired; resubmit it.")
    result = json.loads(task["result"]) if task.get("result") else None
    return JSONResponse({"state": task["state"], "result": result})


@router.get("/backends")
async def transpiler_backends(request: Request, who: Who) -> JSONResponse:
    """Backend names the transpiler can target."""
    return JSONResponse(sorted(emu(request).backends))


@router.get("/version")
async def version() -> JSONResponse:
    """The Qiskit version the transpiler runs (clients pick their QPY version from it)."""
    import qiskit

    return JSONResponse({"qiskit": qiskit.__version__, "service": "qiskit-rest-emulator"})
