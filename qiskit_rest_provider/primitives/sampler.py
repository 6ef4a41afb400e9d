"""``SamplerV2``: Qiskit's ``BaseSamplerV2`` over the runtime REST API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral
from typing import TYPE_CHECKING, Any

from qiskit.primitives import BaseSamplerV2
from qiskit.primitives.containers.sampler_pub import SamplerPub, SamplerPubLike

from ..codec.defaults import DEFAULT_SHOTS
from ..codec.pubs import encode_sampler_pub
from ..exceptions import InvalidInputError
from ..service.submission import resolve_mode, submit_job
from ._submit import InvalidPubError, coerce_pubs, encode_pubs
from .options import SamplerOptions
from .validation import check_payload_size, validate_sampler_pubs

if TYPE_CHECKING:
    from ..service.job import RuntimeJob
    from ..service.submission import Mode

__all__ = ["SamplerV2"]


def _check_shots(shots: Any, where: str) -> int:
    if isinstance(shots, bool) or not isinstance(shots, Integral) or shots <= 0:
        raise InvalidPubError(f"{where}: shots must be a positive integer, got {shots!r}.")
    return int(shots)


class SamplerV2(BaseSamplerV2):
    """Samples circuits on a backend of the runtime REST API.

    Args:
        mode: A backend from ``RuntimeService.backend()``, a ``Session`` or a ``Batch``.
        options: ``SamplerOptions`` or a dict of them.
        validate: Check the PUBs against the backend before submitting (see
            :mod:`~qiskit_rest_provider.primitives.validation`); ``False`` sends them as they are.

    Example:
        >>> sampler = SamplerV2(mode=service.backend("ibmq_qasm_simulator"))
        >>> result = sampler.run([bell], shots=1000).result()
        >>> result[0].data.meas.get_counts()
    """

    def __init__(
        self,
        mode: Mode = None,
        options: SamplerOptions | Mapping[str, Any] | None = None,
        *,
        validate: bool = True,
    ) -> None:
        self._mode = mode
        self._validate = validate
        if isinstance(options, SamplerOptions):
            self._options = options
        else:
            self._options = SamplerOptions(**dict(options or {}))

    @property
    def mode(self) -> Mode:
        """The backend, session or batch jobs are sent to."""
        return self._mode

    @property
    def options(self) -> SamplerOptions:
        """The options sent with every job."""
        return self._options

    def run(self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None) -> RuntimeJob:
        """Submit PUBs and return the job at once.

        Args:
            pubs: ``circuit`` or ``(circuit, parameter_values[, shots])`` items.
            shots: Shots for PUBs that set none; defaults to ``options.default_shots``, then 4096.

        Raises:
            InvalidInputError: A PUB or argument is invalid (the message names the PUB).
        """
        if shots is None:
            shots = self._options.default_shots or DEFAULT_SHOTS
        shots = _check_shots(shots, "run()")
        coerced = coerce_pubs(pubs, lambda pub: SamplerPub.coerce(pub, shots), "Sampler")
        if not coerced:
            raise InvalidInputError("run() needs at least one PUB.")
        for index, pub in enumerate(coerced):
            _check_shots(pub.shots, f"PUB {index}")
            if not pub.circuit.cregs:
                raise InvalidPubError(
                    f"PUB {index}: the circuit has no classical registers, so there is nothing "
                    "to sample. Add measurements, e.g. circuit.measure_all()."
                )
        if self._validate:
            validate_sampler_pubs(coerced, resolve_mode(self._mode)[0])
        wire, specs = encode_pubs(coerced, encode_sampler_pub)
        if self._validate:
            check_payload_size(wire)
        return submit_job("sampler", self._mode, wire, specs, self._options)
