"""A result read of an unfinished job waits for it (``--result-hold``), woken by its outcome."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import requests

from qiskit_rest_provider.emulator.job_watch import JobWatch
from qiskit_rest_provider.emulator.store import Store

from .helpers import Api, assert_ibm_error, sampler_job


class Read(threading.Thread):
    """``GET /jobs/{id}/results`` in a thread; ``response`` once it answered."""

    def __init__(self, api: Api, job_id: str) -> None:
        super().__init__(daemon=True)
        self.api, self.job_id = api, job_id
        self.response: requests.Response | None = None

    def run(self) -> None:
        self.response = self.api.get(f"/jobs/{self.job_id}/results")


def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def _held_read(server, api: Api, job_id: str) -> Read:
    """Starts a read and returns once the server holds it."""
    read = Read(api, job_id)
    read.start()
    _until(lambda: server.state.store.watch.waiting() == 1)
    return read


def _stuck_running(server, api: Api) -> str:
    server.faults.add("job", "stuck", times=1)
    job_id = api.submit(sampler_job(shots=16))
    _until(lambda: api.status(job_id) == "Running")
    return job_id


def test_a_held_read_answers_the_result_once_the_job_completes(make_server):
    server = make_server(result_hold=60)
    api = Api(server.url)
    job_id = _stuck_running(server, api)
    read = _held_read(server, api, job_id)
    assert read.response is None
    assert api.status(job_id) == "Running"  # other requests are served meanwhile
    server.faults.release()
    read.join(30)
    assert read.response is not None and read.response.status_code == 200
    assert read.response.content == api.get(f"/jobs/{job_id}/results").content
    assert read.response.json()["results"][0]["data"]["c"]["num_bits"] == 2
    assert server.state.store.watch.waiting() == 0


def test_a_read_of_a_queued_job_waits_through_running_to_the_result(make_server):
    server = make_server(result_hold=60, queue_delay=0.3)
    api = Api(server.url)
    job_id = api.submit(sampler_job(shots=16))
    response = api.get(f"/jobs/{job_id}/results")  # Queued → Running → Completed
    assert response.status_code == 200
    assert api.status(job_id) == "Completed"


def test_the_hold_ends_with_a_204_when_the_job_is_not_done(make_server):
    server = make_server(result_hold=0.05)
    api = Api(server.url)
    job_id = _stuck_running(server, api)
    response = api.get(f"/jobs/{job_id}/results")
    assert response.status_code == 204 and response.content == b""
    assert api.status(job_id) == "Running"
    assert server.state.store.watch.waiting() == 0  # the registration ended with the wait
    server.faults.release()


def test_a_cancel_wakes_a_held_read_with_a_204(make_server):
    server = make_server(result_hold=60)
    api = Api(server.url)
    job_id = _stuck_running(server, api)
    read = _held_read(server, api, job_id)
    assert api.post(f"/jobs/{job_id}/cancel").status_code == 204
    read.join(30)  # woken by the cancel, not by the 60 s hold
    assert not read.is_alive()
    assert read.response is not None and read.response.status_code == 204
    assert api.status(job_id) == "Cancelled"


def test_without_a_hold_the_204_comes_at_once(make_server):
    server = make_server(result_hold=0)
    api = Api(server.url)
    job_id = _stuck_running(server, api)
    assert api.get(f"/jobs/{job_id}/results").status_code == 204
    server.faults.release()


def test_unknown_and_foreign_jobs_are_404_without_waiting(make_server):
    server = make_server(result_hold=60)
    api, other = Api(server.url), Api(server.url)
    job_id = _stuck_running(server, api)
    assert_ibm_error(other.get(f"/jobs/{job_id}/results"), 404)
    assert_ibm_error(api.get("/jobs/no-such-job/results"), 404)
    assert server.state.store.watch.waiting() == 0
    server.faults.release()


# -- JobWatch and the store's writes ----------------------------------------------------------


async def _wait(future: asyncio.Future[None], timeout: float = 10.0) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(future), timeout)
    except TimeoutError:
        return False
    return True


def test_a_change_from_another_thread_wakes_every_waiter_of_that_job_only():
    watch = JobWatch()

    async def main() -> None:
        with watch.watch("a") as a1, watch.watch("a") as a2, watch.watch("b") as b:
            assert watch.waiting() == 3
            threading.Thread(target=watch.changed, args=("a",)).start()
            assert await _wait(a1) and await _wait(a2)
            assert not await _wait(b, 0.05)
            watch.changed("c")  # nobody waits on it: nothing happens
            assert not b.done()
            assert watch.waiting() == 1  # a's futures were handed out; b still waits
        assert watch.waiting() == 0

    asyncio.run(main())


def test_a_registration_ends_with_its_block_even_on_error():
    watch = JobWatch()

    async def main() -> None:
        with pytest.raises(RuntimeError), watch.watch("a"):
            raise RuntimeError("boom")
        assert watch.waiting() == 0
        watch.changed("a")  # no stale future left to wake

    asyncio.run(main())


def _job(job_id: str, status: str = "Queued") -> dict:
    return {
        "id": job_id,
        "instance": "crn:i",
        "user_id": "u",
        "program": "sampler",
        "backend": "sim",
        "status": status,
        "created_ts": 0.0,
    }


@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.update_job("j", status="Running"),
        lambda s: s.start_job("j", 1.0, "line"),
        lambda s: s.finish_job("j", "Completed", None, None, 2.0, "line", "{}"),
        lambda s: s.delete_job("j"),
        lambda s: s.take_result("j"),
    ],
    ids=["update", "start", "finish", "delete", "take_result"],
)
def test_every_write_of_a_job_wakes_its_waiters(write):
    store = Store()
    store.insert_job(_job("j", "Running"))
    store.insert_job(_job("k", "Running"))

    async def main() -> None:
        with store.watch.watch("j") as mine, store.watch.watch("k") as other:
            write(store)
            assert await _wait(mine)
            assert not other.done()

    try:
        asyncio.run(main())
    finally:
        store.close()


def test_a_change_after_the_waiters_loop_closed_is_harmless():
    watch = JobWatch()
    loop = asyncio.new_event_loop()

    async def register() -> None:
        watch.watch("a").__enter__()  # left registered, as a request cut off by a shutdown

    loop.run_until_complete(register())
    loop.close()
    watch.changed("a")  # no RuntimeError from the closed loop
    assert watch.waiting() == 0
