"""The specialised clustering encoders (cql.types.comparable.clustering_encoder) give the
bytes ``encode_clustering`` gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cql.types as T
from cql.types.comparable import clustering_encoder, encode_clustering
from cql.types.values import EMPTY

from .cqltypes_strategies import values


@pytest.mark.parametrize("ctype", [T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.TEXT, T.UUID])
@pytest.mark.parametrize("desc", [False, True])
@given(data=st.data())
def test_single_column_encoder_matches_encode_clustering(ctype, desc, data):
    v = data.draw(st.one_of(values(ctype), st.just(EMPTY)) if ctype.accepts_empty
                  else values(ctype))
    assert clustering_encoder([ctype], [desc])([v]) == encode_clustering([ctype], [v], [desc])
