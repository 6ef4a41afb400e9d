"""What both primitives share: coercing PUBs, checking their names, encoding them.

Handing the job over (mode, body, creation) is the service's: :mod:`..service.submission`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from qiskit import QuantumCircuit

from ..codec.pubs import PubSpec
from ..exceptions import InvalidPubError, InvalidPubTypeError

if TYPE_CHECKING:
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    from ..codec.circuits import CircuitExport

__all__ = ["coerce_pubs", "encode_pubs", "InvalidPubError", "InvalidPubTypeError"]


_SINGLE_PUB_HINT = "run() takes a list of PUBs; wrap a single PUB in [ ]."
# Qiskit's own wording (qiskit.primitives.containers.{sampler,estimator}_pub), then our hint.
_QISKIT_WRAP = {
    "Sampler": "If you want to run a single circuit, you need to wrap it with `[]` like "
    "`sampler.run([circuit])` instead of `sampler.run(circuit)`.",
    "Estimator": "If you want to run a single pub, you need to wrap it with `[]` like "
    "`estimator.run([(circuit, observables, param_values)])` instead of "
    "`estimator.run((circuit, observables, param_values))`.",
}
_PUB_FORMS = {
    "Sampler": "Each item of the list is one PUB: a circuit or (circuit, parameter_values, shots).",
    "Estimator": "Each item of the list is one PUB: (circuit, observables, parameter_values, "
    "precision), the last two optional.",
}
# Qiskit names an observable by its numpy index: "the ()-th observable", "the (1, 0)-th ...".
_NTH_OBSERVABLE = re.compile(r"the \(\)-th observable|the (\([\d, ]+\))-th observable")


def _readable(message: str) -> str:
    return _NTH_OBSERVABLE.sub(
        lambda m: f"observable {m.group(1)}" if m.group(1) else "the observable", message
    )


def _single_pub(pubs: Any, kind: str) -> InvalidPubTypeError | None:
    """Qiskit's error (with our hint) for ``run(circuit)`` / ``run((circuit, ...))``."""
    circuits = isinstance(pubs, tuple) and all(isinstance(p, QuantumCircuit) for p in pubs)
    if isinstance(pubs, QuantumCircuit) or (
        isinstance(pubs, tuple)
        and pubs
        and isinstance(pubs[0], QuantumCircuit)
        and (kind == "Estimator" or not circuits)  # a tuple of circuits is a list of PUBs
    ):
        given = type(pubs[0] if isinstance(pubs, tuple) else pubs)
        return InvalidPubTypeError(
            f"An invalid {kind} pub-like was given ({given}). {_QISKIT_WRAP[kind]} "
            f"{_PUB_FORMS[kind]}"
        )
    return None


def coerce_pubs(pubs: Iterable[Any], coerce: Callable[[Any], Any], kind: str = "") -> list[Any]:
    """Coerce every PUB with Qiskit, naming the PUB index in any error.

    Args:
        pubs: What the user passed to ``run()``.
        coerce: ``SamplerPub.coerce`` or ``EstimatorPub.coerce`` with the run's default.
        kind: ``"Sampler"`` or ``"Estimator"``, for Qiskit's wording of a PUB not in a list.
    """
    single = _single_pub(pubs, kind or "Sampler")
    if single is not None:
        raise single
    if hasattr(pubs, "circuit") or not isinstance(pubs, Iterable):
        raise InvalidPubTypeError(
            f"{type(pubs).__name__!r} object is not a list of PUBs. " + _SINGLE_PUB_HINT
        )
    coerced = []
    for index, pub in enumerate(pubs):
        try:
            coerced.append(coerce(pub))
        except TypeError as exc:
            raise InvalidPubTypeError(f"PUB {index}: {_readable(str(exc))}") from exc
        except (KeyError, IndexError, AttributeError) as exc:
            # Qiskit's coerce indexes into whatever it is given (a dict, a string...).
            raise InvalidPubTypeError(
                f"PUB {index}: a {type(pub).__name__} is not a PUB ({type(exc).__name__}: {exc})."
            ) from exc
        except ValueError as exc:
            hint = ""
            if kind == "Estimator" and isinstance(pub, QuantumCircuit):
                hint = " An estimator PUB needs observables: (circuit, observables)."
            raise InvalidPubError(f"PUB {index}: {_readable(str(exc))}{hint}") from exc
    return coerced


def check_parameter_names(pub: SamplerPub | EstimatorPub, index: int) -> None:
    """Qiskit checks only the number of parameter values; check their names too."""
    if not pub.parameter_values.data and not pub.circuit.num_parameters:
        return  # nothing given, nothing expected
    expected = {param.name for param in pub.circuit.parameters}
    given = {name for key in pub.parameter_values.data for name in key}
    unknown, missing = sorted(given - expected), sorted(expected - given)
    if unknown or missing:
        raise InvalidPubError(
            f"PUB {index}: parameter values name {unknown} that the circuit does not have"
            f" and miss {missing}. Key the values by the circuit's parameters "
            f"{sorted(expected)}."
        )


def encode_pubs(
    pubs: Sequence[Any], encode: Callable[[Any, CircuitExport], tuple[list[Any], PubSpec]]
) -> tuple[list[list[Any]], list[PubSpec]]:
    """Export each distinct circuit once and encode every PUB."""
    from ..codec.circuits import export_circuit  # lazy: keeps import cheap

    exports: dict[int, CircuitExport] = {}
    wire, specs = [], []
    for index, pub in enumerate(pubs):
        check_parameter_names(pub, index)
        key = id(pub.circuit)
        if key not in exports:
            exports[key] = export_circuit(pub.circuit)
        item, spec = encode(pub, exports[key])
        wire.append(item)
        specs.append(spec)
    return wire, specs
