"""pytest plugin: an emulator per test session and fixtures bound to it (see docs/testing.md).

Fixtures:

* ``rest_emulator`` (session): a running emulator on 127.0.0.1, port 0, noiseless by default.
* ``rest_faults``: its :class:`~qiskit_rest_provider.emulator.FaultInjector`; faults added
  in a test (or by ``@pytest.mark.rest_fault("ROUTE=KIND[:k=v,...]")``) are removed after it.
* ``rest_service``: a :class:`~qiskit_rest_provider.RuntimeService` on the emulator, in an
  instance of the test's own (its jobs are invisible to other tests).
* ``rest_backend``: a backend; ``ibmq_qasm_simulator`` unless ``@pytest.mark.rest_backend(NAME)``,
  an indirect parameter or the ``rest_backend`` ini option says otherwise.
* ``rest_sampler`` / ``rest_estimator``: ``SamplerV2`` / ``EstimatorV2`` on ``rest_backend``.
* ``ibm_service``: a service with the real IBM account of the environment.

Marker ``ibm_credentials``: the test needs real IBM credentials (``QISKIT_IBM_TOKEN`` or a
saved account); it is skipped, with the reason, where there are none.

Nothing heavy is imported until a fixture is used, so the plugin costs nothing in suites that
do not use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from qiskit_rest_provider.emulator import EmulatorServer, FaultInjector
    from qiskit_rest_provider.primitives.estimator import EstimatorV2
    from qiskit_rest_provider.primitives.sampler import SamplerV2
    from qiskit_rest_provider.service.backend import RestBackend
    from qiskit_rest_provider.service.runtime import RuntimeService

DEFAULT_BACKEND = "ibmq_qasm_simulator"
API_KEY = "pytest-api-key"
CREDENTIALS_MARKER = "ibm_credentials"
NO_CREDENTIALS = (
    "needs real IBM Quantum credentials: set QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE, or save "
    "an account with RuntimeService.save_account(token=..., instance=...)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Ini options of the emulator the fixtures start."""
    parser.addini(
        "rest_emulator_noiseless",
        "qiskit-rest: run device backends without noise (default true)",
        type="bool",
        default=True,
    )
    parser.addini(
        "rest_emulator_seed",
        "qiskit-rest: base simulator seed; empty for a random one (default 1234)",
        default="1234",
    )
    parser.addini(
        "rest_backend",
        f"qiskit-rest: backend of the rest_backend fixture (default {DEFAULT_BACKEND})",
        default=DEFAULT_BACKEND,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Registers the markers."""
    config.addinivalue_line(
        "markers", "rest_backend(name): the backend the rest_backend fixture returns"
    )
    config.addinivalue_line(
        "markers",
        "rest_fault(spec, ...): faults injected into rest_emulator for this test, as "
        "'ROUTE=KIND[:key=value,...]' (see docs/emulator.md)",
    )
    config.addinivalue_line(
        "markers", f"{CREDENTIALS_MARKER}: the test needs real IBM Quantum credentials"
    )


def ibm_credentials_reason() -> str | None:
    """Why tests needing real IBM credentials cannot run here, or ``None`` if they can."""
    from qiskit_rest_provider.exceptions import AccountError
    from qiskit_rest_provider.service.accounts import resolve_account

    try:
        resolve_account()
    except AccountError:
        return NO_CREDENTIALS
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skips ``ibm_credentials`` tests where the environment has no IBM account."""
    marked = [item for item in items if item.get_closest_marker(CREDENTIALS_MARKER)]
    reason = ibm_credentials_reason() if marked else None
    if reason is not None:
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def rest_emulator(pytestconfig: pytest.Config) -> Iterator[EmulatorServer]:
    """One emulator for the whole test session (127.0.0.1, a free port)."""
    from qiskit_rest_provider.emulator import start_emulator

    seed = str(pytestconfig.getini("rest_emulator_seed")).strip()
    noiseless = bool(pytestconfig.getini("rest_emulator_noiseless"))
    with start_emulator(
        "127.0.0.1", 0, seed=int(seed) if seed else None, noiseless=noiseless
    ) as server:
        yield server


@pytest.fixture
def rest_faults(
    rest_emulator: EmulatorServer, request: pytest.FixtureRequest
) -> Iterator[FaultInjector]:
    """The emulator's fault injector; every fault is removed when the test ends."""
    from qiskit_rest_provider.emulator.faults import parse_spec

    faults = rest_emulator.faults
    for marker in request.node.iter_markers("rest_fault"):
        for spec in marker.args:
            route, kind, options = parse_spec(spec)
            faults.add(route, kind, **options)
    try:
        yield faults
    finally:
        faults.clear()


def _instance_for(nodeid: str) -> str:
    # One instance per test: the emulator keeps jobs, sessions and usage per instance.
    digest = hashlib.sha1(nodeid.encode()).hexdigest()[:12]
    return f"crn:v1:bluemix:public:quantum-computing:us-east:a/pytest:{digest}::"


@pytest.fixture
def rest_service(
    rest_emulator: EmulatorServer, rest_faults: FaultInjector, request: pytest.FixtureRequest
) -> RuntimeService:
    """A ``RuntimeService`` on the emulator, in an instance of this test's own."""
    from qiskit_rest_provider.service.runtime import RuntimeService

    return RuntimeService(
        token=API_KEY, url=rest_emulator.url, instance=_instance_for(request.node.nodeid)
    )


def _backend_name(request: pytest.FixtureRequest) -> str:
    param = getattr(request, "param", None)
    if param is not None:
        return str(param)
    marker = request.node.get_closest_marker("rest_backend")
    if marker is not None:
        if len(marker.args) != 1:
            raise pytest.UsageError("use @pytest.mark.rest_backend('<backend name>')")
        return str(marker.args[0])
    return str(request.config.getini("rest_backend"))


@pytest.fixture
def rest_backend(rest_service: RuntimeService, request: pytest.FixtureRequest) -> RestBackend:
    """The backend named by the test (marker or indirect parameter) or the ini option."""
    return rest_service.backend(_backend_name(request))


@pytest.fixture
def rest_sampler(rest_backend: RestBackend) -> SamplerV2:
    """``SamplerV2`` on ``rest_backend``."""
    from qiskit_rest_provider.primitives.sampler import SamplerV2

    return SamplerV2(mode=rest_backend)


@pytest.fixture
def rest_estimator(rest_backend: RestBackend) -> EstimatorV2:
    """``EstimatorV2`` on ``rest_backend``."""
    from qiskit_rest_provider.primitives.estimator import EstimatorV2

    return EstimatorV2(mode=rest_backend)


@pytest.fixture
def ibm_service() -> RuntimeService:
    """A ``RuntimeService`` with the environment's real IBM account (skips without one)."""
    reason = ibm_credentials_reason()
    if reason is not None:
        pytest.skip(reason)
    from qiskit_rest_provider.service.runtime import RuntimeService

    return RuntimeService()
