"""SELECT: selection, key selection, filtering, ordering, aggregation and paging."""

from __future__ import annotations

import json
from functools import partial
from typing import Iterable, Iterator

from cassalite.storage.engine import KeyRange
from cassalite.storage.murmur3 import decorate
from cassalite.storage.murmur3 import token as partition_token
from cassalite.storage.tracing import current as current_trace
from cassalite.storage.tracing import trace
from cql.cells import (
    _without_dropped,
    clustering_values,
    decode_cell_value,
    has_visible_cells,
    partition_key_values,
)
from cql.derived import indexes, sai
from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.plan.restrictions import (
    CLUSTERING_REQUIRES_FILTERING,
    REQUIRES_ALLOW_FILTERING,
    ColumnRestriction,
    WhereClause,
    check_bound,
)
from cql.plan.slices import compile_slices
from cql.plan.terms import UNSET, Markers, Term, TermContext, compile_term
from cql.schema.metadata import CLUSTERING, PARTITION_KEY, ColumnMetadata, TableMetadata
from cql.syntax import ast, unparse
from cql.system import virtual
from cql.types import native_type

from .ann import execute_ann, plan_ann
from .grouping import fold_groups, plan_group_by
from .masking import row_masker
from .paging import _after, _decode_state, _describe_range, _encode_state
from .plain_rows import RowBuilder, column_spec
from .point_read import compile_point_read
from .selection import (
    INT,
    ColumnSelector,
    RowData,
    SelectionCompiler,
    Selector,
    WritetimeSelector,
    _undefined,
)


class SelectPlan(Plan):
    def __init__(self, db, stmt: ast.Select, table: TableMetadata, markers: Markers,
                 keyspace: str | None):
        self.table = table.name
        self.keyspace = table.keyspace
        self.meta = table
        self.table_id = str(table.id)
        self.stmt = stmt
        self.bound_ref: list = [[]]
        ctx = db.term_context(markers, table.keyspace)
        ctx.partition_key = tuple(c.type for c in table.partition_key)  # what token() takes
        self.where = WhereClause(table, stmt.where, ctx, "SELECT", stmt.allow_filtering)
        self._compile_selection(db, stmt, table, ctx)
        self._compile_limits(stmt, ctx)
        self.ann = plan_ann(stmt, table, self.where, ctx, self.aggregate)
        self._plan_keys(stmt, table)
        if table.indexes:
            self.filters = [sai.analyzed(table, r) for r in self.filters]
        self._plan_order(stmt, table)
        self.group_spec = plan_group_by(stmt, table, SelectionCompiler(db, table, ctx, self.bound_ref),
                                        self._restricted_by_eq)
        self.grouped = self.aggregate or self.group_spec is not None
        self.aggregate_warning = self._aggregate_warning(stmt)
        self.pk_indexes = markers.partition_key_indexes([c.name for c in table.partition_key])
        self._fast = self._fast_spec(stmt, table)
        #: rows may be made as ``ExecutionContext.row_type`` (by the fast paths)
        self.fast_rows = self._fast is not None
        #: ``first_page`` reads this plan's rows (a stored table's plain selection)
        self.fast_read = self.fast_rows and not table.virtual
        self._point = compile_point_read(self)
        # what the restrictions select, as functions of the bound values
        self._slices = compile_slices(table, self.where) if self.uses_slices else None
        self._partition_keys = self.where.compile_partition_keys() \
            if self.key_mode == "keys" else None

    def _aggregate_warning(self, stmt: ast.Select) -> str | None:
        """Cassandra's client warning for aggregating over many partitions."""
        if not (self.aggregate or stmt.group_by):
            return None
        if self.key_mode != "token" and not self.where.has_partition_restriction():
            return "Aggregation query used without partition key"
        if any(r is not None and r.is_in for r in self.where.partition_restrictions()):
            return "Aggregation query used on multiple partition keys (IN restriction)"
        return None

    # ---- compile ------------------------------------------------------------------------

    def _compile_selection(self, db, stmt: ast.Select, table: TableMetadata, ctx: TermContext):
        comp = SelectionCompiler(db, table, ctx, self.bound_ref)
        if stmt.selectors is None:
            self.selectors: list[Selector] = [ColumnSelector(c) for c in table.select_star]
            self.star = True
        else:
            self.star = False
            self.selectors = []
            for s in stmt.selectors:
                if isinstance(s.expr, ast.TupleLiteral) and len(s.expr.items) == 1:
                    # "(c)": parentheses or a one-element tuple? Nothing expects a type here
                    raise InvalidRequest(f"Cannot infer type for term {unparse.selector(s.expr)} "
                                         "in selection clause (try using a cast to force a type)")
                sel = comp.compile(s.expr)
                if s.alias:
                    sel.name = s.alias
                self.selectors.append(sel)
        self.aggregate = any(s.is_aggregate for s in self.selectors)
        self.needs_cells = any(
            isinstance(s, WritetimeSelector) or _contains_writetime(s) for s in self.selectors
        )
        if stmt.distinct:
            self._check_distinct(stmt, table)
        if stmt.json:
            self.result_names = ["[json]"]
            self.result_types = [native_type("text")]
        else:
            self.result_names = [s.name for s in self.selectors]
            self.result_types = [s.type for s in self.selectors]
        selected = {c for s in self.selectors for c in s.columns}
        self.static_only = bool(selected) and all(
            table.columns[c].kind in ("static", PARTITION_KEY) for c in selected
        ) and any(table.columns[c].kind == "static" for c in selected)
        # A partition with only static content shows a row when one of the statics the query
        # reads has a value (Cassandra's ColumnFilter skips the cells of unqueried columns, so
        # 'SELECT r' finds the static row empty). None: every column counts (a wildcard, or no
        # regular or static column selected).
        queried = {c for c in selected if table.columns[c].kind in ("static", "regular")}
        self.queried_statics = None if self.star or not queried else {
            c for c in queried if table.columns[c].kind == "static"}

    def _check_distinct(self, stmt: ast.Select, table: TableMetadata) -> None:
        for s in self.selectors:
            for cname in s.columns:
                col = table.columns[cname]
                if col.kind not in (PARTITION_KEY, "static"):
                    raise InvalidRequest(
                        "SELECT DISTINCT queries must only request partition key columns and/or "
                        f"static columns (not {cname})"
                    )
        if not self.where.has_full_partition_key():
            selected = {c for s in self.selectors for c in s.columns}
            for c in table.partition_key:
                if c.name not in selected:
                    raise InvalidRequest(
                        "SELECT DISTINCT queries must request all the partition key columns "
                        f"(missing {c.name})"
                    )
        for r in self.where.columns.values():
            if r.column.kind not in (PARTITION_KEY, "static"):
                raise InvalidRequest(
                    "SELECT DISTINCT with WHERE clause only supports restriction by partition "
                    "key and/or static columns."
                )
        if stmt.per_partition_limit is not None:
            raise InvalidRequest("PER PARTITION LIMIT is not allowed with SELECT DISTINCT queries")

    def _compile_limits(self, stmt: ast.Select, ctx: TermContext) -> None:
        self.limit = (
            compile_term(stmt.limit, INT, "[limit]", ctx) if stmt.limit is not None else None
        )
        self.ppl = (
            compile_term(stmt.per_partition_limit, INT, "[per_partition_limit]", ctx)
            if stmt.per_partition_limit is not None else None
        )
        if self.ppl is not None and self.aggregate and not stmt.group_by:
            raise InvalidRequest("PER PARTITION LIMIT is not allowed with aggregate queries.")

    def _plan_keys(self, stmt: ast.Select, table: TableMetadata) -> None:
        where = self.where
        # SAI (one index group) answers every restriction it serves together: a query it
        # covers needs no ALLOW FILTERING; ANN's restrictions were checked by plan_ann.
        self.uses_sai = self.ann is not None or sai.serves_query(table, where)
        allow = stmt.allow_filtering or self.uses_sai
        filtering = False
        candidate = self._choose_index(table)
        indexed = {r.name for r in where.columns.values() if self._indexed(table, r)}
        if candidate is not None:
            indexed.add(candidate[1].name)
        if not allow:
            error = where.ordering_error(indexed)
            if error is not None:
                raise InvalidRequest(error)
        # Partition key
        prs = where.partition_restrictions()
        if where.token is not None and not where.has_full_partition_key():
            self.key_mode = "token"
            if any(r is not None for r in prs):
                filtering = True
        elif where.has_full_partition_key():
            self.key_mode = "keys"
        else:
            self.key_mode = "scan"
            if any(r is not None for r in prs):
                filtering = True
        if filtering and not allow and candidate is None:
            raise InvalidRequest(REQUIRES_ALLOW_FILTERING)
        # Clustering: an = / IN prefix and a slice select byte slices, the rest is filtered
        ca = where.clustering
        if ca.has_contains and not allow and candidate is None:
            raise InvalidRequest(CLUSTERING_REQUIRES_FILTERING)
        if ca.needs_filtering:
            filtering = True
            if not allow and candidate is None and ca.gap_error is not None:
                raise InvalidRequest(ca.gap_error)
        has_ck_restriction = bool(where.clustering_restrictions() and any(
            r is not None for r in where.clustering_restrictions())) or bool(where.multis)
        if has_ck_restriction and self.key_mode != "keys":
            filtering = True
        if has_ck_restriction and self.static_only and not stmt.distinct:
            raise InvalidRequest(
                "Cannot restrict clustering columns when selecting only static columns"
            )
        self.has_ck_restriction = has_ck_restriction
        self.uses_slices = bool(ca.prefix) or ca.slice is not None
        # Everything else is a filter
        if where.non_key_restrictions():
            filtering = True
        self.index = None
        if filtering and candidate is not None:
            self.index = candidate
            filtering = self._needs_filtering_besides(candidate[1], table)
            self.key_mode = "index"
            if self.static_only:  # StatementRestrictions.validateSecondaryIndexSelections
                raise InvalidRequest(
                    "Queries using 2ndary indexes don't support selecting only static columns")
        if filtering and not allow:
            raise InvalidRequest(REQUIRES_ALLOW_FILTERING)
        for m in ca.leftover_multi:
            if m.is_slice:
                raise InvalidRequest("Multi-column slice restrictions cannot be used for filtering.")
            if m.op == "IN" and len(m.columns) > 1:
                raise InvalidRequest("Multicolumn IN filters are not supported")
        # Row filters: what the key selection does not already guarantee
        if self.key_mode == "index":
            # the row filter binds before the partition key bounds (as getRangeCommand does):
            # an unset in both reports the filtered value's error
            pk_names = {c.name for c in table.partition_key}
            self.filters = sorted(where.columns.values(), key=lambda r: r.name in pk_names)
            self.filter_multis = list(where.multis)
        else:
            selected = set()
            if self.key_mode == "keys":
                selected.update(r.name for r in prs if r is not None)
            for group in ca.prefix:
                if isinstance(group, ColumnRestriction):
                    selected.add(group.name)
            if ca.slice is not None and ca.slice[1] is not None:
                selected.add(ca.slice[1].name)
            self.filters = [r for r in where.columns.values() if r.name not in selected]
            self.filter_multis = list(ca.leftover_multi)
        self.row_filtering = bool(self.filters or self.filter_multis)

    def _indexed(self, table: TableMetadata, r) -> bool:
        return len(r.ops) <= 1 and any(index.target_column == r.name and indexes.supports(table, index, r)
                   for index in table.indexes.values())

    def _choose_index(self, table: TableMetadata):
        """(index, restriction, operation) of a restriction an index answers: the first
        one that leaves nothing to filter, else the first one."""
        found = []
        for r in self.where.index_candidates():
            for index in table.indexes.values():
                if index.target_column != r.name:
                    continue
                op = indexes.supports(table, index, r)
                if op is not None:
                    found.append((index, r, op))
        for candidate in found:
            if not self._needs_filtering_besides(candidate[1], table):
                return candidate
        return found[0] if found else None

    def _needs_filtering_besides(self, used, table: TableMetadata) -> bool:
        """Whether restrictions other than the indexed one still need ALLOW FILTERING."""
        where = self.where
        full = where.has_full_partition_key()
        ca = where.clustering
        if len(used.ops) > 1:  # an index answers one relation (CONTAINS a AND CONTAINS b)
            return True
        for r in where.columns.values():
            if r is used:
                continue
            if r.column.kind == PARTITION_KEY:
                if not full:
                    return True
                continue
            if r.column.kind == CLUSTERING and full and not ca.needs_filtering:
                continue
            return True
        for m in where.multis:
            if used.source is m and len(m.columns) == 1:
                continue
            if not full or m in ca.leftover_multi:
                return True
        return False

    def _index_partitions(self, db, bound: list, slices, state, now: int) -> Iterator:
        """Views of the base rows found through the chosen index, in token then clustering
        order; consecutive views may be parts of one partition (rows read a batch at a
        time). A page resumes at the index entry after the last row it returned."""
        index, r, op = self.index
        table = self.meta
        trace("Executing read on {}.{} using index {}", table.keyspace, table.name, index.name)
        what = r.what
        if op == "=":
            key = indexes.lookup_key(table, index, op, check_bound(r.eq.bind(bound), what))
        elif op == "CONTAINS":
            key = indexes.lookup_key(table, index, op, check_bound(r.contains[0].bind(bound), what))
        elif op == "CONTAINS KEY":
            key = indexes.lookup_key(table, index, op,
                                     check_bound(r.contains_key[0].bind(bound), what))
        else:
            k, v = r.entries[0]
            key = indexes.lookup_key(table, index, op, check_bound(v.bind(bound), what),
                                     check_bound(k.bind(bound), what))
        if len(key) > 65535:
            raise InvalidRequest("Index expression values may not be larger than 64K")
        wanted = None
        if self.where.has_full_partition_key():
            wanted = set(self.where.partition_keys(bound))
        key_range = self.where.token_range(bound) if self.where.token is not None else None
        if self.where.token is not None and key_range is None:
            return
        engine = db.engine
        table_id = str(table.id)
        # One view per partition, of its rows within ``slices``, when an entry stands for
        # the whole partition: DISTINCT, an index on a partition key or static column (every
        # row of a found partition is a candidate), a table without clustering columns.
        kind = table.columns[index.target_column].kind
        whole = self.stmt.distinct or kind in (PARTITION_KEY, "static") or not table.clustering
        limit = 1 if self.stmt.distinct else None
        start = None
        if state:  # resume after the row the last page ended on
            rdk, rck = decorate(state[0]), state[1]
            if rck is None:  # that partition is done
                start = indexes.entries_after(rdk)
            elif whole:
                view = engine.read_partition(table_id, state[0], _after(slices, rck, False),
                                             False, now, limit)
                if view is not None and view.rows:
                    yield view
                start = indexes.entries_after(rdk)
            else:
                start = indexes.entries_after(rdk, rck)
        pending_dk = None
        pending: list[bytes] = []
        batch = 4  # rows of a partition read at once: doubles, so a small page reads little
        for dk, ck in indexes.lookup(engine, table, index, key, now, start, whole):
            if wanted is not None and dk[8:] not in wanted:
                continue
            if key_range is not None and not key_range.contains(dk):
                continue
            if whole:
                view = engine.read_partition(table_id, dk[8:], slices, False, now, limit)
                if view is not None:
                    yield view
                continue
            if dk != pending_dk or len(pending) >= batch:
                if pending:
                    view = engine.read_partition(table_id, pending_dk[8:], _points(pending),
                                                 False, now)
                    if view is not None and view.rows:
                        yield view
                    batch = min(batch * 2, 256)
                pending_dk, pending = dk, []
            pending.append(ck)
        if pending:
            view = engine.read_partition(table_id, pending_dk[8:], _points(pending), False, now)
            if view is not None and view.rows:
                yield view

    def _plan_order(self, stmt: ast.Select, table: TableMetadata) -> None:
        self.reverse = False
        self.post_sort = False
        if not stmt.order_by:
            return
        for name, _ in stmt.order_by:
            if name not in table.columns:
                raise _undefined(table, name)
            if table.columns[name].kind != CLUSTERING:
                raise InvalidRequest(
                    "Order by is currently only supported on the clustered columns of the "
                    f"PRIMARY KEY, got {name}"
                )
        if self.key_mode == "index" or self.uses_sai:
            raise InvalidRequest(
                "ORDER BY with 2ndary indexes is not supported, except for ANN queries."
            )
        if self.key_mode != "keys":
            raise InvalidRequest(
                "ORDER BY is only supported when the partition key is restricted by an EQ or an IN."
            )
        crs = self.where.clustering_restrictions()
        expected = 0
        reversed_flags = set()
        for name, direction in stmt.order_by:
            col = table.columns[name]
            while expected < col.position:
                r = crs[expected]
                if r is None or not r.is_eq:
                    raise InvalidRequest(
                        "Order by currently only supports the ordering of columns following "
                        "their declared order in the PRIMARY KEY"
                    )
                expected += 1
            if col.position != expected:
                raise InvalidRequest(
                    "Order by currently only supports the ordering of columns following their "
                    "declared order in the PRIMARY KEY"
                )
            expected += 1
            reversed_flags.add((direction == "DESC") != col.reversed)
        if len(reversed_flags) > 1:
            raise InvalidRequest("Unsupported order by relation")
        self.reverse = reversed_flags.pop()
        prs = self.where.partition_restrictions()
        self.post_sort = any(r.is_in for r in prs if r is not None)

    def _restricted_by_eq(self, column: ColumnMetadata) -> bool:
        r = self.where.columns.get(column.name)
        return r is not None and r.is_eq

    # ---- execute ------------------------------------------------------------------------

    def _int_option(self, term: Term | None, bound: list, what: str) -> int | None:
        if term is None:
            return None
        v = term.bind(bound)
        if v is None:
            raise InvalidRequest(f"Invalid null value of {what}")
        if v is UNSET:
            return None
        if v <= 0:
            raise InvalidRequest(f"{what.upper()} must be strictly positive")
        return v

    def _limits(self, bound: list) -> tuple[int | None, int | None]:
        """LIMIT and PER PARTITION LIMIT for the bound values (None: none), checked."""
        return (None if self.limit is None else self._int_option(self.limit, bound, "limit"),
                None if self.ppl is None else
                self._int_option(self.ppl, bound, "per partition limit"))

    def _cap(self, limit: int | None, page_size: int | None, ppl: int | None) -> int | None:
        """The rows any one partition read can contribute (pushed down to storage)."""
        cap = None
        if not self.row_filtering and not self.post_sort:
            for n in (limit, page_size + 1 if page_size else None, ppl):
                if n and (cap is None or n < cap):
                    cap = n
        return cap

    def first_page(self, db, bound: list, page_size: int | None, now: int,
                   row_type: type | None = None) -> tuple[list, bytes | None]:
        """The rows and the paging state after them that ``execute`` gives a
        ``fast_read`` plan run from its start (no paging state) untraced for a trusted
        caller (no masks): the caller checks these; the session's prepared SELECT reads
        this way without an ExecutionContext or a Result."""
        self.bound_ref[0] = bound
        if self._point is not None:
            return self._point.rows(self, db, bound, now, row_type), None
        limit, ppl = self._limits(bound)
        return self._fast_page(db, bound, ppl, None, now, self._cap(limit, page_size, ppl),
                               limit, page_size, row_type)

    def execute(self, db, ctx: ExecutionContext) -> Result:
        point = self._point
        if point is not None and ctx.paging_state is None and current_trace() is None and (
                ctx.user is None or row_masker(db, ctx.user, self.meta) is None):
            self.bound_ref[0] = ctx.values
            # the plan's own name and type lists: the session's ResultSet copies them
            return Result("rows", self.result_names, self.result_types,
                          point.rows(self, db, ctx.values, ctx.now, ctx.row_type), None, None,
                          self.keyspace, self.table)
        if self.ann is not None:
            return execute_ann(self, db, ctx)
        if self.meta.virtual:  # rows computed now, read like stored ones
            db = virtual.reading(db, self.meta)
        bound = ctx.values
        self.bound_ref[0] = bound
        limit, ppl = self._limits(bound)
        state = _decode_state(ctx.paging_state) if ctx.paging_state else None
        page_size = ctx.fetch_size
        if self.post_sort or (self.grouped and self.group_spec is None):
            page_size = None
        if state is not None and state[3] >= 0:
            limit = state[3]
        rows_out: list[tuple] = []
        next_state = None
        now = ctx.now
        # None: clear values (CEP-20)
        mask = None if ctx.user is None else row_masker(db, ctx.user, self.meta)
        if self.grouped:
            rows_out, next_state = self._grouped(db, bound, limit, ppl, state, page_size, now,
                                                 mask)
        else:
            cap = self._cap(limit, page_size, ppl)
            if self._fast is not None and mask is None:
                rows_out, next_state = self._fast_page(db, bound, ppl, state, now, cap, limit,
                                                       page_size, ctx.row_type)
            else:
                rows = self._rows(db, bound, ppl, state, now, cap)
                if mask is not None:
                    rows = mask(rows)
                rows_out, next_state = self._page(rows, limit, page_size, now)
        tr = current_trace()
        if tr is not None:
            live, tombstones = tr.take_read_counts()
            tr.add(f"Read {live} live rows and {tombstones} tombstone cells")
            if self.row_filtering and not self.aggregate:
                tr.add(f"Filtering kept {len(rows_out)} rows")
        if self.stmt.json:
            rows_out = [(self._json_row(r),) for r in rows_out]
        # the plan's own name and type lists: the session's ResultSet copies them
        result = Result("rows", self.result_names, self.result_types, rows_out, next_state,
                        None, self.keyspace, self.table)
        if self.aggregate_warning:
            result.warnings.append(self.aggregate_warning)
        return result

    def _page(self, rows: Iterator, limit: int | None, page_size: int | None,
              now: int) -> tuple[list, bytes | None]:
        """The projected ``rows`` (of ``_rows``) of a page and the paging state after them."""
        rows_out: list[tuple] = []
        produced = 0
        for pk, ck, row, in_partition in rows:
            rows_out.append(self._project(row, now))
            produced += 1
            if limit is not None and produced >= limit:
                break
            if page_size is not None and produced >= page_size and not self.post_sort:
                if next(rows, None) is not None:  # only promise a page that has rows
                    remaining = -1 if limit is None else limit - produced
                    trace("Page full at {} rows: returning a paging state", page_size)
                    return rows_out, _encode_state(pk, ck, in_partition, remaining)
                break
        return rows_out, None

    def _json_row(self, row: tuple) -> str:
        parts = []
        for sel, value in zip(self.selectors, row):
            key = sel.name if sel.name == sel.name.lower() else f'"{sel.name}"'
            parts.append(f"{json.dumps(key)}: {sel.type.to_json_text(value)}")
        return "{" + ", ".join(parts) + "}"

    def _project(self, row: RowData, now: int) -> tuple:
        return tuple(s.value(row, now) for s in self.selectors)

    # ---- partitions and rows --------------------------------------------------------------

    def _partitions(self, db, bound: list, slices, state, now: int,
                    cap: int | None = None, columns: tuple[str, ...] | None = None) -> Iterable:
        """Partition views of the selected partitions, from the paging ``state`` on;
        ``columns``: projected views (``StorageEngine.read_rows``: rows of those columns'
        values, no static row, no partition without clustering rows). Views are read as
        they are iterated, except one partition key's, read at once (a list: no
        generator to make, run and close for the usual single-partition query)."""
        if self.key_mode == "index":
            return self._index_partitions(db, bound, slices, state, now)
        if self.key_mode == "keys":
            pks = self._partition_keys(bound)
            if self.where.token is not None:  # keys and a token range: keys filtered
                accept = self.where.token_filter(bound)
                pks = [pk for pk in pks if accept(partition_token(pk))]
            views = self._key_partitions(db.engine, pks, slices, state, now, cap, columns)
            return list(views) if len(pks) == 1 else views
        return self._scan_partitions(db.engine, bound, slices, state, now, cap, columns)

    def _key_partitions(self, engine, pks: list, slices, state, now: int, cap: int | None,
                        columns: tuple[str, ...] | None) -> Iterator:
        """The views of the partitions ``pks`` (see ``_partitions``)."""
        table_id = self.table_id
        reverse = self.reverse
        limit = 1 if self.stmt.distinct else cap
        start_pk = state[0] if state else None
        if start_pk is not None:
            pks = pks[pks.index(start_pk):] if start_pk in pks else []
        for pk in pks:
            trace("Executing single-partition query on {}", self.meta.name)
            s = slices
            if pk == start_pk:
                if state[1] is None:
                    continue
                s = _after(slices, state[1], reverse)
            if columns is None:
                view = engine.read_partition(table_id, pk, s, reverse, now, limit)
            else:
                view = engine.read_rows(table_id, pk, s, reverse, now, limit, columns=columns)
            if view is not None:
                yield view

    def _scan_partitions(self, engine, bound: list, slices, state, now: int,
                         cap: int | None, columns: tuple[str, ...] | None) -> Iterator:
        """The views of a token range or full scan (see ``_partitions``)."""
        table_id = self.table_id
        if columns is None:
            read = engine.read_partition
        else:
            read = partial(engine.read_rows, columns=columns)
        start_pk = state[0] if state else None
        resume_ck = state[1] if state else None
        key_range = self.where.token_range(bound) if self.key_mode == "token" else KeyRange()
        if key_range is None:
            return
        if start_pk is not None:
            dk = decorate(start_pk)
            if key_range.start is None or dk > key_range.start:
                key_range = KeyRange(dk, True, key_range.end, key_range.end_inclusive)
        if current_trace() is not None:
            trace(f"Executing seq scan on {self.meta.name} for {_describe_range(key_range)}")
        scan = engine.scan if columns is None else partial(engine.scan_rows, columns=columns)
        for view in scan(table_id, key_range, slices, now):
            if view.pk == start_pk:
                if resume_ck is None:
                    continue
                view = read(table_id, view.pk, _after(slices, resume_ck, False), False, now, cap)
                if view is None:
                    continue
            if self.stmt.distinct:
                view = type(view)(view.pk, view.static_row, view.rows[:1])
            yield view

    def _fast_spec(self, stmt: ast.Select, table: TableMetadata) -> RowBuilder | None:
        """For plain column selections read by key or scan, with nothing to filter,
        aggregate, sort afterwards or format: the compiled builder of output rows (each
        value a partition key component, a clustering component or a cell), so rows are
        built straight from the storage view without the general per-row machinery (see
        ``_fast_page``)."""
        if (self.ann is not None or self.grouped or stmt.json or stmt.distinct
                or self.needs_cells or self.row_filtering or self.post_sort
                or self.key_mode not in ("keys", "scan", "token") or table.dropped_columns
                or any(c.kind == "static" for c in table.columns.values())):
            return None
        spec = column_spec(self.selectors)
        return None if spec is None else RowBuilder(spec, table)

    def _fast_page(self, db, bound: list, ppl: int | None, state, now: int, cap: int | None,
                   limit: int | None, page_size: int | None,
                   row_type: type | None = None) -> tuple[list, bytes | None]:
        """The rows and the paging state after them of a ``_fast_spec`` plan: what the
        general loop of ``execute`` gives, with each partition's rows built in one go
        (made as ``row_type`` when given: ``ExecutionContext.row_type``)."""
        slices = self._slices(bound) if self._slices is not None else None
        if slices is not None and not slices:
            return [], None
        builder = self._fast
        build = builder.rows
        pk_values = builder.pk_values if builder.needs_pk else None
        start_in_partition = state[2] if state else 0
        start_pk = state[0] if state else None
        out: list = []
        pending = None  # the page is full: its state, if a later partition has a row
        for view in self._partitions(db, bound, slices, state, now, cap, builder.names):
            rows = view.rows
            if not rows:
                continue
            count = start_in_partition if view.pk == start_pk else 0
            if ppl is not None:
                if count >= ppl:
                    continue
                rows = rows[:ppl - count]
            if pending is not None:
                break
            pkv = pk_values(view.pk) if pk_values is not None else None
            # rows the page and LIMIT still take (each takes at least one row, as execute)
            room = None if page_size is None else max(page_size, 1) - len(out)
            by_limit = limit is not None and (room is None or max(limit, 1) - len(out) <= room)
            if by_limit:
                room = max(limit, 1) - len(out)
            if room is None or len(rows) < room:
                out.extend(build(pkv, rows, row_type))
                continue
            out.extend(build(pkv, rows[:room], row_type))
            if by_limit:
                return out, None
            pending = _encode_state(view.pk, rows[room - 1][0], count + room,
                                    -1 if limit is None else limit - len(out))
            if len(rows) > room:
                break
        else:
            return out, None
        trace("Page full at {} rows: returning a paging state", page_size)
        return out, pending

    def _rows(self, db, bound: list, ppl: int | None, state, now: int,
              cap: int | None = None, sort: bool = True, views: list | None = None) -> Iterator:
        """(pk, ck, row, rank in partition) of the selected rows; ``views`` replaces the
        partitions the key restrictions select (ANN reads its own candidates)."""
        table = self.meta
        filters = [r.bind(bound) for r in self.filters]
        multis = [m.bind(bound) for m in self.filter_multis]
        slices = self._slices(bound) if self._slices is not None else None
        if slices is not None and not slices:
            return
        need_cells = self.needs_cells
        distinct = self.stmt.distinct
        pk_names = [c.name for c in table.partition_key]
        ck_names = [c.name for c in table.clustering]
        columns = table.columns
        dropped = table.dropped_columns
        start_in_partition = state[2] if state else 0
        start_pk = state[0] if state else None
        post = self.post_sort and sort
        gathered = []
        if views is None:
            views = self._partitions(db, bound, slices, state, now, cap)
        elif slices is not None:
            views = [_within(view, slices) for view in views]
        last_pk = None
        count = 0
        resumed = False
        for view in views:
            if view.pk != last_pk:  # consecutive views of one partition count together
                last_pk = view.pk
                resumed = view.pk == start_pk
                count = start_in_partition if resumed else 0
            if ppl is not None and count >= ppl:
                continue
            base = dict(zip(pk_names, partition_key_values(table, view.pk)))
            base_cells: dict = {}
            if view.static_row is not None:
                _decode_into(view.static_row, columns, dropped, base, base_cells)
            if distinct or (not view.rows and not self.has_ck_restriction and not resumed):
                if distinct or (view.static_row is not None and self._shows_static(base, filters)):
                    row = RowData(base, base_cells, view.pk, None)
                    if not self._keep(row, filters, multis, static_row=True):
                        pass
                    elif post:  # no clustering values: sorts first (last when reversed)
                        gathered.append((None, view.pk, row, count + 1))
                    else:
                        yield view.pk, None, row, count + 1
                continue
            for ck, srow in view.rows:
                if dropped and srow.liveness is None and not has_visible_cells(table, srow):
                    continue
                values = dict(base)
                values.update(zip(ck_names, clustering_values(table, ck)))
                cells = dict(base_cells) if need_cells else base_cells
                _decode_into(srow, columns, dropped, values, cells if need_cells else None)
                row = RowData(values, cells, view.pk, ck)
                if not self._keep(row, filters, multis):
                    continue
                count += 1
                if post:
                    gathered.append((ck, view.pk, row, count))
                else:
                    yield view.pk, ck, row, count
                if ppl is not None and count >= ppl:
                    break
        if post:
            gathered.sort(key=lambda g: g[0] or b"", reverse=self.reverse)
            for ck, pk, row, count in gathered:
                yield pk, ck, row, count

    def _shows_static(self, base: dict, filters) -> bool:
        if self.queried_statics is None:
            return True
        names = self.queried_statics | {f.column.name for f in filters
                                        if f.column.kind == "static"}
        return any(base.get(n) is not None for n in names)

    @staticmethod
    def _keep(row: RowData, filters, multis, static_row: bool = False) -> bool:
        values = row.values
        for f in filters:
            col = f.column
            if static_row and col.kind in (CLUSTERING, "regular"):
                return False
            if not f.matches(values.get(col.name)):
                return False
        if multis and not static_row:
            for m in multis:
                if not m.matches(values):
                    return False
        return True

    # ---- aggregation ----------------------------------------------------------------------

    def _grouped(self, db, bound, limit, ppl, state, page_size, now, mask=None):
        """Rows of an aggregate or GROUP BY query (LIMIT, PER PARTITION LIMIT and pages count
        groups) and the paging state after them."""
        rows = self._rows(db, bound, None, state, now, sort=False)
        if mask is not None:
            rows = mask(rows)
        sort = self.post_sort
        groups, end = fold_groups(
            rows, self.selectors, self.group_spec, now,
            limit=None if sort else limit, ppl=ppl, page_size=page_size,
            resume_pk=state[0] if state else None, resume_groups=state[2] if state else 0)
        if sort:  # IN with ORDER BY: groups sorted by their first row
            groups.sort(key=lambda g: g[0].ck or b"", reverse=self.reverse)
            if limit is not None:
                groups = groups[:limit]
        next_state = None
        if end is not None:
            remaining = -1 if limit is None else limit - end.produced
            next_state = _encode_state(end.pk, end.ck, end.groups_in_partition, remaining)
        return [values for _, values in groups], next_state


def _contains_writetime(sel: Selector) -> bool:
    if isinstance(sel, WritetimeSelector):
        return True
    for attr in ("args",):
        for a in getattr(sel, attr, []) or []:
            if a is not None and _contains_writetime(a):
                return True
    inner = getattr(sel, "inner", None)
    return inner is not None and _contains_writetime(inner)


def _decode_into(row, columns, dropped, values: dict, cells: dict | None) -> None:
    for name, data in row.cells.items():
        column = columns.get(name)
        if column is None:
            continue
        d = dropped.get(name)
        if d is not None:
            data = _without_dropped(data, d.dropped_time)
            if data is None:
                continue
        values[name] = decode_cell_value(column, data)
        if cells is not None:
            cells[name] = data


def _points(cks: list[bytes]) -> list[tuple[bytes, bytes]]:
    """Slices selecting exactly the rows ``cks`` (ascending)."""
    return [(ck, ck + b"\x00") for ck in cks]


def _within(view, slices):
    """``view`` with only the rows inside the clustering ``slices`` ([lo, hi) byte ranges)."""
    rows = [(ck, row) for ck, row in view.rows
            if any(lo <= ck and (hi is None or ck < hi) for lo, hi in slices)]
    return type(view)(view.pk, view.static_row, rows)


def plan_select(db, stmt: ast.Select, keyspace: str | None, markers: Markers) -> SelectPlan:
    table = db.table(stmt.table, keyspace)
    return SelectPlan(db, stmt, table, markers, keyspace)
