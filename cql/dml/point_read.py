"""The exact-key read of a SELECT that names one full primary key.

``SELECT a, b FROM t WHERE k = ? AND c = ?`` (every partition key and clustering column
restricted by one ``=``, plain columns selected, no LIMIT, filtering, ordering afterwards,
masks or tracing) selects at most one row. :func:`compile_point_read` resolves at prepare
time where the key values come from, the partition key serializer and the clustering
encoder; reading (``PointRead.rows``) asks the engine for the one row key (``[ck, ck +
0x00)``, which the engines answer with a lookup rather than a range scan) and builds the
output tuple as the plan's fast row builder does. Values are checked in the general path's order (clustering
columns, then the partition key) with its messages.
"""

from __future__ import annotations

from operator import itemgetter

from cql.errors import InvalidRequest
from cql.plan.terms import UNSET, Marker
from cql.types import native
from cql.types.comparable import clustering_encoder, serialize_partition_key

from .write_builder import value_getter


class PointRead:
    __slots__ = ("table_id", "pk_keys", "ck_keys", "key_values", "pk_serialize", "ck_encode",
                 "build", "n_ck", "pk_exact")

    def __init__(self, plan) -> None:
        table = plan.meta
        where = plan.where
        self.table_id = str(table.id)
        self.pk_keys = [(c.name, value_getter(where.columns[c.name].eq))
                        for c in table.partition_key]
        self.ck_keys = [(c.name, value_getter(where.columns[c.name].eq))
                        for c in table.clustering]
        self.key_values = _all_values(self.ck_keys, self.pk_keys, [
            where.columns[c.name].eq for c in table.clustering + table.partition_key])
        self.n_ck = len(self.ck_keys)
        types = list(table.partition_key_types)
        if len(types) == 1:
            self.pk_serialize = lambda values, s=types[0].serialize: s(values[0])
        else:
            self.pk_serialize = lambda values: serialize_partition_key(types, values)
        self.ck_encode = clustering_encoder(table.clustering_types, table.clustering_reversed) \
            if table.clustering else None
        self.build = plan._fast
        # the bound key value is the key's decoded value: an int of an integer type, a str
        # of a text one (the values a RowBuilder would decode from the key's bytes)
        self.pk_exact = {native.BIGINT: int, native.INT: int, native.SMALLINT: int,
                         native.TINYINT: int, native.TEXT: str, native.ASCII: str}.get(
            types[0]) if len(types) == 1 else None

    def rows(self, plan, db, bound: list, now: int, row_type: type | None = None) -> list:
        """The output rows (none or one) of ``plan`` for the bound values, made as
        ``row_type`` when given (see ``RowBuilder.rows``)."""
        values = self.key_values(bound)  # clustering values, then the partition key's
        if None in values or UNSET in values:  # refused in the general path's order
            _key_values(self.ck_keys, bound)
            _key_values(self.pk_keys, bound)
        n = self.n_ck
        pk = self.pk_serialize(values[n:])
        if len(pk) > 65535:
            raise InvalidRequest(f"Key length of {len(pk)} is longer than maximum of 65535")
        if not pk:
            raise InvalidRequest("Key may not be empty")
        ck = self.ck_encode(values[:n]) if n else b""
        build = self.build
        view = db.engine.read_rows(self.table_id, pk, [(ck, ck + b"\x00")], plan.reverse,
                                   now, None, columns=build.names)
        if view is None:
            return []
        if not build.needs_pk:
            return build.rows(None, view.rows, row_type)
        if type(values[n]) is self.pk_exact:
            return build.rows(values[n:], view.rows, row_type)
        return build.rows(build.pk_values(view.pk), view.rows, row_type)


def compile_point_read(plan) -> PointRead | None:
    """The exact-key reader of ``plan`` (a SelectPlan), or None for any other query."""
    table = plan.meta
    where = plan.where
    if plan._fast is None or plan.key_mode != "keys" or plan.limit is not None \
            or plan.ppl is not None or plan.ann is not None or table.virtual \
            or where.token is not None or where.multis or plan.aggregate_warning:
        return None
    keys = table.partition_key + table.clustering
    if len(where.columns) != len(keys):
        return None
    for c in keys:
        r = where.columns.get(c.name)
        if r is None or r.ops != ["="] or r.eq is None:
            return None
    return PointRead(plan)


def _all_values(ck_keys: list, pk_keys: list, terms: list):
    """One call giving the tuple of the bound values of the clustering, then partition key
    ``terms``: a C itemgetter when every term is a bind marker (null and unset are refused
    after it), else each value read and checked in turn."""
    if all(type(term) is Marker for term in terms):
        if len(terms) == 1:
            return lambda bound, get=itemgetter(terms[0].index): (get(bound),)
        return itemgetter(*[term.index for term in terms])
    return lambda bound: (*_key_values(ck_keys, bound), *_key_values(pk_keys, bound))


def _key_values(keys: list, bound: list) -> list:
    """The bound values of key columns, refusing null and unset with Cassandra's messages."""
    values = []
    for name, get in keys:
        v = get(bound)
        if v is None:
            raise InvalidRequest(f"Invalid null value for column {name}")
        if v is UNSET:
            raise InvalidRequest(f"Invalid unset value for column {name}")
        values.append(v)
    return values
