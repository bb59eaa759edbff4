"""WHERE clauses: per-column restrictions, Cassandra's merging rules, and key selection.

A WHERE clause is compiled once per statement into restrictions on the partition key,
the clustering columns and everything else (filters), with trunk's operators (``=``, ``IN``,
``NOT IN``, ``!=``, the slices, ``BETWEEN``, ``[NOT] CONTAINS [KEY]``, map entries) and its
merging rules and messages (CASSANDRA-19341/18584/19604). At execution the key restrictions
turn into concrete partition keys or token ranges and clustering byte slices
(``cql.plan.slices``); whatever the storage layer cannot select directly is checked row by
row with filters bound once per execution (:meth:`ColumnRestriction.bind`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from cassalite.storage.engine import KeyRange
from cassalite.storage.murmur3 import MAX_TOKEN, MIN_TOKEN, token_prefix
from cql.cells import partition_key_bytes
from cql.errors import InvalidRequest
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast, unparse
from cql.types import ListType, MapType, TupleType, is_list, native_type
from cql.vocabulary import quote_name

from .terms import UNSET, Marker, Term, TermContext, Value, compile_term

REQUIRES_ALLOW_FILTERING = (
    "Cannot execute this query as it might involve data filtering and thus may have "
    "unpredictable performance. If you want to execute this query despite the performance "
    "unpredictability, use ALLOW FILTERING"
)

CLUSTERING_REQUIRES_FILTERING = (
    "Clustering column restrictions require the use of secondary indices or filtering for "
    "map-element restrictions and for the following operators: CONTAINS, CONTAINS KEY, LIKE, "
    "ANN, NOT CONTAINS, NOT CONTAINS KEY"
)

_START_OPS = frozenset([">", ">=", "BETWEEN"])
_END_OPS = frozenset(["<", "<=", "BETWEEN"])
_SLICE_OPS = frozenset(["<", "<=", ">", ">=", "!=", "NOT IN", "BETWEEN"])
_CONTAINS_OPS = frozenset(["CONTAINS", "CONTAINS KEY", "NOT CONTAINS", "NOT CONTAINS KEY"])
_CONTAINS_LIKE = _CONTAINS_OPS | {"ENTRY"}  # map entries merge like CONTAINS relations


def check_bound(value: Any, what: str) -> Any:
    """A bound value of a restriction: never null or unset (``what``: 'column c', ...)."""
    if value is None:
        raise InvalidRequest(f"Invalid null value for {what}")
    if value is UNSET:
        raise InvalidRequest(f"Invalid unset value for {what}")
    return value


def _marker_key(index: int, serialize, checked):
    """``compile_partition_keys``' function for a one-column key bound to a marker: the
    bound value serialized; a null, unset, empty or oversized key goes to ``checked``,
    which refuses it with its message."""

    def keys(bound: list) -> list[bytes]:
        v = bound[index]
        if v is None or v is UNSET:
            return checked(bound)
        pk = serialize(v)
        return [pk] if pk and len(pk) <= 65535 else checked(bound)
    return keys


def _bound_list(term: Term, bound: list, what: str) -> list:
    """The items of an ``IN ?`` / ``NOT IN ?`` list, each checked."""
    items = check_bound(term.bind(bound), what)
    return [check_bound(v, what) for v in items]


# --------------------------------------------------------------------------------------
# Single-column restrictions
# --------------------------------------------------------------------------------------


@dataclass
class ColumnRestriction:
    """Everything the WHERE clause says about one column, merged."""

    column: ColumnMetadata
    eq: Term | None = None
    in_terms: list[Term] | None = None
    in_marker: Term | None = None
    lower: tuple[Term, bool] | None = None
    upper: tuple[Term, bool] | None = None
    excluded: list[Term] = field(default_factory=list)  # != v, NOT IN (v, ...)
    excluded_lists: list[Term] = field(default_factory=list)  # NOT IN ?
    contains: list[Term] = field(default_factory=list)
    contains_key: list[Term] = field(default_factory=list)
    not_contains: list[Term] = field(default_factory=list)
    not_contains_key: list[Term] = field(default_factory=list)
    entries: list[tuple[Term, Term]] = field(default_factory=list)  # m[k] = v
    entries_neq: list[tuple[Term, Term]] = field(default_factory=list)  # m[k] != v
    #: m[k] < v, m[k] >= v, ...: (key term, operator, value term, 'm[k]' text)
    entry_slices: list[tuple[Term, str, Term, str]] = field(default_factory=list)
    entry_texts: list[str] = field(default_factory=list)  # 'e[1]' for messages
    ops: list[str] = field(default_factory=list)
    #: the multi-column equality this restriction was derived from (index_candidates)
    source: Any = None

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def what(self) -> str:
        return f"column {self.column.name}"

    @property
    def is_eq(self) -> bool:
        return self.eq is not None

    @property
    def is_in(self) -> bool:
        return self.in_terms is not None or self.in_marker is not None

    @property
    def is_eq_or_in(self) -> bool:
        return self.is_eq or self.is_in

    @property
    def is_slice(self) -> bool:
        return (self.lower is not None or self.upper is not None or bool(self.excluded)
                or bool(self.excluded_lists) or any(o in _SLICE_OPS for o in self.ops))

    @property
    def is_contains(self) -> bool:
        return bool(self.contains or self.contains_key or self.not_contains
                    or self.not_contains_key or self.entries or self.entries_neq
                    or self.entry_slices)

    @property
    def is_entry(self) -> bool:
        return bool(self.entries or self.entries_neq or self.entry_slices)

    def values(self, bound: list) -> list:
        """The sorted distinct values of an = / IN restriction."""
        what = self.what
        if self.eq is not None:
            return [check_bound(self.eq.bind(bound), what)]
        if self.in_marker is not None:
            items = _bound_list(self.in_marker, bound, what)
        else:
            items = [check_bound(t.bind(bound), what) for t in self.in_terms or ()]
        ctype = self.column.type
        out = {}
        for v in items:
            out[ctype.to_comparable(v)] = v
        return [out[k] for k in sorted(out)]

    def bounds(self, bound: list) -> tuple:
        """(lower, upper, excluded) with values checked: lower/upper are (value, inclusive)."""
        what = self.what
        lower = upper = None
        if self.lower is not None:
            lower = (check_bound(self.lower[0].bind(bound), what), self.lower[1])
        if self.upper is not None:
            upper = (check_bound(self.upper[0].bind(bound), what), self.upper[1])
        excluded = [check_bound(t.bind(bound), what) for t in self.excluded]
        for t in self.excluded_lists:
            excluded.extend(_bound_list(t, bound, what))
        return lower, upper, excluded

    def bind(self, bound: list) -> ColumnFilter:
        """This restriction as a row filter for one execution (values checked once)."""
        ctype = self.column.type
        key = ctype.to_comparable
        what = self.what
        f = ColumnFilter(self.column)
        if self.eq is not None:
            f.eq = key(check_bound(self.eq.bind(bound), what))
        if self.is_in:
            f.in_set = {key(v) for v in self.values(bound)}
        if self.is_slice:
            lower, upper, excluded = self.bounds(bound)
            if lower is not None:
                f.lower = (key(lower[0]), lower[1])
            if upper is not None:
                f.upper = (key(upper[0]), upper[1])
            f.excluded = {key(v) for v in excluded}
        if self.is_contains:
            f.contains = [check_bound(t.bind(bound), what) for t in self.contains]
            f.contains_key = [check_bound(t.bind(bound), what) for t in self.contains_key]
            f.not_contains = [check_bound(t.bind(bound), what) for t in self.not_contains]
            f.not_contains_key = [check_bound(t.bind(bound), what)
                                  for t in self.not_contains_key]
            f.entries = [self._entry(k, v, bound, i) for i, (k, v) in enumerate(self.entries)]
            offset = len(self.entries)
            f.entries_neq = [self._entry(k, v, bound, offset + i)
                             for i, (k, v) in enumerate(self.entries_neq)]
            comparable = self.column.type.value_type.to_comparable if self.entry_slices else None
            f.entry_slices = [(self._map_key(k, bound), op,
                               comparable(check_bound(v.bind(bound), text)))
                              for k, op, v, text in self.entry_slices]
        return f

    def _map_key(self, kt: Term, bound: list) -> Any:
        k = kt.bind(bound)
        if k is None:
            raise InvalidRequest(f"Invalid null map key for column {self.name}")
        if k is UNSET:
            raise InvalidRequest(f"Invalid unset map key for column {self.name}")
        return k

    def _entry(self, kt: Term, vt: Term, bound: list, i: int) -> tuple:
        return self._map_key(kt, bound), check_bound(vt.bind(bound), self.entry_texts[i])

    def matches(self, value: Any, bound: list) -> bool:
        """Filtering semantics on the live value (null never matches)."""
        return self.bind(bound).matches(value)


class ColumnFilter:
    """A column restriction with its values bound: checks one live value."""

    __slots__ = ("column", "eq", "in_set", "lower", "upper", "excluded", "contains",
                 "contains_key", "not_contains", "not_contains_key", "entries", "entries_neq",
                 "entry_slices")

    def __init__(self, column: ColumnMetadata):
        self.column = column
        self.eq = self.in_set = self.lower = self.upper = None
        self.excluded = None
        self.contains = self.contains_key = self.not_contains = self.not_contains_key = ()
        self.entries = self.entries_neq = self.entry_slices = ()

    def matches(self, value: Any) -> bool:
        if value is None:
            return False
        if self.eq is not None or self.in_set is not None or self.lower is not None or \
                self.upper is not None or self.excluded:
            key = self.column.type.to_comparable(value)
            if self.eq is not None and key != self.eq:
                return False
            if self.in_set is not None and key not in self.in_set:
                return False
            if self.lower is not None:
                lk, inclusive = self.lower
                if key < lk or (key == lk and not inclusive):
                    return False
            if self.upper is not None:
                uk, inclusive = self.upper
                if key > uk or (key == uk and not inclusive):
                    return False
            if self.excluded and key in self.excluded:
                return False
        if self.contains or self.contains_key or self.not_contains or \
                self.not_contains_key or self.entries or self.entries_neq or self.entry_slices:
            if isinstance(self.column.type, MapType):
                values = list(value.values())
                keys = value
            else:
                values, keys = list(value), ()
            for v in self.contains:
                if v not in values:
                    return False
            for v in self.not_contains:
                if v in values:
                    return False
            for k in self.contains_key:
                if k not in keys:
                    return False
            for k in self.not_contains_key:
                if k in keys:
                    return False
            for k, v in self.entries:
                if k not in keys or value[k] != v:
                    return False
            for k, v in self.entries_neq:
                if k not in keys or value[k] == v:
                    return False
            if self.entry_slices:
                comparable = self.column.type.value_type.to_comparable
                for k, op, bound in self.entry_slices:
                    if k not in keys or not _compare(comparable(value[k]), op, bound):
                        return False
        return True


def _compare(key: Any, op: str, bound: Any) -> bool:
    if op == "<":
        return key < bound
    if op == "<=":
        return key <= bound
    if op == ">":
        return key > bound
    return key >= bound


# --------------------------------------------------------------------------------------
# Multi-column restrictions
# --------------------------------------------------------------------------------------


@dataclass
class MultiColumnRestriction:
    """``(c1, c2) op (v1, v2)`` on consecutive clustering columns, merged by first column.

    Slice bounds and exclusions are (tuple term, inclusive / width): merged relations can
    have different widths (``(b, c) > (1, 2) AND (b) < (3)``).
    """

    columns: list[ColumnMetadata]
    op: str  # "=", "IN" or "SLICE"
    terms: list[Term] | None = None  # for =: one tuple term; for IN: several
    marker: Term | None = None  # IN ?
    lower: tuple[Term, bool, int] | None = None
    upper: tuple[Term, bool, int] | None = None
    excluded: list[tuple[Term, int]] = field(default_factory=list)
    excluded_lists: list[tuple[Term, int]] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.columns[0].position

    @property
    def is_slice(self) -> bool:
        return self.op == "SLICE"

    def what(self, width: int | None = None) -> str:
        cols = self.columns[: width or len(self.columns)]
        return "tuple (" + ", ".join(c.name for c in cols) + ")"

    def _tuple(self, value: Any, width: int) -> tuple:
        what = self.what(width)
        check_bound(value, what)
        for c, v in zip(self.columns, value):
            if v is None:
                raise InvalidRequest(f"Invalid null value for {c.name} in {what}")
            if v is UNSET:
                raise InvalidRequest(f"Invalid unset value for {c.name} in {what}")
        return tuple(value)

    def tuples(self, bound: list) -> list[tuple]:
        """The sorted distinct tuples of an = / IN restriction."""
        width = len(self.columns)
        if self.marker is not None:
            items = check_bound(self.marker.bind(bound), self.what())
        else:
            items = [t.bind(bound) for t in self.terms or ()]
        out = {}
        for item in items:
            tup = self._tuple(item, width)
            out[self.key(tup)] = tup
        return [out[k] for k in sorted(out)]

    def key(self, values: tuple) -> tuple:
        return tuple(c.type.to_comparable(v) for c, v in zip(self.columns, values))

    def bounds(self, bound: list) -> tuple:
        """(lower, upper, excluded): lower/upper are (tuple, inclusive); excluded tuples."""
        lower = upper = None
        if self.lower is not None:
            term, inclusive, width = self.lower
            lower = (self._tuple(term.bind(bound), width), inclusive)
        if self.upper is not None:
            term, inclusive, width = self.upper
            upper = (self._tuple(term.bind(bound), width), inclusive)
        excluded = [self._tuple(t.bind(bound), w) for t, w in self.excluded]
        for t, w in self.excluded_lists:
            for item in check_bound(t.bind(bound), self.what(w)):
                excluded.append(self._tuple(item, w))
        return lower, upper, excluded

    def bind(self, bound: list) -> MultiColumnFilter:
        f = MultiColumnFilter(self.columns)
        if self.op in ("=", "IN"):
            f.in_set = {self.key(t) for t in self.tuples(bound)}
        else:
            lower, upper, excluded = self.bounds(bound)
            f.lower = (self.key(lower[0]), lower[1]) if lower else None
            f.upper = (self.key(upper[0]), upper[1]) if upper else None
            f.excluded = [self.key(t) for t in excluded]
        return f

    def matches_row(self, row: dict, bound: list) -> bool:
        return self.bind(bound).matches(row)


class MultiColumnFilter:
    __slots__ = ("columns", "in_set", "lower", "upper", "excluded")

    def __init__(self, columns: list[ColumnMetadata]):
        self.columns = columns
        self.in_set = self.lower = self.upper = None
        self.excluded = ()

    def matches(self, row: dict) -> bool:
        current = []
        for c in self.columns:
            v = row.get(c.name)
            if v is None:
                return False
            current.append(c.type.to_comparable(v))
        current = tuple(current)
        if self.in_set is not None:
            return current in self.in_set
        if self.lower is not None:
            lk, inclusive = self.lower
            n = len(lk)
            if current[:n] < lk or (current[:n] == lk and not inclusive):
                return False
        if self.upper is not None:
            uk, inclusive = self.upper
            n = len(uk)
            if current[:n] > uk or (current[:n] == uk and not inclusive):
                return False
        for ex in self.excluded:
            if current[: len(ex)] == ex:
                return False
        return True


class _TupleElement(Term):
    """Element ``index`` of a tuple term (a multi-column = used through an index)."""

    def __init__(self, term: Term, index: int):
        self.term = term
        self.index = index
        self.is_constant = term.is_constant

    def bind(self, values: list) -> Any:
        tup = self.term.bind(values)
        if tup is None or tup is UNSET:
            return tup
        return tup[self.index]


@dataclass
class TokenRestriction:
    lower: tuple[Term, bool] | None = None
    upper: tuple[Term, bool] | None = None
    eq: Term | None = None


# --------------------------------------------------------------------------------------
# The clustering analysis
# --------------------------------------------------------------------------------------


@dataclass
class ClusteringAnalysis:
    """How the clustering restrictions select rows.

    ``prefix``: the = / IN groups (single-column restrictions or multi-column ones) that
    cover the clustering columns from the first one; ``slice``: the optional slice that
    follows them (position, single-column restriction, multi-column restriction);
    ``leftover``: restrictions that can only be checked row by row (after a gap, after the
    slice, or CONTAINS-like).
    """

    prefix: list = field(default_factory=list)
    prefix_width: int = 0
    slice: tuple | None = None
    leftover: list = field(default_factory=list)
    leftover_multi: list = field(default_factory=list)
    gap_error: str | None = None
    has_contains: bool = False

    @property
    def needs_filtering(self) -> bool:
        return bool(self.leftover or self.leftover_multi)


class WhereClause:
    """A compiled WHERE clause for one table."""

    def __init__(self, table: TableMetadata, relations: tuple, ctx: TermContext,
                 statement: str, allow_filtering: bool = False):
        self.table = table
        self.statement = statement
        self.allow_filtering = allow_filtering
        self.columns: dict[str, ColumnRestriction] = {}
        self.multis: list[MultiColumnRestriction] = []
        self.token: TokenRestriction | None = None
        self.has_not_null = False
        self._ordering_errors: list[tuple[set, str]] = []
        self._ck_added: list[tuple[int, int, bool, set]] = []
        ctx = replace(ctx, partition_key=tuple(c.type for c in table.partition_key))
        for relation in relations:
            self._add(relation, ctx)
        self.clustering = self._analyse_clustering()

    @property
    def multi(self) -> MultiColumnRestriction | None:
        """The multi-column restriction starting the clustering key, if any."""
        for m in self.multis:
            if m.first == 0:
                return m
        return self.multis[0] if self.multis else None

    # ---- compiling ---------------------------------------------------------------------

    def _column(self, name: str) -> ColumnMetadata:
        column = self.table.columns.get(name)
        if column is None:
            raise InvalidRequest(
                f"Undefined column name {quote_name(name)} in table "
                f"{quote_name(self.table.keyspace)}.{quote_name(self.table.name)}"
            )
        return column

    def _restriction(self, column: ColumnMetadata) -> ColumnRestriction:
        r = self.columns.get(column.name)
        if r is None:
            r = self.columns[column.name] = ColumnRestriction(column)
        return r

    def _add(self, rel: Any, ctx: TermContext) -> None:
        if isinstance(rel, ast.CustomIndexExpression):
            name = getattr(rel.index, "name", rel.index)
            if name in self.table.indexes:  # no index of cassalite takes custom expressions
                raise InvalidRequest(f"Index {name} does not support custom expressions")
            raise InvalidRequest(f"Unable to find index {rel.index}")
        lhs, op = rel.lhs, rel.op
        if isinstance(lhs, ast.TokenOf):
            self._add_token(rel, ctx)
            return
        if isinstance(lhs, ast.ColumnTuple):
            self._add_multi(rel, ctx)
            return
        if isinstance(lhs, ast.ElementAccess):
            self._add_entry(rel, ctx)
            return
        column = self._column(lhs.name)
        ctype = column.type
        name = column.name
        if op == "IS NOT":
            if self.statement != "VIEW":
                raise InvalidRequest(f"Unsupported restriction: {name} IS NOT NULL")
            self.has_not_null = True
            return
        if op not in _CONTAINS_OPS:
            self._validate_operator(column, op)
        if op == "LIKE":
            raise InvalidRequest(
                f"LIKE restriction is only supported on properly indexed columns. "
                f"{name} LIKE {unparse.term(rel.rhs)} is not valid."
            )
        if op == "IN" and isinstance(rel.rhs, tuple) and len(rel.rhs) == 1:
            op, rhs = "=", rel.rhs[0]  # a single-value IN is an equality
        elif op == "BETWEEN" and not isinstance(ctype, TupleType):
            rhs = tuple(_ungroup(t) for t in rel.rhs)  # BETWEEN (1) AND (2)
        else:
            rhs = rel.rhs
        r = self._restriction(column)
        self._check_merge(r, op, name)
        if column.kind == "clustering":
            self._note_clustering(column.position, column.position, op in _SLICE_OPS, {name})
        r.ops.append(op)
        if op == "=":
            r.eq = compile_term(rhs, ctype, name, ctx)
        elif op in ("IN", "NOT IN"):
            if isinstance(rhs, ast.BindMarker):
                marker = compile_term(rhs, ListType(ctype, True), f"in({name})", ctx)
                if op == "IN":
                    r.in_marker = marker
                else:
                    r.excluded_lists.append(marker)
            else:
                terms = [compile_term(t, ctype, name, ctx) for t in rhs]
                if op == "IN":
                    r.in_terms = terms
                else:
                    r.excluded.extend(terms)
        elif op == "!=":
            r.excluded.append(compile_term(rhs, ctype, name, ctx))
        elif op == "BETWEEN":
            r.lower = (compile_term(rhs[0], ctype, name, ctx), True)
            r.upper = (compile_term(rhs[1], ctype, name, ctx), True)
        elif op in (">", ">="):
            r.lower = (compile_term(rhs, ctype, name, ctx), op == ">=")
        elif op in ("<", "<="):
            r.upper = (compile_term(rhs, ctype, name, ctx), op == "<=")
        elif op in ("CONTAINS", "NOT CONTAINS"):
            if not ctype.is_collection:
                raise InvalidRequest(f"Cannot use {op} on non-collection column {name}")
            elem = ctype.value_type if isinstance(ctype, MapType) else ctype.element_type
            term = compile_term(rhs, elem, f"value({name})", ctx)
            (r.contains if op == "CONTAINS" else r.not_contains).append(term)
        elif op in ("CONTAINS KEY", "NOT CONTAINS KEY"):
            if not isinstance(ctype, MapType):
                raise InvalidRequest(f"Cannot use {op} on non-map column {name}")
            term = compile_term(rhs, ctype.key_type, f"key({name})", ctx)
            (r.contains_key if op == "CONTAINS KEY" else r.not_contains_key).append(term)
        else:
            raise InvalidRequest(f"Unsupported relation operator {op}")

    @staticmethod
    def _validate_operator(column: ColumnMetadata, op: str) -> None:
        """Operator.validateFor: what a column's type can be restricted with."""
        ctype = column.type
        name = column.name
        if op in ("<", "<=", ">", ">=", "BETWEEN"):
            _check_slice_type(ctype)
        if getattr(ctype, "is_udt", False) and ctype.is_multicell:
            raise InvalidRequest(
                f"Non-frozen UDT column '{name}' ({ctype.name}) cannot be restricted by any "
                "relation"
            )
        if ctype.is_multicell:
            raise InvalidRequest(
                f"Collection column '{name}' ({ctype.name}) cannot be restricted by a '{op}' "
                "relation"
            )

    def _check_merge(self, r: ColumnRestriction, op: str, name: str) -> None:
        """MergedRestriction.validate for a new relation on a column already restricted."""
        if not r.ops:
            self._check_against_multis(r.column, op)
            return
        for existing in (r.ops[0], op):
            if existing == "=":
                raise InvalidRequest(
                    f"{name} cannot be restricted by more than one relation if it includes an "
                    "Equal"
                )
            if existing == "IN":
                raise InvalidRequest(
                    f"{name} cannot be restricted by more than one relation if it includes a IN"
                )
        if (op in _CONTAINS_LIKE) != (r.ops[0] in _CONTAINS_LIKE):
            raise InvalidRequest(
                f"Collection column {name} can only be restricted by CONTAINS, CONTAINS KEY, "
                "NOT_CONTAINS, NOT_CONTAINS_KEY or map-entry equality if it already restricted "
                "by one of those"
            )
        if op in _START_OPS and any(o in _START_OPS for o in r.ops):
            raise InvalidRequest(f"More than one restriction was found for the start bound on {name}")
        if op in _END_OPS and any(o in _END_OPS for o in r.ops):
            raise InvalidRequest(f"More than one restriction was found for the end bound on {name}")
        self._check_against_multis(r.column, op)

    def _check_against_multis(self, column: ColumnMetadata, op: str) -> None:
        """A single-column relation on a column some multi-column relation restricts."""
        if column.kind != "clustering":
            return
        for m in self.multis:
            if column not in m.columns:
                continue
            _check_equal_or_in(m.op, m.columns)
            _check_equal_or_in(op, [column])
            if op in _SLICE_OPS:
                if m.first != column.position:
                    later = max(m.first, column.position)
                    raise InvalidRequest(
                        f'Column "{self.table.clustering[later].name}" cannot be restricted by '
                        "two inequalities not starting with the same column"
                    )
                if op in _START_OPS and m.lower is not None:
                    raise InvalidRequest(
                        f"More than one restriction was found for the start bound on {column.name}"
                    )
                if op in _END_OPS and m.upper is not None:
                    raise InvalidRequest(
                        f"More than one restriction was found for the end bound on {column.name}"
                    )

    def _note_clustering(self, first: int, last: int, is_slice: bool, names: set) -> None:
        """ClusteringColumnRestrictions.mergeWith's ordering checks, in WHERE order."""
        table = self.table
        if self._ck_added:
            last_first, _, last_slice, _ = max(self._ck_added, key=lambda a: a[0])
            if last_slice and first > last_first:
                self._ordering_errors.append((names, (
                    f'Clustering column "{table.clustering[first].name}" cannot be restricted '
                    f'(preceding column "{table.clustering[last_first].name}" is restricted by '
                    "a non-EQ relation)")))
            elif first < last_first and is_slice:
                following = min(a[0] for a in self._ck_added if a[0] > first)
                self._ordering_errors.append((names, (
                    f'PRIMARY KEY column "{table.clustering[following].name}" cannot be '
                    f'restricted (preceding column "{table.clustering[first].name}" is '
                    "restricted by a non-EQ relation)")))
        self._ck_added.append((first, last, is_slice, names))
        if self._ordering_errors and self.statement == "SELECT" and not self.allow_filtering:
            names, message = self._ordering_errors[-1]
            if not any(i.target_column in names for i in table.indexes.values()):
                raise InvalidRequest(message)

    def _add_entry(self, rel: Any, ctx: TermContext) -> None:
        column = self._column(rel.lhs.expr.name)
        ctype = column.type
        name = column.name
        if is_list(ctype):
            raise InvalidRequest(
                "Indexes on list entries (l[index] = value) are not currently supported."
            )
        if not isinstance(ctype, MapType):
            raise InvalidRequest(f"Column {name} cannot be used as a map")
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Map-entry predicates on frozen map column {name} are not supported"
            )
        op = rel.op
        text = f"{name}[{unparse.term(rel.lhs.key)}]"
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            raise InvalidRequest(f"{op} cannot be used with {text} relations")
        r = self._restriction(column)
        if r.ops:
            self._check_merge(r, "ENTRY", name)
        key = compile_term(rel.lhs.key, ctype.key_type, f"key({name})", ctx)
        value = compile_term(rel.rhs, ctype.value_type, f"value({name})", ctx)
        _check_entry_merge(r, key, op, value)
        r.ops.append("ENTRY")
        if op == "=":
            r.entries.append((key, value))
            r.entry_texts.insert(len(r.entries) - 1, text)
        elif op == "!=":
            r.entries_neq.append((key, value))
            r.entry_texts.append(text)
        else:
            r.entry_slices.append((key, op, value, text))

    def _add_token(self, rel: Any, ctx: TermContext) -> None:
        names = list(rel.lhs.columns)
        pk = [c.name for c in self.table.partition_key]
        for n in names:
            self._column(n)
        # Checked in Cassandra's order: all key columns, no duplicate, nothing else.
        if not set(pk) <= set(names):
            raise InvalidRequest(
                "The token() function must be applied to all partition key components or none of them"
            )
        if len(set(names)) != len(names):
            raise InvalidRequest("The token() function contains duplicate partition key components")
        if any(n not in pk for n in names):
            raise InvalidRequest("The token() function must contains only partition key components")
        if names != pk:
            raise InvalidRequest(
                f"The token function arguments must be in the partition key order: {', '.join(pk)}"
            )
        op = rel.op
        if op == "!=":
            raise InvalidRequest(
                f"Unsupported '!=' relation: token({', '.join(names)}) != "
                f"{unparse.term(rel.rhs)}"
            )
        if self.statement in ("UPDATE", "DELETE"):
            raise InvalidRequest(
                f"The token function cannot be used in WHERE clauses for {self.statement} statements"
            )
        tr = self.token or TokenRestriction()
        shown = ", ".join(pk)
        if tr.eq is not None or (op == "=" and (tr.lower or tr.upper)):
            if tr.eq is None:
                raise InvalidRequest(
                    f'Columns "{shown}" cannot be restricted by both an equality and an '
                    "inequality relation"
                )
            raise InvalidRequest(
                f"{shown} cannot be restricted by more than one relation if it includes an Equal"
            )
        if op in _START_OPS and tr.lower is not None:
            raise InvalidRequest(f"More than one restriction was found for the start bound on {shown}")
        if op in _END_OPS and tr.upper is not None:
            raise InvalidRequest(f"More than one restriction was found for the end bound on {shown}")
        bigint = native_type("bigint")

        def term(node: Any) -> Term:
            return compile_term(node, bigint, "partition key token", ctx)

        if op == "=":
            tr.eq = term(rel.rhs)
        elif op == "BETWEEN":
            tr.lower = (term(rel.rhs[0]), True)
            tr.upper = (term(rel.rhs[1]), True)
        elif op in (">", ">="):
            tr.lower = (term(rel.rhs), op == ">=")
        elif op in ("<", "<="):
            tr.upper = (term(rel.rhs), op == "<=")
        else:
            raise InvalidRequest(f"{op} cannot be used with the token function")
        self.token = tr

    def _add_multi(self, rel: Any, ctx: TermContext) -> None:
        names = list(rel.lhs.names)
        columns = [self._column(n) for n in names]
        text = "(" + ", ".join(names) + ")"
        for c in columns:
            if c.kind != "clustering":
                raise InvalidRequest(
                    "Multi-column relations can only be applied to clustering columns but was "
                    f"applied to: {c.name}"
                )
        seen = set()
        for n in names:
            if n in seen:
                raise InvalidRequest(
                    f'Column "{n}" appeared twice in a relation: {unparse.tuple_relation(rel)}'
                )
            seen.add(n)
        positions = [c.position for c in columns]
        if positions != list(range(positions[0], positions[0] + len(positions))):
            raise InvalidRequest(
                f"Clustering columns must appear in the PRIMARY KEY order in multi-column "
                f"relations: {text}"
            )
        op = rel.op
        if op in ("<", "<=", ">", ">=", "BETWEEN"):
            for c in columns:
                _check_slice_type(c.type)
        ttype = TupleType([c.type for c in columns])
        width = len(columns)

        def tuple_term(node: Any) -> Term:
            if isinstance(node, ast.TupleLiteral) and len(node.items) != width:
                raise InvalidRequest(
                    f"Expected {width} elements in value for tuple {text}, but got "
                    f"{len(node.items)}: {unparse.term(node)}"
                )
            return compile_term(node, ttype, "(" + ",".join(names) + ")", ctx)

        def list_term(node: Any) -> Term:
            return compile_term(node, ListType(ttype, True), "in(" + ",".join(names) + ")", ctx)

        if op == "IN" and isinstance(rel.rhs, tuple) and len(rel.rhs) == 1:
            op, rhs = "=", rel.rhs[0]
        else:
            rhs = rel.rhs
        first = columns[0].position
        existing = next((m for m in self.multis if m.first == first), None)
        self._check_multi_merge(columns, op, existing)
        self._note_clustering(first, columns[-1].position, op in _SLICE_OPS, set(names))
        if op in ("=", "IN"):
            if op == "=":
                m = MultiColumnRestriction(columns, "=", [tuple_term(rhs)])
            elif isinstance(rhs, ast.BindMarker):
                m = MultiColumnRestriction(columns, "IN", marker=list_term(rhs))
            else:
                m = MultiColumnRestriction(columns, "IN", [tuple_term(t) for t in rhs])
            self.multis.append(m)
            return
        m = existing
        if m is None:
            m = MultiColumnRestriction(columns, "SLICE")
            self.multis.append(m)
        elif width > len(m.columns):
            m.columns = columns
        if op == "BETWEEN":
            m.lower = (tuple_term(rhs[0]), True, width)
            m.upper = (tuple_term(rhs[1]), True, width)
        elif op in (">", ">="):
            m.lower = (tuple_term(rhs), op == ">=", width)
        elif op in ("<", "<="):
            m.upper = (tuple_term(rhs), op == "<=", width)
        elif op == "!=":
            m.excluded.append((tuple_term(rhs), width))
        elif op == "NOT IN":
            if isinstance(rhs, ast.BindMarker):
                m.excluded_lists.append((list_term(rhs), width))
            else:
                m.excluded.extend((tuple_term(t), width) for t in rhs)
        else:
            raise InvalidRequest(f"Unsupported relation operator {op}")

    def _check_multi_merge(self, columns: list[ColumnMetadata], op: str,
                           same_first: MultiColumnRestriction | None) -> None:
        names = {c.name for c in columns}
        for other in self.multis:
            if not names & {c.name for c in other.columns}:
                continue
            _check_equal_or_in(other.op, other.columns)
            _check_equal_or_in(op, columns)
            if other is not same_first:
                later = max(other.first, columns[0].position)
                raise InvalidRequest(
                    f'Column "{self.table.clustering[later].name}" cannot be restricted by two '
                    "inequalities not starting with the same column"
                )
            if op in _START_OPS and other.lower is not None:
                raise InvalidRequest(
                    f"More than one restriction was found for the start bound on {columns[0].name}"
                )
            if op in _END_OPS and other.upper is not None:
                raise InvalidRequest(
                    f"More than one restriction was found for the end bound on {columns[0].name}"
                )
        for c in columns:
            r = self.columns.get(c.name)
            if r is None or not r.ops:
                continue
            for o in r.ops:
                _check_equal_or_in(o, [c])
            _check_equal_or_in(op, columns)
            if c.position != columns[0].position:
                raise InvalidRequest(
                    f'Column "{c.name}" cannot be restricted by two inequalities not starting '
                    "with the same column"
                )
            if op in _START_OPS and r.lower is not None:
                raise InvalidRequest(
                    f"More than one restriction was found for the start bound on {c.name}"
                )
            if op in _END_OPS and r.upper is not None:
                raise InvalidRequest(
                    f"More than one restriction was found for the end bound on {c.name}"
                )

    # ---- clustering analysis ------------------------------------------------------------

    def _analyse_clustering(self) -> ClusteringAnalysis:
        table = self.table
        a = ClusteringAnalysis()
        clustering = table.clustering
        singles = {i: self.columns.get(c.name) for i, c in enumerate(clustering)}
        multis = {m.first: m for m in self.multis}
        used_singles: set[int] = set()
        used_multis: set[int] = set()
        i = 0
        while i < len(clustering):
            r = singles.get(i)
            m = multis.get(i)
            if r is not None and r.is_contains:
                break
            if m is not None and not m.is_slice:
                a.prefix.append(m)
                used_multis.add(i)
                i += len(m.columns)
                continue
            if r is not None and r.is_eq_or_in:
                a.prefix.append(r)
                used_singles.add(i)
                i += 1
                continue
            if (r is not None and r.is_slice) or m is not None:
                a.slice = (i, r if r is not None and r.is_slice else None, m)
                if r is not None:
                    used_singles.add(i)
                if m is not None:
                    used_multis.add(i)
            break
        a.prefix_width = i
        for pos, r in singles.items():
            if r is not None and pos not in used_singles:
                a.leftover.append(r)
                a.has_contains = a.has_contains or r.is_contains
        a.leftover_multi = [m for m in self.multis if m.first not in used_multis]
        restricted = sorted(
            {pos for pos, r in singles.items() if r is not None}
            | {c.position for m in self.multis for c in m.columns}
        )
        for expected, pos in enumerate(restricted):
            if pos != expected:
                a.gap_error = (
                    f'PRIMARY KEY column "{clustering[pos].name}" cannot be restricted as '
                    f'preceding column "{clustering[expected].name}" is not restricted'
                )
                break
        return a

    def ordering_error(self, indexed: set) -> str | None:
        """The first clustering-order error of a query without ALLOW FILTERING, skipping
        relations an index supports."""
        for names, message in self._ordering_errors:
            if not names & indexed:
                return message
        return None

    # ---- classification ---------------------------------------------------------------

    def partition_restrictions(self) -> list[ColumnRestriction | None]:
        return [self.columns.get(c.name) for c in self.table.partition_key]

    def has_full_partition_key(self) -> bool:
        return all(r is not None and r.is_eq_or_in for r in self.partition_restrictions())

    def has_partition_restriction(self) -> bool:
        return any(r is not None for r in self.partition_restrictions())

    def clustering_restrictions(self) -> list[ColumnRestriction | None]:
        return [self.columns.get(c.name) for c in self.table.clustering]

    def non_key_restrictions(self) -> list[ColumnRestriction]:
        return [r for r in self.columns.values() if not r.column.is_primary_key]

    def index_candidates(self) -> list[ColumnRestriction]:
        """Restrictions an index may answer: the single-column ones, and each column of a
        multi-column equality as an equality of its own."""
        out = list(self.columns.values())
        for m in self.multis:
            if m.op == "=" and m.terms:
                for j, c in enumerate(m.columns):
                    if c.name not in self.columns:
                        out.append(ColumnRestriction(c, eq=_TupleElement(m.terms[0], j),
                                                     ops=["="], source=m))
        return out

    # ---- keys at execution ---------------------------------------------------------------

    def partition_keys(self, bound: list) -> list[bytes]:
        """Serialized partition keys of a fully = / IN restricted key, in key-type order."""
        out = []
        for combo in itertools.product(*(r.values(bound) for r in self.partition_restrictions())):
            pk = partition_key_bytes(self.table, list(combo))
            if len(pk) > 65535:
                raise InvalidRequest(f"Key length of {len(pk)} is longer than maximum of 65535")
            if not pk:
                raise InvalidRequest("Key may not be empty")
            out.append(pk)
        return out

    def compile_partition_keys(self):
        """``partition_keys`` as a function of ``bound``, with the analysis done now when
        every partition key column is restricted by ``=`` (one key)."""
        rs = self.partition_restrictions()
        if not all(r is not None and r.eq is not None for r in rs):
            return self.partition_keys
        eqs = [(r.eq, r.what) for r in rs]
        table = self.table

        def keys(bound: list) -> list[bytes]:
            pk = partition_key_bytes(table, [check_bound(t.bind(bound), w) for t, w in eqs])
            if len(pk) > 65535:
                raise InvalidRequest(f"Key length of {len(pk)} is longer than maximum of 65535")
            if not pk:
                raise InvalidRequest("Key may not be empty")
            return [pk]
        if len(eqs) == 1 and type(eqs[0][0]) is Marker:
            return _marker_key(eqs[0][0].index, table.partition_key_types[0].serialize, keys)
        return keys

    def clustering_prefixes(self, bound: list) -> list[list]:
        """The clustering values the = / IN prefix selects (whole rows when it covers
        every clustering column)."""
        prefixes: list[list] = [[]]
        for group in self.clustering.prefix:
            if isinstance(group, MultiColumnRestriction):
                values = [list(t) for t in group.tuples(bound)]
            else:
                values = [[v] for v in group.values(bound)]
            prefixes = [p + v for p in prefixes for v in values]
        return prefixes

    def partition_key_values(self, bound: list) -> list[list]:
        per_column = [r.values(bound) for r in self.partition_restrictions()]
        return [list(c) for c in itertools.product(*per_column)]

    def token_range(self, bound: list) -> KeyRange | None:
        """The decorated-key range of a token restriction (None when it selects nothing)."""
        tr = self.token
        if tr is None:
            return KeyRange()
        lo, lo_incl, hi, hi_incl = MIN_TOKEN, True, MAX_TOKEN, True
        if tr.eq is not None:
            lo = hi = _token_value(tr.eq, bound)
        if tr.lower is not None:
            lo, lo_incl = max(lo, _token_value(tr.lower[0], bound)), tr.lower[1]
        if tr.upper is not None:
            hi, hi_incl = min(hi, _token_value(tr.upper[0], bound)), tr.upper[1]
        if not lo_incl:
            if lo == MAX_TOKEN:
                return None
            lo += 1
        if not hi_incl:
            if hi == MIN_TOKEN:
                return None
            hi -= 1
        if lo > hi:  # an empty range (Cassandra returns nothing for start > end)
            return None
        end = token_prefix(hi + 1) if hi < MAX_TOKEN else None
        return KeyRange(token_prefix(lo), True, end, False)


    def token_filter(self, bound: list):
        """The token restriction as a predicate on a partition's token, for partitions
        selected by their keys: a range whose start is after its end wraps around the ring
        (Cassandra's TokenFilter)."""
        tr = self.token
        if tr.eq is not None:
            t = _token_value(tr.eq, bound)
            return lambda token: token == t
        lo = (_token_value(tr.lower[0], bound), tr.lower[1]) if tr.lower else None
        hi = (_token_value(tr.upper[0], bound), tr.upper[1]) if tr.upper else None

        def after_lo(token: int) -> bool:
            return lo is None or token > lo[0] or (lo[1] and token == lo[0])

        def before_hi(token: int) -> bool:
            return hi is None or token < hi[0] or (hi[1] and token == hi[0])

        if lo is not None and hi is not None and lo[0] > hi[0]:
            return lambda token: after_lo(token) or before_hi(token)
        return lambda token: after_lo(token) and before_hi(token)


def _literal(term: Term) -> Any:
    """The value of a term known when the statement is prepared, else UNSET."""
    return term.value if isinstance(term, Value) else UNSET


def _check_entry_merge(r: ColumnRestriction, key: Term, op: str, value: Term) -> None:
    """A range on a map entry merges with the other relations on the same entry like a
    slice on a column: one start and one end bound, and no equality beside them (relations
    on different entries are independent). Entries whose key is a bind marker never clash."""
    name = r.name
    k = _literal(key)
    if k is UNSET:
        return
    same = [s for s in r.entry_slices if _literal(s[0]) == k]
    if op == "=":
        if not same:
            return
        other = ColumnRestriction(r.column, entries=[(key, value)])  # the new relation
    elif op in ("<", "<=", ">", ">="):
        start = op in (">", ">=")
        if any((s[1] in (">", ">=")) == start for s in same):
            side = "start" if start else "end"
            raise InvalidRequest(
                f"More than one restriction was found for the {side} bound on {name}")
        if not any(_literal(ek) == k for ek, _ in r.entries):
            return
        other = r
    else:
        return
    raise InvalidRequest(
        f'Column "{name}" cannot be restricted by both an inequality relation and '
        f'"{_contains_text(other)}"')


def _contains_text(r: ColumnRestriction) -> str:
    """ContainsRestriction.toString: the serialized values of each kind, in hex."""
    ctype = r.column.type
    key_type = getattr(ctype, "key_type", None)
    value_type = getattr(ctype, "value_type", None) or getattr(ctype, "element_type", None)

    def hexes(terms: list, t: Any) -> str:
        out = []
        for term in terms:
            v = _literal(term)
            out.append("?" if v is UNSET or v is None else t.serialize(v).hex())
        return "[" + ", ".join(out) + "]"

    return (f"CONTAINS(values={hexes(r.contains, value_type)}, "
            f"keys={hexes(r.contains_key, key_type)}, "
            f"entryKeys={hexes([k for k, _ in r.entries], key_type)}, "
            f"entryValues={hexes([v for _, v in r.entries], value_type)})")


def _token_value(term: Term, bound: list) -> int:
    v = term.bind(bound)
    if v is None:
        raise InvalidRequest("Invalid null token value")
    if v is UNSET:
        raise InvalidRequest("Invalid unset token value")
    return v


def _ungroup(node: Any) -> Any:
    """``(t)`` is just ``t`` where no tuple is expected."""
    if isinstance(node, ast.TupleLiteral) and len(node.items) == 1:
        return node.items[0]
    return node


def _check_equal_or_in(op: str, columns: list[ColumnMetadata]) -> None:
    names = " ,".join(c.name for c in columns)
    if op == "=":
        raise InvalidRequest(
            f"{names} cannot be restricted by more than one relation if it includes an Equal"
        )
    if op == "IN":
        raise InvalidRequest(
            f"{names} cannot be restricted by more than one relation if it includes a IN"
        )


def _check_slice_type(ctype: Any) -> None:
    """Durations have no order: no slice on them, or on what contains them."""
    if ctype.comparable:
        return
    base = getattr(ctype, "name", "")
    if base == "duration":
        raise InvalidRequest("Slice restrictions are not supported on duration columns")
    if getattr(ctype, "is_udt", False):
        raise InvalidRequest("Slice restrictions are not supported on UDTs containing durations")
    if isinstance(ctype, TupleType):
        raise InvalidRequest("Slice restrictions are not supported on tuples containing durations")
    if ctype.is_collection:
        raise InvalidRequest(
            "Slice restrictions are not supported on collections containing durations"
        )
    raise InvalidRequest("Slice restrictions are not supported on duration columns")
