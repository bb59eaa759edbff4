"""INSERT JSON: a JSON object whose keys are column names becomes one value per column."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from cql.errors import InvalidRequest
from cql.plan.terms import UNSET, Term, TermContext, Value, compile_term
from cql.schema.metadata import TableMetadata
from cql.syntax import ast
from cql.types import native_type


def parse_json_row(table: TableMetadata, text: Any, default_unset: bool) -> dict:
    """{column name: value} for every column (missing ones null, or UNSET with DEFAULT UNSET)."""
    if text is None:
        raise InvalidRequest("Got null for INSERT JSON values")
    if text is UNSET:
        text = ""  # Cassandra reads the unset marker's empty bytes as the JSON text
    try:
        obj = json.loads(text, parse_float=Decimal)
    except ValueError as e:
        raise InvalidRequest(f"Could not decode JSON string as a map: {e}") from None
    if obj is None:  # the JSON text 'null'
        raise InvalidRequest("Got null for INSERT JSON values")
    if not isinstance(obj, dict):
        raise InvalidRequest(
            f"Could not decode JSON string as a map: {text}"
        )
    given: dict[str, Any] = {}
    for key, value in obj.items():
        if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
            name = key[1:-1].replace('""', '"')
        else:
            name = key.lower()
        if name not in table.columns:
            raise InvalidRequest(f"JSON values map contains unrecognized column: {name}")
        given[name] = value
    out: dict[str, Any] = {}
    for column in table.columns.values():
        if column.name in given:
            raw = given[column.name]
            try:
                out[column.name] = column.type.from_json(raw)
            except InvalidRequest as e:
                raise InvalidRequest(f"Error decoding JSON value for {column.name}: {e}") from None
        else:
            out[column.name] = UNSET if default_unset else None
    return out


class _JsonColumn(Term):
    """One column's value taken from a JSON document bound at execution."""

    def __init__(self, source: Term, table: TableMetadata, name: str, default_unset: bool):
        self.source, self.table, self.name, self.default_unset = source, table, name, default_unset
        self._cache: tuple[Any, dict] | None = None

    def bind(self, values: list) -> Any:
        text = self.source.bind(values)
        if self._cache is None or self._cache[0] is not text:
            self._cache = (text, parse_json_row(self.table, text, self.default_unset))
        return self._cache[1][self.name]


def compile_insert_json(table: TableMetadata, stmt: ast.Insert, ctx: TermContext):
    """(column names, terms) for an INSERT JSON statement."""
    default_unset = stmt.json_default == "UNSET"
    source = compile_term(stmt.json, native_type("text"), "[json]", ctx)
    names = [c.name for c in table.columns.values()]
    if source.is_constant:
        row = parse_json_row(table, source.bind([]), default_unset)
        return names, [Value(row[n]) for n in names]
    return names, [_JsonColumn(source, table, n, default_unset) for n in names]
