"""``--verify``: for every table and token range, the row count and a digest of the rows
(key, values and write timestamps, in token order) on both sides; any range that differs
is reported with both counts."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cql.vocabulary import quote_name

from .ranges import TokenRange, split_ring
from .schema import Table


@dataclass(frozen=True)
class RangeDigest:
    rows: int
    digest: str


@dataclass(frozen=True)
class Mismatch:
    table: str
    range: TokenRange
    source: RangeDigest
    target: RangeDigest

    def __str__(self) -> str:
        what = "row counts differ" if self.source.rows != self.target.rows else "digests differ"
        return (f"{self.table} range {self.range.index} {self.range}: {what} (source "
                f"{self.source.rows} rows, target {self.target.rows} rows)")


def _query(table: Table) -> tuple[str, str]:
    q = quote_name
    parts = [q(c.name) for c in table.primary_key]
    for c in table.values:
        parts.append(q(c.name))
        if c.type != "counter":
            parts.append(f"WRITETIME({q(c.name)})")
    token_of = f"token({', '.join(q(c.name) for c in table.partition_key)})"
    return (f"SELECT {', '.join(parts)} FROM {q(table.keyspace)}.{q(table.name)} WHERE ",
            token_of)


def range_digest(session: Any, table: Table, rng: TokenRange) -> RangeDigest:
    select, token_of = _query(table)
    where, bounds = rng.where(token_of)
    h = hashlib.sha256()
    rows = 0
    for row in session.execute(select + where, bounds, fetch_size=1000):
        row = tuple(row.values()) if isinstance(row, dict) else tuple(row)
        h.update(repr(row).encode())
        h.update(b"\n")
        rows += 1
    return RangeDigest(rows, h.hexdigest())


def verify(source: Any, target: Any, tables: list[Table], ranges: int = 64,
           workers: int = 4) -> tuple[int, list[Mismatch]]:
    """(rows compared on the source, the ranges that differ)."""
    units = [(t, r) for t in tables for r in split_ring(ranges)]

    def one(unit: tuple[Table, TokenRange]) -> tuple[int, Mismatch | None]:
        t, r = unit
        a, b = range_digest(source, t, r), range_digest(target, t, r)
        return a.rows, (None if a == b else Mismatch(t.qualified, r, a, b))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, units))
    return sum(n for n, _ in results), [m for _, m in results if m is not None]
