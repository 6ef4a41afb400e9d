"""Which backend and session a primitive's mode means."""

import pytest

from qiskit_rest_provider import Batch, Session
from qiskit_rest_provider.exceptions import InvalidInputError, SessionClosedError
from qiskit_rest_provider.service.durations import hms_to_seconds, max_time_seconds
from qiskit_rest_provider.service.submission import resolve_mode
from tests.unit.conftest import API, SIM_CONFIG


@pytest.fixture
def backend(mocked, service):
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    return service.backend("ibmq_qasm_simulator")


def test_a_backend_a_session_and_the_open_block(mocked, backend):
    mocked.post(API + "/sessions", json={"id": "s1"})
    mocked.patch(API + "/sessions/s1", status=204)
    assert resolve_mode(backend) == (backend, None)
    batch = Batch(backend)
    assert resolve_mode(batch) == (backend, batch)
    with Session(backend) as session:
        assert resolve_mode(None) == (backend, session)
    with pytest.raises(SessionClosedError):
        session.id_for_job()


@pytest.mark.parametrize("mode", [None, "ibm_fez", object()])
def test_anything_else_is_refused(mode):
    with pytest.raises(InvalidInputError, match="mode"):
        resolve_mode(mode)


@pytest.mark.parametrize(
    ("text", "seconds"), [("10m", 600), ("2h 30m", 9000), ("1d 1s", 86401), ("5 s", 5)]
)
def test_time_strings(text, seconds):
    assert hms_to_seconds(text) == seconds
    assert max_time_seconds(text) == seconds


@pytest.mark.parametrize("bad", ["", "10", "10x", "m", "2h 30"])
def test_bad_time_strings(bad):
    with pytest.raises(ValueError, match="invalid duration"):
        hms_to_seconds(bad)
    with pytest.raises(InvalidInputError, match="Invalid max_time"):
        max_time_seconds(bad)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_bad_max_time_numbers(bad):
    with pytest.raises(InvalidInputError, match="positive int"):
        max_time_seconds(bad)
    assert max_time_seconds(None) is None
    assert max_time_seconds(7) == 7
