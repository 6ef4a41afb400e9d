"""Requests built without ``Session.prepare_request`` are the ones ``requests`` would build.

Each property compares :class:`RequestFactory` against ``Session.prepare_request`` itself, so a
changed rule (a header merged in the wrong order, a ``Content-Length`` missing, a path that
``requests`` would normalise appended raw) shows up as a difference.
"""

from __future__ import annotations

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from qiskit_rest_provider.http import Transport
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.http.prepared import RequestFactory, is_plain

BASE = "https://quantum.example/api/v1"
HEADERS = {"User-Agent": "ua/1", "Accept": "application/json", "Authorization": "Bearer t"}

_paths = st.lists(
    st.one_of(
        st.text("abcXYZ019_~-", min_size=1, max_size=8),  # the plain segments
        st.sampled_from([".", "..", "a.b", "%41", "%2F", "a b", "é", "", "?x", "#f", ";p"]),
    ),
    min_size=1,
    max_size=4,
).map("/".join)
_params = st.dictionaries(
    st.text("abc_", min_size=1, max_size=4),
    st.one_of(
        st.text(max_size=6),
        st.integers(-5, 5),
        st.booleans(),
        st.lists(st.text("xyz ", max_size=3), max_size=2),
    ),
    max_size=3,
)


def _reference(session, method, url, params, data, headers):
    return session.prepare_request(
        requests.Request(method, url, params=params, data=data, headers=headers)
    )


def _same(ours: requests.PreparedRequest, ref: requests.PreparedRequest) -> None:
    assert ours.method == ref.method
    assert ours.url == ref.url
    assert list(ours.headers.items()) == list(ref.headers.items())
    assert ours.body == ref.body
    assert ours.hooks == ref.hooks


@settings(max_examples=150, deadline=None)
@given(
    path=_paths,
    params=_params,
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "HEAD", "get"]),
    data=st.sampled_from([None, b"", b'{"a":1}']),
)
def test_factory_builds_what_prepare_request_builds(path, params, method, data):
    session = requests.Session()
    session.trust_env = False  # the reference must not read a ~/.netrc either
    factory = RequestFactory(BASE)
    url = f"{BASE}/{path}"
    ours = factory.prepare(session, method, factory.url(url, params), data, HEADERS)
    _same(ours, _reference(session, method, url, params, data, HEADERS))


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:8080/api/v1",
        "https://HOST.example",
        "https://host.example/a/../api/v1",
        "https://host.example/api%41v1",
        "https://host.example/x?y=1",
        "https://host.example/x#frag",
        "https://bücher.example/api",
    ],
)
def test_any_api_root(base):
    session = requests.Session()
    session.trust_env = False
    factory = RequestFactory(base)
    for path, params in [
        ("jobs/abc-1_~", {"exclude_params": "true"}),
        ("jobs", {}),
        ("a/../b", {}),
    ]:
        url = f"{base}/{path}"
        ours = factory.prepare(session, "GET", factory.url(url, params), None, HEADERS)
        _same(ours, _reference(session, "GET", url, params, None, HEADERS))


def test_session_headers_come_first_and_a_none_value_drops_one():
    session = requests.Session()
    session.trust_env = False
    session.headers["X-Team"] = "q"
    headers = {**HEADERS, "Connection": None, "accept": "text/plain"}
    factory = RequestFactory(BASE)
    ours = factory.prepare(session, "POST", BASE + "/jobs", b"{}", headers)  # type: ignore[arg-type]
    _same(ours, _reference(session, "POST", BASE + "/jobs", {}, b"{}", headers))
    assert "Connection" not in ours.headers
    assert ours.headers["Accept"] == "text/plain"
    assert ours.headers["Content-Length"] == "2"
    # Changed session headers are seen by the next request (the cache is keyed on them).
    session.headers["X-Team"] = "r"
    again = factory.prepare(session, "POST", BASE + "/jobs", b"{}", headers)  # type: ignore[arg-type]
    assert again.headers["X-Team"] == "r"


def test_content_length_only_where_requests_sets_it():
    session = requests.Session()
    factory = RequestFactory(BASE)
    assert factory.prepare(session, "POST", BASE + "/x", None, {}).headers["Content-Length"] == "0"
    assert "Content-Length" not in factory.prepare(session, "GET", BASE + "/x", None, {}).headers
    assert "Content-Length" not in factory.prepare(session, "HEAD", BASE + "/x", None, {}).headers
    assert factory.prepare(session, "PUT", BASE + "/x", b"abc", {}).headers["Content-Length"] == "3"


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "a\n", " leading"])
def test_header_injection_is_refused_as_by_requests(value):
    session = requests.Session()
    factory = RequestFactory(BASE)
    with pytest.raises(requests.exceptions.InvalidHeader):
        _reference(session, "GET", BASE + "/x", {}, None, {"Service-CRN": value})
    with pytest.raises(requests.exceptions.InvalidHeader):
        factory.prepare(session, "GET", BASE + "/x", None, {"Service-CRN": value})


def test_header_cache_is_bounded():
    session = requests.Session()
    factory = RequestFactory(BASE)
    sizes = []
    for i in range(40):
        prepared = factory.prepare(session, "GET", BASE + "/x", None, {"Authorization": f"B {i}"})
        assert prepared.headers["Authorization"] == f"B {i}"
        sizes.append(len(factory._headers))
    assert max(sizes) == 32 and sizes[32] == 1  # the 33rd set starts afresh


def test_the_fast_path_does_the_work_once(monkeypatch):
    """A plain path is appended to the root prepared once; a header set is validated once."""
    import qiskit_rest_provider.http.prepared as prepared_module

    session = requests.Session()
    factory = RequestFactory(BASE)
    checked = []
    monkeypatch.setattr(prepared_module, "check_header_validity", checked.append)

    def refuse(*args, **kwargs):
        raise AssertionError("requests' URL preparation ran")

    monkeypatch.setattr(requests.PreparedRequest, "prepare_url", refuse)
    for _ in range(3):
        url = factory.url(BASE + "/jobs/d1es-q_~", {"exclude_params": "true"})
        factory.prepare(session, "GET", url, None, HEADERS)
    assert url == BASE + "/jobs/d1es-q_~?exclude_params=true"
    assert len(checked) == 5  # the session's four, one of ours new (Authorization), once
    with pytest.raises(AssertionError, match="URL preparation"):
        factory.url(BASE + "/jobs/a.b", {})  # anything else goes the full way


def test_what_makes_a_session_plain():
    session = requests.Session()
    assert is_plain(session)
    for change in (
        lambda s: setattr(s, "auth", ("u", "p")),
        lambda s: s.params.update({"a": "1"}),
        lambda s: s.hooks["response"].append(lambda r, **kw: r),
        lambda s: s.cookies.set("c", "1"),
    ):
        other = requests.Session()
        change(other)
        assert not is_plain(other)


# ------------------------------------------------------------------ through the transport


def _transport(session=None):
    return Transport(BASE, StaticBearer("tok"), instance="crn:x", session=session)


@responses.activate
def test_a_session_with_settings_takes_the_full_path():
    responses.get(BASE + "/jobs/a", json={})
    session = requests.Session()
    session.auth = ("user", "pw")  # a session-level auth replaces the bearer, as in requests
    seen = []
    session.hooks["response"].append(lambda r, **kw: seen.append(r.status_code))
    session.params["team"] = "q"
    _transport(session).request("GET", "jobs/a")
    sent = responses.calls[0].request
    assert sent.headers["Authorization"].startswith("Basic ")
    assert sent.url == BASE + "/jobs/a?team=q"
    assert seen == [200]


@responses.activate
def test_cookies_the_server_sets_are_kept_and_sent_back():
    responses.get(BASE + "/a", json={}, headers={"Set-Cookie": "affinity=n1; Path=/"})
    responses.get(BASE + "/b", json={})
    transport = _transport()
    transport.request("GET", "a")
    assert transport.session.cookies.get("affinity") == "n1"
    transport.request("GET", "b")
    first, second = responses.calls
    assert "Cookie" not in first.request.headers
    assert second.request.headers["Cookie"] == "affinity=n1"


@responses.activate
def test_the_plain_path_sends_the_exact_request():
    responses.post(BASE + "/jobs", json={"id": "j"})
    responses.get(BASE + "/jobs/j", json={})
    transport = _transport()
    transport.request("POST", "jobs", json_body={"a": [1, 2]})
    transport.request("GET", "/jobs/j", params={"exclude_params": "true", "skip": None})
    post, get = (call.request for call in responses.calls)
    assert post.body == b'{"a":[1,2]}'
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Content-Length"] == "11"
    assert post.headers["Authorization"] == "Bearer tok"
    assert post.headers["Service-CRN"] == "crn:x"
    assert get.url == BASE + "/jobs/j?exclude_params=true"
    assert get.body is None
    assert get.headers["Connection"] == "keep-alive"
    assert responses.calls[1].response.elapsed.total_seconds() >= 0


@responses.activate
def test_a_netrc_password_never_replaces_the_token(tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine quantum.example login me password NETRC-SECRET\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    responses.get(BASE + "/x", json={})
    _transport().request("GET", "x")
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok"


@responses.activate
def test_the_environment_is_read_once_per_host(monkeypatch):
    responses.get(BASE + "/x", json={})
    transport = _transport()
    calls = []
    real = transport.session.merge_environment_settings

    def spy(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(transport.session, "merge_environment_settings", spy)
    for _ in range(3):
        transport.request("GET", "x")
    assert calls == [BASE + "/x"]
    transport.session.verify = False  # a changed session setting is merged again
    transport.request("GET", "x")
    assert len(calls) == 2
