"""Progress while a job is waited for: a live bar in terminals and notebooks, INFO logs always.

Opt-in: ``job.result(progress=True)`` / ``wait_for_final_state(progress=True)``, or the
environment variable ``QISKIT_REST_PROGRESS=1`` for every wait of the process
(``progress=False`` turns it off for one call). Nothing is printed otherwise. Status changes
are logged at INFO in any case (``QISKIT_REST_LOG_LEVEL=INFO`` shows them).

The bar shows the job's stage (initializing, queued, running, final), its queue position when
the service gives one (``position_in_queue``, Classic's metrics field, or ``queue_info``) and the
time waited. It is redrawn after every poll, so it ticks as often as the job is polled.
"""

from __future__ import annotations

import functools
import html
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

from ..codec.status import FINAL_STATES, JobState

if TYPE_CHECKING:
    from .job import RuntimeJob

__all__ = ["ENV_VAR", "wanted", "queue_position", "ProgressBar", "Watcher", "with_progress"]

logger = logging.getLogger("qiskit_rest_provider.service.job")

ENV_VAR = "QISKIT_REST_PROGRESS"
_STAGES = {
    JobState.INITIALIZING: 0,
    JobState.VALIDATING: 0,
    JobState.QUEUED: 1,
    JobState.RUNNING: 2,
    JobState.UNKNOWN: 2,
}
_LAST_STAGE = 3
_WIDTH = 24

Callback = Callable[[str, JobState], None]
F = TypeVar("F", bound=Callable[..., JobState])


def wanted(progress: bool | None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to show progress: the argument if given, else ``QISKIT_REST_PROGRESS``."""
    if progress is not None:
        return bool(progress)
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def queue_position(job_data: Mapping[str, Any]) -> int | None:
    """The job's place in the queue, if the service reported one."""
    info = job_data.get("queue_info")
    for value in (
        job_data.get("position_in_queue"),
        job_data.get("queue_position"),
        info.get("position") if isinstance(info, Mapping) else None,
    ):
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
    return None


def describe(state: JobState, position: int | None, elapsed: float) -> tuple[str, int]:
    """The text after the bar, and how many of the bar's cells are filled."""
    stage = _LAST_STAGE if state in FINAL_STATES else _STAGES.get(state, 0)
    text = state.value
    if position is not None and state is JobState.QUEUED:
        text += f" (position {position} in queue)"
    return f"{text}  {elapsed:.1f} s", _WIDTH * stage // _LAST_STAGE


class Sink(Protocol):
    """Where a bar is drawn."""

    def draw(self, job_id: str, filled: int, text: str, final: bool, changed: bool) -> None:
        """Draws the bar's current state."""


class TextSink:
    """A terminal line redrawn in place after each poll; elsewhere, one line per change."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._live = bool(getattr(stream, "isatty", lambda: False)())

    def draw(self, job_id: str, filled: int, text: str, final: bool, changed: bool) -> None:
        """Writes the line (live terminals every poll, other streams on changes only)."""
        if not (self._live or changed):
            return
        line = f"job {job_id} |{'#' * filled}{'.' * (_WIDTH - filled)}| {text}"
        if self._live:
            self._stream.write("\r\x1b[2K" + line + ("\n" if final else ""))
        else:
            self._stream.write(line + "\n")
        self._stream.flush()


class NotebookSink:
    """An HTML ``<progress>`` element updated in place in a Jupyter output cell."""

    def __init__(self, display: Callable[..., Any], html_type: Callable[[str], Any]) -> None:
        self._display = display
        self._html = html_type
        self._handle: Any = None

    def draw(self, job_id: str, filled: int, text: str, final: bool, changed: bool) -> None:
        """Shows the bar (first call) or updates it."""
        body = self._html(
            f"<code>job {html.escape(job_id)}</code> "
            f'<progress value="{filled}" max="{_WIDTH}"></progress> {html.escape(text)}'
        )
        if self._handle is None:
            self._handle = self._display(body, display_id=True)
        else:
            self._handle.update(body)


def default_sink(stream: IO[str] | None = None) -> Sink:
    """A notebook sink inside a Jupyter kernel, else a text sink on ``stream`` (stderr)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if stream is None and shell is not None and "IPKernelApp" in getattr(shell, "config", {}):
        display = importlib.import_module("IPython.display")
        return NotebookSink(display.display, display.HTML)
    return TextSink(stream if stream is not None else sys.stderr)


class ProgressBar:
    """Draws one job's wait on a sink.

    Args:
        job_id: The job.
        sink: Where to draw (default: :func:`default_sink`).
        clock: Monotonic clock, seconds.
    """

    def __init__(
        self, job_id: str, sink: Sink | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._job_id = job_id
        self._sink = sink if sink is not None else default_sink()
        self._clock = clock
        self._start = clock()
        self._last: tuple[JobState, int | None] | None = None
        self.closed = False

    def update(self, state: JobState, position: int | None = None) -> None:
        """Redraws with the state and queue position seen by the latest poll."""
        if self.closed:
            return
        changed = (state, position) != self._last
        self._last = (state, position)
        text, filled = describe(state, position, self._clock() - self._start)
        final = state in FINAL_STATES
        self._sink.draw(self._job_id, filled, text, final, changed)
        self.closed = final

    def close(self) -> None:
        """Ends the line if the wait stopped before a final state (timeout, Ctrl-C)."""
        if not self.closed and isinstance(self._sink, TextSink) and self._sink._live:
            self._sink._stream.write("\n")
        self.closed = True


class Watcher:
    """The callback a wait polls through: logs changes, draws the bar, calls the user's callback.

    Args:
        job_id: The job.
        job_data: Returns the job's latest status JSON (for the queue position).
        callback: The caller's own ``callback(job_id, state)``, if any.
        bar: A progress bar, or ``None`` for none.
    """

    def __init__(
        self,
        job_id: str,
        job_data: Callable[[], Mapping[str, Any]],
        callback: Callback | None = None,
        bar: ProgressBar | None = None,
    ) -> None:
        self._job_id = job_id
        self._job_data = job_data
        self._callback = callback
        self.bar = bar
        self._state: JobState | None = None

    def __call__(self, job_id: str, state: JobState) -> None:
        """Called after every poll with the state it saw."""
        position = queue_position(self._job_data())
        if state is not self._state:
            where = f" (position {position} in queue)" if position is not None else ""
            logger.info("job %s: %s%s", job_id, state.value, where)
            self._state = state
        if self.bar is not None:
            self.bar.update(state, position)
        if self._callback is not None:
            self._callback(job_id, state)

    def close(self) -> None:
        """Ends the bar's line, if one is drawn."""
        if self.bar is not None:
            self.bar.close()


def with_progress(wait: F) -> F:
    """Decorates ``RuntimeJob.wait_for_final_state`` to add the ``progress`` argument."""

    @functools.wraps(wait)
    def wrapper(
        job: RuntimeJob,
        timeout: float | None = None,
        callback: Callback | None = None,
        *,
        progress: bool | None = None,
    ) -> JobState:
        job_id = job.job_id()
        bar = ProgressBar(job_id) if wanted(progress) else None
        watcher = Watcher(job_id, lambda: job._job_data, callback, bar)  # noqa: SLF001
        try:
            return wait(job, timeout, watcher)
        finally:
            watcher.close()

    return wrapper  # type: ignore[return-value]
