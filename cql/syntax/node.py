"""``@node``: the frozen, slotted value classes of the syntax tree, built cheaply.

``@dataclass(frozen=True, slots=True)`` compiles six or seven methods per class with
``exec`` when the class is created; for the ~100 node classes that was half the time of
``import cql``. ``@node`` gives a class the same behaviour (constructor with defaults and
keyword-only fields, ``repr``, ``==`` and ``hash`` over the compared fields, frozen
attributes, ``__slots__``, ``__match_args__``, ``dataclasses.fields``/``replace``/``asdict``)
but shares ``repr``/``==``/``hash``/``setattr`` between all classes and compiles a class's
``__init__`` only when the class is first instantiated.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, Field, FrozenInstanceError
from operator import attrgetter

__all__ = ["node"]


def node(cls: type) -> type:
    """Turn a class with annotated fields into a frozen, slotted value class."""
    own = cls.__dict__.get("__annotations__", {})
    all_fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        all_fields.update(getattr(base, "__dataclass_fields__", {}))
    namespace = dict(cls.__dict__)
    for name, annotation in own.items():
        default = namespace.pop(name, MISSING)
        if isinstance(default, Field):
            spec = default
        else:
            spec = dataclasses.field(default=default)
        spec.name = name
        spec.type = annotation
        spec._field_type = _FIELD
        if spec.kw_only is MISSING:
            spec.kw_only = False
        all_fields[name] = spec
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = tuple(own)
    namespace["__dataclass_fields__"] = all_fields
    specs = tuple(all_fields.values())
    namespace["__match_args__"] = tuple(f.name for f in specs if f.init and not f.kw_only)
    namespace["_compared"] = _getter(tuple(f.name for f in specs if f.compare))
    namespace["_shown"] = tuple(f.name for f in specs if f.repr)
    for name, method in _SHARED.items():
        namespace.setdefault(name, method)
    new = type(cls)(cls.__name__, cls.__bases__, namespace)
    new.__init__ = _lazy_init(new)
    return new


def _lazy_init(cls: type):
    def __init__(self, *args, **kwargs):
        if cls.__init__ is __init__:
            cls.__init__ = _compile_init(cls)
        cls.__init__(self, *args, **kwargs)
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _compile_init(cls: type):
    """The constructor dataclasses would write: positional fields first, then keyword-only
    ones, each set through its slot (the class refuses ``setattr``)."""
    specs = list(cls.__dataclass_fields__.values())
    scope: dict[str, object] = {"MISSING": MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in specs:
        owner = next(c for c in cls.__mro__ if f.name in c.__dict__.get("__slots__", ()))
        scope[f"_set_{f.name}"] = owner.__dict__[f.name].__set__
        if f.default is not MISSING:
            scope[f"_dflt_{f.name}"] = f.default
            param = f"{f.name}=_dflt_{f.name}"
            value = f.name
        elif f.default_factory is not MISSING:
            scope[f"_fact_{f.name}"] = f.default_factory
            param = f"{f.name}=MISSING"
            value = f"_fact_{f.name}() if {f.name} is MISSING else {f.name}"
        else:
            param = f.name
            value = f.name
        (keyword if f.kw_only else positional).append(param)
        body.append(f"    _set_{f.name}(self, {value})")
    params = ["self", *positional] + (["*", *keyword] if keyword else [])
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
    return f"{type(self).__qualname__}({shown})"


def _getter(names: tuple[str, ...]):
    """The tuple of compared field values, as dataclasses' ``__eq__`` and ``__hash__`` build it."""
    if len(names) > 1:
        return staticmethod(attrgetter(*names))
    if names:
        name = names[0]
        return staticmethod(lambda obj: (getattr(obj, name),))
    return staticmethod(lambda obj: ())


def _eq(self, other):
    if other.__class__ is self.__class__:
        return self._compared(self) == self._compared(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self._compared(self))


def _setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self):
    return [getattr(self, name) for name in self.__dataclass_fields__]


def _setstate(self, state):
    for name, value in zip(self.__dataclass_fields__, state):
        object.__setattr__(self, name, value)


_SHARED = {"__repr__": _repr, "__eq__": _eq, "__hash__": _hash, "__setattr__": _setattr,
           "__delattr__": _delattr, "__getstate__": _getstate, "__setstate__": _setstate}
_FIELD = getattr(dataclasses, "_FIELD")  # what dataclasses.fields() lists (not ClassVar/InitVar)
