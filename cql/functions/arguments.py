"""What the planner knows about each call argument (`LiteralArg`, types, markers) and
how assignable it is to a parameter type (Cassandra's AssignmentTestable)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation as _DecInvalid

from cql.types.base import CQLType
from cql.types.native import (
    ASCII,
    BIGINT,
    BLOB,
    BOOLEAN,
    COUNTER,
    DECIMAL,
    DOUBLE,
    DURATION,
    INT,
    TEXT,
    TIMESTAMP,
    TIMEUUID,
    UUID,
    VARINT,
)


@dataclass(frozen=True)
class LiteralArg:
    """What the planner knows about a literal argument (see the module docstring).

    `text` is the constant's text (strings unquoted) and is only used for overload preference
    (integer/float size) and messages. For collection literals `elements` may carry the element
    descriptions (LiteralArg or CQLType; for maps, (key, value) pairs)."""

    kind: str
    text: str = ""
    elements: tuple = ()

    def __str__(self) -> str:
        if self.kind == "string":
            return "'" + self.text + "'"
        if self.kind == "null":
            return "NULL"
        if self.kind == "marker":
            return self.text or "?"
        if self.text:
            return self.text
        if self.kind == "list":
            return "[" + ", ".join(map(str, self.elements)) + "]"
        if self.kind == "set":
            return "{" + ", ".join(map(str, self.elements)) + "}"
        if self.kind == "map":
            return "{" + ", ".join(f"{k}: {v}" for k, v in self.elements) + "}"
        if self.kind == "tuple":
            return "(" + ", ".join(map(str, self.elements)) + ")"
        return self.kind


ArgDesc = CQLType | LiteralArg | None

EXACT, WEAK, NOT = 2, 1, 0


def _is_marker(a: ArgDesc) -> bool:
    return a is None or (isinstance(a, LiteralArg) and a.kind == "marker")


def preferred_type(lit: LiteralArg) -> CQLType | None:
    """Constants.Type.getPreferedTypeFor: the type a constant is an exact match for."""
    k = lit.kind
    if k == "string":
        return TEXT
    if k == "integer":
        try:
            v = int(lit.text)
        except ValueError:
            return INT
        if -(2**31) <= v < 2**31:
            return INT
        return BIGINT if -(2**63) <= v < 2**63 else VARINT
    if k == "float":
        t = lit.text
        if t in ("NaN", "-NaN", "Infinity", "-Infinity", "+Infinity") or not t:
            return DOUBLE
        try:
            d = Decimal(t)
            return DOUBLE if Decimal(repr(float(t))) == d else DECIMAL
        except (_DecInvalid, ValueError, OverflowError):
            return DOUBLE
    return {"boolean": BOOLEAN, "uuid": UUID, "hex": BLOB, "duration": DURATION}.get(k)


def _collection_kind(t: CQLType) -> str | None:
    """'list', 'set', 'map', 'tuple', 'udt', 'vector' or None for a native type."""
    if t.is_vector:
        return "vector"
    if t.is_udt:
        return "udt"
    if t.is_tuple:
        return "tuple"
    if t.is_collection:
        return getattr(t, "kind", None) or None
    return None


def _frozen(t: CQLType) -> CQLType:
    try:
        return t.freeze()
    except Exception:  # noqa: BLE001 - types still being written may not freeze
        return t


def value_compatible(receiver: CQLType, provided: CQLType) -> bool:
    """AbstractType.isValueCompatibleWith: can `receiver` read `provided`'s bytes?"""
    if receiver == provided or _frozen(receiver) == _frozen(provided):
        return True
    if receiver is BLOB:
        return True
    if receiver is TEXT:
        return provided is ASCII
    if receiver is BIGINT:  # LongType: not a counter (counterasblob(bigint) is refused)
        return provided is TIMESTAMP
    if receiver is TIMESTAMP:
        return provided is BIGINT
    if receiver is VARINT:
        return provided in (INT, BIGINT, TIMESTAMP)
    if receiver is UUID:
        return provided is TIMEUUID
    return False


def _type_assign(provided: CQLType, expected: CQLType) -> int:
    """AbstractType.testAssignment(expected)."""
    if provided == expected or _frozen(provided) == _frozen(expected):
        return EXACT
    if value_compatible(expected, provided):
        return WEAK
    return NOT


def _literal_assign(lit: LiteralArg, expected: CQLType) -> int:
    k = lit.kind
    if k == "marker":
        return WEAK
    if k == "null":
        return NOT if expected.is_counter else WEAK
    ckind = _collection_kind(expected)
    if k == "collection":  # some collection/tuple/UDT literal the planner did not describe
        return NOT if ckind is None else WEAK
    if k in ("list", "set", "map", "tuple", "udt"):
        if ckind is None:
            return NOT
        ok = {"list": ("list", "set", "vector"), "set": ("set",), "map": ("map", "set", "udt"),
              "tuple": ("tuple",), "udt": ("udt", "map")}[k]
        # `{}` parses as a map literal but is assignable to a set; `[..]` to a vector
        if ckind not in ok and not (k == "set" and ckind == "map" and not lit.elements):
            return NOT
        return _elements_assign(lit, expected, ckind)
    if ckind is not None:
        return NOT
    if preferred_type(lit) == expected:
        return EXACT
    return WEAK if expected.accepts_constant(k) else NOT


def _elements_assign(lit: LiteralArg, expected: CQLType, ckind: str) -> int:
    if not lit.elements:
        return WEAK
    res = WEAK
    if ckind in ("list", "set", "vector"):
        elem = _elem_type(expected)
        pairs = [(e, elem) for e in lit.elements]
    elif ckind == "map" and lit.kind == "map":
        kt, vt = _map_types(expected)
        pairs = [(k, kt) for k, _ in lit.elements] + [(v, vt) for _, v in lit.elements]
    else:
        return WEAK
    for a, t in pairs:
        if assignment(a, t) == NOT:
            return NOT
    return res


def assignment(arg: ArgDesc, expected: CQLType) -> int:
    """EXACT, WEAK or NOT: how `arg` can be passed where `expected` is wanted."""
    if arg is None:
        return WEAK
    if isinstance(arg, LiteralArg):
        return _literal_assign(arg, expected)
    return _type_assign(arg, expected)


def _elem_type(t: CQLType) -> CQLType:
    elem = getattr(t, "elem", None)
    if elem is None:
        elem = t.subtypes[0]
    return elem


def _map_types(t: CQLType) -> tuple[CQLType, CQLType]:
    k, v = getattr(t, "key", None), getattr(t, "value", None)
    if k is None or v is None:
        k, v = t.subtypes[0], t.subtypes[1]
    return k, v


def _type_name(t: CQLType) -> str:
    return t.name


def _udf_type(t: CQLType | None) -> CQLType | None:
    """AbstractType.udfType(): counters are seen as bigint by functions."""
    return BIGINT if t is COUNTER else t
