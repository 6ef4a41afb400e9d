"""Progress while waiting: the bar's exact output, the opt-in, and the INFO log of changes."""

from __future__ import annotations

import io
import logging
import sys
import types

from qiskit import QuantumCircuit

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.codec.status import JobState
from qiskit_rest_provider.service import progress
from qiskit_rest_provider.service.progress import (
    NotebookSink,
    ProgressBar,
    TextSink,
    Watcher,
    queue_position,
    wanted,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_argument_then_environment():
    assert wanted(True, {}) is True
    assert wanted(False, {"QISKIT_REST_PROGRESS": "1"}) is False
    assert wanted(None, {}) is False
    for value in ("1", "true", " YES ", "on"):
        assert wanted(None, {"QISKIT_REST_PROGRESS": value}) is True
    for value in ("0", "false", "", "no"):
        assert wanted(None, {"QISKIT_REST_PROGRESS": value}) is False


def test_queue_position_from_the_fields_services_use():
    assert queue_position({"position_in_queue": 4}) == 4
    assert queue_position({"queue_position": "2"}) == 2
    assert queue_position({"queue_info": {"position": 0}}) == 0
    assert queue_position({"queue_info": "x", "position_in_queue": None}) is None
    assert queue_position({"position_in_queue": -1}) is None
    assert queue_position({}) is None


def test_plain_stream_gets_one_line_per_change():
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("j1", TextSink(out), clock)
    bar.update(JobState.QUEUED, 3)
    clock.now += 1.25
    bar.update(JobState.QUEUED, 3)  # no change: nothing written
    bar.update(JobState.QUEUED, 2)
    clock.now += 1
    bar.update(JobState.RUNNING)
    clock.now += 0.5
    bar.update(JobState.DONE)
    bar.update(JobState.DONE)  # closed
    bar.close()
    assert out.getvalue() == (
        "job j1 |########................| QUEUED (position 3 in queue)  0.0 s\n"
        "job j1 |########................| QUEUED (position 2 in queue)  1.2 s\n"
        "job j1 |################........| RUNNING  2.2 s\n"
        "job j1 |########################| DONE  2.8 s\n"
    )


def test_terminal_line_is_redrawn_in_place_and_ended():
    out, clock = Tty(), Clock()
    bar = ProgressBar("j2", TextSink(out), clock)
    bar.update(JobState.INITIALIZING)
    clock.now += 2
    bar.update(JobState.INITIALIZING)
    bar.update(JobState.ERROR)
    assert out.getvalue() == (
        "\r\x1b[2Kjob j2 |........................| INITIALIZING  0.0 s"
        "\r\x1b[2Kjob j2 |........................| INITIALIZING  2.0 s"
        "\r\x1b[2Kjob j2 |########################| ERROR  2.0 s\n"
    )


def test_an_interrupted_wait_ends_the_terminal_line():
    out = Tty()
    bar = ProgressBar("j3", TextSink(out), Clock())
    bar.update(JobState.RUNNING)
    bar.close()
    bar.close()
    assert out.getvalue().endswith("| RUNNING  0.0 s\n")
    plain = io.StringIO()
    ProgressBar("j4", TextSink(plain), Clock()).close()
    assert plain.getvalue() == ""


def test_notebook_bar_is_displayed_once_then_updated():
    shown = []

    class Handle:
        def update(self, body):
            shown.append(("update", body))

    def display(body, display_id):
        shown.append(("display", body, display_id))
        return Handle()

    bar = ProgressBar("<j5>", NotebookSink(display, lambda text: text), Clock())
    bar.update(JobState.QUEUED, 1)
    bar.update(JobState.DONE)
    assert shown == [
        (
            "display",
            '<code>job &lt;j5&gt;</code> <progress value="8" max="24"></progress> '
            "QUEUED (position 1 in queue)  0.0 s",
            True,
        ),
        (
            "update",
            '<code>job &lt;j5&gt;</code> <progress value="24" max="24"></progress> DONE  0.0 s',
        ),
    ]


def test_default_sink_is_the_notebook_inside_a_kernel(monkeypatch):
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    display = types.ModuleType("IPython.display")
    display.display = object()
    display.HTML = str
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    assert isinstance(progress.default_sink(), NotebookSink)
    shell.config = {}  # a terminal IPython: text
    assert isinstance(progress.default_sink(), TextSink)


def test_watcher_logs_changes_and_calls_the_callback(caplog):
    seen = []
    data = {"position_in_queue": 5}
    watcher = Watcher("j6", lambda: data, lambda job_id, state: seen.append((job_id, state)))
    with caplog.at_level(logging.INFO, logger="qiskit_rest_provider.service.job"):
        watcher("j6", JobState.QUEUED)
        watcher("j6", JobState.QUEUED)
        data.clear()
        watcher("j6", JobState.RUNNING)
    assert [r.getMessage() for r in caplog.records] == [
        "job j6: QUEUED (position 5 in queue)",
        "job j6: RUNNING",
    ]
    assert seen == [("j6", JobState.QUEUED)] * 2 + [("j6", JobState.RUNNING)]


def _bell():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_result_prints_nothing_by_default_and_logs_the_changes(rest_backend, capsys, caplog):
    job = SamplerV2(mode=rest_backend).run([_bell()], shots=16)
    with caplog.at_level(logging.INFO, logger="qiskit_rest_provider.service.job"):
        job.result()
    assert capsys.readouterr() == ("", "")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[-1] == f"job {job.job_id()}: DONE"


def test_result_with_progress_draws_the_bar(rest_backend, capsys):
    job = SamplerV2(mode=rest_backend).run([_bell()], shots=16)
    job.result(progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith(f"job {job.job_id()} |########################| DONE  ")
    assert lines[-1].endswith(" s")


def test_the_environment_variable_turns_it_on_and_false_off(rest_backend, capsys, monkeypatch):
    monkeypatch.setenv("QISKIT_REST_PROGRESS", "1")
    sampler = SamplerV2(mode=rest_backend)
    job = sampler.run([_bell()], shots=16)
    assert job.wait_for_final_state() is JobState.DONE
    assert f"job {job.job_id()} |" in capsys.readouterr().err
    quiet = sampler.run([_bell()], shots=16)
    quiet.wait_for_final_state(progress=False)
    assert capsys.readouterr().err == ""
