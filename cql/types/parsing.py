"""parse_type: CQL type text (as in DDL or system_schema.columns.type) -> CQLType."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .base import CQLType
from .collections import ListType, MapType, SetType, TupleType, UserType, VectorType
from .native import NATIVE_TYPES
from .values import MarshalError

UdtLookup = Callable[..., CQLType | None]

_TOKEN = re.compile(r'\s*(?:([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"]|"")*")|(\d+)|([<>,.]))')


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise MarshalError(f"Invalid type '{text}': unexpected character at position {pos}")
        ident, quoted, num, punct = m.groups()
        if ident is not None:
            out.append(("ident", ident))
        elif quoted is not None:
            out.append(("quoted", quoted[1:-1].replace('""', '"')))
        elif num is not None:
            out.append(("num", num))
        else:
            out.append(("punct", punct))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, udt_lookup: UdtLookup | None):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.udt_lookup = udt_lookup

    def error(self, what: str) -> MarshalError:
        return MarshalError(f"Invalid type '{self.text}': {what}")

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        t = self.peek()
        if t is None:
            raise self.error("unexpected end")
        self.i += 1
        return t

    def expect(self, punct: str) -> None:
        t = self.take()
        if t != ("punct", punct):
            raise self.error(f"expected '{punct}' but found '{t[1]}'")

    def args(self, n: int | None) -> list[CQLType]:
        self.expect("<")
        out = [self.type()]
        while self.peek() == ("punct", ","):
            self.take()
            out.append(self.type())
        self.expect(">")
        if n is not None and len(out) != n:
            raise self.error(f"expected {n} type parameter(s)")
        return out

    def type(self) -> CQLType:
        kind, tok = self.take()
        if kind == "quoted":
            return self.udt(tok)
        if kind != "ident":
            raise self.error(f"unexpected '{tok}'")
        low = tok.lower()
        nxt = self.peek()
        if nxt == ("punct", "<"):
            if low == "frozen":
                (inner,) = self.args(1)
                if not (inner.is_collection or inner.is_udt or inner.is_tuple):
                    raise MarshalError("frozen<> is only allowed on collections, tuples, and "
                                       f"user-defined types (got {inner.name})")
                return inner.freeze()
            if low == "list":
                return ListType(self.args(1)[0], False)
            if low == "set":
                return SetType(self.args(1)[0], False)
            if low == "map":
                k, v = self.args(2)
                return MapType(k, v, False)
            if low == "tuple":
                return TupleType(self.args(None))
            if low == "vector":
                self.expect("<")
                elem = self.type()
                self.expect(",")
                k, num = self.take()
                if k != "num":
                    raise self.error("vector dimension must be an integer")
                self.expect(">")
                return VectorType(elem, int(num))
            raise self.error(f"unknown parametrised type {tok}")
        if low in NATIVE_TYPES and nxt != ("punct", "."):
            return NATIVE_TYPES[low]
        return self.udt(low)

    def udt(self, name: str) -> CQLType:
        keyspace = None
        if self.peek() == ("punct", "."):
            self.take()
            kind, tok = self.take()
            if kind not in ("ident", "quoted"):
                raise self.error(f"unexpected '{tok}'")
            keyspace, name = name, (tok.lower() if kind == "ident" else tok)
        t = None
        if self.udt_lookup is not None:
            t = (self.udt_lookup(name) if keyspace is None
                 else self.udt_lookup(name, keyspace=keyspace))
        if t is None:
            shown = f"{keyspace}.{name}" if keyspace else name
            raise MarshalError(f"Unknown type {shown}")
        if isinstance(t, UserType) and t.frozen:
            # a bare name means the non-frozen type; frozen<> around it freezes it again
            t = UserType(t.keyspace, t.type_name, t.field_names, t.types, False)
        return t

    def parse(self) -> CQLType:
        t = self.type()
        if self.peek() is not None:
            raise self.error(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return t


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> CQLType:
    return _Parser(text, None).parse()


def parse_type(text: str, udt_lookup: UdtLookup | None = None) -> CQLType:
    """Parse 'map<text, frozen<list<int>>>', 'frozen<tuple<int, text>>', 'vector<float, 3>',
    'varchar', ... A UDT name is resolved with udt_lookup(name) (unquoted name), or
    udt_lookup(name, keyspace=ks) for a qualified 'ks.name'; it returns the UserType (its
    frozen flag is set from the surrounding frozen<>) or None. Unknown types raise MarshalError
    ('Unknown type x')."""
    if udt_lookup is None:
        return _parse_cached(text)
    return _Parser(text, udt_lookup).parse()
