"""Output rows of a plain column selection, built straight from storage rows.

When every selector is a bare column, each output value is a partition key component, a
clustering component or one cell, so a row needs none of the general per-row machinery
(selectors, filtering, formatting). SELECT's fast path, point reads and ANN candidate
reads share this.

:class:`RowBuilder` compiles, once per plan, the functions that make output tuples: the
column positions, each column's decoder and the clustering decoder are bound when the
plan is prepared, not looked up per row or per cell. ``rows`` builds a whole partition's
rows in one call with the usual types' decoders inlined (a bigint is one struct call, a
text one ``bytes.decode``); anything unusual in the data (an empty value, a malformed
one) makes it redo the batch with the per-row ``from_values``, so values and errors are
always the per-row ones. A batch of several rows is decoded column by column when every
selected column has a column decoder (:mod:`cql.dml.column_decoders`): one struct call
for all the bigints of a column, one ``map`` of ``bytes.decode`` for its texts, the output
tuples zipped together, with no Python-level step per row.
"""

from __future__ import annotations

import struct
from itertools import repeat
from operator import itemgetter

from cassalite.storage.model import ComplexColumn
from cql.cells import decode_complex, partition_key_values
from cql.schema.metadata import CLUSTERING, PARTITION_KEY
from cql.types import native
from cql.types.comparable import SEP, TERMINATOR, clustering_decoder

from .column_decoders import cell_decoder, int_clustering_decoder
from .selection import ColumnSelector

PK, CK, CELL = 0, 1, 2

# Value bytes -> value, inline, for the usual types (the rest calls the type's decoder):
# what ``_des`` gives for well-formed non-empty bytes; anything else raises, and the batch
# is redone value by value.
_INLINE = {
    native.BIGINT: "_u{i}({a})[0]",
    native.INT: "_u{i}({a})[0]",
    native.SMALLINT: "_u{i}({a})[0]",
    native.TINYINT: "_u{i}({a})[0]",
    native.DOUBLE: "_u{i}({a})[0]",
    native.FLOAT: "_u{i}({a})[0]",
    native.TEXT: "{a}.decode()",
    native.ASCII: "{a}.decode('ascii')",
    native.BLOB: "{a}",
}


def _inline(ctype) -> str | None:
    """The inline decoding template of ``ctype`` (same class and name: COUNTER is not
    BIGINT), or None."""
    for known, template in _INLINE.items():
        if ctype is known:
            return template
    return None


def column_spec(selectors: list) -> list | None:
    """(source, key, column, deserialize) per output value, or None unless every selector
    is a bare column."""
    spec = []
    for sel in selectors:
        if type(sel) is not ColumnSelector:
            return None
        col = sel.column
        if col.kind == PARTITION_KEY:
            spec.append((PK, col.position, col, col.type.deserialize))
        elif col.kind == CLUSTERING:
            spec.append((CK, col.position, col, col.type.deserialize))
        else:
            spec.append((CELL, col.name, col, col.type.deserialize))
    return spec


def needs(spec: list, source: int) -> bool:
    return any(s[0] == source for s in spec)


def partition_key_decoder(table):
    """``partition_key_values`` of ``table`` with the usual single-component keys (an
    integer, a text) decoded inline; anything else (an empty key, a composite) the
    general way."""
    types = table.partition_key_types
    template = _inline(types[0]) if len(types) == 1 else None
    if template is None or template == "{a}":
        return lambda pk: partition_key_values(table, pk)
    env = {"_general": lambda pk: partition_key_values(table, pk)}
    if hasattr(types[0], "_struct"):
        env["_u0"] = types[0]._struct.unpack
    src = ("def decode(pk):\n"
           "    if pk:\n"
           "        try:\n"
           f"            return [{template.format(i=0, a='pk')}]\n"
           "        except Exception:\n"
           "            pass\n"
           "    return _general(pk)\n")
    exec(src, env)  # noqa: S102 - the source names positions only, never a value
    return env["decode"]


class RowBuilder:
    """The output tuples of storage rows, compiled for one selection of one table.

    ``names``: the cell columns the selection reads, in the order a projected read
    (``StorageEngine.read_rows``) is asked for them. ``from_values(pkv, ck, values)``
    takes one row of such a read (value bytes, a ComplexColumn or None per name; see
    ``row_values`` for a storage row's); ``rows(pkv, rows, row_type=None)`` a list of
    ``(ck, values)``, its output rows made as ``row_type`` (a tuple subclass: the
    session's named tuple) when given, with no intermediate tuple on the column-by-column
    path; ``pkv`` is the partition key's decoded components (``pk_values(pk)``), ``ck``
    the row's clustering bytes.
    """

    __slots__ = ("names", "from_values", "rows", "needs_pk", "pk_values")

    def __init__(self, spec: list, table) -> None:
        names: list[str] = []
        for src, key, _, _ in spec:
            if src == CELL and key not in names:
                names.append(key)
        self.names = tuple(names)
        self.needs_pk = needs(spec, PK)
        self.pk_values = partition_key_decoder(table)
        env: dict = {}
        uses_ck = needs(spec, CK)
        if uses_ck:
            env["_ckd"] = clustering_decoder(table.clustering_types, table.clustering_reversed)
        general, fast = [], []
        for src, key, col, deserialize in spec:
            if src == PK:
                general.append(f"pkv[{key}]")
                fast.append(f"p{key}")
            elif src == CK:
                general.append(f"c[{key}]")
                fast.append(f"c{key}")
            else:
                i = names.index(key)
                env[f"_d{i}"] = col.type._des
                env[f"_f{i}"] = deserialize
                env[f"_x{i}"] = lambda data, col=col, des=deserialize: (
                    decode_complex(col, data) if type(data) is ComplexColumn else des(data))
                a = f"a{i}"
                slow = (f"(None if {a} is None else _x{i}({a}) if type({a}) is not bytes"
                        f" else _d{i}({a}, False) if {a} else _f{i}({a}))")
                general.append(slow)
                template = _inline(col.type)
                if template is None:
                    fast.append(slow)
                    continue
                struct_ = getattr(col.type, "_struct", None)
                if struct_ is not None:
                    env[f"_u{i}"] = struct_.unpack
                fast.append(f"({template.format(i=i, a=a)} if type({a}) is bytes and {a}"
                            f" else {slow})")
        targets = "".join(f"a{i}, " for i in range(len(names)))
        comma = "," if len(spec) == 1 else ""
        src = ("def from_values(pkv, ck, values):\n"
               + ("    c = _ckd(ck)\n" if uses_ck else "")
               + (f"    {targets}= values\n" if names else "")
               + f"    return ({', '.join(general)}{comma})\n")
        pk_keys = sorted({k for s, k, _, _ in spec if s == PK})
        ck_keys = sorted({k for s, k, _, _ in spec if s == CK})
        ck_value = _inline_clustering(table, env) if ck_keys else None
        if ck_value is not None:  # c0 computed inline in the output tuple
            fast = [ck_value if f == "c0" else f for f in fast]
        loop = f"for ck, ({targets}) in rows" if names else "for ck, _ in rows"
        if ck_keys and ck_value is None:
            loop += " for c in (_ckd(ck),)"
            fast = [f"c[{f[1:]}]" if f[:1] == "c" and f[1:].isdigit() else f for f in fast]
        columns = _column_source(spec, names, table, env)
        one = (f"ck, ({targets}) = rows[0]" if names else "ck = rows[0][0]") + (
            "; c = _ckd(ck)" if ck_keys and ck_value is None else "")
        env["_new"] = tuple.__new__
        src += ("def rows(pkv, rows, row_type=None):\n"
                "    try:\n"
                + "".join(f"        p{k} = pkv[{k}]\n" for k in pk_keys)
                + "        if len(rows) == 1:  # a point read's row: no comprehension\n"
                f"            {one}\n"
                f"            row = ({', '.join(fast)}{comma})\n"
                "            return [row if row_type is None else _new(row_type, row)]\n"
                + (f"        if len(rows) >= {BATCH}:\n{columns}" if columns else "")
                + f"        made = [({', '.join(fast)}{comma}) {loop}]\n"
                "    except Exception:  # redone row by row: the general decoders' values, errors\n"
                "        made = [from_values(pkv, ck, values) for ck, values in rows]\n"
                "    return made if row_type is None else"
                " _list(_map(_new, _repeat(row_type), made))\n")
        env["_repeat"], env["_list"], env["_map"] = repeat, list, map
        exec(src, env)  # noqa: S102 - the source names positions only, never a value
        self.from_values = env["from_values"]
        self.rows = env["rows"]


#: rows from which a batch is decoded column by column (fewer: row by row is cheaper)
BATCH = 4


def _column_source(spec: list, names: tuple, table, env: dict) -> str:
    """The statements of ``rows`` building a batch column by column (see
    :mod:`cql.dml.column_decoders`), indented for its ``if``; "" when a selected column
    has no whole-column decoder (the batch is then built row by row)."""
    if not names:
        return ""
    decoders = {}
    for src, key, col, _ in spec:
        if src == CELL:
            decoders[key] = cell_decoder(col.type)
            if decoders[key] is None:
                return ""
    env["_zip"] = zip
    lines = ["cks, values = _zip(*rows)",
             f"{''.join(f'a{i}s, ' for i in range(len(names)))}= _zip(*values, strict=True)"]
    uses = [key for src, key, _, _ in spec if src == CELL]
    for i, name in enumerate(names):
        env[f"_col{i}"] = decoders[name]
        many = uses.count(name) > 1  # a map is read once: a repeated column is a list
        lines.append(f"d{i} = _list(_col{i}(a{i}s))" if many else f"d{i} = _col{i}(a{i}s)")
    ck_keys = sorted({k for s, k, _, _ in spec if s == CK})
    types = table.clustering_types
    size = getattr(types[0], "signed_comparable_size", None) if len(types) == 1 else None
    if ck_keys and size is not None:
        env["_ckcol"] = int_clustering_decoder(size, bool(table.clustering_reversed[0]))
        lines.append("c0 = _ckcol(cks)")  # a tuple: read as often as selected
        ck_value = {0: "c0"}
    else:
        if ck_keys:
            lines.append("cs = _list(_map(_ckd, cks))")
        ck_value = {}
        for k in ck_keys:
            env[f"_g{k}"] = itemgetter(k)
            ck_value[k] = f"_map(_g{k}, cs)"
    out = []
    for src, key, _, _ in spec:
        if src == PK:
            out.append(f"_repeat(p{key})")
        elif src == CK:
            out.append(ck_value[key])
        else:
            out.append(f"d{names.index(key)}")
    zipped = f"_zip({', '.join(out)})"
    # made as row_type straight from zip's tuple (which zip then reuses): one tuple a row
    lines += ["if row_type is None:", f"    return _list({zipped})",
              f"return _list(_map(_new, _repeat(row_type), {zipped}))"]
    return "".join(f"            {line}\n" for line in lines)


def _inline_clustering(table, env: dict) -> str | None:
    """The expression of ``rows`` giving the value of a single fixed-width integer
    clustering column from the row key ``ck`` (SEP, the biased or inverted value,
    TERMINATOR; the general decoder reads anything else); None for other clusterings."""
    types = table.clustering_types
    size = getattr(types[0], "signed_comparable_size", None) if len(types) == 1 else None
    if size is None:
        return None
    env["_cu"] = struct.Struct({1: ">B", 2: ">H", 4: ">I", 8: ">Q"}[size]).unpack_from
    bias = 1 << (size * 8 - 1)
    # DESC: the bytes of v + bias inverted, i.e. those of bias - 1 - v
    value = f"{bias - 1} - _cu(ck, 1)[0]" if table.clustering_reversed[0] \
        else f"_cu(ck, 1)[0] - {bias}"
    return (f"({value} if ck[0] == {SEP} and ck[{size + 1}] == {TERMINATOR}"
            " else _ckd(ck)[0])")
