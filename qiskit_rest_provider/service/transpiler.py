"""``CloudTranspiler``: the transpiler task API behind a pass manager's ``run()``.

::

    transpiler = CloudTranspiler(backend_name="ibm_brisbane", optimization_level=2, service=svc)
    isa = transpiler.run(circuit)          # same call as generate_preset_pass_manager(...).run
    EstimatorV2(mode=backend).run([apply_layout_to_observables((isa, observable))])

Circuits go out as OpenQASM 3 (the same lossless export the primitives use) and come back as
ISA circuits of device width with a ``TranspileLayout``, so ``observable.apply_layout(isa.layout)``
works as after a local transpile. IBM retired the public REST transpiler in 2025; this client
talks to anything serving the same API (the emulator does). Treat it as optional: the local
``generate_preset_pass_manager(backend=...)`` is the default way to get ISA circuits.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from qiskit import QuantumCircuit

from ..api.transpiler import TranspilerApi
from ..codec.circuits import export_circuit
from ..codec.transpiler_layout import (
    apply_layout_to_observables,
    parameter_wire_names,
    rebuild_circuit,
)
from ..exceptions import (
    AccountError,
    ApiConnectionError,
    InvalidInputError,
    ServerError,
    TranspilerServiceError,
)
from ..http import RetryPolicy, StaticBearer, Transport

if TYPE_CHECKING:
    from .runtime import RuntimeService

__all__ = ["CloudTranspiler", "apply_layout_to_observables", "DEFAULT_TRANSPILER_URL"]

logger = logging.getLogger(__name__)

DEFAULT_TRANSPILER_URL = "https://cloud-transpiler.quantum.ibm.com"
_AI = ("true", "false", "auto")
_LAYOUT_MODES = ("keep", "optimize", "improve")


def _default_url(service: RuntimeService | None) -> str:
    env = os.environ.get("QISKIT_IBM_TRANSPILER_URL")
    if env:
        return env
    if service is not None:
        split = urlsplit(service.transport.base_url)
        if not split.netloc.endswith(("ibm.com", "quantum-computing.ibm.com")):
            return f"{split.scheme}://{split.netloc}"  # an emulator serves both APIs
    return DEFAULT_TRANSPILER_URL


def _default_token(service: RuntimeService | None) -> str:
    if service is not None:
        return service._account.token  # noqa: SLF001 - the raw API key, never logged
    token = os.environ.get("QISKIT_IBM_TOKEN")
    if token:
        return token
    from .accounts import resolve_account

    try:
        return resolve_account().token
    except AccountError as exc:
        raise AccountError(f"CloudTranspiler needs an API token: pass token=... ({exc})") from None


class CloudTranspiler:
    """Transpile circuits with a remote transpiler service, like a local pass manager.

    Args:
        backend_name: Target backend (or a ``RestBackend``); or give ``coupling_map``.
        coupling_map: ``CouplingMap`` or ``[[control, target], ...]``; overrides the backend's.
        optimization_level: 0-3.
        ai: ``"true"``, ``"false"`` or ``"auto"`` (the service's default).
        ai_layout_mode: ``"keep"``, ``"optimize"`` or ``"improve"``.
        qiskit_transpile_options: Extra ``transpile()`` options, e.g. ``{"seed_transpiler": 1}``.
        optimization_preferences: What the AI passes should minimise first.
        use_fractional_gates: Let the service use ``rx``/``rzz``.
        service: Take URL and token from this ``RuntimeService``.
        url: Transpiler root (default: ``QISKIT_IBM_TRANSPILER_URL``, the service's host for a
            non-IBM service such as the emulator, else IBM's URL).
        token: API key (default: the service's, ``QISKIT_IBM_TOKEN``, or the saved account).
        timeout: Seconds to wait for one task.
        poll_interval: ``(first, longest)`` seconds between polls; the wait grows by 1.5x.
        verify: TLS verification, as in ``requests``.
        proxies: ``requests`` proxies mapping.
        retry: Retry policy of the requests (default: the service's, so one policy decides
            every retry; a fresh ``RetryPolicy()`` without a service).
    """

    def __init__(
        self,
        *,
        backend_name: Any = None,
        coupling_map: Any = None,
        optimization_level: int = 1,
        ai: str | bool = "auto",
        ai_layout_mode: str | None = None,
        qiskit_transpile_options: dict[str, Any] | None = None,
        optimization_preferences: str | list[str] | None = None,
        use_fractional_gates: bool = False,
        service: RuntimeService | None = None,
        url: str | None = None,
        token: str | None = None,
        timeout: float = 300.0,
        poll_interval: tuple[float, float] = (0.05, 2.0),
        verify: bool | str = True,
        proxies: dict[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if backend_name is not None and not isinstance(backend_name, str):
            backend_name = backend_name.name  # a RestBackend
        if coupling_map is not None and hasattr(coupling_map, "get_edges"):
            coupling_map = [list(edge) for edge in coupling_map.get_edges()]
        if backend_name is None and not coupling_map:
            raise InvalidInputError("CloudTranspiler needs backend_name=... or coupling_map=...")
        if isinstance(ai, bool):
            ai = "true" if ai else "false"
        if str(ai).lower() not in _AI:
            raise InvalidInputError(f"ai must be one of {', '.join(_AI)}, got {ai!r}.")
        mode = ai_layout_mode.lower() if isinstance(ai_layout_mode, str) else ai_layout_mode
        if mode is not None and mode not in _LAYOUT_MODES:
            raise InvalidInputError(
                f"ai_layout_mode must be one of {', '.join(_LAYOUT_MODES)}, got {ai_layout_mode!r}."
            )
        if isinstance(optimization_level, bool) or optimization_level not in (0, 1, 2, 3):
            raise InvalidInputError(f"optimization_level must be 0-3, got {optimization_level!r}.")
        if timeout <= 0:
            raise InvalidInputError("timeout must be > 0 seconds.")
        self.backend_name = backend_name
        self.coupling_map = [list(map(int, edge)) for edge in coupling_map or []] or None
        self.optimization_level = int(optimization_level)
        self.ai = str(ai).lower()
        self.ai_layout_mode = mode
        self.qiskit_transpile_options = dict(qiskit_transpile_options or {})
        self.optimization_preferences = optimization_preferences
        self.use_fractional_gates = use_fractional_gates
        self.timeout = float(timeout)
        self._poll = poll_interval
        transport = Transport(
            url or _default_url(service),
            StaticBearer(token or _default_token(service)),
            api_version=None,
            verify=verify,
            proxies=proxies,
            retry=retry or (service.transport.retry if service is not None else RetryPolicy()),
        )
        self._api = TranspilerApi(transport)

    def __repr__(self) -> str:
        target = self.backend_name or f"coupling_map[{len(self.coupling_map or [])}]"
        return (
            f"<CloudTranspiler({target}, optimization_level={self.optimization_level}, "
            f"ai='{self.ai}')>"
        )

    def _query(self) -> dict[str, Any]:
        query: dict[str, Any] = {
            "backend": self.backend_name,
            "optimization_level": self.optimization_level,
            "ai": self.ai,
        }
        if self.ai_layout_mode:
            query["ai_layout_mode"] = self.ai_layout_mode.upper()  # as the official client
        if self.use_fractional_gates:
            query["use_fractional_gates"] = "true"
        return query

    def _body(self, qasm: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "qasm_circuits": qasm,
            "qpy_circuits": None,
            "optimization_preferences": self.optimization_preferences,
        }
        if self.qiskit_transpile_options:
            body["qiskit_transpile_options"] = self.qiskit_transpile_options
        if self.coupling_map:
            body["backend_coupling_map"] = self.coupling_map
        return body

    def run(
        self,
        circuits: QuantumCircuit | Iterable[QuantumCircuit],
        output_name: str | None = None,
        callback: Any = None,
        num_processes: int | None = None,
    ) -> QuantumCircuit | list[QuantumCircuit]:
        """Transpile one circuit or a list (one task), as ``PassManager.run`` does.

        Args:
            circuits: A circuit (a circuit is returned) or several (a list is returned).
            output_name: Name of the output circuit(s).
            callback: Not supported remotely (ignored, with a warning).
            num_processes: Ignored (the service parallelises).

        Raises:
            TranspilerServiceError: The task failed, timed out, or returned something unusable.
        """
        if callback is not None:
            logger.warning("CloudTranspiler.run ignores callback: passes run remotely")
        single = isinstance(circuits, QuantumCircuit)
        inputs = [circuits] if single else list(circuits)
        if not inputs:
            return []
        exports = [export_circuit(circuit) for circuit in inputs]
        task_id = self._api.submit(self._query(), self._body([e.qasm for e in exports]))
        logger.info("transpile task %s: %d circuit(s)", task_id, len(inputs))
        items = self._wait(task_id)
        if len(items) != len(inputs):
            raise TranspilerServiceError(
                f"Transpile task {task_id} returned {len(items)} circuits for {len(inputs)}."
            )
        outputs = [
            rebuild_circuit(item, circuit, parameter_wire_names(circuit))
            for item, circuit in zip(items, inputs, strict=True)
        ]
        if output_name:
            for index, circuit in enumerate(outputs):
                circuit.name = output_name if single else f"{output_name}_{index}"
        return outputs[0] if single else outputs

    def _wait(self, task_id: str) -> list[dict[str, Any]]:
        deadline = time.monotonic() + self.timeout
        delay, longest = self._poll
        while True:
            try:
                data = self._api.task(task_id)
            except (ApiConnectionError, ServerError) as exc:
                # Keep waiting through blips (the service answered 520 at times); the deadline
                # still bounds the whole wait.
                logger.info("transpile task %s: poll failed (%s); retrying", task_id, exc)
                data = {}
            state = str(data.get("state", "")).upper()
            result = data.get("result")
            if state == "SUCCESS" and isinstance(result, list):
                return result
            if state == "FAILURE":
                detail = result if isinstance(result, str) and result else "no details given"
                raise TranspilerServiceError(f"Transpile task {task_id} failed: {detail}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TranspilerServiceError(
                    f"Transpile task {task_id} did not finish within {self.timeout:g} s "
                    f"(last state {state or 'unknown'}); raise timeout=... to wait longer."
                )
            time.sleep(min(delay, remaining))
            delay = min(delay * 1.5, longest)
