"""qiskit-ibm-runtime 0.51's exception names, importable from us and raised where it raises them."""

from __future__ import annotations

import inspect

import pytest
import qiskit_ibm_runtime.accounts.exceptions as their_accounts
import qiskit_ibm_runtime.exceptions as theirs
from qiskit.exceptions import QiskitError
from qiskit.providers import JobError, JobTimeoutError
from qiskit.providers.exceptions import QiskitBackendNotFoundError

import qiskit_rest_provider
from qiskit_rest_provider import exceptions as ours

# The Qiskit / builtin bases a caller may catch; ours must keep every one theirs has.
_SHARED_BASES = (QiskitError, JobError, JobTimeoutError, ValueError, TypeError, LookupError)


def _their_classes():
    for module in (theirs, their_accounts):
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, Exception)
                and cls.__module__ == (module.__name__)
            ):
                yield name, cls


THEIR_CLASSES = dict(_their_classes())


def test_their_module_still_has_the_names_we_mirror():
    assert set(ours.RUNTIME_NAMES) | {"AccountNotFoundError", "AccountAlreadyExistsError"} == set(
        THEIR_CLASSES
    )


@pytest.mark.parametrize("name", sorted(THEIR_CLASSES))
def test_every_name_is_importable_and_keeps_their_builtin_bases(name):
    cls = getattr(qiskit_rest_provider, name)
    assert cls is getattr(ours, name)
    for base in _SHARED_BASES:
        if issubclass(THEIR_CLASSES[name], base):
            assert issubclass(cls, base), f"{name} must stay a {base.__name__}"


@pytest.mark.parametrize("name", ours.__all__)
def test_every_public_exception_is_importable_from_the_package(name):
    assert getattr(qiskit_rest_provider, name) is getattr(ours, name)
    assert issubclass(getattr(ours, name), ours.QiskitRestError)


@pytest.mark.parametrize(
    "name", ["ResponseTooLargeError", "RedirectRefusedError", "LoggedOutError"]
)
def test_the_transports_exceptions_are_importable_from_the_package(name):
    from qiskit_rest_provider.http import errors as http_errors

    assert getattr(qiskit_rest_provider, name) is getattr(http_errors, name)
    assert issubclass(getattr(http_errors, name), ours.QiskitRestError)
    with pytest.raises(AttributeError):
        qiskit_rest_provider.raise_for_responseError  # noqa: B018 - a name no module exports


@pytest.mark.parametrize(
    ("their_name", "raised"),
    [
        ("RuntimeJobNotFound", ours.JobNotFoundError),
        ("RuntimeJobFailureError", ours.JobFailureError),
        ("RuntimeJobFailureError", ours.JobMaxTimeoutError),
        ("RuntimeJobMaxTimeoutError", ours.JobMaxTimeoutError),
        ("RuntimeInvalidStateError", ours.JobCancelledError),  # result() of a cancelled job
        ("RuntimeInvalidStateError", ours.ConflictError),  # 409, e.g. cancel a final job
        ("RuntimeJobTimeoutError", ours.JobTimeoutError),
        ("IBMNotAuthorizedError", ours.AuthenticationError),
        ("IBMNotAuthorizedError", ours.PermissionDeniedError),
        ("IBMInputValueError", ours.PubValidationError),
        ("IBMInputValueError", ours.InvalidInputError),
        ("IBMRuntimeError", ours.SessionClosedError),  # their "The session is closed."
        ("IBMRuntimeError", ours.ServerError),
        ("IBMError", ours.TranspilerServiceError),
        ("IBMAccountError", ours.AccountNotFoundError),
        ("CloudResourceNameResolutionError", ours.InstanceResolutionError),
    ],
)
def test_their_except_clauses_catch_what_we_raise(their_name, raised):
    assert issubclass(raised, getattr(qiskit_rest_provider, their_name))


def test_backend_not_found_is_qiskits_class_as_theirs_raises():
    assert issubclass(ours.BackendNotFoundError, QiskitBackendNotFoundError)


def test_private_module_names_still_work():
    from qiskit_rest_provider.primitives._isa import PubValidationError
    from qiskit_rest_provider.primitives._submit import InvalidPubError
    from qiskit_rest_provider.service.accounts import AccountNotFoundError

    assert PubValidationError is ours.PubValidationError
    assert InvalidPubError is ours.InvalidPubError
    assert AccountNotFoundError is ours.AccountNotFoundError
