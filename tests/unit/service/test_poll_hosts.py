"""Polling respects the real service: fast warm-up only on loopback, a 100 ms floor elsewhere."""

from __future__ import annotations

import itertools

import pytest

from qiskit_rest_provider import RuntimeService
from qiskit_rest_provider.service.polling import (
    REMOTE_FLOOR,
    REMOTE_POLICY,
    PollPolicy,
    is_loopback,
    poll_policy_for,
)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.9.9.9", True),
        ("http://localhost:1234/api", True),
        ("http://[::1]:80", True),
        ("https://quantum.cloud.ibm.com/api/v1", False),
        ("https://us-east.quantum-computing.cloud.ibm.com", False),
        ("http://10.0.0.5:8000", False),
        ("http://128.0.0.1", False),
        ("http://localhost.example.com", False),
    ],
)
def test_is_loopback(url, loopback):
    assert is_loopback(url) is loopback


def _first(policy, n=12):
    return list(itertools.islice(policy.delays(), n))


def test_loopback_keeps_the_fast_warmup():
    policy = poll_policy_for("http://127.0.0.1:9")
    assert policy == PollPolicy() and policy.first_poll == 0.001
    assert _first(policy)[:3] == [0.001, 0.002, 0.004]


def test_remote_default_polls_every_half_to_one_second():
    policy = poll_policy_for("https://quantum.cloud.ibm.com/api/v1")
    assert policy is REMOTE_POLICY and policy.first_poll == 0.5
    assert _first(policy, 5) == [0.5, 0.75, 1.0, 1.0, 1.0]


def test_a_callers_fast_policy_is_floored_against_a_remote_host():
    fast = PollPolicy(first_poll=0.0, warmup=(0.001, 0.2), initial=0.01, max_interval=0.05)
    floored = poll_policy_for("https://quantum.cloud.ibm.com", fast)
    assert floored.first_poll == REMOTE_FLOOR == 0.1
    assert _first(floored, 5) == [0.1, 0.2, 0.1, 0.1, 0.1]
    assert min(_first(floored, 50)) >= 0.1
    slow = PollPolicy(first_poll=2.0, warmup=(), initial=3.0, max_interval=9.0)
    assert poll_policy_for("https://x.example", slow) == slow
    assert poll_policy_for("http://127.0.0.1", fast) is fast


def test_the_service_picks_its_schedule_from_its_url():
    remote = RuntimeService(
        token="k", instance="crn:v1:bluemix:public:quantum-computing:us-east:a/b:c::"
    )
    assert remote.poll_policy is REMOTE_POLICY
    local = RuntimeService(token="k", url="http://127.0.0.1:1", instance="crn:x")
    assert local.poll_policy == PollPolicy()
