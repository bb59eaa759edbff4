"""Output rows of a plain column selection, built straight from storage rows.

When every selector is a bare column, each output value is a partition key component, a
clustering component or one cell, so a row needs none of the general per-row machinery
(selectors, filtering, formatting). SELECT's fast path, point reads and ANN candidate
reads share this.
"""

from __future__ import annotations

from typing import Any

from cassalite.storage.model import Cell
from cql.cells import decode_cell_value
from cql.schema.metadata import CLUSTERING, PARTITION_KEY

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


def build_row(spec: list, cells: dict, pkv: Any, ckv: Any) -> tuple:
    """The output tuple of one storage row (``pkv``/``ckv``: its decoded key components)."""
    out = []
    for src, key, col, deserialize in spec:
        if src == CELL:
            data = cells.get(key)
            if data is None:
                out.append(None)
            elif type(data) is Cell:
                v = data.value
                out.append(None if v is None else deserialize(v))
            else:
                out.append(decode_cell_value(col, data))
        elif src == PK:
            out.append(pkv[key])
        else:
            out.append(ckv[key])
    return tuple(out)
