"""Where Cassandra allows which type (CQL3Type.Raw.prepare rules), with its messages.

For DDL: call `check_declared_type(t)` on every column type of CREATE/ALTER TABLE and
`check_udt_field_type(t)` on every field type of CREATE/ALTER TYPE. Primary-key rules (frozen
collections, no durations/counters) belong to the planner, which knows the column kinds.
"""

from __future__ import annotations

from cql.errors import InvalidRequest

from .base import CQLType
from .collections import ListType, MapType, SetType, TupleType, UserType, VectorType


def _is_non_frozen(t: CQLType) -> bool:
    return t.is_multicell


def check_declared_type(t: CQLType, nested: bool = False) -> None:
    """Raise InvalidRequest with Cassandra's text when t may not be declared."""
    if isinstance(t, (ListType, SetType, MapType)):
        inner = [t.key, t.value] if isinstance(t, MapType) else [t.elem]
        for s in inner:
            if s.is_collection and _is_non_frozen(s):
                raise InvalidRequest(f"Non-frozen collections are not allowed inside "
                                     f"collections: {t.name}")
            if isinstance(s, UserType) and _is_non_frozen(s):
                raise InvalidRequest(f"Non-frozen UDTs are not allowed inside collections: "
                                     f"{t.name}")
            if s.is_counter:
                raise InvalidRequest(f"Counters are not allowed inside collections: {t.name}")
        if isinstance(t, SetType) and t.elem.references_duration:
            raise InvalidRequest(f"Durations are not allowed inside sets: {t.name}")
        if isinstance(t, MapType) and t.key.references_duration:
            raise InvalidRequest(f"Durations are not allowed as map keys: {t.name}")
        for s in inner:
            check_declared_type(s, nested=True)
    elif isinstance(t, TupleType):
        for s in t.types:
            if s.is_counter:
                raise InvalidRequest("Counters are not allowed inside tuples")
            check_declared_type(s, nested=True)
    elif isinstance(t, VectorType):
        if t.elem.is_counter:
            raise InvalidRequest(f"Counters are not allowed inside vectors: {t.name}")
        check_declared_type(t.elem, nested=True)


def check_udt_field_type(t: CQLType) -> None:
    """Rules for a field of CREATE TYPE / ALTER TYPE ADD."""
    if isinstance(t, UserType) and _is_non_frozen(t):
        raise InvalidRequest("A user type cannot contain non-frozen UDTs")
    if t.is_counter:
        raise InvalidRequest("A user type cannot contain counters")
    check_declared_type(t, nested=True)


def check_non_frozen_udt_column(t: UserType) -> None:
    """A non-frozen UDT column may not contain non-frozen collections (Cassandra 3.6+)."""
    for s in t.types:
        if s.is_collection and s.is_multicell:
            raise InvalidRequest("Non-frozen UDTs with nested non-frozen collections are not "
                                 "supported")
