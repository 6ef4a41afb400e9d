"""The dashboard in a real browser (Debian's headless Chromium driven by Playwright).

An emulator runs sampler, estimator and session jobs; the browser signs in with an API key as
a client does and the tests assert on what is rendered. Screenshots go to ``docs/img`` when
``QRP_DASHBOARD_SCREENSHOTS`` is set (that is how docs/dashboard.md's pictures are made) and to
a temporary directory otherwise.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import requests
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2, Session
from qiskit_rest_provider.emulator import start_emulator

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium package (.ci/run installs it)"
)
CRN = "crn:v1:dashboard:a/team-a::"
OTHER_CRN = "crn:v1:dashboard:a/team-b::"


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(seed=7, noiseless=True) as server:
        service = RuntimeService(token="key-a", url=server.url, instance=CRN)
        backend = service.backend("ibmq_qasm_simulator")
        bell = QuantumCircuit(2)
        bell.h(0)
        bell.cx(0, 1)
        measured = bell.measure_all(inplace=False)
        sampler_job = SamplerV2(mode=backend).run([measured], shots=200)
        sampler_job.result()
        observables = [SparsePauliOp("ZZ"), SparsePauliOp("XI")]
        estimator_job = EstimatorV2(mode=backend).run([(bell, observables)], precision=0)
        estimator_job.result()
        with Session(backend) as session:
            session_job = SamplerV2(mode=session).run([measured], shots=10)
            session_job.result()
        other = RuntimeService(token="key-b", url=server.url, instance=OTHER_CRN)
        other_job = SamplerV2(mode=other.backend("ibmq_qasm_simulator")).run([measured])
        other_job.result()
        yield {
            "server": server,
            "backend": backend,
            "measured": measured,
            "sampler": sampler_job,
            "estimator": estimator_job,
            "session": session,
            "other": other_job,
        }


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, emulator):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(emulator["server"].url + "/dashboard")
    page.fill("input[name=apikey]", "key-a")
    page.fill("input[name=crn]", CRN)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#jobs-table")
    yield page
    context.close()
    assert errors == []


def _shot(page, name: str, tmp_path: Path) -> None:
    folder = os.environ.get("QRP_DASHBOARD_SCREENSHOTS")
    target = Path(folder) if folder else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=False)
    assert (target / f"{name}.png").stat().st_size > 1000


def test_jobs_table_shows_only_this_instance(page, emulator, tmp_path):
    rows = page.locator("#jobs-table tbody tr")
    ids = {rows.nth(i).get_attribute("data-job") for i in range(rows.count())}
    assert {emulator["sampler"].job_id(), emulator["estimator"].job_id()} <= ids
    assert emulator["other"].job_id() not in ids
    assert page.inner_text("#page-info") == f"1–{len(ids)} of {len(ids)}"
    # The client's internal submit marker is not shown as a tag.
    assert "qrp-submit-" not in page.inner_text("#jobs-table")
    _shot(page, "dashboard-jobs", tmp_path)


def test_filters_narrow_the_table(page, emulator):
    page.select_option("select[name=backend]", "ibmq_qasm_simulator")
    page.fill("input[name=program]", "estimator")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**program=estimator**")
    page.wait_for_selector(f"tr[data-job='{emulator['estimator'].job_id()}']")
    rows = page.locator("#jobs-table tbody tr")
    assert rows.count() == 1


def test_sampler_job_histogram_has_the_measured_bitstrings(page, emulator, tmp_path):
    job = emulator["sampler"]
    counts = job.result()[0].data.meas.get_counts()
    page.goto(emulator["server"].url + f"/dashboard#/jobs/{job.job_id()}")
    page.wait_for_selector(".register[data-register=meas] svg")
    bins = page.locator(".register[data-register=meas] g.bin")
    shown = {
        bins.nth(i).get_attribute("data-bitstring"): int(bins.nth(i).get_attribute("data-count"))
        for i in range(bins.count())
    }
    assert shown == counts
    assert set(shown) == {"00", "11"}
    assert "h q[0]" in page.inner_text(".pub pre") or "H" in page.inner_text(".pub pre")
    _shot(page, "dashboard-sampler-job", tmp_path)


def test_estimator_job_shows_values_with_error_bars(page, emulator, tmp_path):
    job = emulator["estimator"]
    page.goto(emulator["server"].url + f"/dashboard#/jobs/{job.job_id()}")
    page.wait_for_selector("svg.evs g.value")
    points = page.locator("svg.evs g.value")
    values = [float(points.nth(i).get_attribute("data-ev")) for i in range(points.count())]
    np.testing.assert_allclose(values, job.result()[0].data.evs, atol=1e-12)
    np.testing.assert_allclose(values, [1.0, 0.0], atol=1e-12)
    _shot(page, "dashboard-estimator-job", tmp_path)


def test_cancel_button_cancels_a_running_job(page, emulator):
    server = emulator["server"]
    fault = server.faults.add("job", "stuck", times=1)
    try:
        job = SamplerV2(mode=emulator["backend"]).run([emulator["measured"]], shots=5)
        page.goto(server.url + f"/dashboard#/jobs/{job.job_id()}")
        page.click("#cancel")
        page.wait_for_selector(".status-Cancelled", timeout=10_000)
        assert job.status() == "CANCELLED"
    finally:
        server.faults.remove(fault)
        server.faults.release()


def test_session_page_lists_its_jobs_and_state(page, emulator, tmp_path):
    session = emulator["session"]
    page.goto(emulator["server"].url + "/dashboard#/sessions")
    page.wait_for_selector("#sessions-table")
    assert session.session_id in page.inner_text("#sessions-table")
    page.goto(emulator["server"].url + f"/dashboard#/sessions/{session.session_id}")
    page.wait_for_selector("#jobs-table")
    assert "closed" in page.inner_text("h1")
    _shot(page, "dashboard-session", tmp_path)


def test_backend_page_draws_the_coupling_map(page, emulator, tmp_path):
    page.goto(emulator["server"].url + "/dashboard#/backends/ibm_brisbane")
    page.wait_for_selector("svg.coupling-map")
    assert page.locator("svg.coupling-map g.qubit").count() == 127
    assert page.locator("svg.coupling-map line.edge").count() == 144
    _shot(page, "dashboard-backend", tmp_path)


def test_views_need_the_api_credentials(emulator):
    url = emulator["server"].url
    job_id = emulator["sampler"].job_id()
    assert requests.get(f"{url}/dashboard/api/jobs/{job_id}", timeout=10).status_code == 401
    page = requests.get(f"{url}/dashboard", timeout=10)
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert requests.get(f"{url}/dashboard/static/../app.py", timeout=10).status_code == 404
    assert requests.get(f"{url}/dashboard/static/nothing.js", timeout=10).status_code == 404


def test_a_thousand_jobs_open_one_page_at_a_time(browser):
    with start_emulator(noiseless=True) as server:
        service = RuntimeService(token="key-a", url=server.url, instance=CRN)
        bell = QuantumCircuit(1, 1)
        bell.measure(0, 0)
        job = SamplerV2(mode=service.backend("ibmq_qasm_simulator")).run([bell], shots=1)
        job.result()
        store = server.state.store
        row = store.get_job(job.job_id())
        for i in range(1000):
            copy = {k: v for k, v in row.items() if k != "seq"}
            copy["id"] = f"bulk{i:04d}"
            store.insert_job(copy)
        context = browser.new_context()
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(server.url + "/dashboard")
        page.fill("input[name=apikey]", "key-a")
        page.fill("input[name=crn]", CRN)
        page.click("#login button[type=submit]")
        page.wait_for_selector("#jobs-table")
        assert page.locator("#jobs-table tbody tr").count() == 25
        assert page.inner_text("#page-info") == "1–25 of 1001"
        assert page.locator("#jobs-table tbody tr").first.get_attribute("data-job") == "bulk0999"
        page.click("text=Older ›")
        sync_api.expect(page.locator("#page-info")).to_have_text("26–50 of 1001")
        listing = [u for u in fetched if "/api/v1/jobs?" in u]
        assert listing and all("limit=25" in u for u in listing)
        context.close()
