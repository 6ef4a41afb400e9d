"""The POST /jobs body, exactly."""

from qiskit_rest_provider.codec.jobs import job_body


def test_the_body_of_a_job_in_a_session_on_the_classic_dialect():
    options = {"default_shots": 10}
    body = job_body(
        "estimator",
        "ibm_torino",
        [["qasm", "obs"]],
        program_options=options,
        params_extras={"resilience_level": 1},
        job_fields={"log_level": "WARNING", "tags": ["a"], "private": True},
        session_id="s1",
        account_fields={"hub": "h", "group": "g", "project": "p"},
    )
    assert body == {
        "program_id": "estimator",
        "backend": "ibm_torino",
        "params": {
            "pubs": [["qasm", "obs"]],
            "options": {"default_shots": 10},
            "version": 2,
            "support_qiskit": True,
            "resilience_level": 1,
        },
        "log_level": "WARNING",
        "tags": ["a"],
        "private": True,
        "session_id": "s1",
        "hub": "h",
        "group": "g",
        "project": "p",
    }
    assert body["params"]["options"] is not options  # the caller's mapping is not shared


def test_no_session_and_no_account_fields_add_nothing():
    body = job_body(
        "sampler", "b", [], program_options={}, params_extras={}, job_fields={"log_level": "X"}
    )
    assert body == {
        "program_id": "sampler",
        "backend": "b",
        "params": {"pubs": [], "options": {}, "version": 2, "support_qiskit": True},
        "log_level": "X",
    }
