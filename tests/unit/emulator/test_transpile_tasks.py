"""The transpile pool's bookkeeping and the work bound, without processes (fakes for the slot)."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate

from qiskit_rest_provider.emulator import transpile, transpile_tasks
from qiskit_rest_provider.emulator.config import EmulatorConfig
from qiskit_rest_provider.emulator.store import Store
from qiskit_rest_provider.emulator.workers import JobInterrupted, WorkerDied

BELL = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'


class FakeSlot:
    """Stands in for a WorkerProcess: ``run`` answers or raises what the test says."""

    def __init__(self, outcome):
        self.outcome = outcome
        self.pid = 4242
        self.calls = []
        self.should_stop = None

    def start(self):
        self.calls.append("start")

    def answer(self, timeout):
        return {"body": "ready"}

    def kill(self):
        self.calls.append("kill")
        self.pid = None

    def collect(self):
        self.calls.append("collect")

    def alive(self):
        return self.pid is not None

    def run(self, request, should_stop):
        self.calls.append(("run", request))
        self.should_stop = should_stop
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.fixture
def service():
    store = Store(None)
    config = EmulatorConfig(transpile_timeout=2, max_job_memory_mb=64)
    svc = transpile_tasks.TranspileService(SimpleNamespace(config=config, store=store, backends={}))
    yield svc
    store.close()


def _task(svc, request=None):
    task_id = "t-1"
    svc.state.store.insert_task(
        {
            "id": task_id,
            "instance": "i",
            "state": "PENDING",
            "request": request or {"qasm": [BELL]},
            "created_ts": time.time(),
        }
    )
    return task_id


def _outcome(svc, task_id):
    row = svc.state.store.get_task(task_id)
    return row["state"], (json.loads(row["result"]) if row["result"] else None)


TIME = (
    "The transpilation ran longer than the emulator's limit of 2 s per task "
    "(--transpile-timeout) and was stopped."
)
MEMORY = (
    "The transpilation needed more than the emulator's memory limit of 64 MiB per task "
    "(--max-job-memory)."
)


@pytest.mark.parametrize(
    ("outcome", "expected", "killed"),
    [
        (JobInterrupted("stopped"), ("FAILURE", TIME), True),
        (JobInterrupted("memory"), ("FAILURE", MEMORY), True),
        (
            BrokenPipeError(32, "Broken pipe"),
            (
                "FAILURE",
                "The emulator's transpiler process ended while running the task "
                "([Errno 32] Broken pipe).",
            ),
            True,
        ),
        (
            WorkerDied("exit code -9"),
            (
                "FAILURE",
                "The emulator's transpiler process ended while running the task (exit code -9).",
            ),
            True,
        ),
        ({"error": "memory", "code": None}, ("FAILURE", MEMORY), False),
        ({"error": "QasmParseError: bad", "code": None}, ("FAILURE", "QasmParseError: bad"), False),
        ({"body": '[{"qasm":"x"}]'}, ("SUCCESS", [{"qasm": "x"}]), False),
    ],
)
def test_each_outcome_is_recorded_in_the_apis_shape(service, outcome, expected, killed):
    slot = FakeSlot(outcome)
    task_id = _task(service, {"qasm": [BELL], "backend": "x"})
    service._run(task_id, slot)
    assert _outcome(service, task_id) == expected
    assert slot.calls[:2] == ["start", ("run", {"qasm": [BELL], "backend": "x"})]
    assert ("kill" in slot.calls) is killed
    assert service.state.store.get_task(task_id)["finished_ts"] is not None


def test_a_stopping_server_leaves_the_task_pending(service):
    slot = FakeSlot(JobInterrupted("stopped"))
    task_id = _task(service)
    service._stopping.set()
    service._run(task_id, slot)
    assert _outcome(service, task_id) == ("PENDING", None)


def test_a_finished_task_is_not_run_again(service):
    slot = FakeSlot({"body": "[]"})
    task_id = _task(service)
    service.state.store.update_task(task_id, state="SUCCESS")
    service._run(task_id, slot)
    assert slot.calls == []


def test_the_time_limit_decides_should_stop(service):
    slot = FakeSlot({"body": "[]"})
    service._run(_task(service), slot)
    assert slot.should_stop() is False  # 2 s from the hand-over
    service.state.config.transpile_timeout = 0.01
    service._run(_task_again(service), slot)
    time.sleep(0.05)
    assert slot.should_stop() is True
    service.state.config.transpile_timeout = 0  # no limit
    service._run(_task_again(service), slot)
    time.sleep(0.05)
    assert slot.should_stop() is False
    service._stopping.set()
    assert slot.should_stop() is True


def _task_again(svc):
    svc.state.store.update_task("t-1", state="PENDING")
    return "t-1"


def test_a_worker_that_never_gets_ready_fails_the_task(service):
    slot = FakeSlot({"body": "[]"})
    slot.answer = lambda timeout: (_ for _ in ()).throw(WorkerDied("exit code 1"))
    task_id = _task(service)
    service._run(task_id, slot)
    assert _outcome(service, task_id) == (
        "FAILURE",
        "The emulator could not start a transpiler worker process.",
    )
    assert ("run", {"qasm": [BELL]}) not in slot.calls and "kill" in slot.calls


def test_run_task_answers_body_error_or_memory(monkeypatch):
    from qiskit_rest_provider.emulator.devices import default_backends

    backends = default_backends()
    ok = transpile_tasks.run_task(
        backends, {"backend": "ibmq_qasm_simulator", "optimization_level": 1, "qasm": [BELL]}
    )
    (item,) = json.loads(ok["body"])
    assert item["layout"] == {"initial": [0, 1], "final": [0, 1]} and item["qpy"] is None
    bad = transpile_tasks.run_task(
        backends, {"backend": "ibmq_qasm_simulator", "optimization_level": 1, "qasm": ["x;"]}
    )
    assert set(bad) == {"error", "code"} and bad["code"] is None
    assert bad["error"].startswith("QasmParseError: ")
    assert ok["body"] == json.dumps(json.loads(ok["body"]), separators=(",", ":"))

    def exhausted(request, backend):
        raise MemoryError

    monkeypatch.setattr(transpile, "transpile_request", exhausted)
    assert transpile_tasks.run_task(backends, {}) == {"error": "memory", "code": None}


# -- the work bound ------------------------------------------------------------------------


def _chain(depth):
    gate = None
    for i in range(depth + 1):
        body = QuantumCircuit(1)
        if gate is None:
            body.x(0)
            body.x(0)
        else:
            body.append(gate, [0])
            body.append(gate, [0])
        gate = Gate(f"g{i}", 1, [])
        gate.definition = body
    circuit = QuantumCircuit(1)
    circuit.append(gate, [0])
    return circuit


def test_size_expands_custom_definitions_and_loops_not_standard_gates():
    assert transpile._size(_chain(0), 100) == 2
    assert transpile._size(_chain(2), 100) == 8
    assert transpile._size(_chain(2), 5) == 5  # saturates at the cap
    looped = QuantumCircuit(3, 1)
    looped.ccx(0, 1, 2)  # a standard gate counts 1, whatever its definition
    with looped.for_loop(range(5)):
        looped.x(0)
        looped.h(1)
    with looped.if_test((0, 1)) as orelse:
        looped.x(0)
    with orelse:
        looped.y(0)
        looped.z(0)
    assert transpile._size(looped, 100) == 1 + 10 + 3


@pytest.mark.parametrize(("iterations", "refused"), [(1_000_000, False), (1_000_001, True)])
def test_bound_circuit_at_the_limit(iterations, refused):
    circuit = QuantumCircuit(1)
    with circuit.for_loop(range(iterations)):
        circuit.x(0)
    if refused:
        with pytest.raises(transpile.TaskInputError, match=r"maximum of 1000000\. \(Circuit 3,"):
            transpile.bound_circuit(circuit, 3)
    else:
        transpile.bound_circuit(circuit, 3)


@pytest.mark.parametrize(("last", "refused"), [(999_999, False), (1_000_000, True)])
def test_bound_work_at_the_limit(last, refused):
    text = f"OPENQASM 3.0;\nqubit[1] q;\nfor int i in [0:{last}] {{ x q[0]; }}\n"
    if refused:
        with pytest.raises(transpile.TaskInputError) as info:
            transpile.bound_work(text, 2)
        assert str(info.value) == (
            "Circuit has more gates than the allowed maximum of 1000000. (Circuit 2, counted "
            "with its gate definitions, loops and register broadcasts unrolled.)"
        )
    else:
        transpile.bound_work(text, 2)


def test_bound_work_refuses_what_it_cannot_count():
    text = "OPENQASM 3.0;\nqubit[1] q;\nint n = 5;\nfor int i in [0:n] { x q[0]; }\n"
    with pytest.raises(transpile.TaskInputError, match=r"^Circuit 0: its size cannot be bounded"):
        transpile.bound_work(text, 0)


def test_the_command_line_sets_the_limits():
    from qiskit_rest_provider.emulator.__main__ import build_parser, main

    args = build_parser().parse_args(["--transpile-timeout", "7.5", "--transpile-workers", "3"])
    assert (args.transpile_timeout, args.transpile_workers) == (7.5, 3)
    defaults = build_parser().parse_args([])
    config = EmulatorConfig()
    assert defaults.transpile_timeout == config.transpile_timeout == 300
    assert defaults.transpile_workers == config.transpile_workers == 2
    for bad in (["--transpile-timeout", "-1"], ["--transpile-workers", "0"]):
        with pytest.raises(SystemExit) as info:
            main(bad)
        assert info.value.code == 2


@pytest.mark.parametrize(
    ("workers", "configured", "expected"), [(None, 3, 3), (None, 0, 1), (4, 1, 4), (0, 2, 1)]
)
def test_pool_size(workers, configured, expected):
    config = EmulatorConfig(transpile_workers=configured)
    state = SimpleNamespace(config=config, store=None, backends={})
    assert transpile_tasks.TranspileService(state, workers)._workers == expected


@pytest.mark.parametrize(("mib", "expected"), [(64, 64 * 2**20), (0, None), (-5, None)])
def test_memory_limit_in_bytes(mib, expected):
    state = SimpleNamespace(config=EmulatorConfig(max_job_memory_mb=mib), store=None, backends={})
    assert transpile_tasks.TranspileService(state)._memory_limit == expected


class RecordingSlot(FakeSlot):
    def __init__(self, answers):
        super().__init__({"body": "[]"})
        self.pid = None
        self.answers = answers
        self.timeouts = []

    def start(self):
        self.calls.append("start")
        self.pid = 4242

    def answer(self, timeout):
        self.timeouts.append(timeout)
        return self.answers.pop(0) if self.answers else None


def test_ready_waits_for_the_warm_up_once_per_process(service):
    slot = RecordingSlot([None, {"body": "ready"}])
    service._slots = [slot]
    assert service.warm() == 0
    assert service._ready(slot) is True
    assert slot.timeouts == [transpile_tasks.WATCH_INTERVAL] * 2
    assert service.warm() == 1
    assert service._ready(slot) is True and slot.calls == ["start"]  # warm: not asked again
    slot.pid = 5151  # a replacement process is not warm until it says so
    assert service.warm() == 0


def test_ready_gives_up_on_a_silent_process_or_when_stopping(service, monkeypatch):
    monkeypatch.setattr(transpile_tasks, "READY_TIMEOUT", 0.2)
    slot = RecordingSlot([])
    assert service._ready(slot) is False and slot.calls == ["start", "kill"]
    assert len(slot.timeouts) >= 2
    service._stopping.set()
    slot = RecordingSlot([{"body": "ready"}])
    assert service._ready(slot) is False and slot.timeouts == []


def test_the_pool_runs_queued_and_resumed_tasks(service, monkeypatch):
    made = []

    def worker(backends, memory_limit, serve):
        assert serve is transpile_tasks.serve and memory_limit == 64 * 2**20
        assert backends is service.state.backends
        made.append(RecordingSlot([{"body": "ready"}]))
        return made[-1]

    monkeypatch.setattr(transpile_tasks, "WorkerProcess", worker)
    resumed = _task(service)
    service.start()
    try:
        fresh = service.submit("inst", {"qasm": [BELL]})
        for task_id in (resumed, fresh):
            deadline = time.monotonic() + 30
            while service.state.store.get_task(task_id)["state"] == "PENDING":
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert _outcome(service, task_id) == ("SUCCESS", [])
        assert service.state.store.get_task(fresh)["instance"] == "inst"
        assert len(made) == 2 and service.pids() == [4242, 4242]
        names = [(t.name, t.daemon) for t in service._threads]
        assert names == [("emulator-transpile-0", True), ("emulator-transpile-1", True)]
    finally:
        service.stop()
    assert [slot.calls[-2:] for slot in made] == [["kill", "collect"]] * 2
    assert not any(thread.is_alive() for thread in service._threads)


def test_a_killed_worker_is_replaced_at_once_and_a_crash_fails_only_its_task(service, monkeypatch):
    outcomes = [JobInterrupted("stopped"), RuntimeError("a bug"), JobInterrupted("memory")]
    slot = RecordingSlot([{"body": "ready"}] * 4)
    slot.run = lambda request, should_stop: _raise(outcomes.pop(0))
    monkeypatch.setattr(transpile_tasks, "WorkerProcess", lambda *a, **k: slot)
    service._workers = 1
    service.start()
    try:
        tasks = [service.submit("i", {"qasm": [BELL]}) for _ in range(3)]
        deadline = time.monotonic() + 30
        # each kill is followed by a fresh process at once, not at the next task's arrival
        while slot.calls.count("start") < 4:
            assert time.monotonic() < deadline, slot.calls
            time.sleep(0.01)
    finally:
        service.stop()
    assert [_outcome(service, t) for t in tasks] == [
        ("FAILURE", TIME),
        ("FAILURE", "Internal error in the emulator's transpiler."),
        ("FAILURE", MEMORY),
    ]
    assert slot.calls[:6] == ["start", "kill", "start", "kill", "start", "kill"]


def test_a_task_waits_out_the_transpile_delay_unless_the_server_stops(service):
    import threading

    service.state.config.transpile_delay = 0.3
    slot = FakeSlot({"body": "[]"})
    ran = []
    slot.run = lambda request, should_stop: ran.append(time.time()) or {"body": "[]"}
    task_id = _task(service)
    service._run(task_id, slot)
    assert ran[0] - service.state.store.get_task(task_id)["created_ts"] >= 0.3
    service.state.config.transpile_delay = 3600
    threading.Timer(0.1, service._stopping.set).start()
    service._run(_task_again(service), slot)  # returns once stopping, without running it
    assert len(ran) == 1 and _outcome(service, task_id)[0] == "PENDING"


def _raise(exc):
    raise exc
