"""Whole-column decoding (cql.dml.column_decoders) and the batches RowBuilder builds with it
give exactly the per-value results: a column decoder either returns what each value's
``deserialize`` / ``clustering_decoder`` gives or raises (the builder then redoes the batch
value by value), for well-formed columns with the odd empty, null, malformed or misaligned
value among them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql.types as T
from cql.dml.column_decoders import cell_decoder, int_clustering_decoder
from cql.dml.plain_rows import BATCH, RowBuilder, column_spec
from cql.dml.selection import ColumnSelector
from cql.types.comparable import clustering_decoder, encode_clustering

from .test_plain_rows import _outcome, _table
from .types.cqltypes_strategies import values as typed_values

COLUMN_TYPES = [T.BIGINT, T.INT, T.SMALLINT, T.TINYINT, T.DOUBLE, T.FLOAT, T.TEXT, T.ASCII,
                T.BLOB]
INT_KEYS = [T.BIGINT, T.INT, T.SMALLINT, T.TINYINT]
ODD = st.one_of(st.none(), st.just(b""), st.binary(max_size=12), st.just(b"\xff\xfe"),
                st.builds(bytearray, st.binary(min_size=1, max_size=8)))


@st.composite
def _column(draw, well_formed: st.SearchStrategy) -> list:
    """Mostly well-formed values, sometimes with a few odd ones put anywhere."""
    column = draw(st.lists(well_formed, min_size=1, max_size=12))
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        column.insert(draw(st.integers(0, len(column))), draw(ODD))
    return column


def _same_or_refused(decoded, expected) -> None:
    if decoded[0] == "ok":
        assert decoded == expected


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(COLUMN_TYPES).flatmap(
    lambda t: st.tuples(st.just(t), _column(typed_values(t).map(t.serialize)))))
def test_a_cell_column_decodes_as_its_values_or_is_refused(case):
    ctype, column = case
    decoded = _outcome(lambda: list(cell_decoder(ctype)(tuple(column))))
    _same_or_refused(decoded, _outcome(lambda: [ctype.deserialize(v) for v in column]))


def test_widths_that_only_add_up_are_refused():
    """An empty and a double-width bigint join to two values' bytes: still refused."""
    column = (b"", b"\x00" * 16)
    assert _outcome(lambda: list(cell_decoder(T.BIGINT)(column)))[0] != "ok"
    keys = (b"@" + b"\x00" * 7 + b"8", b"@\x00\x00" + b"\x00" * 7 + b"8")
    assert _outcome(int_clustering_decoder(8, False), keys)[0] != "ok"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(INT_KEYS), st.booleans(), st.data())
def test_an_int_clustering_column_decodes_as_its_keys_or_is_refused(ctype, desc, data):
    keys = data.draw(_column(typed_values(ctype).map(
        lambda v: encode_clustering([ctype], [v], [desc]))))
    decode = clustering_decoder([ctype], [desc])
    size = ctype.signed_comparable_size
    _same_or_refused(_outcome(lambda: list(int_clustering_decoder(size, desc)(tuple(keys)))),
                     _outcome(lambda: [decode(k)[0] for k in keys]))


@st.composite
def _batches(draw):
    pk = [draw(st.sampled_from(COLUMN_TYPES))]
    ck = draw(st.lists(st.tuples(st.sampled_from(COLUMN_TYPES), st.booleans()), max_size=2))
    cells = draw(st.lists(st.sampled_from(COLUMN_TYPES), min_size=1, max_size=3))
    table = _table(pk, ck, cells)
    columns = draw(st.lists(st.sampled_from(table.select_star), min_size=1, max_size=6))
    pkv = [draw(typed_values(pk[0]))]
    names = [c.name for c in table.select_star if c.kind == "regular"]
    odd = draw(st.sampled_from([0, 0, 1, 2]))
    rows = []
    for _ in range(draw(st.integers(BATCH - 1, BATCH + 8))):
        ck_bytes = encode_clustering(table.clustering_types,
                                     [draw(typed_values(t)) for t, _ in ck],
                                     table.clustering_reversed)
        values = {n: table.columns[n].type.serialize(draw(typed_values(table.columns[n].type)))
                  for n in names}
        rows.append([ck_bytes, values])
    for _ in range(odd):  # a null, empty or malformed value or row key somewhere
        row = draw(st.sampled_from(rows))
        if ck and draw(st.booleans()):
            row[0] = draw(st.binary(max_size=12))
        else:
            row[1][draw(st.sampled_from(names))] = draw(ODD)
    return table, columns, pkv, rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_batches())
def test_a_batch_built_column_by_column_matches_the_per_row_builder(case):
    table, columns, pkv, rows = case
    build = RowBuilder(column_spec([ColumnSelector(c) for c in columns]), table)
    read = [(ck, [values[n] for n in build.names]) for ck, values in rows]
    assert _outcome(build.rows, pkv, read) == \
        _outcome(lambda: [build.from_values(pkv, ck, v) for ck, v in read])
