"""Factories: functions built per call for open-ended overload sets (Cassandra's
FunctionFactory)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cql.errors import InvalidRequest
from cql.types.base import CQLType
from cql.types.collections import ListType, MapType, SetType

from .arguments import ArgDesc, LiteralArg, preferred_type
from .base import SYSTEM, Function


@dataclass
class _Param:
    """FunctionParameter: how to infer and check one argument of a factory-built function."""

    label: str  # shown in "system.max(any)"
    check: Callable[[CQLType], bool] = lambda t: True
    requirement: str = ""  # "a map", "a set or list", ...: for the validation message
    infer_from_receiver: bool = False
    default: CQLType | None = None  # type used when the argument's own type is unknown
    same_as: int | None = None  # the argument whose inferred type this one shares
    prefer_other: bool = True  # same_as: the other's type wins over this argument's own
    infer: Callable[[ArgDesc], CQLType | None] | None = None  # own inference, else known type
    optional: bool = False
    message: str | None = None  # full custom message format (name, arg, type)

    def __str__(self) -> str:
        return f"[{self.label}]" if self.optional else self.label


@dataclass
class _Factory:
    name: str
    params: list[_Param]
    build: Callable[[list[CQLType], CQLType | None, list[ArgDesc]], Function]
    aliases: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{SYSTEM}.{self.name}({', '.join(map(str, self.params))})"

    def create(self, name: str, args: Sequence[ArgDesc], receiver: CQLType | None,
               texts: Sequence[str]) -> Function:
        n_mandatory = sum(1 for p in self.params if not p.optional)
        if not n_mandatory <= len(args) <= len(self.params):
            raise InvalidRequest(f"Invalid number of arguments for function {self}")
        first: list[CQLType | None] = []
        for a, p in zip(args, self.params):
            first.append(_infer(a, p, receiver, None))
        types: list[CQLType] = []
        for i, (a, p) in enumerate(zip(args, self.params)):
            t = _infer(a, p, receiver, first)
            if t is None:
                raise InvalidRequest(f"Cannot infer type of argument {texts[i]} in call to "
                                     f"function {self}: use type casts to disambiguate")
            if not p.check(t):
                fmt = p.message or ("Function {name} requires {req} argument, but found "
                                    "argument {arg} of type {type}")
                raise InvalidRequest(fmt.format(name=f"{SYSTEM}.{name}", req=p.requirement,
                                                arg=texts[i], type=_shown_type(a, t)))
            types.append(t)
        fn = self.build(types, receiver, list(args))
        fn.name = name
        return fn


def _shown_type(a: ArgDesc, t: CQLType) -> str:
    """The argument's type as messages name it: a string constant is ascii when it can be
    (Constants.Type.STRING.getPreferedTypeFor), as Cassandra reports it."""
    if isinstance(a, LiteralArg) and a.kind == "string" and t.name == "text" and a.text.isascii():
        return "ascii"
    return t.name


def _known_type(a: ArgDesc) -> CQLType | None:
    """AssignmentTestable.getCompatibleTypeIfKnown."""
    if isinstance(a, CQLType):
        return a
    if isinstance(a, LiteralArg):
        if a.kind in ("list", "set") and a.elements:
            elems = [_known_type(e) for e in a.elements]
            if any(e is None for e in elems) or len(set(elems)) != 1:
                return None
            return _make_collection(a.kind, elems[0])
        if a.kind == "map" and a.elements:
            ks = {_known_type(k) for k, _ in a.elements}
            vs = {_known_type(v) for _, v in a.elements}
            if None in ks or None in vs or len(ks) != 1 or len(vs) != 1:
                return None
            return _make_collection("map", ks.pop(), vs.pop())
        return preferred_type(a)
    return None


def _infer(a: ArgDesc, p: _Param, receiver: CQLType | None,
           inferred: list[CQLType | None] | None) -> CQLType | None:
    other = None
    if p.same_as is not None and inferred is not None:
        other = inferred[p.same_as]
    if other is not None and p.prefer_other:
        return other
    t = p.infer(a) if p.infer is not None else _known_type(a)
    if t is None:
        t = other
    if t is None and p.infer_from_receiver:
        t = receiver
    if t is None:
        t = p.default
    return t


def _make_collection(kind: str, *subtypes: CQLType, frozen: bool = True) -> CQLType:
    """A (frozen, like Cassandra's getInstance(..., false)) collection type."""

    if kind == "list":
        return ListType(subtypes[0], frozen)
    if kind == "set":
        return SetType(subtypes[0], frozen)
    if kind == "map":
        return MapType(subtypes[0], subtypes[1], frozen)
    raise AssertionError(kind)
