"""The compiled binder of a prepared statement (cql.plan.base.compile_binder) gives what
``Prepared.bind_general`` gives, values and errors, for any parameters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import cql.types as T
from cql.plan.base import Plan, Prepared
from cql.plan.terms import UNSET, MarkerSpec

from .types.cqltypes_strategies import raw_values

TYPES = [T.BIGINT, T.INT, T.SMALLINT, T.TINYINT, T.COUNTER, T.TEXT, T.ASCII, T.VARINT,
         T.DOUBLE, T.BLOB, T.UUID, T.TIMESTAMP, T.BOOLEAN, T.ListType(T.INT, True)]


class _Str(str):
    pass


ANY = st.one_of(
    st.none(), st.just(UNSET), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=5), st.text(max_size=3).map(_Str), st.binary(max_size=9),
    st.just("\ud800"), st.lists(st.integers(-5, 5), max_size=2))


@st.composite
def _cases(draw):
    types = draw(st.lists(st.sampled_from(TYPES), max_size=4))
    markers = [MarkerSpec(i, None, t, f"c{i}") for i, t in enumerate(types)]
    values = [draw(st.one_of(raw_values(t), ANY)) for t in types]
    if draw(st.booleans()):
        values = values[:draw(st.integers(0, len(values)))] + draw(st.lists(ANY, max_size=1))
    shape = draw(st.sampled_from([tuple, list, iter, "dict", "none"]))
    if shape == "dict":
        return markers, {f"c{i}": v for i, v in enumerate(values)}
    if shape == "none":
        return markers, None
    return markers, shape(values)


def _outcome(bind, parameters):
    try:
        return "ok", [(type(v), repr(v)) for v in bind(parameters)]
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return type(exc).__name__, str(exc)


@settings(max_examples=500, deadline=None)
@given(_cases())
def test_compiled_binder_matches_the_general_one(case):
    markers, parameters = case
    prepared = Prepared(Plan(), markers, None)
    if not isinstance(parameters, (tuple, list, dict, type(None))):  # read once
        parameters = list(parameters)
        assert _outcome(prepared.bind, iter(parameters)) == \
            _outcome(prepared.bind_general, iter(parameters))
        return
    assert _outcome(prepared.bind, parameters) == _outcome(prepared.bind_general, parameters)
