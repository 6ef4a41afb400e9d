"""One small class per REST resource; methods return parsed JSON. No Qiskit imports here."""

from .backends import BackendsApi
from .jobs import JobsApi
from .sessions import SessionsApi

__all__ = ["BackendsApi", "JobsApi", "SessionsApi"]
