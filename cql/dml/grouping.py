"""GROUP BY and aggregation: which rows make a group, and folding a group into one row.

Cassandra cuts the rows of a grouped or aggregate SELECT into groups as they stream by in
primary-key order: a group is the rows sharing the partition and a clustering prefix,
optionally ending with a monotonic function (``floor(time, 1h)``) of the next clustering
column; a query with aggregates and no GROUP BY is one group. LIMIT, PER PARTITION LIMIT
and the page size then count groups, not rows.
"""

from __future__ import annotations

from typing import Any, Iterator

from cql.errors import InvalidRequest
from cql.functions.arguments import _type_name
from cql.schema.metadata import CLUSTERING, PARTITION_KEY, TableMetadata
from cql.syntax import ast

from .selection import (
    AggregateSelector,
    ColumnSelector,
    FieldSelector,
    FunctionSelector,
    RowData,
    SelectionCompiler,
    Selector,
    _undefined,
)

_ORDER = (
    "Group by currently only support groups of columns following their declared order in the "
    "PRIMARY KEY"
)


class GroupSpec:
    """The group a row belongs to: its partition, the values of a clustering prefix and,
    optionally, a monotonic function of the clustering column after that prefix."""

    def __init__(self, clustering: list[str], function: Selector | None):
        self.clustering = clustering
        self.function = function

    def key(self, pk: bytes, row: RowData, now: int) -> tuple:
        values = row.values
        key = [pk]
        key.extend(values.get(c) for c in self.clustering)
        if self.function is not None:
            key.append(self.function.value(row, now))
        return tuple(key)


def plan_group_by(stmt: ast.Select, table: TableMetadata, compiler: SelectionCompiler,
                  restricted_by_eq) -> GroupSpec | None:
    """Validate the GROUP BY clause (Cassandra's rules and messages) and build its GroupSpec;
    ``restricted_by_eq(column)`` says whether the WHERE clause fixes a column by ``=``."""
    if not stmt.group_by:
        return None
    pk_columns = iter(table.primary_key)
    prefix: list[str] = []
    function: Selector | None = None
    for g in stmt.group_by:
        if function is not None:
            raise InvalidRequest(
                "Functions are only supported on the last element of the GROUP BY clause"
            )
        if isinstance(g, ast.ColumnRef):
            if g.name not in table.columns:
                raise _undefined(table, g.name)
            target = table.columns[g.name]
            if not target.is_primary_key:
                raise InvalidRequest(
                    "Group by is currently only supported on the columns of the PRIMARY KEY, "
                    f"got {target.name}"
                )
        else:
            function = compiler.compile(g)
            if not isinstance(function, FunctionSelector):
                raise InvalidRequest(
                    "Group by is currently only supported on the columns of the PRIMARY KEY, "
                    f"got {function.name}"
                )
            if function.is_aggregate or function.function.is_aggregate:
                inner = function.function if function.function.is_aggregate else next(
                    a.function for a in function.args if isinstance(a, AggregateSelector))
                raise InvalidRequest("Aggregate functions are not supported within the GROUP "
                                     f"BY clause, got: {inner.qualified_name}")
            columns = list(dict.fromkeys(function.columns))
            if not columns:
                raise InvalidRequest(
                    "GROUP BY functions must have one clustering column name as parameter"
                )
            if len(columns) > 1:
                raise InvalidRequest("GROUP BY functions accept only one clustering column as "
                                     f"parameter, got: {','.join(columns)}")
            target = table.columns[columns[0]]
            if target.kind != CLUSTERING:
                raise InvalidRequest(
                    f"Group by functions are only supported on clustering columns, got {target.name}"
                )
        while True:
            column = next(pk_columns, None)
            if column is None:
                raise InvalidRequest(_ORDER)
            if column.name == target.name:
                if column.kind == CLUSTERING and function is None:
                    prefix.append(column.name)
                break
            if not restricted_by_eq(column):
                raise InvalidRequest(_ORDER)
            if column.kind == CLUSTERING:
                prefix.append(column.name)
    rest = next(pk_columns, None)
    if rest is not None and rest.kind == PARTITION_KEY:
        raise InvalidRequest("Group by is not supported on only a part of the partition key")
    if stmt.distinct and (prefix or function is not None):
        raise InvalidRequest(
            "Grouping on clustering columns is not allowed for SELECT DISTINCT queries"
        )
    if function is not None:
        _check_monotonic(function)
    return GroupSpec(prefix, function)


def _is_term(sel: Selector) -> bool:
    """A selector whose value is fixed for the execution (a literal or a bind marker)."""
    return not sel.columns and not sel.is_aggregate and not isinstance(
        sel, (FunctionSelector, ColumnSelector))


def _check_monotonic(sel: Selector) -> None:
    if isinstance(sel, FieldSelector):
        _check_monotonic(sel.inner)
        return
    if not isinstance(sel, FunctionSelector):
        return
    fn = sel.function
    constant = [_is_term(a) for a in sel.args]
    if fn.is_monotonic:
        ok = True
    else:
        # monotonic in its first argument once the others are fixed (floor)
        ok = fn.is_partially_monotonic and not constant[0] and all(constant[1:])
    if not ok:
        partial = any(constant) and not all(constant)
        args = ", ".join(
            _type_name(t) + ("(constant)" if partial and c else "")
            for t, c in zip(fn.arg_types, constant)
        )
        raise InvalidRequest(
            "Only monotonic functions are supported in the GROUP BY clause. Got: "
            f"{fn.qualified_name} : ({args}) -> {_type_name(fn.return_type)} "
        )
    for a in sel.args:
        _check_monotonic(a)


# ---- folding groups ----------------------------------------------------------------------


class _AggState:
    __slots__ = ("state", "children")

    def __init__(self, state, children):
        self.state = state
        self.children = children


def _sub_selectors(sel: Selector) -> list:
    inner = getattr(sel, "inner", None)
    if inner is not None:
        return [inner]
    return list(getattr(sel, "args", None) or [])


def new_state(sel: Selector) -> _AggState:
    if isinstance(sel, AggregateSelector):
        return _AggState(sel.function.new_state(), None)
    return _AggState(None, [new_state(a) for a in _sub_selectors(sel)])


def add_row(sel: Selector, st: _AggState, row: RowData, now: int) -> None:
    if isinstance(sel, AggregateSelector):
        args = [a.value(row, now) for a in sel.args]
        st.state = sel.function.add(st.state, args)
        return
    if not sel.is_aggregate:
        return
    for child, cst in zip(_sub_selectors(sel), st.children):
        add_row(child, cst, row, now)


def finish(sel: Selector, st: _AggState, first_row: RowData | None, now: int) -> Any:
    """The selector's value for a group: aggregates folded, other selectors evaluated on
    the group's first row (null for an aggregate over no rows)."""
    if isinstance(sel, AggregateSelector):
        return sel.function.result(st.state)
    if not sel.is_aggregate:
        return sel.value(first_row, now) if first_row is not None else None
    if isinstance(sel, FunctionSelector):
        args = [finish(a, c, first_row, now) for a, c in zip(sel.args, st.children)]
        return sel.function.execute(args)
    if isinstance(sel, FieldSelector):
        v = finish(sel.inner, st.children[0], first_row, now)
        return None if v is None else v[sel.index]
    return None


class PageEnd:
    """Where a page of groups stopped: after the last row of its last group."""

    __slots__ = ("pk", "ck", "groups_in_partition", "produced")

    def __init__(self, pk: bytes, ck: bytes | None, groups_in_partition: int, produced: int):
        self.pk, self.ck = pk, ck
        self.groups_in_partition = groups_in_partition
        self.produced = produced


def fold_groups(rows: Iterator, selectors: list[Selector], spec: GroupSpec | None, now: int,
                *, limit: int | None, ppl: int | None, page_size: int | None,
                resume_pk: bytes | None = None, resume_groups: int = 0):
    """Fold ``(pk, ck, row, _)`` rows into result rows, one per group.

    Returns ``(groups, page_end)``: ``groups`` are ``(first_row, values)`` pairs in row order;
    ``page_end`` is set when the page filled up and more groups follow. LIMIT, PER PARTITION
    LIMIT (``ppl``) and ``page_size`` count groups; ``resume_groups`` groups of partition
    ``resume_pk`` were returned by earlier pages.
    """
    out: list[tuple[RowData | None, tuple]] = []
    group_key: Any = None
    states: list | None = None
    first_row: RowData | None = None
    current_pk: bytes | None = None
    in_partition = 0
    last_pk = last_ck = None
    last_in_partition = 0

    def close() -> None:
        out.append((first_row, tuple(
            finish(s, st, first_row, now) for s, st in zip(selectors, states))))

    for pk, ck, row, _ in rows:
        if pk != current_pk:
            current_pk = pk
            in_partition = resume_groups if pk == resume_pk else 0
        key = spec.key(pk, row, now) if spec is not None else None
        if states is None or key != group_key:
            if ppl is not None and in_partition >= ppl:
                continue
            if states is not None:
                close()
                if limit is not None and len(out) >= limit:
                    return out, None
                if page_size is not None and len(out) >= page_size:
                    return out, PageEnd(last_pk, last_ck, last_in_partition, len(out))
            group_key = key
            states = [new_state(s) for s in selectors]
            first_row = row
            in_partition += 1
        for s, st in zip(selectors, states):
            add_row(s, st, row, now)
        last_pk, last_ck, last_in_partition = pk, ck, in_partition
    if states is not None:
        close()
    elif spec is None:  # aggregates over no rows still make one row
        states = [new_state(s) for s in selectors]
        close()
    return out, None
