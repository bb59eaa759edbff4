"""Mutation builders compiled at prepare time for the common writes.

``INSERT INTO t (k, c, v) VALUES (?, ?, ?)`` (and ``UPDATE t SET v = ? WHERE k = ? AND
c = ?``) of plain cells into one row of a table without constraints is the shape of almost
every write an application prepares. For those, :func:`compile_row_writer` resolves once
what :meth:`ModificationPlan.mutations` works out per execution: where each value comes
from (a bind position or a constant), the partition key serializer, the clustering encoder,
each cell's serializer, and whether there is a row marker. Executing is then one pass
straight to the storage objects. The checks and their messages are the general path's, in
the same order (null and unset key values, key sizes), so the two paths differ only in speed.
"""

from __future__ import annotations

from operator import itemgetter
from time import time as _time

from cassalite.storage.lsm.encoding import cell_head, marker_row_tail, plain_row_tail
from cassalite.storage.model import (
    NO_DELETION_TIME,
    NO_TTL,
    CachedRow,
    Cell,
    LivenessInfo,
    Mutation,
    Partition,
    Row,
    one_row_mutation,
)
from cql.errors import InvalidRequest
from cql.plan.terms import UNSET, Marker, Term
from cql.types.comparable import clustering_encoder, serialize_partition_key

MAX_KEY_LENGTH = 65535

_tnew = tuple.__new__  # a NamedTuple without its Python __new__


def check_key_size(pk: bytes) -> None:
    if len(pk) > MAX_KEY_LENGTH:
        raise InvalidRequest(f"Key length of {len(pk)} is longer than maximum of 65535")
    if not pk:
        raise InvalidRequest("Key may not be empty")


def check_clustering_size(table, values: list) -> None:
    """A clustering's serialized size (the sum of its values) is at most 65535 bytes; called
    only when its byte-comparable key, never much shorter, is longer than that."""
    size = sum(len(t.serialize(v)) for t, v in zip(table.clustering_types, values)
               if v is not None)
    if size > MAX_KEY_LENGTH:
        raise InvalidRequest(f"Key length of {size} is longer than maximum of {MAX_KEY_LENGTH}")


def _key_order(where: tuple[bool, int]) -> tuple[bool, int]:
    """Partition key columns first, then clustering columns, each in key order."""
    return not where[0], where[1]


def value_getter(term: Term):
    """``term.bind`` as a callable of the bound values (a C itemgetter for a marker)."""
    if type(term) is Marker:
        return itemgetter(term.index)
    return term.bind


class RowWriter:
    """Builds the one-row mutation of a simple INSERT or UPDATE."""

    __slots__ = ("table", "table_id", "first", "then", "n_pk", "n_ck", "keys_get",
                 "pk_serialize", "ck_encode", "cells", "names", "heads", "row_marker")

    def __init__(self, table, first: list[tuple[str, Term]], then: list[tuple[str, Term]],
                 cells: list, row_marker: bool):
        """``first``: the key columns whose values are checked before the partition key is
        serialized (INSERT: all of them, in statement order); ``then``: those checked after
        it (UPDATE: the clustering columns)."""
        self.table = table
        self.table_id = str(table.id)
        pk_pos = {c.name: (True, i) for i, c in enumerate(table.partition_key)}
        ck_pos = {c.name: (False, i) for i, c in enumerate(table.clustering)}
        where = {**pk_pos, **ck_pos}
        #: (column name, value getter, is a partition key column, position in its key)
        self.first = [(name, value_getter(term), *where[name]) for name, term in first]
        self.then = [(name, value_getter(term), *where[name]) for name, term in then]
        self.n_pk, self.n_ck = len(table.partition_key), len(table.clustering)
        #: every key value from a bind marker (the prepared INSERT): one itemgetter gives
        #: them all, partition key columns then clustering columns
        markers = {where[name]: term.index for name, term in first if type(term) is Marker}
        self.keys_get = None
        if not then and len(markers) == len(first) >= 2:
            self.keys_get = itemgetter(*(markers[k] for k in sorted(markers, key=_key_order)))
        types = table.partition_key_types
        if len(types) == 1:
            self.pk_serialize = lambda values, s=types[0].serialize: s(values[0])
        else:
            self.pk_serialize = lambda values, t=list(types): serialize_partition_key(t, values)
        self.ck_encode = clustering_encoder(table.clustering_types, table.clustering_reversed) \
            if table.clustering else None
        #: (column name, value getter, serializer, encoded cell head) per cell
        self.cells = [(column.name, value_getter(term), column.type.serialize,
                       cell_head(column.name)) for column, term in cells]
        #: the cells' column names, shared by the plain rows written (``CachedRow.plain``),
        #: and their encoded heads
        self.names = tuple(column.name for column, _ in cells)
        self.heads = tuple(head for _, _, _, head in self.cells)
        self.row_marker = row_marker

    def mutations(self, bound: list, ts: int, ttl: int, now: int | None, encode: bool = False
                  ) -> list[Mutation]:
        """``encode``: the engine stores encoded rows (``StorageEngine.encodes_rows``), so
        an INSERT's row is encoded here too, in the same pass. ``now`` (the local deletion
        time of tombstones and expiring data) is read from the clock when None."""
        pk, ck = self._keys(bound)
        row = self._row(bound, ts, ttl, now, encode)
        if row is None:
            return [Mutation(self.table_id, pk, Partition())]
        return [one_row_mutation(self.table_id, pk, ck, row)]

    def write(self, db, bound: list, ts: int, ttl: int) -> None:
        """``db.apply(self.mutations(bound, ts, ttl, None, ...))``, the row handed over
        as one (``Database.write_row``): no mutation to build and take apart."""
        pk, ck = self._keys(bound)
        row = self._row(bound, ts, ttl, None, db.engine.encodes_rows)
        if row is None:
            db.apply([Mutation(self.table_id, pk, Partition())])
        else:
            db.write_row(self.table_id, pk, ck, row)

    def _keys(self, bound: list) -> tuple[bytes, bytes]:
        """The partition key and the clustering key, checked as the general path does."""
        keys_get = self.keys_get
        if keys_get is not None:
            keys = keys_get(bound)
            if None not in keys and UNSET not in keys:
                n = self.n_pk
                return self._pk(keys[:n]), self._ck(keys[n:])
        return self._checked(bound)

    def _checked(self, bound: list) -> tuple[bytes, bytes]:
        """The key values one by one, each checked in statement order (for the errors)."""
        pvalues = [None] * self.n_pk
        cvalues = [None] * self.n_ck
        for name, get, in_pk, i in self.first:
            v = get(bound)
            if v is None:
                raise InvalidRequest(f"Invalid null value for column {name}")
            if v is UNSET:
                raise InvalidRequest(f"Invalid unset value for column {name}")
            if in_pk:
                pvalues[i] = v
            else:
                cvalues[i] = v
        pk = self._pk(pvalues)
        for name, get, _, i in self.then:
            v = get(bound)
            if v is None:
                raise InvalidRequest(f"Invalid null value for column {name}")
            if v is UNSET:
                raise InvalidRequest(f"Invalid unset value for column {name}")
            cvalues[i] = v
        return pk, self._ck(cvalues)

    def _pk(self, pvalues) -> bytes:
        pk = self.pk_serialize(pvalues)
        if len(pk) > MAX_KEY_LENGTH or not pk:
            check_key_size(pk)
        return pk

    def _ck(self, cvalues) -> bytes:
        if self.ck_encode is None:
            return b""
        ck = self.ck_encode(cvalues)
        if len(ck) > MAX_KEY_LENGTH:
            check_clustering_size(self.table, cvalues)
        return ck

    def _row(self, bound: list, ts: int, ttl: int, now: int | None, encode: bool
             ) -> Row | None:
        """The row written (None: no cells and no marker, an update of nothing): an
        INSERT's row of values only (no null, no unset) is a plain ``CachedRow``."""
        if ttl or not self.row_marker:
            return self._other_row(bound, ts, ttl, now)
        values = []
        for _, get, serialize, _ in self.cells:
            v = get(bound)
            if v is UNSET or v is None:
                return self._marker_row(bound, ts, now, encode)
            values.append(serialize(v))
        values = tuple(values)
        # an INSERT's row keeps its encoding (commit log, then flush)
        return CachedRow.plain(ts, self.names, values,
                               plain_row_tail(self.heads, values) if encode else None)

    def _marker_row(self, bound: list, ts: int, now: int | None, encode: bool) -> Row:
        """An INSERT's row with a null (a tombstone) or an unset value: its cells."""
        cells = {}
        plain: list | None = [] if encode else None
        for name, get, serialize, head in self.cells:
            v = get(bound)
            if v is UNSET:
                continue
            if v is None:
                if now is None:
                    now = int(_time())
                cells[name] = _tnew(Cell, (None, ts, NO_TTL, now))
                plain = None
            else:
                value = serialize(v)
                cells[name] = _tnew(Cell, (value, ts, NO_TTL, NO_DELETION_TIME))
                if plain is not None:
                    plain += (head, value)
        row = CachedRow(_tnew(LivenessInfo, (ts, NO_TTL, NO_DELETION_TIME)), None, cells)
        row.tail = marker_row_tail(plain) if plain is not None else None
        return row

    def _other_row(self, bound: list, ts: int, ttl: int, now: int | None) -> Row | None:
        """An expiring row, or an UPDATE's row (no marker): not encoded here."""
        if not self.cells and not self.row_marker:
            return None
        if now is None:
            now = int(_time())
        cells = {}
        expires = now + ttl
        for name, get, serialize, _ in self.cells:
            v = get(bound)
            if v is UNSET:
                continue
            if v is None:
                cells[name] = Cell(None, ts, NO_TTL, now)
            elif ttl:
                cells[name] = Cell(serialize(v), ts, ttl, expires)
            else:
                cells[name] = Cell(serialize(v), ts)
        if self.row_marker:
            return CachedRow(LivenessInfo(ts, ttl, expires) if ttl else LivenessInfo(ts), None,
                             cells)
        return Row(None, None, cells)


def compile_row_writer(plan) -> RowWriter | None:
    """The builder for ``plan`` (a ModificationPlan), or None when the statement needs the
    general path: conditions, counters, reads before write, static or multi-cell columns,
    CHECK constraints, JSON, IN, tokens, tuples, or anything but one full primary key."""
    table = plan.meta
    if plan.conditional or plan.is_counter or plan.requires_read or plan.merge_operations \
            or table.constrained or getattr(plan, "static_only", False) or table.is_view \
            or getattr(plan, "dense_single", False):
        return None
    from .operations import SetColumn

    cells = []
    for op in plan.operations:
        if type(op) is not SetColumn or op.column.is_static or op.column.type.is_multicell:
            return None
        cells.append((op.column, op.term))
    keys = table.partition_key + table.clustering
    if plan.kind == "INSERT":
        if plan.key_terms is None or plan.is_json:
            return None
        first, then = list(plan.key_terms.items()), []
        if {name for name, _ in first} != {c.name for c in keys}:
            return None
    elif plan.kind == "UPDATE":
        where = plan.where
        if where is None or where.token is not None or where.multis or where.has_not_null \
                or len(where.columns) != len(keys) or not plan.full_key:
            return None
        restrictions = [where.columns.get(c.name) for c in keys]
        if any(r is None or r.ops != ["="] or r.eq is None for r in restrictions):
            return None
        n = len(table.partition_key)
        first = [(r.name, r.eq) for r in restrictions[:n]]
        then = [(r.name, r.eq) for r in restrictions[n:]]
    else:
        return None
    return RowWriter(table, first, then, cells, plan.row_marker)
