"""Masked reads (CEP-20): who reads a masked column's clear value, and the masking of the
rows a SELECT reads.

Cassandra's rule (SelectStatement.execute): a read is unmasked when the table has no masked
column or the client holds UNMASK on it (``ClientState.hasTablePermission``), which is true
for internal calls, when no authorizer is configured (AllowAllAuthorizer), and for
superusers (CassandraAuthorizer grants them every permission). Here that means: masking is
off, or the session is trusted (embedded, not logged in: no permission checks at all, as
with AllowAllAuthorizer), or the role is a superuser or holds UNMASK on the table, its
keyspace or all keyspaces. Everyone else reads each masked column through its mask, in
every position (keys, static, regular; collections and UDTs whole): the mask applies to
the column's value before any selector function, WHERE filtering sees clear values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from cql.auth import resources as res
from cql.schema.metadata import TableMetadata


def row_masker(db: Any, user: str | None, table: TableMetadata
               ) -> Callable[[Iterator], Iterator] | None:
    """A function masking the rows a read yields ((pk, ck, RowData, ...) tuples), or None
    when ``user`` reads ``table`` in clear (one dict test for tables without masks)."""
    if not table.masks or user is None or not db.settings.dynamic_data_masking_enabled:
        return None
    if db.auth.has(user, "UNMASK", res.table(table.keyspace, table.name)):
        return None
    from cql.functions.masking import column_masker

    maskers = [(name, column_masker(mask, table.columns[name].type))
               for name, mask in table.masks.items()]

    def mask_rows(rows: Iterator) -> Iterator:
        for item in rows:
            values = item[2].values
            for name, masker in maskers:
                if name in values:
                    values[name] = masker(values[name])
            yield item
    return mask_rows

