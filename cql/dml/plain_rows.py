"""Output rows of a plain column selection, built straight from storage rows.

When every selector is a bare column, each output value is a partition key component, a
clustering component or one cell, so a row needs none of the general per-row machinery
(selectors, filtering, formatting). SELECT's fast path, point reads and ANN candidate
reads share this.

:func:`row_builder` compiles, once per plan, a function that makes the output tuple of a
row in one step: the column positions, each column's decoder and the clustering decoder
are bound when the plan is prepared, not looked up per row or per cell.
"""

from __future__ import annotations

from cassalite.storage.model import ComplexColumn
from cql.cells import decode_complex
from cql.schema.metadata import CLUSTERING, PARTITION_KEY
from cql.types.comparable import clustering_decoder

from .selection import ColumnSelector

PK, CK, CELL = 0, 1, 2


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


class RowBuilder:
    """The output tuple of a storage row, compiled for one selection of one table.

    ``names``: the cell columns the selection reads, in the order a projected read
    (``StorageEngine.read_rows``) is asked for them. ``from_values(pkv, ck, values)``
    takes such a read's values (value bytes, a ComplexColumn or None per name; see
    ``row_values`` for a storage row's); ``pkv`` is the partition key's decoded
    components, ``ck`` the row's clustering bytes.
    """

    __slots__ = ("names", "from_values", "needs_pk")

    def __init__(self, spec: list, table) -> None:
        names: list[str] = []
        for src, key, _, _ in spec:
            if src == CELL and key not in names:
                names.append(key)
        self.names = tuple(names)
        self.needs_pk = needs(spec, PK)
        env: dict = {}
        if needs(spec, CK):
            env["_ckd"] = clustering_decoder(table.clustering_types, table.clustering_reversed)
        out = []
        for src, key, col, deserialize in spec:
            if src == PK:
                out.append(f"pkv[{key}]")
            elif src == CK:
                out.append(f"c[{key}]")
            else:
                i = names.index(key)
                env[f"_d{i}"] = col.type._des
                env[f"_f{i}"] = deserialize
                env[f"_x{i}"] = lambda data, col=col, des=deserialize: (
                    decode_complex(col, data) if type(data) is ComplexColumn else des(data))
                out.append(f"(None if a{i} is None else _x{i}(a{i}) if type(a{i}) is not bytes"
                           f" else _d{i}(a{i}, False) if a{i} else _f{i}(a{i}))")
        ck_line = "    c = _ckd(ck)\n" if "_ckd" in env else ""
        ret = f"    return ({', '.join(out)}{',' if len(out) == 1 else ''})\n"
        unpack = "".join(f"a{i}, " for i in range(len(names)))
        src = "def from_values(pkv, ck, values):\n" + ck_line
        if names:
            src += f"    {unpack}= values\n"
        src += ret
        exec(src, env)  # noqa: S102 - the source names positions only, never a value
        self.from_values = env["from_values"]
