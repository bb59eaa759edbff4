"""Blob conversions: ``<type>_as_blob`` and ``blob_as_<type>`` (BytesConversionFcts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cql.errors import InvalidRequest
from cql.types.native import (
    BLOB,
    NATIVE_TYPES,
)
from cql.types.values import (
    MarshalError,
)

from .base import Function
from .registry import _FUNCTIONS, _add

# CQL3Type.Native order; `varchar` gets its own pair of functions like in Cassandra
_BLOB_TYPE_NAMES = ("ascii", "bigint", "boolean", "counter", "date", "decimal", "double",
                    "duration", "float", "inet", "int", "smallint", "text", "timestamp",
                    "tinyint", "uuid", "varchar", "varint", "timeuuid", "time")


def _register_blob_functions() -> None:
    for tname in _BLOB_TYPE_NAMES:
        # the type itself: counterasblob takes a counter, not a bigint (nor the reverse)
        t = NATIVE_TYPES[tname]
        _add(Function(f"{tname}_as_blob", (t,), BLOB, lambda v, t=t: t.serialize(v),
                      takes_empty=True),
             f"{tname}asblob")
        _add(Function(f"blob_as_{tname}", (BLOB,), t, None), f"blobas{tname}")
    for fn in _FUNCTIONS.values():
        for f in fn:
            if f.name.startswith("blob_as_") or f.name.startswith("blobas"):
                tname = f.name[8:] if f.name.startswith("blob_as_") else f.name[6:]
                f._impl = _from_blob_impl(f, tname)


def _from_blob_impl(fn: Function, tname: str) -> Callable[[bytes], Any]:
    t = fn.return_type

    def impl(b: bytes) -> Any:
        try:
            return t.deserialize(b)
        except MarshalError:
            raise InvalidRequest(f"In call to function {fn.qualified_name}, value 0x{b.hex()} "
                                 f"is not a valid binary representation for type "
                                 f"{tname}") from None
    return impl
