"""One small class per REST resource; methods return parsed JSON. No Qiskit imports here."""

from .backends import BackendsApi
from .identity import IdentityApi
from .jobs import JobsApi
from .sessions import SessionsApi

__all__ = ["BackendsApi", "IdentityApi", "JobsApi", "SessionsApi"]
