"""Credentials: IAM token exchange, bearer + Service-CRN, API versions, expiry, accounts."""

from __future__ import annotations

import base64
import json
import time

import requests

from .helpers import APIKEY_GRANT, Api, assert_ibm_error, iam_token, new_crn


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_token_exchange_returns_jwt_with_iat_exp(emulator):
    r = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": "k", "response_type": "cloud_iam"},
        timeout=10,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body) >= {"access_token", "refresh_token", "expiration"}
    claims = _claims(body["access_token"])
    assert claims["exp"] - claims["iat"] == 3600
    assert body["expiration"] == claims["exp"]
    assert "k" not in json.dumps(claims).split('"')  # the key itself is not in the token


def test_refresh_token_grant(emulator):
    r = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": "k"},
        timeout=10,
    )
    refresh = r.json()["refresh_token"]
    r2 = requests.post(
        emulator.url + "/identity/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        timeout=10,
    )
    assert r2.status_code == 200
    assert r2.json()["access_token"] != r.json()["access_token"]


def test_bad_grants_are_ibm_shaped_4xx(emulator):
    url = emulator.url + "/identity/token"
    assert_ibm_error(requests.post(url, data={"grant_type": APIKEY_GRANT, "apikey": ""}), 400)
    assert_ibm_error(requests.post(url, data={"grant_type": "password"}), 400)
    assert_ibm_error(requests.post(url, data=b"\xff\xfe garbage"), 400)


def test_missing_or_bad_credentials_give_the_real_401(emulator):
    url = emulator.url + "/api/v1/backends"
    token = iam_token(emulator.url)
    cases = [
        {},
        {"Service-CRN": new_crn()},
        {"Authorization": f"Bearer {token}"},  # no Service-CRN
        {"Authorization": "Bearer not-a-token", "Service-CRN": new_crn()},
        {"Authorization": f"Bearer {token[:-3]}abc", "Service-CRN": new_crn()},
        {"Authorization": f"Basic {token}", "Service-CRN": new_crn()},
    ]
    for headers in cases:
        r = requests.get(url, headers=headers, timeout=10)
        error = assert_ibm_error(r, 401, 1201)
        assert error == {
            "code": 1201,
            "message": "Invalid credentials.",
            "solution": "Verify your credentials and try again.",
            "more_info": "https://cloud.ibm.com/apidocs/quantum-computing#error-handling",
        }


def test_api_version_is_validated_and_published(emulator, api):
    versions = requests.get(emulator.url + "/api/v1/versions", timeout=10).json()["versions"]
    names = {v["version"] for v in versions}
    assert "2026-04-15" in names and all(v["status"] in ("live", "deprecated") for v in versions)
    assert api.get("/backends", headers={"IBM-API-Version": "2025-05-01"}).status_code == 200
    assert_ibm_error(api.get("/backends", headers={"IBM-API-Version": "1999-01-01"}), 400, 1210)


def test_leaked_headers_are_tolerated(api):
    # qiskit-ibm-runtime leaks Accept / Content-Type between requests; never reject them.
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Qx-Client-Application": "qiskit-version-2/qiskit_ibm_runtime-0.51.0",
    }
    assert api.get("/backends", headers=headers).status_code == 200


def test_tokens_expire(make_server):
    server = make_server(token_ttl=1)
    api = Api(server.url)
    assert api.get("/backends").status_code == 200
    time.sleep(1.2)
    assert_ibm_error(api.get("/backends"), 401, 1201)
    api.http.headers["Authorization"] = f"Bearer {iam_token(server.url)}"
    assert api.get("/backends").status_code == 200


def test_logout_revokes_a_bearer_token(api):
    assert api.post("/logout").status_code == 204
    assert_ibm_error(api.get("/backends"), 401, 1201)


def test_accounts_file_restricts_keys_and_instances(make_server, tmp_path):
    allowed = new_crn()
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": [{"api_key": "good", "instances": [allowed]}]}))
    server = make_server(accounts_file=str(path))
    r = requests.post(
        server.url + "/identity/token",
        data={"grant_type": APIKEY_GRANT, "apikey": "bad"},
        timeout=10,
    )
    assert_ibm_error(r, 400, 1201)
    api = Api(server.url, crn=allowed, api_key="good")
    assert api.get("/backends").status_code == 200
    api.http.headers["Service-CRN"] = new_crn()
    assert_ibm_error(api.get("/backends"), 403, 1200)


def test_unknown_route_is_ibm_shaped_404(emulator, api):
    assert_ibm_error(requests.get(emulator.url + "/nope", timeout=10), 404)
    assert_ibm_error(api.get("/nope"), 404)
    assert_ibm_error(api.request("PATCH", "/backends"), 405)


def _issuer(ttl: int = 60):
    from qiskit_rest_provider.emulator.auth import TokenIssuer

    return TokenIssuer(b"s" * 32, ttl)


def test_a_remembered_token_still_expires(monkeypatch):
    from qiskit_rest_provider.emulator import auth

    issuer = _issuer(ttl=60)
    token = issuer.issue("u1")["token"]
    now = time.time()
    assert issuer.verify(token)["sub"] == "u1"  # remembered from here on
    monkeypatch.setattr(auth.time, "time", lambda: now + 61)
    assert issuer.verify(token) is None
    monkeypatch.setattr(auth.time, "time", lambda: now + 59)
    assert issuer.verify(token)["sub"] == "u1"
    exp = _claims(token)["exp"]
    monkeypatch.setattr(auth.time, "time", lambda: exp)  # expired at its exp, as unremembered
    assert issuer.verify(token) is None
    monkeypatch.setattr(auth.time, "time", lambda: exp - 0.001)
    assert issuer.verify(token) is not None


def test_a_remembered_token_is_checked_for_its_kind():
    issuer = _issuer()
    token = issuer.issue("u1", kind="classic")["token"]
    assert issuer.verify(token, kind="classic")["kind"] == "classic"
    assert issuer.verify(token, kind="iam") is None
    assert issuer.verify(token)["kind"] == "classic"


def test_forged_and_foreign_tokens_fail_after_a_good_one():
    from qiskit_rest_provider.emulator.auth import TokenIssuer

    issuer = _issuer()
    token = issuer.issue("u1")["token"]
    assert issuer.verify(token) is not None
    head, payload, sig = token.split(".")
    forged_claims = base64.urlsafe_b64encode(
        json.dumps({**_claims(token), "sub": "admin"}).encode()
    ).rstrip(b"=")
    assert issuer.verify(f"{head}.{forged_claims.decode()}.{sig}") is None
    assert issuer.verify(f"{head}.{payload}.{sig[:-2]}AA") is None
    assert issuer.verify(token + ".x") is None
    foreign = TokenIssuer(b"t" * 32, 60).issue("u1")["token"]
    assert issuer.verify(foreign) is None
    assert issuer._verified.keys() == {token}  # only good signatures are remembered


def test_the_remembered_tokens_are_bounded_and_returned_as_copies():
    issuer = _issuer()
    issuer.VERIFIED_CACHE = 2
    tokens = [issuer.issue(f"u{i}")["token"] for i in range(5)]
    for i, token in enumerate(tokens):
        assert issuer.verify(token)["sub"] == f"u{i}"
        assert 1 <= len(issuer._verified) <= 2
    claims = issuer.verify(tokens[-1])
    claims["sub"] = "changed"
    assert issuer.verify(tokens[-1])["sub"] == "u4"


def test_revocations_are_kept_and_reloaded(tmp_path):
    from qiskit_rest_provider.emulator.store import Store

    store = Store(str(tmp_path))
    assert not store.is_revoked("a", "b")
    store.revoke("b", 1.0)
    assert store.is_revoked("a", "b") and store.is_revoked("b") and not store.is_revoked("a")
    store.close()
    again = Store(str(tmp_path))
    assert again.is_revoked("b") and not again.is_revoked("a")
    again.close()
