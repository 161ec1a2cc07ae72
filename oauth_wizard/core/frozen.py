"""``record``: the part of ``@dataclass`` the doctor's start-up path needs, without its cost.

``diagnose`` must start within twice a bare ``import json, tomllib, argparse, re`` (issue 12
§6). ``dataclasses`` alone costs about 7 ms to import (it pulls in ``inspect``), and each class
costs about 0.5 ms more, because it compiles six generated methods per class; the 21 records of
the marketplace table, the validators and the doctor spent about 18 ms on that before
``diagnose`` did anything. ``record`` gives those classes what they use of a dataclass, written
once here instead of generated per class: ``__init__`` from the annotated fields (positional or
by name, with defaults and ``Fresh`` per-instance defaults), ``__repr__``, ``__eq__``, and for
frozen records ``__hash__`` and refusal of assignment. Everything else in the project keeps
``dataclasses``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()


class Fresh:
    """A default made anew for every instance (``field(default_factory=...)``)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def record(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any:
    """Make ``cls`` a record of its annotated fields (see the module docstring)."""
    def wrap(klass: type[T]) -> type[T]:
        return _build(klass, frozen)
    return wrap if cls is None else wrap(cls)


def _build(klass: type[T], frozen: bool) -> type[T]:
    names = tuple(klass.__dict__.get("__annotations__", {}))
    defaults = {n: klass.__dict__.get(n, _MISSING) for n in names}
    for name, value in defaults.items():
        if isinstance(value, Fresh):
            delattr(klass, name)  # an instance always gets its own
    title = klass.__name__
    assign = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if len(args) > len(names):
            raise TypeError(f"{title}() takes {len(names)} arguments, {len(args)} given")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in defaults or key in values:
                raise TypeError(f"{title}() got an unexpected or repeated argument {key!r}")
            values[key] = value
        for name in names:
            if name not in values:
                default = defaults[name]
                if default is _MISSING:
                    raise TypeError(f"{title}() is missing the argument {name!r}")
                values[name] = default.make() if isinstance(default, Fresh) else default
            assign(self, name, values[name])

    def __repr__(self: Any) -> str:  # noqa: N807
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{klass.__qualname__}({shown})"

    def __eq__(self: Any, other: object) -> bool:  # noqa: N807
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in names)

    klass.__init__ = __init__  # type: ignore[misc]
    klass.__repr__ = __repr__  # type: ignore[method-assign]
    klass.__eq__ = __eq__  # type: ignore[method-assign,assignment]
    if frozen:
        def __hash__(self: Any) -> int:  # noqa: N807
            return hash(tuple(getattr(self, n) for n in names))

        def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807
            raise AttributeError(f"cannot assign to field {name!r} of a frozen {title}")

        def __delattr__(self: Any, name: str) -> None:  # noqa: N807
            raise AttributeError(f"cannot delete field {name!r} of a frozen {title}")

        klass.__hash__ = __hash__  # type: ignore[method-assign,assignment]
        klass.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]
        klass.__delattr__ = __delattr__  # type: ignore[method-assign,assignment]
    else:
        klass.__hash__ = None  # type: ignore[assignment]  # mutable and compared by value
    return klass
