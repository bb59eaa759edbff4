"""CQL's vocabulary (Cassandra 5.0), said once: keywords, identifier quoting, type names and
the property names of schema statements.

A leaf module (it imports nothing of cassalite): the types, the parser, the schema and the
shell all read these. Words are lower case, as unquoted identifiers fold to lower case.
"""

from __future__ import annotations

import re

#: Keywords that can never be a bare identifier (Cassandra's ReservedKeywords).
RESERVED_KEYWORDS = frozenset("""
    add allow alter and apply asc authorize batch begin by columnfamily create delete desc
    describe drop entries execute from full grant if in index infinity insert into is keyspace
    limit materialized modify nan norecursive not null of on or order primary rename revoke
    schema select set table to token truncate unlogged update use using view where with
""".split())

#: Keywords that may still be used as names (Parser.g, unreserved_keyword).
UNRESERVED_KEYWORDS = frozenset("""
    access aggregate aggregates all ann as ascii between bigint blob boolean called cast check cidrs cluster
    clustering column comment comments compact contains count counter custom datacenters date decimal
    default distinct double duration exists field filtering finalfunc float for frozen function
    functions group hashed label labels
    identity indexes inet initcond input int internals json key keys keyspaces language like list
    login
    map masked maxwritetime mbean mbeans nologin nosuperuser only options partition password
    per permission permissions replace returns role roles security select_masked sfunc smallint static
    storage stype superuser tables text time timestamp timeuuid tinyint trigger ttl tuple type
    types unmask unset user users uuid values varchar varint vector writetime
""".split())

#: The native types' names (CQL3Type.Native; ``varchar`` is an alias of ``text``).
NATIVE_TYPE_NAMES = frozenset("""
    ascii bigint blob boolean counter date decimal double duration float inet int smallint text
    time timestamp timeuuid tinyint uuid varchar varint
""".split())

#: Words that build a type from others.
TYPE_CONSTRUCTORS = frozenset(["frozen", "list", "map", "set", "tuple", "vector"])

#: Names the grammar keeps for future native types (Parser.g, userTypeName).
RESERVED_TYPE_NAMES = frozenset(
    ["byte", "complex", "enum", "date", "interval", "macaddr", "bitstring"])

#: Property names of CREATE/ALTER TABLE and MATERIALIZED VIEW (TableAttributes).
TABLE_PROPERTIES = frozenset("""
    additional_write_policy allow_auto_snapshot bloom_filter_fp_chance caching cdc comment
    compaction compression crc_check_chance default_time_to_live extensions gc_grace_seconds id
    incremental_backups max_index_interval memtable memtable_flush_period_in_ms
    min_index_interval read_repair speculative_retry
""".split())

#: Property names of CREATE/ALTER KEYSPACE (KeyspaceAttributes).
KEYSPACE_PROPERTIES = frozenset(["replication", "durable_writes"])

#: Property names of CREATE INDEX.
INDEX_PROPERTIES = frozenset(["options"])

_BARE_NAME = re.compile(r"[a-z][a-z0-9_]*")


def quote_name(name: str) -> str:
    """An identifier as Cassandra prints it: bare when that reads back the same, else
    ``"double""quoted"``."""
    if _BARE_NAME.fullmatch(name) and name not in RESERVED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'
