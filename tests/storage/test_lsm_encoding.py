from hypothesis import given, settings

from cassalite.storage.lsm.encoding import (
    decode_partition,
    encode_mutations,
    encode_partition,
    iter_mutations,
    put_partition,
)
from cassalite.storage.model import Mutation

from .lsm_strategies import partitions


@settings(max_examples=120)
@given(partitions)
def test_partition_roundtrip(p):
    data = encode_partition(p)
    back, end = decode_partition(data)
    assert end == len(data)
    assert back == p


@given(partitions)
def test_row_offsets_point_at_rows(p):
    out = bytearray()
    offsets = []
    put_partition(out, p, offsets)
    assert [ck for ck, _ in offsets] == list(p.rows.keys())


@given(partitions, partitions)
def test_mutation_record_roundtrip(p1, p2):
    payload, sizes = encode_mutations([Mutation("t1", b"k1", p1), Mutation("t-2", b"", p2)])
    got = list(iter_mutations(payload))
    assert [(t, pk) for t, pk, _, _ in got] == [("t1", b"k1"), ("t-2", b"")]
    assert [e - s for _, _, s, e in got] == sizes
    assert decode_partition(payload, got[0][2])[0] == p1
    assert decode_partition(payload, got[1][2])[0] == p2
