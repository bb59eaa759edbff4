"""Server-side DESCRIBE: result rows shaped like Cassandra's DescribeStatement.

Listing forms (KEYSPACES, TABLES, TYPES, FUNCTIONS, AGGREGATES) return
``keyspace_name, type, name``; element forms add ``create_statement``; CLUSTER returns
``cluster, partitioner, snitch`` and, with a non-system current keyspace, ``range_ownership``.
Messages for missing objects are DescribeStatement's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cql import system
from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Result
from cql.schema import describe
from cql.schema.metadata import KeyspaceMetadata
from cql.syntax import ast
from cql.types import TEXT, ListType, MapType
from cql.vocabulary import quote_name

from .common import ReadPlan

if TYPE_CHECKING:
    from cql.database import Database

LIST_COLUMNS = ["keyspace_name", "type", "name"]
ELEMENT_COLUMNS = [*LIST_COLUMNS, "create_statement"]
NO_CURRENT_KEYSPACE = "No keyspace specified and no current keyspace"
SNITCH = "DynamicEndpointSnitch"
LISTEN_ENDPOINT = "127.0.0.1:7000"


def keyspace_not_found(name: str) -> InvalidRequest:
    """KeyspaceNotDefinedException (an InvalidRequest) as DescribeStatement words it."""
    return InvalidRequest(f"'{name}' not found in keyspaces")


def _keyspace(db: Database, name: str) -> KeyspaceMetadata:
    ks = db.schema.keyspace(name)
    if ks is None:
        raise keyspace_not_found(name)
    return ks


def _sorted_keyspaces(db: Database) -> list[KeyspaceMetadata]:
    keyspaces = db.schema.keyspaces
    return [keyspaces[n] for n in describe.by_name(keyspaces)]


def _list_result(rows: Iterable[tuple[str, str, str]]) -> Result:
    return Result("rows", list(LIST_COLUMNS), [TEXT] * 3, [tuple(r) for r in rows])


def _element_result(ks: str, elements: Iterable[tuple[str, str, str]]) -> Result:
    rows = [(quote_name(ks), kind, quote_name(name), cql) for kind, name, cql in elements]
    return Result("rows", list(ELEMENT_COLUMNS), [TEXT] * 4, rows)


class DescribePlan(ReadPlan):
    """Runs at execution time against the schema of that moment."""

    statement: ast.Describe

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        handler = getattr(self, "_" + st.kind.lower().replace(" ", "_"))
        return handler(db, st)

    # ---- listings -----------------------------------------------------------------------

    def _listing(self, db: Database, names_of) -> Result:
        current = self.current_keyspace
        keyspaces = (_sorted_keyspaces(db) if current is None else [_keyspace(db, current)])
        rows = []
        for ks in keyspaces:
            for kind, name in names_of(ks):
                rows.append((quote_name(ks.name), kind, quote_name(name)))
        return _list_result(rows)

    def _keyspaces(self, db: Database, st: ast.Describe) -> Result:
        return _list_result((quote_name(ks.name), "keyspace", quote_name(ks.name))
                            for ks in _sorted_keyspaces(db))

    def _tables(self, db: Database, st: ast.Describe) -> Result:
        return self._listing(db, lambda ks: [
            ("table", n) for n in describe.by_name(
                t.name for t in ks.tables.values() if not t.is_view)])

    def _types(self, db: Database, st: ast.Describe) -> Result:
        return self._listing(db, lambda ks: [("type", n) for n in describe.by_name(ks.types)])

    def _functions(self, db: Database, st: ast.Describe) -> Result:
        return self._listing(db, lambda ks: [])

    def _aggregates(self, db: Database, st: ast.Describe) -> Result:
        return self._listing(db, lambda ks: [])

    # ---- elements -----------------------------------------------------------------------

    def _element_keyspace(self, db: Database, name: ast.QualifiedName | None) -> KeyspaceMetadata:
        ks = name.keyspace if name is not None and name.keyspace else self.current_keyspace
        if ks is None:
            raise InvalidRequest(NO_CURRENT_KEYSPACE)
        return _keyspace(db, ks)

    def _keyspace(self, db: Database, st: ast.Describe) -> Result:
        name = st.name.name if st.name is not None else self.current_keyspace
        if name is None:
            raise InvalidRequest(NO_CURRENT_KEYSPACE)
        ks = _keyspace(db, name)
        return _element_result(ks.name, describe.keyspace_elements(ks, st.only, st.internals))

    def _schema(self, db: Database, st: ast.Describe) -> Result:
        rows = []
        for ks in _sorted_keyspaces(db):
            if not st.full and ks.name in system.SYSTEM_KEYSPACES:
                continue
            rows += _element_result(
                ks.name, describe.keyspace_elements(ks, False, st.internals)).rows
        return Result("rows", list(ELEMENT_COLUMNS), [TEXT] * 4, rows)

    def _table(self, db: Database, st: ast.Describe) -> Result:
        ks = self._element_keyspace(db, st.name)
        table = ks.tables.get(st.name.name)
        if table is None or table.is_view:
            raise InvalidRequest(f"Table '{st.name.name}' not found in keyspace '{ks.name}'")
        # the table, its indexes and its views (DescribeStatement.forTable)
        return _element_result(ks.name, describe.table_elements(ks, table, st.internals))

    def _index(self, db: Database, st: ast.Describe) -> Result:
        ks = self._element_keyspace(db, st.name)
        for table in ks.tables.values():
            index = table.indexes.get(st.name.name)
            if index is not None:
                return _element_result(
                    ks.name, [("index", index.name, describe.index_cql(table, index))])
        raise InvalidRequest(
            f"Table for existing index '{st.name.name}' not found in '{ks.name}'")

    def _materialized_view(self, db: Database, st: ast.Describe) -> Result:
        ks = self._element_keyspace(db, st.name)
        view = ks.tables.get(st.name.name)
        if view is None or not view.is_view:
            raise InvalidRequest(
                f"Materialized view '{st.name.name}' not found in '{ks.name}'")
        return _element_result(
            ks.name, [("materialized_view", view.name, describe.view_cql(view, st.internals))])

    def _type(self, db: Database, st: ast.Describe) -> Result:
        ks = self._element_keyspace(db, st.name)
        ut = ks.types.get(st.name.name)
        if ut is None:
            raise InvalidRequest(
                f"User defined type '{st.name.name}' not found in '{ks.name}'")
        return _element_result(ks.name, [("type", ut.name, describe.user_type_cql(ut))])

    def _function(self, db: Database, st: ast.Describe) -> Result:
        ks = self._element_keyspace(db, st.name)
        raise InvalidRequest(
            f"User defined function '{st.name.name}' not found in '{ks.name}'")

    def _aggregate(self, db: Database, st: ast.Describe) -> Result:
        ks = self._element_keyspace(db, st.name)
        raise InvalidRequest(
            f"User defined aggregate '{st.name.name}' not found in '{ks.name}'")

    def _generic(self, db: Database, st: ast.Describe) -> Result:
        """``DESCRIBE name``: a keyspace, else a table, index or view (in that order)."""
        name = st.name
        ks_name = name.keyspace
        if ks_name is None:
            if db.schema.keyspace(name.name) is not None:
                return self._keyspace(db, ast.Describe("KEYSPACE", ast.QualifiedName(
                    None, name.name), internals=st.internals))
            ks_name = self.current_keyspace or name.name
        ks = _keyspace(db, ks_name)
        qualified = ast.QualifiedName(ks.name, name.name)
        target = ks.tables.get(name.name)
        if target is not None and not target.is_view:
            return self._table(db, ast.Describe("TABLE", qualified, internals=st.internals))
        if any(name.name in t.indexes for t in ks.tables.values()):
            return self._index(db, ast.Describe("INDEX", qualified))
        if target is not None:
            return self._materialized_view(
                db, ast.Describe("MATERIALIZED VIEW", qualified, internals=st.internals))
        raise InvalidRequest(f"'{name.name}' not found in keyspace '{ks.name}'")

    # ---- cluster ------------------------------------------------------------------------

    def _cluster(self, db: Database, st: ast.Describe) -> Result:
        names = ["cluster", "partitioner", "snitch"]
        types = [TEXT, TEXT, TEXT]
        row: list = [system.CLUSTER_NAME, system.PARTITIONER.rsplit(".", 1)[-1], SNITCH]
        current = self.current_keyspace
        if current is not None and current not in system.SYSTEM_KEYSPACES:
            names.append("range_ownership")
            types.append(MapType(TEXT, ListType(TEXT, False), False))
            row.append({"-9223372036854775808": [LISTEN_ENDPOINT]})
        return Result("rows", names, types, [tuple(row)])


