"""The POST /jobs field table: defaults, aliases, bounds and the order of refusals."""

import pytest

from qiskit_rest_provider.emulator.errors import ApiError
from qiskit_rest_provider.emulator.job_request import (
    PARAMS,
    SETTINGS,
    read_fields,
    read_program,
    starts_session,
)
from qiskit_rest_provider.emulator.runner import MAX_COST


def test_defaults_when_absent():
    assert read_fields({}, [PARAMS, *SETTINGS]) == {
        "params": {},
        "log_level": None,
        "cost": None,
        "private": False,
    }


def test_cost_wins_over_its_alias_and_both_bounds_hold():
    assert read_fields({"cost": 5, "max_execution_time": 9}, SETTINGS)["cost"] == 5
    assert read_fields({"max_execution_time": 9}, SETTINGS)["cost"] == 9
    assert read_fields({"cost": 0}, SETTINGS)["cost"] == 0
    assert read_fields({"cost": MAX_COST}, SETTINGS)["cost"] == MAX_COST
    for bad in (-1, MAX_COST + 1, True, 1.5, "5"):
        with pytest.raises(ApiError, match="'cost' must be an integer") as info:
            read_fields({"cost": bad}, SETTINGS)
        assert info.value.status == 400


@pytest.mark.parametrize("level", ["debug", "INFO", "Warning", "critical", "error"])
def test_log_levels_in_any_case(level):
    assert read_fields({"log_level": level}, SETTINGS)["log_level"] == level


def test_the_first_bad_field_in_table_order_is_reported():
    body = {"log_level": "LOUD", "private": "yes", "cost": -1}
    with pytest.raises(ApiError, match="log_level"):
        read_fields(body, SETTINGS)
    with pytest.raises(ApiError, match="'params' must be a JSON object"):
        read_fields({"params": []}, [PARAMS])


def test_program_and_start_session():
    assert read_program({"program_id": "sampler"}) == "sampler"
    with pytest.raises(ApiError) as info:
        read_program({"program_id": "qaoa"})
    assert info.value.status == 404
    with pytest.raises(ApiError, match="required"):
        read_program({})
    assert [starts_session({"start_session": v}) for v in ("False", "true", " YES ", 1, None)] == [
        False,
        True,
        True,
        True,
        False,
    ]
