"""WHERE clauses: per-column restrictions, Cassandra's merging rules, and key selection.

A WHERE clause is compiled once per statement into restrictions on the partition key,
the clustering columns and everything else (filters). At execution the key restrictions
turn into concrete partition keys or token ranges and clustering byte slices; whatever the
storage layer cannot select directly is checked row by row as a filter.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from cassalite.storage.engine import KeyRange
from cassalite.storage.murmur3 import MAX_TOKEN, MIN_TOKEN, token_prefix
from cql.cells import clustering_prefix_bytes, partition_key_bytes
from cql.errors import InvalidRequest
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast, unparse
from cql.types import ListType, MapType, TupleType, is_list, native_type
from cql.types.comparable import BOTTOM, TOP
from cql.vocabulary import quote_name

from .terms import UNSET, Term, TermContext, compile_term

REQUIRES_ALLOW_FILTERING = (
    "Cannot execute this query as it might involve data filtering and thus may have "
    "unpredictable performance. If you want to execute this query despite the performance "
    "unpredictability, use ALLOW FILTERING"
)

_BOTTOM = bytes([BOTTOM])
_TOP = bytes([TOP])


@dataclass
class ColumnRestriction:
    """Everything the WHERE clause says about one column."""

    column: ColumnMetadata
    eq: Term | None = None
    in_terms: list[Term] | None = None
    in_marker: Term | None = None
    lower: tuple[Term, bool] | None = None
    upper: tuple[Term, bool] | None = None
    contains: list[Term] = field(default_factory=list)
    contains_key: list[Term] = field(default_factory=list)
    entries: list[tuple[Term, Term]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.column.name

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
        return self.lower is not None or self.upper is not None

    @property
    def is_contains(self) -> bool:
        return bool(self.contains or self.contains_key or self.entries)

    def values(self, bound: list, what: str = "column") -> list:
        """The sorted distinct values of an = / IN restriction."""
        if self.eq is not None:
            v = self.eq.bind(bound)
            _check_key_value(v, self.name)
            return [v]
        if self.in_marker is not None:
            items = self.in_marker.bind(bound)
            if items is None:
                raise InvalidRequest("Invalid null value for IN restriction")
            if items is UNSET:
                raise InvalidRequest(f"Invalid unset value for column {self.name}")
        else:
            items = [t.bind(bound) for t in self.in_terms or ()]
        ctype = self.column.type
        out = {}
        for v in items:
            if v is None:
                raise InvalidRequest(f"Invalid null value in condition for column {self.name}")
            if v is UNSET:
                raise InvalidRequest(f"Invalid unset value for column {self.name}")
            out[ctype.to_comparable(v)] = v
        return [out[k] for k in sorted(out)]

    def matches(self, value: Any, bound: list) -> bool:
        """Filtering semantics on the live value (null never matches)."""
        ctype = self.column.type
        if self.eq is not None or self.is_in or self.is_slice:
            if value is None:
                return False
            key = ctype.to_comparable(value)
            if self.eq is not None:
                v = self.eq.bind(bound)
                if v is None or key != ctype.to_comparable(v):
                    return False
            if self.is_in and key not in {ctype.to_comparable(v) for v in self.values(bound)}:
                return False
            if self.lower is not None:
                term, inclusive = self.lower
                v = term.bind(bound)
                lk = ctype.to_comparable(v)
                if key < lk or (key == lk and not inclusive):
                    return False
            if self.upper is not None:
                term, inclusive = self.upper
                uk = ctype.to_comparable(term.bind(bound))
                if key > uk or (key == uk and not inclusive):
                    return False
        if self.is_contains:
            if value is None:
                return False
            if isinstance(ctype, MapType):
                values = list(value.values())
                keys = set(value.keys())
            else:
                values, keys = list(value), set()
            for t in self.contains:
                if t.bind(bound) not in values:
                    return False
            for t in self.contains_key:
                if t.bind(bound) not in keys:
                    return False
            for kt, vt in self.entries:
                k = kt.bind(bound)
                if k not in keys or value[k] != vt.bind(bound):
                    return False
        return True


def _check_key_value(v: Any, name: str) -> None:
    if v is None:
        raise InvalidRequest(f"Invalid null value in condition for column {name}")
    if v is UNSET:
        raise InvalidRequest(f"Invalid unset value for column {name}")


@dataclass
class MultiColumnRestriction:
    """``(c1, c2) op (v1, v2)`` on consecutive clustering columns."""

    columns: list[ColumnMetadata]
    op: str
    terms: list[Term] | None = None  # for = and slices: one tuple term; for IN: several
    marker: Term | None = None  # IN ?
    lower: tuple[Term, bool] | None = None
    upper: tuple[Term, bool] | None = None

    def tuples(self, bound: list) -> list[tuple]:
        if self.marker is not None:
            items = self.marker.bind(bound)
            if items is None:
                raise InvalidRequest("Invalid null value for IN restriction")
        else:
            items = [t.bind(bound) for t in self.terms or ()]
        out = []
        for tup in items:
            if tup is None or any(v is None for v in tup):
                names = ", ".join(c.name for c in self.columns)
                raise InvalidRequest(f"Invalid null value in condition for columns: [{names}]")
            out.append(tuple(tup))
        return out

    def key(self, values: tuple) -> tuple:
        return tuple(c.type.to_comparable(v) for c, v in zip(self.columns, values))

    def matches_row(self, row: dict, bound: list) -> bool:
        current = self.key(tuple(row.get(c.name) for c in self.columns))
        if self.op == "=" or self.op == "IN":
            return current in {self.key(t) for t in self.tuples(bound)}
        if self.lower is not None:
            term, inclusive = self.lower
            lk = self.key(tuple(term.bind(bound)))[: len(self.columns)]
            n = len(lk)
            if current[:n] < lk or (current[:n] == lk and not inclusive):
                return False
        if self.upper is not None:
            term, inclusive = self.upper
            uk = self.key(tuple(term.bind(bound)))
            n = len(uk)
            if current[:n] > uk or (current[:n] == uk and not inclusive):
                return False
        return True


@dataclass
class TokenRestriction:
    lower: tuple[Term, bool] | None = None
    upper: tuple[Term, bool] | None = None
    eq: Term | None = None


class WhereClause:
    """A compiled WHERE clause for one table."""

    def __init__(self, table: TableMetadata, relations: tuple, ctx: TermContext,
                 statement: str):
        self.table = table
        self.statement = statement
        self.columns: dict[str, ColumnRestriction] = {}
        self.multi: MultiColumnRestriction | None = None
        self.token: TokenRestriction | None = None
        self.has_not_null = False
        for relation in relations:
            self._add(relation, ctx)

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
        if op == "!=":
            raise InvalidRequest(f'Unsupported "!=" relation: {name} != {unparse.term(rel.rhs)}')
        if op == "LIKE":
            raise InvalidRequest(
                f"LIKE restriction is only supported on properly indexed columns. "
                f"{name} LIKE {unparse.term(rel.rhs)} is not valid."
            )
        if ctype.is_multicell and op in ("=", "IN", "<", "<=", ">", ">="):
            if getattr(ctype, "is_udt", False):
                raise InvalidRequest(
                    f"Non-frozen UDT column '{name}' ({ctype.name}) cannot be restricted by any relation"
                )
            raise InvalidRequest(
                f"Collection column '{name}' ({ctype.name}) cannot be restricted by a '{op}' relation"
            )
        r = self._restriction(column)
        if op == "=":
            if r.is_slice:
                raise InvalidRequest(
                    f'Column "{name}" cannot be restricted by both an equality and an inequality relation'
                )
            self._check_merge(r, name)
            r.eq = compile_term(rel.rhs, ctype, name, ctx)
        elif op == "IN":
            if r.is_slice:
                raise InvalidRequest(
                    f'Column "{name}" cannot be restricted by both an equality and an inequality relation'
                )
            self._check_merge(r, name)
            if isinstance(rel.rhs, ast.BindMarker):
                r.in_marker = compile_term(rel.rhs, ListType(ctype, True), f"in({name})", ctx)
            else:
                r.in_terms = [compile_term(t, ctype, name, ctx) for t in rel.rhs]
        elif op in ("<", "<=", ">", ">="):
            if r.is_eq:
                raise InvalidRequest(
                    f"{name} cannot be restricted by more than one relation if it includes an Equal"
                )
            if r.is_in:
                raise InvalidRequest(
                    f"{name} cannot be restricted by more than one relation if it includes a IN"
                )
            if not ctype.comparable:
                raise InvalidRequest("Slice restrictions are not supported on duration columns")
            term = compile_term(rel.rhs, ctype, name, ctx)
            if op in (">", ">="):
                if r.lower is not None:
                    raise InvalidRequest(
                        f"More than one restriction was found for the start bound on {name}"
                    )
                r.lower = (term, op == ">=")
            else:
                if r.upper is not None:
                    raise InvalidRequest(
                        f"More than one restriction was found for the end bound on {name}"
                    )
                r.upper = (term, op == "<=")
        elif op == "CONTAINS":
            if not ctype.is_collection:
                raise InvalidRequest(f"Cannot use CONTAINS on non-collection column {name}")
            elem = ctype.value_type if isinstance(ctype, MapType) else ctype.element_type
            r.contains.append(compile_term(rel.rhs, elem, f"value({name})", ctx))
        elif op == "CONTAINS KEY":
            if not isinstance(ctype, MapType):
                raise InvalidRequest(f"Cannot use CONTAINS KEY on non-map column {name}")
            r.contains_key.append(compile_term(rel.rhs, ctype.key_type, f"key({name})", ctx))
        else:
            raise InvalidRequest(f"Unsupported relation operator {op}")

    @staticmethod
    def _check_merge(r: ColumnRestriction, name: str) -> None:
        if r.is_eq:
            raise InvalidRequest(
                f"{name} cannot be restricted by more than one relation if it includes an Equal"
            )
        if r.is_in:
            raise InvalidRequest(
                f"{name} cannot be restricted by more than one relation if it includes a IN"
            )

    def _add_entry(self, rel: Any, ctx: TermContext) -> None:
        column = self._column(rel.lhs.expr.name)
        ctype = column.type
        if is_list(ctype):
            raise InvalidRequest(
                "Indexes on list entries (l[index] = value) are not currently supported."
            )
        if not isinstance(ctype, MapType):
            raise InvalidRequest(f"Column {column.name} cannot be used as a map")
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Map-entry equality predicates on frozen map column {column.name} are not supported"
            )
        if rel.op != "=":
            raise InvalidRequest("Only EQ relations are supported on map entries")
        key = compile_term(rel.lhs.key, ctype.key_type, f"key({column.name})", ctx)
        value = compile_term(rel.rhs, ctype.value_type, f"value({column.name})", ctx)
        self._restriction(column).entries.append((key, value))

    def _add_token(self, rel: Any, ctx: TermContext) -> None:
        names = list(rel.lhs.columns)
        pk = [c.name for c in self.table.partition_key]
        for n in names:
            self._column(n)
        if len(set(names)) != len(names):
            raise InvalidRequest("The token() function contains duplicate partition key components")
        if any(n not in pk for n in names):
            raise InvalidRequest("The token() function must contains only partition key components")
        if len(names) != len(pk):
            raise InvalidRequest(
                "The token() function must be applied to all partition key components or none of them"
            )
        if names != pk:
            raise InvalidRequest(
                f"The token function arguments must be in the partition key order: {', '.join(pk)}"
            )
        if rel.op in ("IN", "CONTAINS", "CONTAINS KEY"):
            raise InvalidRequest(f"{rel.op} cannot be used with the token function")
        if self.statement in ("UPDATE", "DELETE"):
            raise InvalidRequest(
                f"The token function cannot be used in WHERE clauses for {self.statement} statements"
            )
        tr = self.token or TokenRestriction()
        term = compile_term(rel.rhs, native_type("bigint"), "partition key token", ctx)
        if rel.op == "=":
            tr.eq = term
        elif rel.op in (">", ">="):
            if tr.lower is not None:
                raise InvalidRequest(
                    "More than one restriction was found for the start bound on " + ", ".join(pk)
                )
            tr.lower = (term, rel.op == ">=")
        elif rel.op in ("<", "<="):
            if tr.upper is not None:
                raise InvalidRequest(
                    "More than one restriction was found for the end bound on " + ", ".join(pk)
                )
            tr.upper = (term, rel.op == "<=")
        else:
            raise InvalidRequest(f'Unsupported "{rel.op}" relation on token')
        self.token = tr

    def _add_multi(self, rel: Any, ctx: TermContext) -> None:
        names = list(rel.lhs.names)
        columns = [self._column(n) for n in names]
        for c in columns:
            if c.kind != "clustering":
                raise InvalidRequest(
                    "Multi-column relations can only be applied to clustering columns but was "
                    f"applied to: {c.name}"
                )
        seen = set()
        for n in names:
            if n in seen:
                raise InvalidRequest(f'Column "{n}" appeared twice in a relation: {unparse.tuple_relation(rel)}')
            seen.add(n)
        positions = [c.position for c in columns]
        if positions != list(range(positions[0], positions[0] + len(positions))):
            raise InvalidRequest(
                "Clustering columns must appear in the PRIMARY KEY order in multi-column "
                f"relations: {unparse.tuple_relation(rel)}"
            )
        ttype = TupleType([c.type for c in columns])
        if rel.op == "!=":
            raise InvalidRequest(f'Unsupported "!=" relation: {unparse.tuple_relation(rel)}')

        def tuple_term(node: Any) -> Term:
            if isinstance(node, ast.TupleLiteral) and len(node.items) != len(columns):
                raise InvalidRequest(
                    f"Expected {len(columns)} elements in value tuple, but got "
                    f"{len(node.items)}: {unparse.term(node)}"
                )
            return compile_term(node, ttype, "(" + ",".join(names) + ")", ctx)

        m = self.multi
        if rel.op in ("=", "IN"):
            if m is not None:
                raise InvalidRequest(
                    f"{columns[0].name} cannot be restricted by more than one relation if it "
                    "includes an Equal"
                )
            if rel.op == "=":
                self.multi = MultiColumnRestriction(columns, "=", [tuple_term(rel.rhs)])
            elif isinstance(rel.rhs, ast.BindMarker):
                marker = compile_term(rel.rhs, ListType(ttype, True), "in(" + ",".join(names) + ")", ctx)
                self.multi = MultiColumnRestriction(columns, "IN", marker=marker)
            else:
                self.multi = MultiColumnRestriction(columns, "IN", [tuple_term(t) for t in rel.rhs])
            return
        if m is None:
            m = self.multi = MultiColumnRestriction(columns, "SLICE")
        elif m.op != "SLICE":
            raise InvalidRequest(
                f"{columns[0].name} cannot be restricted by more than one relation if it "
                "includes an Equal"
            )
        elif m.columns[0].name != columns[0].name:
            raise InvalidRequest(
                f'Column "{columns[0].name}" cannot be restricted by two inequalities not '
                "starting with the same column"
            )
        term = tuple_term(rel.rhs)
        if len(columns) > len(m.columns):
            m.columns = columns
        if rel.op in (">", ">="):
            if m.lower is not None:
                raise InvalidRequest(
                    f"More than one restriction was found for the start bound on {columns[0].name}"
                )
            m.lower = (term, rel.op == ">=")
        else:
            if m.upper is not None:
                raise InvalidRequest(
                    f"More than one restriction was found for the end bound on {columns[0].name}"
                )
            m.upper = (term, rel.op == "<=")

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

    # ---- keys at execution ---------------------------------------------------------------

    def partition_keys(self, bound: list) -> list[bytes]:
        """Serialized partition keys of a fully = / IN restricted key, in key-type order."""
        per_column = [r.values(bound) for r in self.partition_restrictions()]
        out = []
        for combo in itertools.product(*per_column):
            pk = partition_key_bytes(self.table, list(combo))
            if len(pk) > 65535:
                raise InvalidRequest(f"Key length of {len(pk)} is longer than maximum of 65535")
            if not pk:
                raise InvalidRequest("Key may not be empty")
            out.append(pk)
        return out

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
            v = tr.eq.bind(bound)
            if v is None:
                raise InvalidRequest("Invalid null token value")
            lo = hi = v
        if tr.lower is not None:
            v = tr.lower[0].bind(bound)
            if v is None:
                raise InvalidRequest("Invalid null token value")
            lo, lo_incl = max(lo, v), tr.lower[1]
        if tr.upper is not None:
            v = tr.upper[0].bind(bound)
            if v is None:
                raise InvalidRequest("Invalid null token value")
            hi, hi_incl = min(hi, v), tr.upper[1]
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


# --------------------------------------------------------------------------------------
# Clustering slices
# --------------------------------------------------------------------------------------


def _prefix_range(table: TableMetadata, prefix: list) -> tuple[bytes, bytes]:
    """[lo, hi) bytes for rows whose clustering starts with ``prefix``."""
    p = clustering_prefix_bytes(table, prefix)
    return p + _BOTTOM, p + _TOP


def clustering_slices(table: TableMetadata, where: WhereClause, usable: int,
                      bound: list) -> list[tuple[bytes, bytes | None]] | None:
    """Byte slices for the clustering restrictions usable as a key prefix (None = all rows).

    ``usable`` is how many clustering columns form the = / IN prefix (plus an optional
    trailing slice on the next column).
    """
    restrictions = where.clustering_restrictions()
    multi = where.multi
    if usable == 0 and multi is None:
        r0 = restrictions[0] if restrictions else None
        if r0 is None or not r0.is_slice:
            return None
    prefixes: list[list] = [[]]
    i = 0
    if multi is not None and multi.columns[0].position == 0 and multi.op in ("=", "IN"):
        prefixes = [list(t) for t in sorted(multi.tuples(bound), key=multi.key)]
        i = len(multi.columns)
    else:
        while i < usable:
            r = restrictions[i]
            vals = r.values(bound)
            prefixes = [p + [v] for p in prefixes for v in vals]
            i += 1
    slices: list[tuple[bytes, bytes | None]] = []
    trailing = restrictions[i] if i < len(restrictions) else None
    if multi is not None and multi.op == "SLICE" and multi.columns[0].position == i:
        # Coarse slice on the first column of the tuple; the exact tuple order is filtered.
        col = multi.columns[0]
        for p in prefixes:
            lo_v = hi_v = None
            if multi.lower is not None:
                lo_v = multi.lower[0].bind(bound)
                lo_v = None if lo_v is None else lo_v[0]
            if multi.upper is not None:
                hi_v = multi.upper[0].bind(bound)
                hi_v = None if hi_v is None else hi_v[0]
            slices.append(_value_slice(table, p, col, (lo_v, True) if lo_v is not None else None,
                                       (hi_v, True) if hi_v is not None else None))
    elif trailing is not None and trailing.is_slice and (usable == i):
        col = trailing.column
        lower = (trailing.lower[0].bind(bound), trailing.lower[1]) if trailing.lower else None
        upper = (trailing.upper[0].bind(bound), trailing.upper[1]) if trailing.upper else None
        for bound_v in (lower, upper):
            if bound_v is not None and bound_v[0] is None:
                raise InvalidRequest(f"Invalid null bound for column {col.name}")
        for p in prefixes:
            slices.append(_value_slice(table, p, col, lower, upper))
    else:
        for p in prefixes:
            slices.append(_prefix_range(table, p))
    slices = [s for s in slices if s[1] is None or s[0] < s[1]]
    slices.sort(key=lambda s: s[0])
    return slices


def _value_slice(table: TableMetadata, prefix: list, column: ColumnMetadata,
                 lower: tuple[Any, bool] | None, upper: tuple[Any, bool] | None):
    """Bytes range for ``prefix`` + a value range on ``column`` (DESC columns flip)."""
    base = clustering_prefix_bytes(table, prefix)
    lo, hi = base + _BOTTOM, base + _TOP

    def edge(value: Any, after: bool) -> bytes:
        return clustering_prefix_bytes(table, prefix + [value]) + (_TOP if after else _BOTTOM)

    if column.reversed:
        lower, upper = upper, lower
        if lower is not None:  # value <= v  ->  bytes >= enc(v)
            lo = edge(lower[0], after=not lower[1])
        if upper is not None:  # value >= v  ->  bytes <= enc(v)
            hi = edge(upper[0], after=upper[1])
    else:
        if lower is not None:
            lo = edge(lower[0], after=not lower[1])
        if upper is not None:
            hi = edge(upper[0], after=upper[1])
    return lo, hi
