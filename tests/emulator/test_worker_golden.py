"""The worker answers each recorded request with the same bytes as when it was recorded.

``worker_golden.json`` (written by ``make_worker_golden.py``) holds estimator and sampler
requests as our client sends them (simulator and noisy device backends, tagged and plain
results, parameters, several observables, precision 0 and > 0, mitigation levels, twirling,
IQ data, a dynamic circuit) and the worker's answers. Speed work on the worker's path must not
change a byte of them; only the execution spans' times (the clock) are masked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qiskit_rest_provider.emulator import engine, worker_child
from qiskit_rest_provider.emulator.devices import default_backends

_GOLDEN = json.loads(Path(__file__).with_name("worker_golden.json").read_text())
_CLOCK = re.compile(r'\{"__type__":"datetime","__value__":"[^"]*"\}')


def _masked(answer: str) -> str:
    return _CLOCK.sub('{"__type__":"datetime","__value__":"T"}', answer)


@pytest.fixture(scope="module")
def backends() -> dict[str, Any]:
    return default_backends(noiseless=False)


def _answer(backends: dict[str, Any], request: dict[str, Any]) -> str:
    # A fresh copy per run: the engine must not depend on (or change) the request objects.
    fresh = json.loads(json.dumps(request))
    raw = worker_child.encode(worker_child._run(engine, backends, fresh))
    return raw.decode("utf-8", "surrogatepass")


def test_the_golden_set_covers_what_it_claims() -> None:
    requests = [entry["request"] for entry in _GOLDEN]
    assert {r["program"] for r in requests} == {"estimator", "sampler"}
    assert {r["backend"] for r in requests} == {"ibmq_qasm_simulator", "ibm_torino"}
    assert {r["params"]["support_qiskit"] for r in requests} == {True, False}
    assert all(entry["answer"].startswith("B") for entry in _GOLDEN)


@pytest.mark.parametrize("index", range(len(_GOLDEN)))
def test_worker_answers_byte_identically(backends: dict[str, Any], index: int) -> None:
    entry = _GOLDEN[index]
    assert _masked(_answer(backends, entry["request"])) == _masked(entry["answer"])


def test_repeated_requests_answer_identically(backends: dict[str, Any]) -> None:
    """Twice in a row, and after other jobs: whatever the worker remembers must not leak."""
    first, second = _GOLDEN[0], _GOLDEN[11]
    for entry in (first, second, first, second, second, first):
        assert _masked(_answer(backends, entry["request"])) == _masked(entry["answer"])
