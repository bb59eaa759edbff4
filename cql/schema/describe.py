"""Schema objects -> the CQL text Cassandra's DESCRIBE prints (pure functions).

The layout follows Cassandra 5.0's ``toCqlString`` methods (KeyspaceMetadata, TableMetadata,
TableParams, IndexMetadata, UserType, ViewMetadata) and its CqlBuilder: four-space indents,
maps printed ``{'k': 'v'}`` with sorted keys, doubles as Java prints them. Executing the text
recreates the object, which the round-trip tests check.
"""

from __future__ import annotations

from collections.abc import Iterator

from cql.types import CQLType, UserType
from cql.types.base import java_float_str
from cql.vocabulary import quote_name

from .metadata import (
    CLUSTERING,
    PARTITION_KEY,
    REGULAR,
    STATIC,
    ColumnMetadata,
    IndexMetadata,
    KeyspaceMetadata,
    TableMetadata,
    UserTypeMetadata,
)

INDENT = "    "
STRATEGY_PACKAGE = "org.apache.cassandra.locator."


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def map_literal(mapping: dict) -> str:
    """CqlBuilder.append(Map): keys sorted, keys and values single-quoted."""
    items = sorted((str(k), str(v)) for k, v in mapping.items())
    return "{" + ", ".join(f"{single_quoted(k)}: {single_quoted(v)}" for k, v in items) + "}"


def qualified(keyspace: str, name: str) -> str:
    return f"{quote_name(keyspace)}.{quote_name(name)}"


# --------------------------------------------------------------------------------------
# Keyspaces


def keyspace_cql(ks: KeyspaceMetadata) -> str:
    """KeyspaceMetadata.toCqlString (note the two spaces before AND), then trunk's COMMENT ON /
    SECURITY LABEL ON statements; a virtual keyspace is printed as a warning comment."""
    if ks.virtual:
        name = quote_name(ks.name)
        return (f"/*\nWarning: Keyspace {name} is a virtual keyspace and cannot be recreated "
                f"with CQL.\nStructure, for reference:\nVIRTUAL KEYSPACE {name};\n*/")
    replication = dict(ks.replication)
    klass = replication.pop("class", "")
    if klass.startswith(STRATEGY_PACKAGE) and "." not in klass[len(STRATEGY_PACKAGE):]:
        klass = klass[len(STRATEGY_PACKAGE):]
    parts = [f"'class': {single_quoted(klass)}"]
    parts += [f"{single_quoted(k)}: {single_quoted(str(v))}" for k, v in sorted(replication.items())]
    durable = "true" if ks.durable_writes else "false"
    return (f"CREATE KEYSPACE {quote_name(ks.name)} WITH replication = {{{', '.join(parts)}}}"
            f"  AND durable_writes = {durable};"
            + description_cql("KEYSPACE", quote_name(ks.name), ks.comment, ks.security_label))


def description_cql(target: str, name: str, comment: str, label: str) -> str:
    """Trunk's SchemaDescriptionsUtil: ``COMMENT ON`` / ``SECURITY LABEL ON`` lines that
    DESCRIBE appends for an object's non-empty comment and security label."""
    text = ""
    if comment:
        text += f"\nCOMMENT ON {target} {name} IS {single_quoted(comment)};"
    if label:
        text += f"\nSECURITY LABEL ON {target} {name} IS {single_quoted(label)};"
    return text


# --------------------------------------------------------------------------------------
# Tables


def _name_key(column: ColumnMetadata) -> bytes:
    return column.name.encode("utf-8")


def _simple_then_complex(columns: list[ColumnMetadata]) -> list[ColumnMetadata]:
    """Cassandra's Columns order: simple columns, then multi-cell ones, each by name bytes."""
    simple = sorted((c for c in columns if not c.type.is_multicell), key=_name_key)
    complex_ = sorted((c for c in columns if c.type.is_multicell), key=_name_key)
    return simple + complex_


def create_order(table: TableMetadata) -> list[ColumnMetadata]:
    """TableMetadata.allColumnsInCreateOrder: keys, statics, then regular columns."""
    cols = list(table.columns.values())
    pk = sorted((c for c in cols if c.kind == PARTITION_KEY), key=lambda c: c.position)
    ck = sorted((c for c in cols if c.kind == CLUSTERING), key=lambda c: c.position)
    statics = _simple_then_complex([c for c in cols if c.kind == STATIC])
    regulars = _simple_then_complex([c for c in cols if c.kind == REGULAR])
    return pk + ck + statics + regulars


def select_order(table: TableMetadata) -> list[ColumnMetadata]:
    """TableMetadata.allColumnsInSelectOrder: keys, then the other columns by name."""
    cols = list(table.columns.values())
    pk = sorted((c for c in cols if c.kind == PARTITION_KEY), key=lambda c: c.position)
    ck = sorted((c for c in cols if c.kind == CLUSTERING), key=lambda c: c.position)
    statics = sorted((c for c in cols if c.kind == STATIC), key=_name_key)
    regulars = sorted((c for c in cols if c.kind == REGULAR), key=_name_key)
    return pk + ck + statics + regulars


def column_cql(name: str, ctype: CQLType, kind: str) -> str:
    """ColumnMetadata.appendCqlTo."""
    text = f"{quote_name(name)} {type_cql(ctype)}"
    return text + " static" if kind == STATIC else text


def type_cql(ctype: CQLType) -> str:
    """A type as DESCRIBE prints it (CQL3Type.toString)."""
    return ctype.name


def _primary_key(table: TableMetadata) -> str:
    """TableMetadata.appendPrimaryKey."""
    pk = [quote_name(c.name) for c in table.partition_key]
    text = pk[0] if len(pk) == 1 else "(" + ", ".join(pk) + ")"
    ck = [quote_name(c.name) for c in table.clustering]
    return "PRIMARY KEY (" + ", ".join([text, *ck]) + ")"


def _column_lines(table: TableMetadata, with_dropped: bool) -> list[str]:
    single = len(table.partition_key) == 1 and not table.clustering
    dropped = list(table.dropped_columns.values()) if with_dropped else []
    dropped.sort(key=lambda d: d.name.encode("utf-8"))
    columns = [c for c in create_order(table)
               if not (with_dropped and c.name in table.dropped_columns)]
    lines = []
    for i, column in enumerate(columns):
        line = column_cql(column.name, column.type, column.kind)
        if column.mask is not None:
            line += " MASKED WITH " + column.mask.cql()
        if column.constraints:
            line += " CHECK " + " AND ".join(c.cql() for c in column.constraints)
        if single and column.kind == PARTITION_KEY:
            line += " PRIMARY KEY"
        if not single or dropped or i < len(columns) - 1:
            line += ","
        lines.append(line)
    for i, d in enumerate(dropped):
        line = column_cql(d.name, d.type, d.kind)
        if not single or i < len(dropped) - 1:
            line += ","
        lines.append(line)
    if not single:
        lines.append(_primary_key(table))
    return lines


def option_lines(options: dict, is_view: bool) -> list[str]:
    """TableParams.appendCqlTo: the option block, in Cassandra's order."""
    o = options
    lines = [
        f"additional_write_policy = {single_quoted(str(o['additional_write_policy']))}",
        f"allow_auto_snapshot = {_bool(o['allow_auto_snapshot'])}",
        f"bloom_filter_fp_chance = {java_float_str(float(o['bloom_filter_fp_chance']))}",
        f"caching = {map_literal(o['caching'])}",
        f"cdc = {_bool(o['cdc'])}",
        f"comment = {single_quoted(str(o['comment']))}",
        f"compaction = {map_literal(o['compaction'])}",
        f"compression = {map_literal(o['compression'])}",
        f"memtable = {single_quoted(str(o['memtable']))}",
        f"crc_check_chance = {java_float_str(float(o['crc_check_chance']))}",
    ]
    if not is_view:
        lines.append(f"default_time_to_live = {int(o['default_time_to_live'])}")
    extensions = o.get("extensions") or {}
    lines += [
        "extensions = {" + ", ".join(
            f"{single_quoted(k)}: 0x{_hex(v)}" for k, v in sorted(extensions.items())) + "}",
        f"gc_grace_seconds = {int(o['gc_grace_seconds'])}",
        f"incremental_backups = {_bool(o['incremental_backups'])}",
        f"max_index_interval = {int(o['max_index_interval'])}",
        f"memtable_flush_period_in_ms = {int(o['memtable_flush_period_in_ms'])}",
        f"min_index_interval = {int(o['min_index_interval'])}",
        f"read_repair = {single_quoted(str(o['read_repair']))}",
        f"speculative_retry = {single_quoted(str(o['speculative_retry']))}",
    ]
    return lines


def _bool(value: object) -> str:
    return "true" if value else "false"


def _hex(value: object) -> str:
    return value.hex() if isinstance(value, (bytes, bytearray)) else str(value)


def _table_options(table: TableMetadata, internals: bool) -> str:
    """TableMetadata.appendTableOptions: ``ID``, clustering order, then the params."""
    items = ["COMPACT STORAGE"] if table.compact else []
    if internals:
        items.append(f"ID = {table.id}")
    if table.clustering:
        order = ", ".join(f"{quote_name(c.name)} {'DESC' if c.reversed else 'ASC'}"
                          for c in table.clustering)
        items.append(f"CLUSTERING ORDER BY ({order})")
    if table.virtual:
        items.append(f"comment = {single_quoted(str(table.options.get('comment', '')))}")
    else:
        items += option_lines(table.options, table.is_view)
    return ("\n" + INDENT + "AND ").join(items) + ";"


def table_cql(table: TableMetadata, internals: bool = False) -> str:
    """TableMetadata.toCqlString (views go to :func:`view_cql`)."""
    if table.is_view:
        return view_cql(table, internals)
    body = "\n".join(INDENT + line for line in _column_lines(table, internals))
    name = qualified(table.keyspace, table.name)
    if table.virtual:
        return (f"/*\nWarning: Table {name} is a virtual table and cannot be recreated with "
                f"CQL.\nStructure, for reference:\nVIRTUAL TABLE {name} (\n{body}\n) WITH "
                + _table_options(table, internals) + "\n*/")
    text = f"CREATE TABLE {name} (\n{body}\n) WITH " + _table_options(table, internals)
    if internals:
        text += _dropped_statements(table)
    if table.compact:
        # CompactTableMetadata.appendCqlTo: shown for reference only, inside a comment
        text = (f"/*\nWarning: Table {name} omitted because it has constructs not compatible "
                "with CQL (was created via legacy API).\nApproximate structure, for reference:"
                f"\n(this should not be used to reproduce this schema)\n\n{text}\n*/")
    text += description_cql("TABLE", name, "", table.security_label)
    for column in table.columns.values():
        text += description_cql("COLUMN", f"{name}.{quote_name(column.name)}", column.comment,
                                column.security_label)
    return text


def _dropped_statements(table: TableMetadata) -> str:
    """The ALTER TABLE ... DROP (and re-ADD) statements WITH INTERNALS appends."""
    out = []
    name = qualified(table.keyspace, table.name)
    for d in sorted(table.dropped_columns.values(), key=lambda d: d.name.encode("utf-8")):
        out.append(f"\nALTER TABLE {name} DROP {quote_name(d.name)} USING TIMESTAMP "
                   f"{d.dropped_time};")
        current = table.columns.get(d.name)
        if current is not None:
            out.append(f"\nALTER TABLE {name} ADD "
                       f"{column_cql(current.name, current.type, current.kind)};")
    return "".join(out)


def view_cql(view: TableMetadata, internals: bool = False) -> str:
    """ViewMetadata.toCqlString."""
    if view.view_include_all:
        selection = "*"
    else:
        selection = ", ".join(quote_name(c.name) for c in select_order(view))
    lines = [
        f"CREATE MATERIALIZED VIEW {qualified(view.keyspace, view.name)} AS",
        f"{INDENT}SELECT {selection}",
        f"{INDENT}FROM {qualified(view.keyspace, view.view_of or '')}",
        f"{INDENT}WHERE {view.view_where}",
        f"{INDENT}{_primary_key(view)}",
    ]
    return "\n".join(lines) + "\n WITH " + _table_options(view, internals)


def index_cql(table: TableMetadata, index: IndexMetadata) -> str:
    """IndexMetadata.toCqlString."""
    on = f"{quote_name(index.name)} ON {qualified(table.keyspace, table.name)} ({index.target})"
    if index.kind != "CUSTOM":
        return f"CREATE INDEX {on};"
    options = {k: v for k, v in index.options.items() if k not in ("target", "class_name")}
    text = f"CREATE CUSTOM INDEX {on} USING {single_quoted(index.options.get('class_name', ''))}"
    if options:
        text += f" WITH OPTIONS = {map_literal(options)}"
    return text + ";"


# --------------------------------------------------------------------------------------
# User types


def user_type_cql(ut: UserTypeMetadata) -> str:
    """UserType.toCqlString."""
    fields = (",\n").join(f"{INDENT}{quote_name(n)} {type_cql(t)}"
                          for n, t in zip(ut.field_names, ut.field_types))
    name = qualified(ut.keyspace, ut.name)
    text = f"CREATE TYPE {name} (\n{fields}\n);" + description_cql("TYPE", name, ut.comment, "")
    for f in ut.field_names:
        text += description_cql("FIELD", f"{name}.{quote_name(f)}", ut.field_comments.get(f, ""), "")
    text += description_cql("TYPE", name, "", ut.security_label)
    for f in ut.field_names:
        text += description_cql("FIELD", f"{name}.{quote_name(f)}", "",
                                ut.field_security_labels.get(f, ""))
    return text


def _walk_user_types(ctype: CQLType, into: dict[str, None]) -> None:
    """Subtypes first, so that a type's dependencies come before it (Types.sortedStream)."""
    for sub in ctype.subtypes:
        _walk_user_types(sub, into)
    if isinstance(ctype, UserType):
        into.setdefault(ctype.type_name, None)


def sorted_user_types(ks: KeyspaceMetadata) -> list[UserTypeMetadata]:
    """The keyspace's types, each after the types it uses."""
    order: dict[str, None] = {}
    for name in sorted(ks.types, key=lambda n: n.encode("utf-8")):
        ut = ks.types[name]
        for ftype in ut.field_types:
            _walk_user_types(ftype, order)
        order.setdefault(name, None)
    return [ks.types[n] for n in order if n in ks.types]


# --------------------------------------------------------------------------------------
# Whole keyspaces


def by_name(names) -> list:
    """SchemaElement.NAME_COMPARATOR: case-insensitive name order."""
    return sorted(names, key=lambda n: (n.lower(), n))


def table_elements(ks: KeyspaceMetadata, table: TableMetadata,
                   internals: bool = False) -> Iterator[tuple[str, str, str]]:
    """(type, name, cql) for a table, its indexes and its views."""
    yield "table", table.name, table_cql(table, internals)
    for name in by_name(table.indexes):
        yield "index", name, index_cql(table, table.indexes[name])
    views = {v.name: v for v in ks.tables.values() if v.view_of == table.name}
    for name in by_name(views):
        yield "materialized_view", name, view_cql(views[name], internals)


def keyspace_elements(ks: KeyspaceMetadata, only: bool = False,
                      internals: bool = False) -> Iterator[tuple[str, str, str]]:
    """DescribeStatement.getKeyspaceElements: keyspace, types, functions, tables..."""
    yield "keyspace", ks.name, keyspace_cql(ks)
    if only:
        return
    for ut in sorted_user_types(ks):
        yield "type", ut.name, user_type_cql(ut)
    tables = {t.name: t for t in ks.tables.values() if not t.is_view}
    for name in by_name(tables):
        yield from table_elements(ks, tables[name], internals)
