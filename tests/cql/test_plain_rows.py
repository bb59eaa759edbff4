"""The compiled builders of plain selections (cql.dml.plain_rows): ``RowBuilder.rows``
(a partition's rows at once, the usual types decoded inline) and the inline partition key
decoder give exactly what the per-row ``from_values`` and ``partition_key_values`` give,
values and errors, for well-formed, empty and malformed bytes alike; rows made as a named
tuple class are what the named-tuple row factory makes of them."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql
import cql.types as T
from cql.cells import partition_key_values
from cql.dml.plain_rows import RowBuilder, column_spec
from cql.dml.selection import ColumnSelector
from cql.session import _row_class, named_tuple_factory
from cql.types.comparable import encode_clustering, serialize_partition_key

from .types.cqltypes_strategies import values as typed_values

KEY_TYPES = [T.BIGINT, T.INT, T.SMALLINT, T.TINYINT, T.TEXT, T.ASCII, T.BLOB, T.DOUBLE,
             T.UUID, T.TIMESTAMP, T.VARINT]
CELL_TYPES = [*KEY_TYPES, T.FLOAT, T.BOOLEAN, T.DECIMAL, T.DATE, T.INET]

_session = None
_tables = itertools.count()


def _table(pk: list, ck: list, cells: list):
    """A table with these partition key, clustering ((type, DESC?)) and cell types."""
    global _session
    if _session is None:
        _session = cql.connect(":memory:")
        _session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                         "'replication_factor': 1}")
    name = f"t{next(_tables)}"
    cols = [f"p{i} {t.name}" for i, t in enumerate(pk)] + \
        [f"c{i} {t.name}" for i, (t, _) in enumerate(ck)] + \
        [f"v{i} {t.name}" for i, t in enumerate(cells)]
    key = "(" + ", ".join(f"p{i}" for i in range(len(pk))) + ")"
    key += "".join(f", c{i}" for i in range(len(ck)))
    order = ", ".join(f"c{i} {'DESC' if desc else 'ASC'}" for i, (_, desc) in enumerate(ck))
    _session.execute(f"CREATE TABLE ks.{name} ({', '.join(cols)}, PRIMARY KEY ({key}))"
                     + (f" WITH CLUSTERING ORDER BY ({order})" if ck else ""))
    return _session.database.schema.table("ks", name)


def _outcome(fn, *args):
    try:
        return "ok", repr(fn(*args))
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return type(exc).__name__, str(exc)


def _bytes_of(t) -> st.SearchStrategy:
    """Value bytes as storage may hold them: none, empty, well-formed, arbitrary."""
    return st.one_of(st.none(), st.just(b""), typed_values(t).map(t.serialize),
                     st.binary(max_size=10))


@st.composite
def _cases(draw):
    pk = draw(st.lists(st.sampled_from(KEY_TYPES), min_size=1, max_size=2))
    ck = draw(st.lists(st.tuples(st.sampled_from(KEY_TYPES), st.booleans()), max_size=2))
    cells = draw(st.lists(st.sampled_from(CELL_TYPES), max_size=3))
    table = _table(pk, ck, cells)
    columns = draw(st.permutations(table.select_star))
    columns = columns[:draw(st.integers(1, len(columns)))]
    pk_bytes = draw(st.one_of(
        st.tuples(*[typed_values(t) for t in pk]).map(
            lambda vs: serialize_partition_key(table.partition_key_types, list(vs))),
        st.binary(max_size=12)))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        ck_bytes = draw(st.one_of(
            st.tuples(*[typed_values(t) for t, _ in ck]).map(
                lambda vs: encode_clustering(table.clustering_types, list(vs),
                                             table.clustering_reversed)),
            st.binary(max_size=12)))
        names = [c.name for c in columns if c.kind == "regular"]
        values = {n: draw(_bytes_of(table.columns[n].type)) for n in names}
        rows.append((ck_bytes, values))
    return table, columns, pk_bytes, rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_compiled_builders_match_the_per_row_builder(case):
    table, columns, pk_bytes, rows = case
    build = RowBuilder(column_spec([ColumnSelector(c) for c in columns]), table)
    assert _outcome(build.pk_values, pk_bytes) == \
        _outcome(partition_key_values, table, pk_bytes)
    try:
        pkv = partition_key_values(table, pk_bytes)
    except Exception:  # noqa: BLE001 - a key the table cannot hold: rows without pk columns
        if build.needs_pk:
            return
        pkv = None
    read = [(ck, [values[n] for n in build.names]) for ck, values in rows]
    assert _outcome(build.rows, pkv, read) == \
        _outcome(lambda: [build.from_values(pkv, ck, v) for ck, v in read])
    # made as the session's named tuples: what the row factory makes of the plain rows
    names = [c.name for c in columns]
    row = _row_class(tuple(names))
    made = _outcome(build.rows, pkv, read, row)
    assert made == _outcome(lambda: named_tuple_factory(names, build.rows(pkv, read)))
    if made[0] == "ok":
        assert {type(r) for r in build.rows(pkv, read, row)} <= {row}
