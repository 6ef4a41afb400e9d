"""What both primitives share: coercing PUBs, checking their names, encoding them.

Handing the job over (mode, body, creation) is the service's: :mod:`..service.submission`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..codec.pubs import PubSpec
from ..exceptions import InvalidPubError, InvalidPubTypeError

if TYPE_CHECKING:
    from ..codec.circuits import CircuitExport

__all__ = ["coerce_pubs", "encode_pubs", "InvalidPubError", "InvalidPubTypeError"]


def coerce_pubs(pubs: Iterable[Any], coerce: Callable[[Any], Any]) -> list[Any]:
    """Coerce every PUB with Qiskit, naming the PUB index in any error."""
    if hasattr(pubs, "circuit") or not isinstance(pubs, Iterable):
        raise InvalidPubTypeError("run() takes a list of PUBs; wrap a single PUB in [ ].")
    coerced = []
    for index, pub in enumerate(pubs):
        try:
            coerced.append(coerce(pub))
        except TypeError as exc:
            raise InvalidPubTypeError(f"PUB {index}: {exc}") from exc
        except (KeyError, IndexError, AttributeError) as exc:
            # Qiskit's coerce indexes into whatever it is given (a dict, a string...).
            raise InvalidPubTypeError(
                f"PUB {index}: a {type(pub).__name__} is not a PUB ({type(exc).__name__}: {exc})."
            ) from exc
        except ValueError as exc:
            raise InvalidPubError(f"PUB {index}: {exc}") from exc
    return coerced


def check_parameter_names(pub: Any, index: int) -> None:
    """Qiskit checks only the number of parameter values; check their names too."""
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
