"""The service's defaults for what a job leaves unset, defined once for client and emulator."""

from __future__ import annotations

__all__ = ["DEFAULT_SHOTS", "DEFAULT_PRECISION"]

DEFAULT_SHOTS = 4096
"""Shots of a sampler PUB when neither the PUB, ``run`` nor the options set them."""

DEFAULT_PRECISION = 0.015625
"""Target precision of an estimator PUB (1/64) when nothing sets it."""
