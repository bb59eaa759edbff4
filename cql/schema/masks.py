"""Column masks (CEP-20 dynamic data masking): what ``MASKED WITH f(args)`` attaches to a
column, and its two stored forms.

A mask is a partial application of a masking function: the column's value is its first
argument, ``args`` are the rest (Cassandra's ``ColumnMask``). It is kept by name and values
here; ``cql.functions.masking.column_masker`` resolves and runs it, ``cql.ddl.masks`` builds
it from the statement. Stored as a row of ``system_schema.column_masks`` (argument types as
CQL type names, values as ``AbstractType.getString`` text; no arguments: null lists) and
printed by DESCRIBE as ``MASKED WITH system.f(literals)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cql.types import CQLType
from cql.types.native import ASCII, BLOB, TEXT


@dataclass(frozen=True)
class ColumnMask:
    function_keyspace: str
    function_name: str
    argument_types: tuple[CQLType, ...] = ()  # of the partial arguments (after the column)
    argument_values: tuple[Any, ...] = ()  # their values; None is a null argument

    @property
    def qualified_name(self) -> str:
        return f"{self.function_keyspace}.{self.function_name}"

    def cql(self) -> str:
        """ColumnMask.toString: ``system.mask_inner(1, 2)``."""
        args = ", ".join("null" if v is None else t.to_cql_literal(v)
                         for t, v in zip(self.argument_types, self.argument_values))
        return f"{self.qualified_name}({args})"

    def row(self) -> dict:
        """The columns of its ``system_schema.column_masks`` row (but the key)."""
        types = [t.name for t in self.argument_types]
        values = [value_string(t, v) for t, v in zip(self.argument_types, self.argument_values)]
        return {"function_keyspace": self.function_keyspace,
                "function_name": self.function_name,
                "function_argument_types": types or None,
                "function_argument_values": values or None}

    @classmethod
    def from_row(cls, row: dict, parse_type) -> ColumnMask:
        """Rebuild from a stored row; ``parse_type(text)`` resolves the argument types."""
        types = tuple(parse_type(t) for t in row.get("function_argument_types") or ())
        texts = list(row.get("function_argument_values") or ())
        texts += [None] * (len(types) - len(texts))
        values = tuple(value_from_string(t, s) for t, s in zip(types, texts))
        return cls(row["function_keyspace"], row["function_name"], types, values)


def value_string(ctype: CQLType, value: Any) -> str | None:
    """AbstractType.getString: text as it is, blobs in hex, anything else as its JSON text
    (without the quotes of a JSON string)."""
    if value is None:
        return None
    if ctype in (TEXT, ASCII):
        return value
    if ctype == BLOB:
        return bytes(value).hex()
    text = ctype.to_json_text(value)
    return json.loads(text) if text.startswith('"') else text


def value_from_string(ctype: CQLType, text: str | None) -> Any:
    """The inverse of ``value_string``."""
    if text is None:
        return None
    if ctype in (TEXT, ASCII):
        return text
    if ctype == BLOB:
        return bytes.fromhex(text)
    try:
        return ctype.from_json(json.loads(text))
    except Exception:  # noqa: BLE001 - not JSON: a bare string (a timestamp, a uuid ...)
        return ctype.from_json(text)
