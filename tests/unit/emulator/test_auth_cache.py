"""The emulator's memory of verified tokens (``TokenIssuer.verify``): each signature checked
once, the memory bounded, and the base64url form exact."""

from __future__ import annotations

import pytest

from qiskit_rest_provider.emulator.auth import TokenIssuer, _b64url, _b64url_decode

SECRET = b"s" * 32


@pytest.fixture
def checks(monkeypatch):
    """Tokens whose signature ``TokenIssuer`` checks, in order."""
    seen: list[str] = []
    real = TokenIssuer._signed_claims

    def counting(self, token):
        seen.append(token)
        return real(self, token)

    monkeypatch.setattr(TokenIssuer, "_signed_claims", counting)
    return seen


def test_a_good_signature_is_checked_once(checks):
    issuer = TokenIssuer(SECRET, 3600)
    token = issuer.issue("user1")["token"]
    first = issuer.verify(token)
    assert first is not None and first["sub"] == "user1"
    assert issuer.verify(token) == first and issuer.verify(token, kind="iam") == first
    assert checks == [token]
    assert issuer.verify(token, kind="refresh") is None  # the kind is still checked each time
    assert checks == [token]


def test_a_bad_signature_is_checked_every_time(checks):
    issuer = TokenIssuer(SECRET, 3600)
    forged = TokenIssuer(b"x" * 32, 3600).issue("user1")["token"]
    assert issuer.verify(forged) is None and issuer.verify(forged) is None
    assert checks == [forged, forged]


def test_the_memory_is_emptied_when_full(checks):
    issuer = TokenIssuer(SECRET, 3600)
    issuer.VERIFIED_CACHE = 3
    tokens = [issuer.issue(f"user{i}")["token"] for i in range(4)]
    for token in tokens[:3]:
        issuer.verify(token)
    issuer.verify(tokens[0])
    assert checks == tokens[:3]  # three remembered: the limit
    issuer.verify(tokens[3])  # a fourth empties the memory first
    issuer.verify(tokens[3])
    issuer.verify(tokens[0])
    assert checks == [*tokens, tokens[0]]
    assert TokenIssuer.VERIFIED_CACHE == 4096


def test_base64url_strips_only_padding():
    assert _b64url(b"\x00\x00\x17") == "AAAX"  # a last 'X' is data, not padding
    assert _b64url(b"\xff") == "_w" and _b64url_decode("_w") == b"\xff"
    assert _b64url_decode("AAAX") == b"\x00\x00\x17"
