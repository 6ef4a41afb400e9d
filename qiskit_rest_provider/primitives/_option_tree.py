"""The machinery behind the options tree: validated fields, nested groups, wire conversion.

An options group is a small mutable object whose attributes are declared up front. Setting an
attribute validates the value at once (so a typo or an out-of-range value fails where it is
written, not minutes later at the server) and a group may add cross-field rules. Values nobody
set are *unset*: reading them gives the client-side default (usually ``None``) and they are never
sent, so the server applies its own defaults, as with qiskit-ibm-runtime.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..exceptions import InvalidInputError

__all__ = ["Unset", "OptionField", "OptionGroup"]


class _UnsetType:
    """Marker for "not set": the server's default applies and nothing is sent."""

    _instance: _UnsetType | None = None

    def __new__(cls) -> _UnsetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Unset"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> _UnsetType:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _UnsetType:
        return self


Unset = _UnsetType()


@dataclass(frozen=True)
class OptionField:
    """One leaf option.

    Attributes:
        check: Validates a value and returns it normalised; raises ``ValueError``/``TypeError``.
        default: What reading the option returns while it is unset (never sent).
        nullable: ``None`` is a real value to send (``null``); otherwise ``None`` unsets.
        wire: Converts the stored value to JSON (e.g. tuples to lists).
    """

    check: Callable[[Any], Any]
    default: Any = None
    nullable: bool = False
    wire: Callable[[Any], Any] | None = None


def _to_json(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _to_json(item) for key, item in value.items()}
    return value


class OptionGroup:
    """A group of options; subclasses declare ``_fields`` and ``_groups``."""

    _fields: ClassVar[dict[str, OptionField]] = {}
    _groups: ClassVar[dict[str, type[OptionGroup]]] = {}

    def __init__(self, **kwargs: Any) -> None:
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_children", {name: cls() for name, cls in self._groups.items()})
        self.update(**kwargs)

    # ------------------------------------------------------------------ attribute access

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails; never touch state for private names so that
        # copy/pickle probing (``__setstate__``...) on a half-built object cannot recurse.
        if name.startswith("_"):
            raise AttributeError(name)
        cls = type(self)
        if name in cls._fields:
            return self._field(name)
        if name in cls._groups:
            return self._children[name]
        raise AttributeError(self._unknown(name))

    def _field(self, name: str) -> Any:
        """A declared field's value or its default (what reading the attribute gives)."""
        value = self._values.get(name, Unset)
        return type(self)._fields[name].default if value is Unset else value

    def __setattr__(self, name: str, value: Any) -> None:
        saved = self._snapshot()
        try:
            self._assign(name, value)
            self._validate()
        except Exception:
            self._restore(saved)
            raise

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, Unset)

    def _assign(self, name: str, value: Any) -> None:
        cls = type(self)
        if name in cls._groups:
            group = cls._groups[name]()
            if isinstance(value, OptionGroup):
                if not isinstance(value, cls._groups[name]):
                    raise InvalidInputError(
                        f"{self._path(name)} must be a {cls._groups[name].__name__} or a dict, "
                        f"not {type(value).__name__}."
                    )
                value = value.to_dict(raw=True)
            if value is not Unset and value is not None:
                if not isinstance(value, Mapping):
                    raise InvalidInputError(
                        f"{self._path(name)} must be a dict of options, got {value!r}."
                    )
                group.update(**value)
            self._children[name] = group
            return
        if name not in cls._fields:
            raise InvalidInputError(self._unknown(name))
        spec = cls._fields[name]
        if value is Unset or (value is None and not spec.nullable):
            self._values.pop(name, None)
            return
        if value is None:
            self._values[name] = None
            return
        try:
            self._values[name] = spec.check(value)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"Invalid value for {self._path(name)}: {exc}") from None

    def update(self, **kwargs: Any) -> None:
        """Set several options at once; nested dicts are merged into the existing groups.

        The whole update is validated together and undone if any part is invalid.
        """
        saved = self._snapshot()
        try:
            self._merge(kwargs)
            self._validate()
        except Exception:
            self._restore(saved)
            raise

    def _merge(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            if key in self._groups and isinstance(value, Mapping):
                self._children[key]._merge(value)
            else:
                self._assign(key, value)
        self._children_validate()

    def _children_validate(self) -> None:
        for child in self._children.values():
            child._validate()

    def _validate(self) -> None:
        """Cross-field rules of this group (on every change); subclasses override."""

    def validate(self) -> None:
        """Check every rule of the tree, including those that span groups.

        Raises:
            InvalidInputError: Some combination of options is invalid.
        """
        for child in self._children.values():
            child.validate()
        self._validate()
        self._validate_tree()

    def _validate_tree(self) -> None:
        """Rules checked only before sending (they depend on the order options are set)."""

    def _is_empty(self) -> bool:
        """Whether nothing is set anywhere in the tree (all defaults: valid, nothing to send)."""
        if self._values:
            return False
        for child in self._children.values():  # a loop: a generator costs more than the walk
            if not child._is_empty():
                return False
        return True

    # ------------------------------------------------------------------ state helpers

    def _snapshot(self) -> tuple[dict[str, Any], dict[str, OptionGroup]]:
        return dict(self._values), {k: copy.deepcopy(v) for k, v in self._children.items()}

    def _restore(self, saved: tuple[dict[str, Any], dict[str, OptionGroup]]) -> None:
        object.__setattr__(self, "_values", saved[0])
        object.__setattr__(self, "_children", saved[1])

    def __deepcopy__(self, memo: dict[int, Any]) -> OptionGroup:
        clone = type(self).__new__(type(self))
        object.__setattr__(clone, "_values", copy.deepcopy(self._values, memo))
        object.__setattr__(clone, "_children", copy.deepcopy(self._children, memo))
        return clone

    def __copy__(self) -> OptionGroup:
        return self.__deepcopy__({})

    def __getstate__(self) -> dict[str, Any]:
        return {"_values": self._values, "_children": self._children}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "_values", state["_values"])
        object.__setattr__(self, "_children", state["_children"])

    def _path(self, name: str) -> str:
        return f"{type(self).__name__}.{name}"

    def _unknown(self, name: str) -> str:
        names = [*self._fields, *self._groups]
        import difflib  # only for the error message

        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return (
            f"{type(self).__name__} has no option {name!r}.{hint} "
            f"Valid options: {', '.join(names)}."
        )

    # ------------------------------------------------------------------ output

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """The options that are set, as nested dicts (unset values and empty groups left out).

        Args:
            raw: Keep values as stored (tuples, Qiskit objects) instead of their JSON form.
        """
        out: dict[str, Any] = {}
        for name, spec in self._fields.items():
            if name in self._values:
                value = self._values[name]
                if not raw and value is not None:
                    value = spec.wire(value) if spec.wire else _to_json(value)
                out[name] = value
        for name, child in self._children.items():
            sub = child.to_dict(raw=raw)
            if sub:
                out[name] = sub
        return out

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict(raw=True) == other.to_dict(raw=True)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict(raw=True)!r})"

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._fields, *self._groups})
