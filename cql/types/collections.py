"""Parametrised types: list, set, map (frozen or not), tuple, user-defined types, vector."""

from __future__ import annotations

import json
import keyword
import re
import struct
from collections import namedtuple
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sortedcontainers import SortedDict, SortedSet

from cql.vocabulary import quote_name

from . import comparable as bc
from .base import CQLType, java_class_name, java_repr, json_quote
from .native import read_unsigned_vint, write_unsigned_vint
from .values import EMPTY, FrozenSortedDict, FrozenSortedSet, MarshalError, OrderedMap, OrderedSet

_PLAIN_NUMBERS = frozenset((float, int))  # vector elements packed in one struct call
_I32 = struct.Struct(">i")
_M = "org.apache.cassandra.db.marshal."
_NULL_IN_COLLECTION = "null is not supported inside collections"


def _bad_json(what: str, obj: Any) -> MarshalError:
    return MarshalError(f"Expected {what}, but got a {java_class_name(obj)}: {java_repr(obj)}")


def _decode_json_text(obj: Any) -> Any:
    """Collections/UDTs/tuples accept their JSON as a string too (map keys arrive that way)."""
    if isinstance(obj, str):
        try:
            return json.loads(obj, parse_float=Decimal)
        except ValueError as e:
            raise MarshalError(f"Could not decode JSON string '{obj}': {e}") from None
    return obj


def _is_sequence_value(v: Any) -> bool:
    return isinstance(v, Iterable) and not isinstance(v, (str, bytes, bytearray, Mapping))


class _Reader:
    """Cursor over collection bytes; every overrun becomes a MarshalError."""

    __slots__ = ("data", "pos", "what")

    def __init__(self, data: bytes, what: str):
        self.data = data
        self.pos = 0
        self.what = what

    def int32(self) -> int:
        if self.pos + 4 > len(self.data):
            raise MarshalError(f"Not enough bytes to read a {self.what}")
        v = _I32.unpack_from(self.data, self.pos)[0]
        self.pos += 4
        return v

    def value(self) -> bytes | None:
        n = self.int32()
        if n < 0:
            return None
        end = self.pos + n
        if end > len(self.data):
            raise MarshalError(f"Not enough bytes to read a {self.what}")
        v = self.data[self.pos:end]
        self.pos = end
        return v

    def done(self) -> bool:
        return self.pos >= len(self.data)


def _pack_value(b: bytes | None) -> bytes:
    if b is None:
        return b"\xff\xff\xff\xff"
    return _I32.pack(len(b)) + b


def _item_fcmp(t: CQLType, data: bytes, pos: int, h: bool, what: str) -> tuple[Any, int]:
    """One SEP- (or EMPTY_SEP-) marked item of a byte-comparable sequence."""
    b = _read_seq_comparable(data, pos)
    if b == bc.EMPTY_SEP:  # the zero-length value: EMPTY, '' or b'', else the type's error
        return t.deserialize(b""), pos + 1
    if b != bc.SEP:
        raise MarshalError(f"Malformed byte-comparable {what}")
    return t._fcmp(data, pos + 1, h)


def _read_seq_comparable(data: bytes, pos: int) -> int:
    """Check a sequence item marker; return the byte (SEP / NULL_SEP / TERMINATOR)."""
    if pos >= len(data):
        raise MarshalError("Truncated byte-comparable sequence")
    return data[pos]


# ----------------------------------------------------------------------------------------------

class _CollectionType(CQLType):
    is_collection = True
    kind = ""

    def __init__(self, frozen: bool):
        self.frozen = bool(frozen)
        self.is_multicell = not self.frozen

    @property
    def bare_name(self) -> str:
        raise NotImplementedError

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"frozen<{self.bare_name}>" if self.frozen else self.bare_name

    @property
    def comparable(self) -> bool:  # type: ignore[override]
        return all(t.comparable for t in self.subtypes)

    @property
    def marshal_class(self) -> str:  # type: ignore[override]
        inner = (f"{_M}{self.kind.capitalize()}Type("
                 + ",".join(t.marshal_class for t in self.subtypes) + ")")
        return f"{_M}FrozenType({inner})" if self.frozen else inner

    def protocol_option(self, protocol_version: int = 4) -> tuple:
        return (self.type_id, *(t.protocol_option(protocol_version) for t in self.subtypes))


class ListType(_CollectionType):
    kind = "list"
    type_id = 0x0020
    nulls_allowed = False

    def __init__(self, elem: CQLType, frozen: bool = False):
        super().__init__(frozen)
        self.elem = elem

    def _key(self) -> tuple:
        return ("list", self.elem, self.frozen)

    @property
    def element_type(self) -> CQLType:
        return self.elem

    @property
    def subtypes(self) -> tuple[CQLType, ...]:
        return (self.elem,)

    @property
    def bare_name(self) -> str:
        return f"list<{self.elem.name}>"

    def freeze(self) -> ListType:
        return ListType(self.elem.freeze(), True)

    def _val(self, v: Any, h: bool) -> Any:
        if not _is_sequence_value(v):
            raise MarshalError(f"Expected a list for type {self.name}, got {type(v).__name__}: "
                               f"{v!r}")
        e = self.elem
        out = []
        for x in v:
            if x is None:
                if not self.nulls_allowed:
                    raise MarshalError(_NULL_IN_COLLECTION)
                out.append(None)
                continue
            out.append(e._val(x, h) if type(x) is not bytes and x is not EMPTY
                       else e._elem(x, h))
        return tuple(out) if h else out

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        e = self.elem
        parts = [_I32.pack(len(v))]
        for x in v:
            parts.append(_pack_value(e.serialize(x)))
        return b"".join(parts)

    def _elements(self, data: bytes, kind: str, h: bool) -> list:
        """The elements of a serialized list or set (nulls and stray bytes rejected)."""
        r = _Reader(data, kind)
        n = r.int32()
        if n < 0:
            raise MarshalError(f"Invalid negative {kind} size {n}")
        e = self.elem
        out = []
        for _ in range(n):
            b = r.value()
            if b is None:
                if not self.nulls_allowed:
                    raise MarshalError(_NULL_IN_COLLECTION)
                out.append(None)
                continue
            out.append(e._des_elem(b, h))
        if not r.done():
            raise MarshalError(f"Unexpected extraneous bytes after {kind} value")
        return out

    def _des(self, data: bytes, h: bool) -> Any:
        out = self._elements(data, "list", h)
        return tuple(out) if h else out

    def to_comparable(self, v: Any) -> bytes:
        e = self.elem
        return b"".join(e._seq_comparable(x) for x in v) + b"\x38"

    def _fcmp_items(self, data: bytes, pos: int, h: bool) -> tuple[list, int]:
        e = self.elem
        out = []
        while True:
            b = _read_seq_comparable(data, pos)
            if b == bc.TERMINATOR:
                return out, pos + 1
            if b == bc.EMPTY_SEP:  # EMPTY, '' or b'', else the element type's error
                out.append(e.deserialize(b""))
                pos += 1
                continue
            if b != bc.SEP:
                raise MarshalError("Malformed byte-comparable collection")
            x, pos = e._fcmp(data, pos + 1, True if self.kind == "set" else h)
            out.append(x)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        out, pos = self._fcmp_items(data, pos, h)
        return (tuple(out) if h else out), pos

    def _literal(self, v: Any) -> str:
        return "[" + ", ".join(self.elem.to_cql_literal(x) for x in v) + "]"

    def _json(self, v: Any) -> str:
        return "[" + ", ".join(self.elem.to_json_text(x) for x in v) + "]"

    def _from_json(self, obj: Any, h: bool) -> Any:
        obj = _decode_json_text(obj)
        if not isinstance(obj, list):
            raise _bad_json("a list", obj)
        out = []
        for x in obj:
            if x is None:
                raise MarshalError("Invalid null element in list")  # ListType.fromJSONObject
            out.append(self.elem._from_json(x, h))
        return tuple(out) if h else out


class InValuesType(ListType):
    """The receiver of ``IN ?`` in an LWT condition: a frozen list whose elements may be null
    (Cassandra's ``Terms.ofListMarker``; ``IF v IN ?`` bound to ``[1, null]`` is valid)."""

    nulls_allowed = True

    def __init__(self, elem: CQLType):
        super().__init__(elem, True)

    def _key(self) -> tuple:
        return ("in-values", self.elem)

    def freeze(self) -> InValuesType:
        return self


class SetType(ListType):
    kind = "set"
    type_id = 0x0022

    def _key(self) -> tuple:
        return ("set", self.elem, self.frozen)

    @property
    def bare_name(self) -> str:
        return f"set<{self.elem.name}>"

    def freeze(self) -> SetType:
        return SetType(self.elem.freeze(), True)

    def _make(self, items: Iterable[Any], h: bool) -> Any:
        key = self.elem.to_comparable
        if h:
            uniq = {}
            for x in items:
                uniq.setdefault(x, x)
            return FrozenSortedSet(sorted(uniq, key=key))
        return OrderedSet(items, key=key)

    def _val(self, v: Any, h: bool) -> Any:
        if not _is_sequence_value(v):
            raise MarshalError(f"Expected a set for type {self.name}, got {type(v).__name__}: "
                               f"{v!r}")
        e = self.elem
        items = []
        for x in v:
            if x is None:
                raise MarshalError(_NULL_IN_COLLECTION)
            items.append(e._val(x, True) if type(x) is not bytes and x is not EMPTY
                         else e._elem(x, True))
        return self._make(items, h)

    def _ordered(self, v: Any) -> Iterable[Any]:
        if isinstance(v, (SortedSet, FrozenSortedSet)):
            return v
        return sorted(v, key=self.elem.to_comparable)

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        return super().serialize(list(self._ordered(v)))

    def _des(self, data: bytes, h: bool) -> Any:
        return self._make(self._elements(data, "set", True), h)

    def to_comparable(self, v: Any) -> bytes:
        return super().to_comparable(list(self._ordered(v)))

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        out, pos = self._fcmp_items(data, pos, True)
        return self._make(out, h), pos

    def _literal(self, v: Any) -> str:
        return "{" + ", ".join(self.elem.to_cql_literal(x) for x in self._ordered(v)) + "}"

    def _json(self, v: Any) -> str:
        return "[" + ", ".join(self.elem.to_json_text(x) for x in self._ordered(v)) + "]"

    def _from_json(self, obj: Any, h: bool) -> Any:
        obj = _decode_json_text(obj)
        if not isinstance(obj, list):
            raise _bad_json("a list (representing a set)", obj)
        items = []
        for x in obj:
            if x is None:
                raise MarshalError("Invalid null element in set")  # SetType.fromJSONObject
            items.append(self.elem._from_json(x, True))
        return self._make(items, h)


class MapType(_CollectionType):
    kind = "map"
    type_id = 0x0021

    def __init__(self, key: CQLType, value: CQLType, frozen: bool = False):
        super().__init__(frozen)
        self.key = key
        self.value = value

    def _key(self) -> tuple:
        return ("map", self.key, self.value, self.frozen)

    @property
    def key_type(self) -> CQLType:
        return self.key

    @property
    def value_type(self) -> CQLType:
        return self.value

    @property
    def subtypes(self) -> tuple[CQLType, ...]:
        return (self.key, self.value)

    @property
    def bare_name(self) -> str:
        return f"map<{self.key.name}, {self.value.name}>"

    def freeze(self) -> MapType:
        return MapType(self.key.freeze(), self.value.freeze(), True)

    def _make(self, items: list[tuple[Any, Any]], h: bool) -> Any:
        kf = self.key.to_comparable
        if h:
            d = dict(items)
            return FrozenSortedDict(sorted(d.items(), key=lambda kv: kf(kv[0])))
        return OrderedMap(kf, items)

    def _val(self, v: Any, h: bool) -> Any:
        if isinstance(v, Mapping):
            pairs = v.items()
        elif _is_sequence_value(v):
            pairs = v
        else:
            raise MarshalError(f"Expected a map for type {self.name}, got {type(v).__name__}: "
                               f"{v!r}")
        kt, vt = self.key, self.value
        items = []
        for pair in pairs:
            try:
                k, x = pair
            except (TypeError, ValueError):
                raise MarshalError(f"Expected a map for type {self.name}, got "
                                   f"{type(v).__name__}: {v!r}") from None
            if k is None or x is None:
                raise MarshalError(_NULL_IN_COLLECTION)
            items.append((kt._val(k, True) if type(k) is not bytes and k is not EMPTY
                          else kt._elem(k, True),
                          vt._val(x, h) if type(x) is not bytes and x is not EMPTY
                          else vt._elem(x, h)))
        return self._make(items, h)

    def _ordered(self, v: Any) -> Iterable[tuple[Any, Any]]:
        if isinstance(v, (SortedDict, FrozenSortedDict)):
            return v.items()
        kf = self.key.to_comparable
        return sorted(v.items(), key=lambda kv: kf(kv[0]))

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        kt, vt = self.key, self.value
        parts = [_I32.pack(len(v))]
        for k, x in self._ordered(v):
            parts.append(_pack_value(kt.serialize(k)))
            parts.append(_pack_value(vt.serialize(x)))
        return b"".join(parts)

    def _des(self, data: bytes, h: bool) -> Any:
        r = _Reader(data, "map")
        n = r.int32()
        if n < 0:
            raise MarshalError(f"Invalid negative map size {n}")
        kt, vt = self.key, self.value
        items = []
        for _ in range(n):
            kb = r.value()
            vb = r.value()
            if kb is None or vb is None:
                raise MarshalError(_NULL_IN_COLLECTION)
            items.append((kt._des_elem(kb, True), vt._des_elem(vb, h)))
        if not r.done():
            raise MarshalError("Unexpected extraneous bytes after map value")
        return self._make(items, h)

    def to_comparable(self, v: Any) -> bytes:
        kt, vt = self.key, self.value
        return b"".join(kt._seq_comparable(k) + vt._seq_comparable(x)
                        for k, x in self._ordered(v)) + b"\x38"

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        kt, vt = self.key, self.value
        items = []
        while True:
            b = _read_seq_comparable(data, pos)
            if b == bc.TERMINATOR:
                return self._make(items, h), pos + 1
            k, pos = _item_fcmp(kt, data, pos, True, "map")
            x, pos = _item_fcmp(vt, data, pos, h, "map")
            items.append((k, x))

    def _literal(self, v: Any) -> str:
        kt, vt = self.key, self.value
        return "{" + ", ".join(f"{kt.to_cql_literal(k)}: {vt.to_cql_literal(x)}"
                               for k, x in self._ordered(v)) + "}"

    def _json(self, v: Any) -> str:
        kt, vt = self.key, self.value
        parts = []
        for k, x in self._ordered(v):
            ks = kt.to_json_text(k)
            if not ks.startswith('"'):
                ks = json_quote(ks)
            parts.append(f"{ks}: {vt.to_json_text(x)}")
        return "{" + ", ".join(parts) + "}"

    def _from_json(self, obj: Any, h: bool) -> Any:
        obj = _decode_json_text(obj)
        if not isinstance(obj, dict):
            raise _bad_json("a map", obj)
        kt, vt = self.key, self.value
        items = []
        for k, x in obj.items():
            if x is None:  # MapType.fromJSONObject (a JSON key is never null)
                raise MarshalError("Invalid null value in map")
            items.append((kt._from_json(k, True), vt._from_json(x, h)))
        return self._make(items, h)


# ----------------------------------------------------------------------------------------------

class _FieldSequenceType(CQLType):
    """Shared machinery of tuples and UDTs: fixed positions, nulls allowed, trailing ones may be
    missing in serialized form."""

    types: tuple[CQLType, ...] = ()

    @property
    def subtypes(self) -> tuple[CQLType, ...]:
        return self.types

    @property
    def field_types(self) -> tuple[CQLType, ...]:
        return self.types

    @property
    def comparable(self) -> bool:  # type: ignore[override]
        return all(t.comparable for t in self.types)

    def _build(self, values: list[Any]) -> Any:
        return tuple(values)

    def _val_items(self, items: list[Any], h: bool) -> Any:
        return self._build([None if x is None else t._val(x, h)
                            if type(x) is not bytes and x is not EMPTY else t._elem(x, h)
                            for t, x in zip(self.types, items)]
                           + [None] * (len(self.types) - len(items)))

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        return b"".join(_pack_value(None if x is None else t.serialize(x))
                        for t, x in zip(self.types, v))

    def _des(self, data: bytes, h: bool) -> Any:
        r = _Reader(data, self._what)
        out = []
        for t in self.types:
            if r.done():
                break
            b = r.value()
            out.append(None if b is None else t._des_elem(b, h))
        if not r.done():
            raise MarshalError(self._extra_msg)
        out += [None] * (len(self.types) - len(out))
        return self._build(out)

    def to_comparable(self, v: Any) -> bytes:
        # Trailing nulls are left out (as Cassandra does since CASSANDRA-18990), so a value
        # written before ALTER TYPE ... ADD is the same key as one written after with the new
        # fields null.
        n = len(v)
        while n and v[n - 1] is None:
            n -= 1
        parts = []
        for t, x in zip(self.types[:n], v):
            if x is None:
                parts.append(b"\x3f")
            elif x is EMPTY:
                parts.append(b"\x3e")
            else:
                parts.append(b"\x40")
                parts.append(t.to_comparable(x))
        parts.append(b"\x38")
        return b"".join(parts)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        out = []
        for t in self.types:
            b = _read_seq_comparable(data, pos)
            if b == bc.TERMINATOR:
                break
            if b == bc.NULL_SEP:
                out.append(None)
                pos += 1
            elif b == bc.EMPTY_SEP:
                out.append(t.deserialize(b""))
                pos += 1
            elif b == bc.SEP:
                x, pos = t._fcmp(data, pos + 1, h)
                out.append(x)
            else:
                raise MarshalError(f"Malformed byte-comparable {self._what}")
        if _read_seq_comparable(data, pos) != bc.TERMINATOR:
            raise MarshalError(f"Malformed byte-comparable {self._what}")
        out += [None] * (len(self.types) - len(out))
        return self._build(out), pos + 1

    _what = "tuple"
    _extra_msg = "Invalid remaining data after end of tuple value"


class TupleType(_FieldSequenceType):
    """tuple<...>: always frozen, printed 'frozen<tuple<...>>' like Cassandra 4+/5."""

    type_id = 0x0031
    is_tuple = True
    frozen = True
    # a string constant is parsed as by TupleType.fromString ('1:text', '@' a null, a colon
    # escaped by a backslash)
    constant_kinds = frozenset({"string"})

    def __init__(self, types: Iterable[CQLType]):
        # tuples are frozen, and so is everything inside them
        self.types = tuple(t.freeze() for t in types)

    def _from_constant(self, kind: str, text: str) -> tuple:
        fields = re.split(r"(?<!\\):", text)
        if len(fields) > len(self.types):
            raise MarshalError(f"Invalid tuple literal: too many elements. Type {self.name} "
                               f"expects {len(self.types)} but got {len(fields)}")
        out = []
        for t, field in zip(self.types, fields):
            if field == "@":
                out.append(None)
                continue
            field = field.replace("\\:", ":").replace("\\@", "@")
            out.append(t._from_constant("string", field))
        return self._build(out + [None] * (len(self.types) - len(out)))

    def _key(self) -> tuple:
        return ("tuple", self.types)

    @property
    def bare_name(self) -> str:
        return "tuple<" + ", ".join(t.name for t in self.types) + ">"

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"frozen<{self.bare_name}>"

    @property
    def marshal_class(self) -> str:  # type: ignore[override]
        return f"{_M}TupleType(" + ",".join(t.marshal_class for t in self.types) + ")"

    def freeze(self) -> TupleType:
        return TupleType(t.freeze() for t in self.types)

    def _val(self, v: Any, h: bool) -> tuple:
        if not _is_sequence_value(v):
            raise MarshalError(f"Expected a tuple for type {self.bare_name}, got "
                               f"{type(v).__name__}: {v!r}")
        items = list(v)
        if len(items) > len(self.types):  # serialized: data left after the last component
            raise MarshalError(self._extra_msg)
        return self._val_items(items, h)

    def _literal(self, v: Any) -> str:
        return "(" + ", ".join(t.to_cql_literal(x) for t, x in zip(self.types, v)) + ")"

    def _json(self, v: Any) -> str:
        return "[" + ", ".join(t.to_json_text(x) for t, x in zip(self.types, v)) + "]"

    def _from_json(self, obj: Any, h: bool) -> Any:
        obj = _decode_json_text(obj)
        if not isinstance(obj, list):
            raise _bad_json("a list representation of a tuple", obj)
        n = len(self.types)
        if len(obj) > n:
            raise MarshalError(f"Tuple contains extra items (expected {n}): {java_repr(obj)}")
        if len(obj) < n:
            raise MarshalError(f"Tuple is missing items (expected {n}): {java_repr(obj)}")
        return self._build([None if x is None else t._from_json(x, h)
                            for t, x in zip(self.types, obj)])

    def protocol_option(self, protocol_version: int = 4) -> tuple:
        return (0x0031, tuple(t.protocol_option(protocol_version) for t in self.types))


_UDT_CLASSES: dict[tuple, type] = {}


def _udt_class(keyspace: str, name: str, field_names: tuple[str, ...]) -> type:
    """A namedtuple class per UDT definition (cached so instances of one UDT share a class).
    Field names that are not identifiers get positional names (_0, _1 ...)."""
    key = (keyspace, name, field_names)
    cls = _UDT_CLASSES.get(key)
    if cls is None:
        cls_name = re.sub(r"\W", "_", name) or "udt"
        if not cls_name.isidentifier() or keyword.iskeyword(cls_name):
            cls_name = "udt_" + cls_name
        cls = namedtuple(cls_name, field_names, rename=True)  # type: ignore[misc]
        cls._cql_field_names = field_names  # type: ignore[attr-defined]
        _UDT_CLASSES[key] = cls
    return cls


class UserType(_FieldSequenceType):
    """A user-defined type; `type_name` is its bare (unquoted) name, `name` the CQL text."""

    type_id = 0x0030
    is_udt = True
    _what = "UDT"
    _extra_msg = "Invalid remaining data after end of UDT value"

    def __init__(self, keyspace: str, name: str, field_names: Iterable[str],
                 field_types: Iterable[CQLType], frozen: bool = False):
        self.keyspace = keyspace
        self.type_name = name
        self.field_names = tuple(field_names)
        self.types = tuple(field_types)
        if len(self.field_names) != len(self.types):
            raise MarshalError("UDT field names and types differ in number")
        self.frozen = bool(frozen)
        self.is_multicell = not self.frozen
        self.value_class = _udt_class(keyspace, name, self.field_names)
        self._index = {f: i for i, f in enumerate(self.field_names)}

    def _key(self) -> tuple:
        return ("udt", self.keyspace, self.type_name, self.field_names, self.types, self.frozen)

    @property
    def bare_name(self) -> str:
        return quote_name(self.type_name)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"frozen<{self.bare_name}>" if self.frozen else self.bare_name

    @property
    def marshal_class(self) -> str:  # type: ignore[override]
        fields = ",".join(f"{f.encode().hex()}:{t.marshal_class}"
                          for f, t in zip(self.field_names, self.types))
        inner = f"{_M}UserType({self.keyspace},{self.type_name.encode().hex()},{fields})"
        return f"{_M}FrozenType({inner})" if self.frozen else inner

    def freeze(self) -> UserType:
        return UserType(self.keyspace, self.type_name, self.field_names,
                        [t.freeze() for t in self.types], True)

    def references_udt(self, keyspace: str | None, name: str) -> bool:
        if self.type_name == name and (keyspace is None or keyspace == self.keyspace):
            return True
        return super().references_udt(keyspace, name)

    def field_index(self, field: str) -> int:
        """Position of a field; MarshalError if the UDT has no such field."""
        try:
            return self._index[field]
        except KeyError:
            raise MarshalError(f"Unknown field '{field}' in value of user defined type "
                               f"{self.type_name}") from None

    def field_type(self, field: str) -> CQLType:
        return self.types[self.field_index(field)]

    def _build(self, values: list[Any]) -> Any:
        return self.value_class(*values)

    def _val(self, v: Any, h: bool) -> Any:
        # a bound value with fields the type lacks is, serialized, data left after the
        # type's fields: say what Cassandra says of those bytes (UserType.validate)
        if isinstance(v, Mapping):
            items: list[Any] = [None] * len(self.types)
            for k, x in v.items():
                if k not in self._index:
                    raise MarshalError(self._extra_msg)
                items[self._index[k]] = x
            return self._val_items(items, h)
        if _is_sequence_value(v):
            items = list(v)
            if len(items) > len(self.types):
                raise MarshalError(self._extra_msg)
            return self._val_items(items, h)
        if all(hasattr(v, f) for f in self.field_names):
            return self._val_items([getattr(v, f) for f in self.field_names], h)
        raise MarshalError(f"Expected a value of user defined type {self.type_name}, got "
                           f"{type(v).__name__}: {v!r}")

    def _literal(self, v: Any) -> str:
        return "{" + ", ".join(f"{quote_name(f)}: {t.to_cql_literal(x)}"
                               for f, t, x in zip(self.field_names, self.types, v)) + "}"

    def _json(self, v: Any) -> str:
        parts = []
        for f, t, x in zip(self.field_names, self.types, v):
            key = f if f == f.lower() else f'"{f}"'
            parts.append(f"{json_quote(key)}: {t.to_json_text(x)}")
        return "{" + ", ".join(parts) + "}"

    def _from_json(self, obj: Any, h: bool) -> Any:
        obj = _decode_json_text(obj)
        if not isinstance(obj, dict):
            raise _bad_json("a map", obj)
        items: list[Any] = [None] * len(self.types)
        for k, x in obj.items():
            # JSON keys follow CQL identifier rules: "\"Name\"" is case-sensitive, others fold
            if len(k) >= 2 and k.startswith('"') and k.endswith('"'):
                fname = k[1:-1].replace('""', '"')
            else:
                fname = k.lower()
            i = self.field_index(fname)
            items[i] = None if x is None else self.types[i]._from_json(x, h)
        return self._build(items)

    def protocol_option(self, protocol_version: int = 4) -> tuple:
        return (0x0030, self.keyspace, self.type_name,
                tuple((f, t.protocol_option(protocol_version))
                      for f, t in zip(self.field_names, self.types)))


# ----------------------------------------------------------------------------------------------

def _element_present(x: Any) -> bool:
    if x is None:
        raise MarshalError("null is not supported inside vectors")
    return True


class VectorType(CQLType):
    """vector<T, n> (5.0): exactly n non-null elements; never multi-cell."""

    type_id = 0x0000
    is_vector = True
    frozen = True

    def __init__(self, elem: CQLType, dimension: int):
        if dimension <= 0:
            raise MarshalError(f"vectors may only have positive dimensions; given {dimension}")
        self.elem = elem.freeze()
        self.dimension = int(dimension)

    def _key(self) -> tuple:
        return ("vector", self.elem, self.dimension)

    @property
    def element_type(self) -> CQLType:
        return self.elem

    @property
    def subtypes(self) -> tuple[CQLType, ...]:
        return (self.elem,)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"vector<{self.elem.name}, {self.dimension}>"

    bare_name = name

    @property
    def comparable(self) -> bool:  # type: ignore[override]
        return self.elem.comparable

    @property
    def marshal_class(self) -> str:  # type: ignore[override]
        return f"{_M}VectorType({self.elem.marshal_class},{self.dimension})"

    def freeze(self) -> VectorType:
        return VectorType(self.elem.freeze(), self.dimension)

    def _val(self, v: Any, h: bool) -> Any:
        if not _is_sequence_value(v):
            raise MarshalError(f"Expected a list for type {self.name}, got {type(v).__name__}: "
                               f"{v!r}")
        items = list(v)
        if len(items) != self.dimension:
            raise MarshalError(self._dimension_error(items))
        fmt = getattr(self.elem, "_struct", None)
        if fmt is not None and fmt.format == ">f" and _PLAIN_NUMBERS.issuperset(map(type, items)):
            try:  # float32 rounding of plain numbers in one pack/unpack
                packed = struct.unpack(f">{len(items)}f", struct.pack(f">{len(items)}f", *items))
                return packed if h else list(packed)
            except (struct.error, OverflowError):
                pass  # the element type reports the bad value
        out = []
        for x in items:
            if x is None:
                raise MarshalError("null is not supported inside vectors")
            out.append(self.elem._val(x, h))
        return tuple(out) if h else out

    def _dimension_error(self, items: list) -> str:
        """What Cassandra's VectorSerializer says of these elements serialized as a vector of
        this type: too few leave it short, too many leave bytes after it."""
        if len(items) < self.dimension:
            return f"Not enough bytes to read a {self.name}"
        extra = [self.elem._val(x, False) for x in items[self.dimension:]
                 if _element_present(x)]
        return (f"Unexpected {len(self.serialize(extra))} extraneous bytes after {self.name} "
                "value")

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        e = self.elem
        if e.fixed_length is not None:
            return b"".join(e.serialize(x) for x in v)
        parts = []
        for x in v:
            b = e.serialize(x)
            parts.append(write_unsigned_vint(len(b)))
            parts.append(b)
        return b"".join(parts)

    def _des(self, data: bytes, h: bool) -> Any:
        e = self.elem
        n = self.dimension
        out = []
        if not data:
            raise MarshalError("Invalid empty vector value")
        if e.fixed_length is not None:
            size = e.fixed_length
            if len(data) != size * n:
                raise MarshalError(f"Expected {size * n} bytes for a {self.name} "
                                   f"({len(data)})")
            fmt = getattr(e, "_struct", None)
            if fmt is not None and fmt.format in (">f", ">d"):  # float/double: one unpack
                values = struct.unpack(f">{n}{fmt.format[1]}", data)
                return values if h else list(values)
            for i in range(n):
                out.append(e._des(data[i * size:(i + 1) * size], h))
        else:
            pos = 0
            for _ in range(n):
                size, pos = read_unsigned_vint(data, pos)
                if pos + size > len(data):
                    raise MarshalError(f"Not enough bytes to read a {self.name}")
                out.append(e._des(data[pos:pos + size], h))
                pos += size
            if pos != len(data):
                raise MarshalError(f"Unexpected extraneous bytes after {self.name} value")
        return tuple(out) if h else out

    def to_comparable(self, v: Any) -> bytes:
        e = self.elem
        return b"".join(b"\x40" + e.to_comparable(x) for x in v) + b"\x38"

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        out = []
        for _ in range(self.dimension):
            if _read_seq_comparable(data, pos) != bc.SEP:
                raise MarshalError("Malformed byte-comparable vector")
            x, pos = self.elem._fcmp(data, pos + 1, h)
            out.append(x)
        if _read_seq_comparable(data, pos) != bc.TERMINATOR:
            raise MarshalError("Malformed byte-comparable vector")
        return (tuple(out) if h else out), pos + 1

    def _literal(self, v: Any) -> str:
        return "[" + ", ".join(self.elem.to_cql_literal(x) for x in v) + "]"

    def _json(self, v: Any) -> str:
        return "[" + ", ".join(self.elem.to_json_text(x) for x in v) + "]"

    def _from_json(self, obj: Any, h: bool) -> Any:
        obj = _decode_json_text(obj)
        if not isinstance(obj, list):
            raise _bad_json("a list", obj)
        if len(obj) != self.dimension:
            raise MarshalError(f"List had incorrect size: expected {self.dimension} but given "
                               f"{len(obj)}; {java_repr(obj)}")
        out = []
        for x in obj:
            if x is None:
                raise MarshalError("Invalid null element in list")  # VectorType.fromJSONObject
            out.append(self.elem._from_json(x, h))
        return tuple(out) if h else out

    def protocol_option(self, protocol_version: int = 4) -> tuple:
        return (0x0000, self.marshal_class)
