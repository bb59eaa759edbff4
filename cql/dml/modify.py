"""INSERT, UPDATE and DELETE: from statements to mutations, including LWT.

Writes are blind upserts turned into :class:`cassalite.storage.model.Mutation` objects.
Operations that must see the current value (list index set/delete, list removal, counters)
read the row first under the database lock, as do lightweight transactions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sortedcontainers import SortedDict

from cassalite.storage.model import (
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
    merge_column,
    merge_row_into,
)
from cassalite.storage.tracing import trace
from cql.cells import (
    clustering_bytes,
    clustering_values,
    decode_row_values,
    partition_key_bytes,
    partition_key_values,
)
from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.plan.restrictions import WhereClause
from cql.plan.slices import clustering_slices
from cql.plan.terms import UNSET, Markers, Term, TermContext, compile_term
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast
from cql.types.values import EMPTY

from .cas import CasRequest
from .conditions import Condition, compile_condition
from .json_insert import compile_insert_json
from .operations import (
    BIGINT,
    BOOLEAN,
    COUNTER_TOMBSTONE_TIMESTAMP,
    INT,
    MAX_TTL,
    CounterAdd,
    Operation,
    SetColumn,
    WriteContext,
    _undefined,
    compile_assignment,
    compile_deletion,
)
from .write_builder import (
    MAX_KEY_LENGTH,
    check_clustering_size,
    check_key_size,
    compile_row_writer,
)


class ModificationPlan(Plan):
    def __init__(self, db, stmt: Any, table: TableMetadata, markers: Markers):
        self.meta = table
        self.keyspace, self.table = table.keyspace, table.name
        self.kind = {ast.Insert: "INSERT", ast.Update: "UPDATE", ast.Delete: "DELETE"}[type(stmt)]
        ctx = db.term_context(markers, table.keyspace)
        self.ctx = ctx
        self.operations: list[Operation] = []
        self.key_terms: dict[str, Term] | None = None
        self.where: WhereClause | None = None
        self.row_marker = self.kind == "INSERT"
        self.if_not_exists = getattr(stmt, "if_not_exists", False)
        self.if_exists = getattr(stmt, "if_exists", False)
        self.is_json = getattr(stmt, "json", None) is not None
        self.conditions: list[Condition] = []
        self.partition_in = self.clustering_in = False
        self.ttl = compile_term(stmt.ttl, INT, "[ttl]", ctx) if getattr(stmt, "ttl", None) is not None else None
        self.timestamp = (
            compile_term(stmt.timestamp, BIGINT, "[timestamp]", ctx)
            if stmt.timestamp is not None else None
        )
        for cond in getattr(stmt, "conditions", ()) or ():
            self.conditions.append(compile_condition(table, cond, ctx))
        if self.kind == "INSERT":
            self._compile_insert(stmt, table, ctx)
            if table.compact:
                self._compact_insert(table)
        else:
            self._compile_where(stmt, table, ctx)
        self.conditional = self.if_not_exists or self.if_exists or bool(self.conditions)
        if self.conditional:
            self._check_conditional()
        self.is_counter = table.is_counter
        #: a dense table with one clustering column refuses an empty clustering value
        self.dense_single = table.compact == "dense" and len(table.clustering) == 1
        if self.is_counter and self.timestamp is not None:
            raise InvalidRequest("Cannot provide custom timestamp for counter updates")
        if self.is_counter and self.ttl is not None:
            raise InvalidRequest("Cannot provide custom TTL for counter updates")
        self.requires_read = any(op.requires_read for op in self.operations)
        names = [op.column.name for op in self.operations]
        self.merge_operations = len(set(names)) < len(names)
        self.pk_indexes = markers.partition_key_indexes([c.name for c in table.partition_key])
        if self.conditional:
            self.result_names = ["[applied]"]
            self.result_types = [BOOLEAN]
        #: the prepare-time builder of a simple one-row write (None: the general path)
        self.writer = compile_row_writer(self)
        #: a session may write through ``write_fast`` (no ExecutionContext, no Result) when
        #: nothing but the writer runs: no USING TIMESTAMP/TTL terms to bind
        self.fast_write = self.writer is not None and self.timestamp is None and self.ttl is None
        #: what every such write returns (shared: a void result carries nothing that varies)
        self.void_result = Result("void", keyspace=self.keyspace, table=self.table)

    # ---- compile ------------------------------------------------------------------------

    def _compile_insert(self, stmt: ast.Insert, table: TableMetadata, ctx: TermContext) -> None:
        if table.is_counter:
            raise InvalidRequest(
                "INSERT statements are not allowed on counter tables, use UPDATE instead"
            )
        if stmt.json is not None:
            names, terms = compile_insert_json(table, stmt, ctx)
        else:
            names = list(stmt.columns)
            if len(set(names)) != len(names):
                raise InvalidRequest("The column names contains duplicates")
            if len(names) != len(stmt.values):
                raise InvalidRequest("Unmatched column names/values")
            terms = []
            for name, node in zip(names, stmt.values):
                column = table.columns.get(name)
                if column is None:
                    raise _undefined(table, name)
                if column.type.is_counter:
                    raise InvalidRequest(
                        "INSERT statements are not allowed on counter tables, use UPDATE instead"
                    )
                terms.append(compile_term(node, column.type, name, ctx))
        self.key_terms = {}
        for name, term in zip(names, terms):
            column = table.columns[name]
            if column.is_primary_key:
                self.key_terms[name] = term
            else:
                self.operations.append(SetColumn(column, term))
        missing = [c.name for c in table.partition_key if c.name not in self.key_terms]
        if missing:
            raise InvalidRequest(f"Some partition key parts are missing: {', '.join(missing)}")
        for name in table.not_null_columns:
            if name not in names:
                raise InvalidRequest(f"Column '{name}' has to be specified as part of this query.")
        missing = [c.name for c in table.clustering if c.name not in self.key_terms]
        self.static_only = len(missing) == len(table.clustering) and self._only_static()
        if missing and not self.static_only and not self._compact_prefix(table, missing):
            raise InvalidRequest(f"Some clustering keys are missing: {', '.join(missing)}")
        if missing:
            self.row_marker = False

    def _compact_prefix(self, table: TableMetadata, missing: list[str]) -> bool:
        """A compact table's row may be named by a clustering prefix (StatementRestrictions
        only asks for every clustering column of a CQL table, or when none is given)."""
        if not table.compact or len(missing) == len(table.clustering):
            return False
        given = [c.name for c in table.clustering if c.name not in missing]
        last = table.clustering[len(given) - 1].name if given else None
        if given != [c.name for c in table.clustering[:len(given)]]:
            gap = next(c.name for c in table.clustering if c.name in missing)
            after = next(c.name for c in table.clustering
                         if c.name in given and table.clustering.index(table.columns[c.name])
                         > table.clustering.index(table.columns[gap]))
            raise InvalidRequest(f"PRIMARY KEY column \"{after}\" cannot be restricted as "
                                 f"preceding column \"{gap}\" is not restricted")
        return last is not None

    def _compact_insert(self, table: TableMetadata) -> None:
        """A compact table's row lives only through its value cells: no row marker, and a
        dense table's value column is mandatory. A dense table without a value column
        writes Cassandra's empty value cell, which our row marker stands for."""
        value = table.compact_value
        if table.compact == "static" and not self.operations:
            # the statement applies to no (static) column: the hidden clustering is required
            hidden = table.compact_hidden_columns()[0][0]
            raise InvalidRequest(f"Some clustering keys are missing: {hidden}")
        if table.compact == "static" or value is not None:
            self.row_marker = False
        if value is not None and not self.operations:
            raise InvalidRequest(f"Column {value.name} is mandatory for this COMPACT STORAGE table")

    def _only_static(self) -> bool:
        """Cassandra's appliesOnlyToStaticColumns: static operations or conditions, and
        neither on a regular column."""
        if self.kind == "DELETE" and not self.operations:
            return False  # a whole-row deletion applies to the regular columns
        columns = [op.column for op in self.operations] + [c.column for c in self.conditions]
        return bool(columns) and all(c.is_static for c in columns)

    def _compile_where(self, stmt: Any, table: TableMetadata, ctx: TermContext) -> None:
        kind = self.kind
        if kind == "UPDATE":
            for a in stmt.assignments:
                self.operations.append(compile_assignment(table, a, ctx))
        else:
            for t in stmt.targets:
                self.operations.append(compile_deletion(table, t, ctx))
            for op in self.operations:
                if op.column.name in table.not_null_columns:
                    raise InvalidRequest(f"Column '{op.column.name}' can not be set to null.")
        where = self.where = WhereClause(table, stmt.where, ctx, kind)
        prs = where.partition_restrictions()
        for r in prs:
            if r is not None and r.is_slice:
                raise InvalidRequest(
                    "Only EQ and IN relation are supported on the partition key (unless you use "
                    f"the token() function) for {kind} statements"
                )
        missing = [c.name for c, r in zip(table.partition_key, prs) if r is None]
        if missing:
            raise InvalidRequest(f"Some partition key parts are missing: {', '.join(missing)}")
        self.static_only = self._only_static()
        crs = where.clustering_restrictions()
        has_ck = any(r is not None for r in crs) or where.multi is not None
        if self.static_only and has_ck:
            raise InvalidRequest(
                f"Invalid restrictions on clustering columns since the {kind} statement modifies "
                "only static columns"
            )
        full = where.clustering.prefix_width == len(table.clustering) and \
            where.clustering.slice is None
        self.full_key = full
        if kind == "UPDATE":
            if any(r is not None and r.is_slice for r in crs) or (
                where.multi is not None and where.multi.op == "SLICE"
            ):
                raise InvalidRequest(
                    "Slice restrictions are not supported on the clustering columns in UPDATE statements"
                )
            if not full and not self.static_only and table.compact and has_ck:
                # a compact table's row may be named by a clustering prefix
                if where.clustering.gap_error:
                    raise InvalidRequest(where.clustering.gap_error)
                full = self.full_key = True
            if not full and not self.static_only:
                missing = [c.name for c, r in zip(table.clustering, crs) if r is None]
                raise InvalidRequest(f"Some clustering keys are missing: {', '.join(missing)}")
            self._check_where_columns(where)
        else:
            if not full and where.clustering.gap_error:
                raise InvalidRequest(where.clustering.gap_error)
            self._check_where_columns(where)
            conditional = self.if_exists or self.conditions
            if conditional and not full:
                # DeleteStatement.Parsed.prepareInternal
                regular_ops = not self.operations or any(
                    not op.column.is_static for op in self.operations)
                if regular_ops or any(not c.column.is_static for c in self.conditions):
                    what = "delete non static columns" if regular_ops else \
                        "use IF condition on non static columns"
                    raise InvalidRequest(
                        "DELETE statements must restrict all PRIMARY KEY columns with equality "
                        f"relations in order to {what}"
                    )
            if self.operations and not full and not self.static_only:
                raise InvalidRequest("Range deletions are not supported for specific columns")

    def _check_where_columns(self, where: WhereClause) -> None:
        """StatementRestrictions' last checks for UPDATE/DELETE (after the key checks)."""
        for r in where.columns.values():
            if not r.column.is_primary_key:
                raise InvalidRequest(
                    f"Non PRIMARY KEY columns found in where clause: {r.name} "
                )
            if r.is_contains:
                op = ("CONTAINS" if r.contains else "CONTAINS KEY" if r.contains_key
                      else "NOT CONTAINS" if r.not_contains else "NOT CONTAINS KEY")
                raise InvalidRequest(f"Cannot use {self.kind} with {op}")

    def _check_conditional(self) -> None:
        if self.timestamp is not None:
            raise InvalidRequest("Cannot provide custom timestamp for conditional updates")
        if self.meta.is_counter:
            raise InvalidRequest("Conditional updates are not supported on counter tables")
        if self.where is not None:
            self.partition_in = any(r is not None and r.is_in
                                    for r in self.where.partition_restrictions())
            self.clustering_in = any(r is not None and r.is_in
                                     for r in self.where.clustering_restrictions())

    # ---- execution ----------------------------------------------------------------------

    def write_attributes(self, db, ctx: ExecutionContext, batch_ts: int | None = None):
        bound = ctx.values
        if self.timestamp is not None:
            ts = self.timestamp.bind(bound)
            if ts is None:
                raise InvalidRequest("Invalid null value of timestamp")
            if ts is UNSET:
                ts = batch_ts if batch_ts is not None else db.write_timestamp(ctx.timestamp)
            elif ts == -(1 << 63):
                raise InvalidRequest(f"Invalid timestamp value: {ts}")
        else:
            ts = batch_ts if batch_ts is not None else db.write_timestamp(ctx.timestamp)
        if self.meta.is_counter and self.kind == "DELETE":
            # A counter tombstone always wins, whatever the timestamps: increments after a
            # delete do not bring the counter back (Cassandra's counter semantics).
            ts = COUNTER_TOMBSTONE_TIMESTAMP
        ttl = self.meta.default_ttl
        if self.ttl is not None:
            v = self.ttl.bind(bound)
            if v is None or v is UNSET or v is EMPTY:  # an empty TTL is no TTL
                v = ttl if v is UNSET else 0
            if v < 0:
                raise InvalidRequest(f"A TTL must be greater or equal to 0, but was {v}")
            if v > MAX_TTL:
                raise InvalidRequest(f"ttl is too large. requested ({v}) maximum ({MAX_TTL})")
            ttl = v
        return ts, ttl

    def keys(self, bound: list) -> list[tuple[bytes, list[bytes | tuple] | None]]:
        """(pk, row keys) pairs; row keys are ck bytes, or (lo, hi) ranges, or None for
        a partition-level write."""
        table = self.meta
        if self.key_terms is not None:
            vals = {}
            for name, term in self.key_terms.items():
                v = term.bind(bound)
                if v is None:
                    raise InvalidRequest(f"Invalid null value for column {name}")
                if v is UNSET:
                    raise InvalidRequest(f"Invalid unset value for column {name}")
                vals[name] = v
            pk = partition_key_bytes(table, [vals[c.name] for c in table.partition_key])
            check_key_size(pk)
            if self.static_only and any(c.name not in vals for c in table.clustering):
                return [(pk, [])]
            cvals = [vals[c.name] for c in table.clustering if c.name in vals]
            if self.dense_single:
                check_dense_clustering(table, cvals)
            ck = clustering_bytes(table, cvals)
            if len(ck) > MAX_KEY_LENGTH:
                check_clustering_size(table, cvals)
            return [(pk, [ck])]
        where = self.where
        pks = where.partition_keys(bound)
        for pk in pks:
            check_key_size(pk)
        if self.static_only and not self.full_key:
            return [(pk, []) for pk in pks]
        if self.full_key:
            cks = []
            for c in where.clustering_prefixes(bound):
                if self.dense_single:
                    check_dense_clustering(table, c)
                ck = clustering_bytes(table, c)
                if len(ck) > MAX_KEY_LENGTH:
                    check_clustering_size(table, c)
                cks.append(ck)
            return [(pk, cks) for pk in pks]
        # DELETE of a partition or a clustering range
        has_ck = any(r is not None for r in where.clustering_restrictions()) or where.multi is not None
        if not has_ck:
            return [(pk, None) for pk in pks]
        slices = clustering_slices(table, where, bound)
        return [(pk, [tuple(s) for s in slices]) for pk in pks]

    def mutations(self, db, ctx: ExecutionContext, batch_ts: int | None = None) -> list[Mutation]:
        ts, ttl = self.write_attributes(db, ctx, batch_ts)
        if self.writer is not None:
            return self.writer.mutations(ctx.values, ts, ttl, ctx.now, db.engine.encodes_rows)
        bound = ctx.values
        now = ctx.now
        table_id = str(self.meta.id)
        out = []
        keys = self.keys(bound)
        if self.meta.constrained and self.kind != "DELETE":
            check_constraints(self.meta, keys, self.operations, bound)
        for pk, cks in keys:
            update = Partition()
            if cks is None:
                update.deletion = DeletionTime(ts, now)
                out.append(Mutation(table_id, pk, update))
                continue
            for ck in cks:
                if isinstance(ck, tuple):
                    update.range_tombstones.append(RangeTombstone(ck[0], ck[1], DeletionTime(ts, now)))
            row_keys = [ck for ck in cks if not isinstance(ck, tuple)]
            if self.kind == "DELETE" and not self.operations:
                for ck in row_keys:
                    update.rows[ck] = Row(deletion=DeletionTime(ts, now))
                out.append(Mutation(table_id, pk, update))
                continue
            current = self._read_current(db, pk, row_keys, now) if self.requires_read else {}
            static_ops = [op for op in self.operations if op.column.is_static]
            regular_ops = [op for op in self.operations if not op.column.is_static]
            if static_ops:
                srow = Row()
                wc = WriteContext(bound, ts, ttl, now, *current.get(None, ({}, {})))
                self._apply(static_ops, srow, wc)
                update.static_row = srow
            for ck in row_keys:
                if not regular_ops and not self.row_marker:
                    continue
                row = Row()
                if self.row_marker:
                    row.liveness = LivenessInfo(ts, ttl, now + ttl) if ttl else LivenessInfo(ts)
                wc = WriteContext(bound, ts, ttl, now, *current.get(ck, ({}, {})))
                self._apply(regular_ops, row, wc)
                update.rows[ck] = row
            out.append(Mutation(table_id, pk, update))
        return out

    def _apply(self, operations: list[Operation], row: Row, wc: WriteContext) -> None:
        if not self.merge_operations:
            for op in operations:
                op.apply(row, wc)
            return
        # Several operations on one column: each writes apart and the results reconcile as
        # the cells of one update do in Cassandra (same timestamp: a tombstone wins, then
        # the greater value), so `l[2] = 7, l[2] = 8` keeps 8 and `s = s + {3}, s = s - {3}`
        # removes 3. (Counter operations add up on the row instead.)
        for op in operations:
            if isinstance(op, CounterAdd):
                op.apply(row, wc)
                continue
            part = Row()
            op.apply(part, _with_pending(wc, row, op) if op.requires_read else wc)
            merge_row_into(row, part)

    def _read_current(self, db, pk: bytes, cks: list[bytes], now: int) -> dict:
        """Decoded values and raw cells of the rows an operation must read first."""
        table = self.meta
        slices = [(ck, ck + b"\x00") for ck in sorted(cks)] if cks else [(b"", b"")]
        view = db.engine.read_partition(str(table.id), pk, slices, False, now)
        out: dict = {}
        if view is None:
            return out
        if view.static_row is not None:
            out[None] = (decode_row_values(table, view.static_row, {}), dict(view.static_row.cells))
        for ck, row in view.rows:
            out[ck] = (decode_row_values(table, row, {}), dict(row.cells))
        return out

    def execute(self, db, ctx: ExecutionContext) -> Result:
        if self.conditional:
            return self._execute_conditional(db, ctx)
        if self.requires_read or self.is_counter:
            with db.lock:
                db.apply(self.mutations(db, ctx))
        else:
            db.apply(self.mutations(db, ctx))
        return Result("void", keyspace=self.keyspace, table=self.table)

    def write_fast(self, db, values: list, timestamp: int | None) -> None:
        """What ``execute`` does for a ``fast_write`` plan, given the bound values and the
        client timestamp: the same timestamp, TTL, now, mutations and apply."""
        self.writer.write(db, values, db.write_timestamp(timestamp), self.meta.default_ttl)

    # ---- LWT ------------------------------------------------------------------------------

    def check_cas_keys(self, in_batch: bool = False) -> None:
        """What Cassandra checks when it builds the CAS request of this statement."""
        kind = "updates" if self.kind != "DELETE" else "deletions"
        if self.partition_in:
            raise InvalidRequest(
                "Batch with conditions cannot span multiple partitions (you cannot use IN on "
                "the partition key)" if in_batch else
                f"IN on the partition key is not supported with conditional {kind}")
        if self.clustering_in:
            raise InvalidRequest(
                f"IN on the clustering key columns is not supported with conditional {kind}")

    def bound_values(self, ctx: ExecutionContext) -> list:
        """The bind values of this statement (in a batch of prepared statements, its own)."""
        return ctx.values

    def cas_key(self, bound: list) -> tuple[bytes, bytes | None]:
        """The partition and the row (None: the static row) this statement writes."""
        pk, cks = self.keys(bound)[0]
        return pk, cks[0] if cks else None

    def cas_columns(self) -> list[ColumnMetadata]:
        """The columns of a failed CAS result: all for IF (NOT) EXISTS, else those of the
        conditions, regular ones first (Cassandra's ColumnConditions.getColumns)."""
        if self.if_not_exists or self.if_exists:
            return list(self.meta.select_star)
        seen, out = set(), []
        for c in sorted(self.conditions, key=lambda c: c.column.is_static):
            if c.column.name not in seen:
                seen.add(c.column.name)
                out.append(c.column)
        return out

    def _execute_conditional(self, db, ctx: ExecutionContext) -> Result:
        self.check_cas_keys()
        pk, ck = self.cas_key(ctx.values)
        request = CasRequest(self.meta, pk)
        request.add(self, ck, ctx.values)
        with db.lock:
            trace("Reading existing values for CAS precondition")
            current = request.read(db, ctx)
            applied = current.applies()
            trace_cas(applied)
            if applied:
                db.apply(self.mutations(db, ctx))
        names, types = ["[applied]"], [BOOLEAN]
        rows = [(applied,)]
        if not applied:
            columns = self.cas_columns()
            failed = current.result_rows(columns)
            if failed:
                names += [c.name for c in columns]
                types += [c.type for c in columns]
                rows = failed
        return Result("rows", names, types, rows, keyspace=self.keyspace, table=self.table)


def _with_pending(wc: WriteContext, row: Row, op: Operation) -> WriteContext:
    """``wc`` whose current cells of ``op``'s column include what the earlier operations of
    the statement wrote (Cassandra's UpdateParameters.getPrefetchedRow merges the pending
    update in), so ``l = l + [3, 4], l[3] = 7`` sets the appended element."""
    name = op.column.name
    pending = row.cells.get(name)
    if not isinstance(pending, ComplexColumn):
        return wc
    cells = dict(wc.current_cells or {})
    old = cells.get(name)
    merged = merge_column(old, pending) if isinstance(old, ComplexColumn) else pending.copy()
    deletion = merged.deletion
    merged.cells = SortedDict(
        (path, cell) for path, cell in merged.cells.items()
        if cell.value is not None and (deletion is None or cell.timestamp > deletion.marked_at))
    merged.deletion = None
    cells[name] = merged
    return replace(wc, current_cells=cells)


UNLOGGED_BATCH_WARN_PARTITIONS = 10  # Cassandra's unlogged_batch_across_partitions_warn_threshold


def _unlogged_batch_warning(db, mutations: list[Mutation]) -> list[str]:
    """Cassandra's client warning for an unlogged batch spread over many partitions."""
    if len(mutations) < 2:
        return []
    partitions = {(m.table_id, m.pk) for m in mutations}
    if len(partitions) <= UNLOGGED_BATCH_WARN_PARTITIONS:
        return []
    tables = sorted({f"{t.keyspace}.{t.name}" for t in (db.table_by_id(m.table_id)
                                                         for m in mutations)})
    return [f"Unlogged batch covering {len(partitions)} partitions detected against "
            f"table{'' if len(tables) == 1 else 's'} [{', '.join(tables)}]. You should use a "
            "logged batch for atomicity, or asynchronous writes for performance."]


def trace_cas(applied: bool) -> None:
    trace("CAS precondition is met; applying the update" if applied
          else "CAS precondition does not match current values")


def check_constraints(table: TableMetadata, keys: list, operations: list[Operation],
                      bound: list) -> None:
    """Evaluate the table's CHECK constraints on what a write sets: its key values and the
    values it assigns (ModificationStatement's constraint validation)."""
    constrained = table.constrained
    keyed = [c for c in table.partition_key if c.name in constrained]
    clustered = [c for c in table.clustering if c.name in constrained]
    for pk, cks in keys:
        if keyed:
            values = partition_key_values(table, pk)
            for column in keyed:
                constrained[column.name].check(values[column.position])
        if clustered:
            for ck in cks or ():
                if isinstance(ck, tuple):
                    continue
                values = clustering_values(table, ck)
                for column in clustered:
                    constrained[column.name].check(values[column.position])
    for op in operations:
        checks = constrained.get(op.column.name)
        if checks is not None and isinstance(op, SetColumn):
            value = op.term.bind(bound)
            if value is not UNSET:
                checks.check(value)


def check_dense_clustering(table: TableMetadata, values: list) -> None:
    """UpdateParameters.newRow: the clustering of a dense, non-compound table (the old Thrift
    column name) may not be empty."""
    column = table.clustering[0]
    if values and (values[0] is EMPTY or column.type.serialize(values[0]) == b""):
        raise InvalidRequest(f"Invalid empty or null value for column {column.name}")


def plan_modification(db, stmt: Any, keyspace: str | None, markers: Markers) -> ModificationPlan:
    table = db.table(stmt.table, keyspace)
    if table.is_view:
        raise InvalidRequest(
            "Cannot directly modify a materialized view"
        )
    if table.virtual:  # no virtual table here takes writes (AbstractVirtualTable.apply)
        raise InvalidRequest(f"Modification is not supported by table {table.full_name}")
    return ModificationPlan(db, stmt, table, markers)
