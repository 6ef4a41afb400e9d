"""The emulator's credentials (``emulator/auth.py``): exact tokens, claims, refusals and the
accounts file's rules, without a server."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from types import SimpleNamespace

import pytest

from qiskit_rest_provider.emulator import auth
from qiskit_rest_provider.emulator.auth import (
    Accounts,
    Principal,
    TokenIssuer,
    _b64url,
    _b64url_decode,
    family_key,
    fingerprint,
    token_hash,
)

NOW = 1_700_000_000
SECRET = b"s" * 32
HEADER = b'{"alg":"HS256","typ":"JWT","kid":"emulator"}'


@pytest.fixture
def clock(monkeypatch):
    """The module's clock, set by the test (``clock.now``)."""
    state = SimpleNamespace(now=NOW + 0.75)
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: state.now))
    return state


def signed(payload: bytes, secret: bytes = SECRET) -> str:
    """A token with any payload, correctly signed."""
    signing_input = _b64url(HEADER) + "." + _b64url(payload)
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(sig)}"


# ------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"a", "YQ"), (b"ab", "YWI"), (b"abc", "YWJj"), (b"\xfb\xff", "-_8")]
    + [(b"abcdefg", "YWJjZGVmZw"), (b"abcdefgh", "YWJjZGVmZ2g"), (b"abcdefghi", "YWJjZGVmZ2hp")],
)
def test_b64url_round_trip_without_padding(data, text):
    assert _b64url(data) == text
    assert _b64url_decode(text) == data


def test_fingerprint_is_a_short_sha256():
    assert fingerprint("k1") == hashlib.sha256(b"k1").hexdigest()[:24]
    assert fingerprint("k1") == "6ab9f1eb8f7d3388f4f9d586"
    assert fingerprint("ключ") == hashlib.sha256("ключ".encode()).hexdigest()[:24]


def test_token_hash():
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    # A lone surrogate cannot be encoded; it is hashed as '?' rather than raising.
    assert token_hash("a\ud800") == hashlib.sha256(b"a?").hexdigest()


@pytest.mark.parametrize(
    ("claims", "key"),
    [
        ({"fam": "f1", "jti": "j1"}, "family:f1"),
        ({"jti": "j1"}, "family:j1"),
        ({"fam": "", "jti": "j1"}, "family:j1"),
        ({"fam": None}, "family:"),
        ({}, "family:"),
        ({"fam": 7}, "family:7"),
    ],
)
def test_family_key(claims, key):
    assert family_key(claims) == key


def test_principal_is_frozen():
    who = Principal("u", "crn:1", "current")
    assert (who.user_id, who.instance, who.dialect) == ("u", "crn:1", "current")
    with pytest.raises(dataclasses.FrozenInstanceError):
        who.user_id = "v"  # type: ignore[misc]


# ------------------------------------------------------------------------------ accounts


def test_open_access():
    accounts = Accounts.load(None)
    assert accounts.key_allowed("any") is True
    assert accounts.key_allowed("") is False
    assert accounts.instances_of(fingerprint("any")) == ["*"]
    assert accounts.instance_allowed(fingerprint("any"), "crn:x") is True
    assert Accounts().key_allowed("k") is True


def write(tmp_path, data) -> str:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_accounts_file(tmp_path):
    accounts = Accounts.load(
        write(
            tmp_path,
            {
                "accounts": [
                    {"api_key": "k1", "instances": ["crn:a", "crn:b"]},
                    {"api_key": "k2", "instances": ["*"]},
                    {"api_key": "k3"},
                    {"api_key": "k4", "instances": [5]},
                    {"api_key": "k5", "instances": []},
                ]
            },
        )
    )
    assert [accounts.key_allowed(k) for k in ("k1", "k2", "k3", "k4", "k5")] == [True] * 5
    assert accounts.key_allowed("k6") is False
    assert accounts.key_allowed("") is False
    assert accounts.instances_of(fingerprint("k1")) == ["crn:a", "crn:b"]
    assert accounts.instances_of(fingerprint("k2")) == ["*"]
    assert accounts.instances_of(fingerprint("k3")) == ["*"]
    assert accounts.instances_of(fingerprint("k4")) == ["5"]
    assert accounts.instances_of(fingerprint("k5")) == []
    assert accounts.instances_of(fingerprint("k6")) == []
    # A copy: the caller cannot change the accounts.
    accounts.instances_of(fingerprint("k1")).append("crn:c")
    assert accounts.instance_allowed(fingerprint("k1"), "crn:c") is False
    assert accounts.instance_allowed(fingerprint("k1"), "crn:b") is True
    assert accounts.instance_allowed(fingerprint("k1"), "crn:a") is True
    assert accounts.instance_allowed(fingerprint("k2"), "crn:z") is True
    assert accounts.instance_allowed(fingerprint("k3"), "crn:z") is True
    assert accounts.instance_allowed(fingerprint("k4"), "5") is True
    assert accounts.instance_allowed(fingerprint("k5"), "crn:a") is False
    assert accounts.instance_allowed(fingerprint("k6"), "crn:a") is False
    assert accounts.instance_allowed("k1", "crn:a") is False  # a key is not a user id


@pytest.mark.parametrize("data", [{}, {"accounts": []}, [], [{"api_key": "k1"}], "k1"])
def test_accounts_file_with_no_accounts_admits_nobody(tmp_path, data):
    accounts = Accounts.load(write(tmp_path, data))
    assert accounts.key_allowed("k1") is False
    assert accounts.instances_of(fingerprint("k1")) == []
    assert accounts.instance_allowed(fingerprint("k1"), "crn:a") is False


@pytest.mark.parametrize(
    "entry",
    [
        {"instances": ["*"]},
        {"api_key": "", "instances": ["*"]},
        {"api_key": 5, "instances": ["*"]},
        {"api_key": None},
        {"api_key": "k1", "instances": "*"},
        {"api_key": "k1", "instances": None},
    ],
)
def test_malformed_accounts_refused(tmp_path, entry):
    path = write(tmp_path, {"accounts": [{"api_key": "ok"}, entry]})
    with pytest.raises(ValueError) as caught:
        Accounts.load(path)
    assert str(caught.value) == "each account needs a non-empty 'api_key' and a list 'instances'"


def test_accounts_file_must_be_json(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        Accounts.load(str(path))


# -------------------------------------------------------------------------------- tokens


def parts(token: str) -> tuple[dict, dict, bytes]:
    head, body, sig = token.split(".")
    return json.loads(_b64url_decode(head)), json.loads(_b64url_decode(body)), _b64url_decode(sig)


def test_issue_exact_token(clock):
    issued = TokenIssuer(SECRET, 3600).issue("user1")
    assert set(issued) == {"token", "iat", "exp", "family"}
    assert (issued["iat"], issued["exp"]) == (NOW, NOW + 3600)
    head, claims, sig = parts(issued["token"])
    assert head == {"alg": "HS256", "typ": "JWT", "kid": "emulator"}
    assert issued["token"].split(".")[0] == _b64url(HEADER)
    assert len(claims["jti"]) == 16
    int(claims["jti"], 16)
    assert len(claims["fam"]) == 16
    int(claims["fam"], 16)
    assert issued["family"] == claims["fam"]
    assert claims == {
        "iam_id": "IBMid-user1",
        "sub": "user1",
        "kind": "iam",
        "iat": NOW,
        "exp": NOW + 3600,
        "jti": claims["jti"],
        "fam": claims["fam"],
        "iss": "qiskit-rest-emulator",
    }
    body = json.dumps(claims, separators=(",", ":")).encode()
    assert issued["token"].split(".")[1] == _b64url(body)
    signing_input = issued["token"].rsplit(".", 1)[0].encode()
    assert sig == hmac.new(SECRET, signing_input, hashlib.sha256).digest()
    assert "=" not in issued["token"]


def test_issue_kind_and_family(clock):
    issuer = TokenIssuer(SECRET, 60)
    first = issuer.issue("u", kind="refresh", family="fam1")
    _, claims, _ = parts(first["token"])
    assert (claims["kind"], claims["fam"], first["family"]) == ("refresh", "fam1", "fam1")
    other = issuer.issue("u")
    assert other["family"] != issuer.issue("u")["family"]
    assert parts(other["token"])[1]["jti"] != parts(issuer.issue("u")["token"])[1]["jti"]


def test_verify_round_trip_and_kind(clock):
    issuer = TokenIssuer(SECRET, 60)
    token = issuer.issue("u", kind="refresh")["token"]
    claims = issuer.verify(token)
    assert claims == parts(token)[1]
    assert issuer.verify(token, kind="refresh") == claims
    assert issuer.verify(token, kind="iam") is None
    assert issuer.verify(issuer.issue("u")["token"], kind="refresh") is None


def test_verify_expiry_boundary(clock):
    issuer = TokenIssuer(SECRET, 60)
    token = issuer.issue("u")["token"]  # exp = NOW + 60
    clock.now = NOW + 59.999
    assert issuer.verify(token)["exp"] == NOW + 60
    clock.now = NOW + 60
    assert issuer.verify(token) is None
    clock.now = NOW + 61
    assert issuer.verify(token) is None


def test_verify_refuses_other_secrets_and_tampering(clock):
    issuer = TokenIssuer(SECRET, 60)
    token = issuer.issue("u")["token"]
    assert TokenIssuer(b"t" * 32, 60).verify(token) is None
    head, body, sig = token.split(".")
    forged = json.loads(_b64url_decode(body)) | {"sub": "admin"}
    forged_body = _b64url(json.dumps(forged, separators=(",", ":")).encode())
    assert issuer.verify(f"{head}.{forged_body}.{sig}") is None
    assert issuer.verify(f"{head}.{body}") is None
    assert issuer.verify(f"{token}.x") is None
    assert issuer.verify(f"{head}.{body}.") is None
    assert issuer.verify("") is None


@pytest.mark.parametrize(
    "token",
    [
        "é.é.é",
        "a.b.c",
        "a.b.!!!",
        "a.b.Y",  # one base64 character: binascii refuses it
    ],
)
def test_verify_refuses_garbage(clock, token):
    assert TokenIssuer(SECRET, 60).verify(token) is None


@pytest.mark.parametrize(
    "payload", [b"[1]", b'"x"', b"not json", b"\xff\xfe", b"{}", b'{"exp": 0}', b"null"]
)
def test_verify_refuses_signed_payloads_that_are_not_live_claims(clock, payload):
    assert TokenIssuer(SECRET, 60).verify(signed(payload)) is None


def test_verify_accepts_any_signed_live_claims(clock):
    claims = {"exp": NOW + 10, "sub": "x"}
    assert TokenIssuer(SECRET, 60).verify(signed(json.dumps(claims).encode())) == claims
    assert TokenIssuer(SECRET, 60).verify(signed(json.dumps(claims).encode()), kind="iam") is None
