"""``ORDER BY column ANN OF vector LIMIT k``: Cassandra 5.0's rules and the top-k search.

Planning (:func:`plan_ann`) applies StatementRestrictions' and SelectStatement's checks with
their messages: one ANN ordering and nothing else, ascending, on a ``vector<float, n>``
column with an SAI index, every other restricted column indexed (a partition key restricted
by = / IN and a clustering prefix are allowed), no aggregation, no PER PARTITION LIMIT, a
LIMIT no greater than 1000.

Execution (:func:`execute_ann`) returns the ``k`` live rows nearest to the query vector by
the index's similarity function, best first, ties in token order:

* when the partition key (or a token range) is restricted, the candidate rows are read and
  filtered as for any query and scored exactly;
* otherwise the index's :class:`~cql.derived.vector_index.VectorStore` yields rows best
  first (exactly while it is small, through its HNSW graph when large); each candidate is
  read from the table and checked against the other restrictions until ``k`` pass.

Results come back in one page: Cassandra does not page top-k queries.
"""

from __future__ import annotations

import heapq

from cassalite.storage.model import Cell, row_values
from cassalite.storage.murmur3 import decorate
from cql.cells import partition_key_values
from cql.derived import vector_index
from cql.derived.vector_index import check_indexable, score, similarity_of
from cql.errors import InvalidRequest
from cql.plan.base import Result
from cql.plan.terms import UNSET, compile_term
from cql.schema.metadata import TableMetadata
from cql.syntax import ast

from .masking import row_masker
from .plain_rows import RowBuilder, column_spec
from .selection import ColumnSelector, _undefined

MAX_TOP_K = 1000  # IndexWriterConfig.MAX_TOP_K (cassandra.sai.vector_search.max_top_k)
ANN_REQUIRES_INDEX = "ANN ordering by vector requires the column to be indexed"
VECTOR_INDEXES_ANN_ONLY = "Vector indexes only support ANN queries"
ANN_ONLY_ON_VECTOR = "ANN ordering is only supported on float vector indexes"
ANN_REQUIRES_INDEXED_FILTERING = (
    "ANN ordering by vector requires all restricted column(s) to be indexed")
TOP_K_LIMIT_REQUIRED = ("Top-K queries must have a limit specified and the limit must be less "
                        "than the query page size")


class AnnOrdering:
    def __init__(self, column, index, term, similarity: str):
        self.column = column
        self.index = index
        self.term = term
        self.similarity = similarity


def _indexed(table: TableMetadata, name: str) -> bool:
    return any(i.target_column == name for i in table.indexes.values())


def check_vector_restrictions(table: TableMetadata, where) -> None:
    """A query without ANN ordering cannot restrict a vector-indexed column."""
    for r in where.non_key_restrictions():
        if getattr(r.column.type, "is_vector", False) and _indexed(table, r.name):
            raise InvalidRequest(VECTOR_INDEXES_ANN_ONLY)


def plan_ann(stmt: ast.Select, table: TableMetadata, where, ctx,
             aggregate: bool) -> AnnOrdering | None:
    ann = stmt.ann
    if ann is None:
        check_vector_restrictions(table, where)
        return None
    if stmt.order_by:
        raise InvalidRequest("ANN ordering does not support any other ordering")
    if ann.direction != "ASC":
        raise InvalidRequest("Descending ANN ordering is not supported")
    column = table.columns.get(ann.column)
    if column is None:
        raise _undefined(table, ann.column)
    term = compile_term(ann.vector, column.type, column.name, ctx)
    ctype = column.type
    if not getattr(ctype, "is_vector", False) or getattr(ctype.element_type, "name", "") != "float":
        raise InvalidRequest(ANN_ONLY_ON_VECTOR)
    index = next((i for i in table.indexes.values()
                  if vector_index.is_vector_index(table, i) and i.target_column == column.name),
                 None)
    if index is None:
        raise InvalidRequest(ANN_REQUIRES_INDEX)
    _check_restrictions(table, where, column.name)
    if aggregate:
        raise InvalidRequest("Top-K queries can not be run with aggregation")
    if stmt.per_partition_limit is not None:
        raise InvalidRequest("Top-K queries do not support per-partition limits")
    if stmt.limit is None:
        raise InvalidRequest(TOP_K_LIMIT_REQUIRED)
    if isinstance(stmt.limit, ast.Constant):
        check_limit(int(stmt.limit.text))
    return AnnOrdering(column, index, term, similarity_of(index))


def check_limit(limit: int | None) -> None:
    if limit is not None and limit > MAX_TOP_K:
        raise InvalidRequest(f"Use of ANN OF in an ORDER BY clause requires a LIMIT that is not "
                             f"greater than {MAX_TOP_K}. LIMIT was {limit}")


def _check_restrictions(table: TableMetadata, where, ann_column: str) -> None:
    prs = where.partition_restrictions()
    restricted_pk = [r for r in prs if r is not None]
    unrestricted_pk = len(restricted_pk) < len(prs)
    # partition key restrictions that need filtering: some components only, or a slice
    if restricted_pk and (unrestricted_pk or any(not r.is_eq_or_in for r in restricted_pk)):
        raise InvalidRequest(ANN_REQUIRES_INDEXED_FILTERING)
    if where.token is not None:
        unrestricted_pk = True
    others = [r.name for r in where.non_key_restrictions() if r.name != ann_column]
    crs = where.clustering_restrictions()
    clustering = [r.name for r in crs if r is not None]
    if where.multi is not None:
        clustering += [c.name for c in where.multi.columns]
    if not others and not clustering:
        return
    not_indexed = [c for c in others + clustering if not _indexed(table, c)]
    if not not_indexed:
        return
    if any(c not in clustering for c in not_indexed) or unrestricted_pk or \
            _clustering_needs_filtering(crs, where.multi):
        raise InvalidRequest(ANN_REQUIRES_INDEXED_FILTERING)


def _clustering_needs_filtering(crs, multi) -> bool:
    if multi is not None:
        return multi.op == "SLICE" and any(r is not None for r in crs)
    blocked = False
    for r in crs:
        if r is None:
            blocked = True
            continue
        if blocked or r.is_contains:
            return True
        if not r.is_eq_or_in:
            blocked = True
    return False


# ---- execution -------------------------------------------------------------------------------

def execute_ann(plan, db, ctx) -> Result:
    ann: AnnOrdering = plan.ann
    bound = ctx.values
    plan.bound_ref[0] = bound
    limit = plan._int_option(plan.limit, bound, "limit")
    if limit is None:
        raise InvalidRequest(TOP_K_LIMIT_REQUIRED)
    check_limit(limit)
    query = ann.term.bind(bound)
    if query is None:
        raise InvalidRequest(f"Unsupported null value for column {ann.column.name}")
    if query is UNSET:
        raise InvalidRequest(f"Unsupported unset value for column {ann.column.name}")
    query = vector_index.query_vector(query)
    check_indexable(query, ann.similarity)
    now = ctx.now
    mask = row_masker(db, ctx.user, plan.meta)  # None: clear values (CEP-20)
    fast = _fast_reader(plan) if mask is None and plan.key_mode != "token" else None
    if plan.key_mode == "token":
        picked = _exact(plan, db, bound, query, limit, now)
    elif plan.where.has_full_partition_key():
        dks = [decorate(pk) for pk in plan.where.partition_keys(bound)]
        picked = _through_index(plan, db, bound, query, limit, now, dks, fast)
    else:
        picked = _through_index(plan, db, bound, query, limit, now, None, fast)
    if fast is not None and picked is not None:
        rows = picked
    else:
        if picked is None:
            picked = _exact(plan, db, bound, query, limit, now)
        if mask is not None:  # masks apply to the selected values, not to the ordering
            picked = [item[2] for item in mask((None, None, row, None) for row in picked)]
        rows = [plan._project(row, now) for row in picked]
    if plan.stmt.json:
        rows = [(plan._json_row(r),) for r in rows]
    return Result("rows", list(plan.result_names), list(plan.result_types), rows, None,
                  keyspace=plan.keyspace, table=plan.table)


def _exact(plan, db, bound, query, limit, now) -> list:
    """Score every row the key restrictions and filters select; keep the best ``limit``."""
    name = plan.ann.column.name
    similarity = plan.ann.similarity
    query = query.tolist() if hasattr(query, "tolist") else query
    scored = []
    for pk, ck, row, _ in plan._rows(db, bound, None, None, now):
        value = row.values.get(name)
        if value is None:
            continue
        s = score(similarity, [float(v) for v in value], query)
        scored.append((-s, decorate(pk), ck or b"", row))
    best = heapq.nsmallest(limit, scored, key=lambda t: t[:3])
    return [t[3] for t in best]


def _through_index(plan, db, bound, query, limit, now, dks=None, fast=None) -> list | None:
    """Walk the vector index best first (only partitions ``dks`` when given, exactly),
    keeping the candidates the other restrictions pass: output tuples when ``fast`` reads
    them, else RowData. None when entries keep turning out stale (the caller then scores
    every row exactly)."""
    ann: AnnOrdering = plan.ann
    store = vector_index.registry(db).store(db.engine, plan.meta, ann.index, now)
    name = ann.column.name
    table_id = str(plan.meta.id)
    for _ in range(3):  # a stale entry is repaired, then the search restarts
        found: list = []
        stale = False
        search = store.search(query, now, limit) if dks is None else \
            store.search_partitions(query, dks, now)
        try:
            for s, key in search:
                dk, ck = key
                if fast is not None:
                    out = fast(db, store, table_id, dk, ck, now)
                    if out is None:
                        stale = True
                        break
                    found.append((-s, dk, ck, out))
                    if len(found) >= limit:
                        break
                    continue
                rows = _read(plan, db, table_id, dk, ck, bound, now)
                if rows is None:
                    store.resync(key, None)
                    stale = True
                    break
                for row_ck, row in rows:
                    value = row.values.get(name)
                    if value is None:
                        store.resync(key, None)
                        continue
                    live = value if isinstance(value, list) else list(value)
                    if live != store.vector(key):
                        store.resync(key, [float(v) for v in live])
                        stale = True
                        break
                    found.append((-s, dk, row_ck or b"", row))
                if stale or len(found) >= limit:
                    break
        finally:
            search.close()
        if not stale:
            found.sort(key=lambda t: t[:3])
            return [t[3] for t in found[:limit]]
    return None


def _fast_reader(plan):
    """For ANN selects of plain columns with no restriction besides the partition key (the
    common shape), a function reading one candidate row by key straight from storage:
    ``(db, store, table_id, dk, ck, now) -> output tuple``, or None after repairing the
    store when the row or its vector is not what the store holds. None when the plan
    needs the general path (filters, clustering restrictions, static or dropped columns,
    a vector in the primary key, computed selectors). Built once per plan."""
    reader = plan.__dict__.get("_ann_fast", False)
    if reader is not False:
        return reader
    reader = _build_fast_reader(plan)
    plan._ann_fast = reader
    return reader


def _build_fast_reader(plan):
    table = plan.meta
    column = plan.ann.column
    if (plan.row_filtering or plan.uses_slices or plan.needs_cells or plan.grouped
            or plan.stmt.distinct or table.dropped_columns or column.kind != "regular"
            or any(c.kind == "static" for c in table.columns.values())
            or any(type(sel) is not ColumnSelector for sel in plan.selectors)):
        return None
    build = RowBuilder(column_spec(plan.selectors), table)
    name = column.name

    def read(db, store, table_id: str, dk: bytes, ck: bytes, now: int):
        pk = dk[8:]
        view = db.engine.read_partition(table_id, pk, [(ck, ck + b"\x00")] if ck else None,
                                        False, now)
        srow = None
        if view is not None:
            for row_ck, row in view.rows:
                if row_ck == ck:
                    srow = row
                    break
        cell = None if srow is None else srow.cells.get(name)
        if type(cell) is not Cell or cell.value is None:
            store.resync((dk, ck), None)
            return None
        if not store.holds((dk, ck), cell.timestamp):
            store.resync((dk, ck), vector_index.decode(cell), cell.timestamp,
                         vector_index.expiry_of(cell))
            return None
        pkv = partition_key_values(table, pk) if build.needs_pk else None
        return build.from_values(pkv, ck, row_values(srow.cells, build.names))

    return read


def _read(plan, db, table_id: str, dk: bytes, ck: bytes, bound, now):
    """The rows at ``(dk, ck)`` that pass the query's restrictions; None when the row (or
    its vector) is gone."""
    pk = dk[8:]
    slices = [(ck, ck + b"\x00")] if ck else None
    view = db.engine.read_partition(table_id, pk, slices, False, now)
    if view is None:
        return None
    if ck and not any(c == ck for c, _ in view.rows):
        return None
    return [(row_ck, row) for _, row_ck, row, _ in plan._rows(db, bound, None, None, now,
                                                            views=[view])]

