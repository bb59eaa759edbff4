"""BATCH: the statements of a batch planned together, applied as one write per partition."""

from __future__ import annotations

from collections.abc import Sequence

from cassalite.storage.model import (
    Mutation,
    merge_partition_into,
)
from cassalite.storage.tracing import trace
from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.plan.terms import Markers, Term, compile_term
from cql.syntax import ast

from .batch_size import check_batch_size
from .cas import CasRequest
from .modify import ModificationPlan, _unlogged_batch_warning, plan_modification, trace_cas
from .operations import BIGINT, BOOLEAN


class BatchPlan(Plan):
    """INSERT/UPDATE/DELETE plans run as one batch, with Cassandra's batch rules checked
    once, here: built from a ``BEGIN BATCH`` statement (:meth:`from_statement`) or from
    statements planned apart, each with its own bound values (:meth:`from_plans`, the
    native protocol's BATCH message)."""

    def __init__(self, kind: str, plans: list, timestamp: Term | None = None):
        self.kind = kind
        self.timestamp = timestamp
        self.plans = plans
        has_counter = any(p.is_counter for p in self.plans)
        has_regular = any(not p.is_counter for p in self.plans)
        if self.kind == "COUNTER" and has_regular:
            raise InvalidRequest("Cannot include non-counter statement in a counter batch")
        if self.kind == "LOGGED" and has_counter:
            raise InvalidRequest("Cannot include a counter statement in a logged batch")
        if has_counter and has_regular:
            raise InvalidRequest("Counter and non-counter mutations cannot exist in the same batch")
        if self.timestamp is not None and any(p.timestamp is not None for p in self.plans):
            raise InvalidRequest("Timestamp must be set either on BATCH or individual statements")
        if has_counter and (self.timestamp is not None or any(p.timestamp is not None for p in self.plans)):
            raise InvalidRequest("Cannot provide custom timestamp for counter BATCH")
        self.conditional = any(p.conditional for p in self.plans)
        if self.conditional:
            if self.timestamp is not None:
                raise InvalidRequest("Cannot provide custom timestamp for conditional BATCH")
            tables = {(p.keyspace, p.table) for p in self.plans}
            if len(tables) > 1:
                raise InvalidRequest("Batch with conditions cannot span multiple tables")
        self.result_names = ["[applied]"] if self.conditional else []
        self.result_types = [BOOLEAN] if self.conditional else []

    @classmethod
    def from_statement(cls, db, stmt: ast.Batch, keyspace: str | None,
                       markers: Markers) -> BatchPlan:
        """The plan of a ``BEGIN ... APPLY BATCH`` statement (one list of bind values)."""
        if stmt.ttl is not None:
            raise InvalidRequest("Global TTL on the BATCH statement is not supported.")
        ctx = db.term_context(markers, keyspace)
        timestamp = (
            compile_term(stmt.timestamp, BIGINT, "[timestamp]", ctx)
            if stmt.timestamp is not None else None
        )
        plans = [plan_modification(db, s, keyspace, markers) for s in stmt.statements]
        return cls(stmt.kind, plans, timestamp)

    @classmethod
    def from_plans(cls, kind: str, bound: Sequence[tuple[Plan, ExecutionContext]]) -> BatchPlan:
        """A batch of statements planned apart, each ``(plan, context with its values)``."""
        for plan, _ in bound:
            if not isinstance(plan, ModificationPlan):
                raise InvalidRequest(
                    "Invalid statement in batch: only UPDATE, INSERT and DELETE statements are "
                    "allowed."
                )
        return cls(kind, [_BoundPlan(plan, ctx) for plan, ctx in bound])

    def execute(self, db, ctx: ExecutionContext) -> Result:
        if self.timestamp is not None:
            ts = self.timestamp.bind(ctx.values)
            if ts is None:
                raise InvalidRequest("Invalid null value of timestamp")
        else:
            ts = db.write_timestamp(ctx.timestamp)
        trace("Executing {} batch of {} statements", self.kind.lower(), len(self.plans))
        with db.lock:
            if self.conditional:
                return self._conditional(db, ctx, ts)
            size_warnings: list[str] = []
            if any(p.requires_read for p in self.plans):
                # Counters and list index operations read the current value: each statement
                # must see the ones before it (two increments of one counter add up).
                applied = []
                for p in self.plans:
                    muts = p.mutations(db, ctx, ts)
                    db.apply(muts)
                    applied.extend(muts)
            else:
                applied = _merge(m for p in self.plans for m in p.mutations(db, ctx, ts))
                size_warnings = check_batch_size(db, applied)  # may refuse the batch
                db.apply(applied)
        result = Result("void")
        result.warnings.extend(size_warnings)
        if self.kind != "LOGGED":
            result.warnings.extend(_unlogged_batch_warning(db, applied))
        return result

    def _conditional(self, db, ctx: ExecutionContext, ts: int) -> Result:
        request = None
        columns: list | None = []
        for p in self.plans:
            p.check_cas_keys(in_batch=True)
            pk, ck = p.cas_key(ctx.values)
            if request is None:
                request = CasRequest(p.meta, pk)
            elif pk != request.pk:
                raise InvalidRequest("Batch with conditions cannot span multiple partitions")
            if not p.conditional:
                request.updates_static = request.updates_static or any(
                    op.column.is_static for op in p.operations)
                continue
            request.add(p, ck, p.bound_values(ctx))
            if p.if_exists or p.if_not_exists:
                columns = None  # the result shows every column
            elif columns is not None:
                columns += [c for c in p.cas_columns() if c not in columns]
        trace("Reading existing values for CAS precondition")
        current = request.read(db, ctx)
        applied = current.applies()
        trace_cas(applied)
        if applied:
            db.apply(_merge(m for p in self.plans for m in p.mutations(db, ctx, ts)))
            return Result("rows", ["[applied]"], [BOOLEAN], [(True,)])
        table = request.table
        if columns is None:
            columns = list(table.select_star)
        else:
            columns = list(table.primary_key) + [c for c in columns if not c.is_primary_key]
        rows = current.result_rows(columns)
        if not rows:
            return Result("rows", ["[applied]"], [BOOLEAN], [(False,)])
        return Result("rows", ["[applied]"] + [c.name for c in columns],
                      [BOOLEAN] + [c.type for c in columns], rows)


def _merge(mutations) -> list[Mutation]:
    """Statements of a batch on the same partition become one mutation."""
    merged: dict[tuple[str, bytes], Mutation] = {}
    for m in mutations:
        key = (m.table_id, m.pk)
        existing = merged.get(key)
        if existing is None:
            merged[key] = m
        else:
            merge_partition_into(existing.update, m.update)
    return list(merged.values())


class _BoundPlan:
    """A statement plan with its own bound values, standing in for a plan inside a
    BatchPlan (whose statements otherwise share one list of bind values)."""

    def __init__(self, plan, ctx: ExecutionContext):
        self._plan = plan
        self._ctx = ctx

    def __getattr__(self, name: str):
        return getattr(self._plan, name)

    def keys(self, _bound):
        return self._plan.keys(self._ctx.values)

    def cas_key(self, _bound):
        return self._plan.cas_key(self._ctx.values)

    def bound_values(self, _ctx):
        return self._ctx.values

    def mutations(self, db, _ctx, batch_ts=None):
        return self._plan.mutations(db, self._ctx, batch_ts)


def plan_batch(db, stmt: ast.Batch, keyspace: str | None, markers: Markers) -> BatchPlan:
    return BatchPlan.from_statement(db, stmt, keyspace, markers)
