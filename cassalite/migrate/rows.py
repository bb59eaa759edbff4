"""One token range of one table: read with the WRITETIME and TTL of every cell, written
back with ``USING TIMESTAMP`` / ``TTL`` so that reconciliation on the target sees the same
cells the source has.

* Columns of one row sharing a (timestamp, TTL) go in one INSERT; static columns are
  written once per partition, with the partition key only.
* Non-frozen sets and maps are written element by element (``c = c + ...``), grouped by
  each element's own timestamp and TTL; lists are appended run by run, in order.
* Counters are written as the delta between the source's value and the target's, so a
  range redone after a kill does not count twice. In a range an earlier run began, a list
  the target already holds is not appended again.
* TTLs are the seconds left when read: a cell expires on the target when it would have on
  the source, to the second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cql.vocabulary import quote_name

from .ranges import TokenRange
from .schema import Table

PAGE = 1000


def _kind(type_name: str) -> str:
    if type_name == "counter":
        return "counter"
    for prefix in ("set<", "map<", "list<"):
        if type_name.startswith(prefix):
            return prefix[:-1]
    return "plain"


def _size(ctype: Any, value: Any) -> int:
    if value is None:
        return 0
    try:
        return len(ctype.serialize(value))
    except Exception:  # noqa: BLE001 - a size estimate only
        return len(repr(value))


def _runs(pairs: list[tuple[Any, tuple]]) -> list[tuple[tuple, list[Any]]]:
    """Consecutive elements with the same (timestamp, ttl)."""
    out: list[tuple[tuple, list[Any]]] = []
    for element, stamp in pairs:
        if out and out[-1][0] == stamp:
            out[-1][1].append(element)
        else:
            out.append((stamp, [element]))
    return out


class RangeCopier:
    """Copies ranges of one table from ``source`` to ``target`` (both cql sessions)."""

    def __init__(self, source: Any, target: Any, table: Table):
        self.source, self.target, self.table = source, target, table
        q = quote_name
        self.name = f"{q(table.keyspace)}.{q(table.name)}"
        self.key = table.primary_key
        self.pk = table.partition_key
        self.values = table.values
        self.kinds = {c.name: _kind(c.type) for c in self.values}
        parts = [q(c.name) for c in self.key]
        for c in self.values:
            parts.append(q(c.name))
            if self.kinds[c.name] != "counter":
                parts += [f"WRITETIME({q(c.name)})", f"TTL({q(c.name)})"]
        self.token_of = f"token({', '.join(q(c.name) for c in self.pk)})"
        self.select = f"SELECT {', '.join(parts)} FROM {self.name} WHERE "
        self.key_where = " AND ".join(f"{q(c.name)} = ?" for c in self.key)
        self.pk_where = " AND ".join(f"{q(c.name)} = ?" for c in self.pk)
        self._prepared: dict[str, Any] = {}

    # ---- reading --------------------------------------------------------------------------

    def read(self, rng: TokenRange) -> Any:
        where, bounds = rng.where(self.token_of)
        return self.source.execute(self.select + where, bounds, fetch_size=PAGE)

    def _stmt(self, text: str) -> Any:
        prepared = self._prepared.get(text)
        if prepared is None:
            prepared = self._prepared[text] = self.target.prepare(text)
        return prepared

    # ---- writing --------------------------------------------------------------------------

    def copy(self, rng: TokenRange, *, redo: bool = False,
             on_rows: Callable[[int, int], None] | None = None) -> int:
        """Copy one range; ``redo``: an earlier run began it. Returns the rows copied."""
        rs = self.read(rng)
        types = rs.column_types
        rows = 0
        last_pk: tuple | None = None
        pending_rows = pending_bytes = 0
        nkey, npk = len(self.key), len(self.pk)
        for row in rs:
            row = tuple(row.values()) if isinstance(row, dict) else tuple(row)
            key = row[:nkey]
            static_only = any(v is None for v in key[npk:])
            nbytes = sum(_size(t, v) for t, v in zip(types, row))
            cells = self._cells(row)
            first_of_partition = key[:npk] != last_pk
            last_pk = key[:npk]
            if self.table.is_counter:
                self._counters(key, cells, static_only, first_of_partition)
            else:
                self._write(key, cells, static_only, first_of_partition, redo)
            rows += 1
            pending_rows += 1
            pending_bytes += nbytes
            if on_rows is not None and pending_rows >= 100:
                on_rows(pending_rows, pending_bytes)
                pending_rows = pending_bytes = 0
        if on_rows is not None and pending_rows:
            on_rows(pending_rows, pending_bytes)
        return rows

    def _cells(self, row: tuple) -> list[tuple[Any, Any, Any, Any]]:
        """(column, value, writetime, ttl) of the row's non-null values."""
        out = []
        i = len(self.key)
        for c in self.values:
            if self.kinds[c.name] == "counter":
                value, ts, ttl = row[i], None, None
                i += 1
            else:
                value, ts, ttl = row[i], row[i + 1], row[i + 2]
                i += 3
            if value is not None:
                out.append((c, value, ts, ttl))
        return out

    def _write(self, key: tuple, cells: list, static_only: bool, first_of_partition: bool,
               redo: bool) -> None:
        q = quote_name
        pk = key[:len(self.pk)]
        groups: dict[tuple[bool, int, int], list[tuple[str, Any]]] = {}
        collections = []
        for c, value, ts, ttl in cells:
            static = c.kind == "static"
            if static and not first_of_partition:
                continue  # a partition's statics come with each of its rows: write once
            kind = self.kinds[c.name]
            if kind == "plain":
                if isinstance(ts, list):  # a non-frozen UDT: one timestamp per field
                    ts = max(t for t in ts if t is not None)
                    ttl = next((t for t in ttl if t), None) if isinstance(ttl, list) else ttl
                groups.setdefault((static, ts, ttl or 0), []).append((c.name, value))
            else:
                collections.append((c, value, ts, ttl))
        regular = any(not s for s, _, _ in groups) or \
            any(c.kind != "static" for c, _, _, _ in collections)
        if not static_only and not regular:
            # no regular cell: the row exists through its primary key alone
            names = ", ".join(q(c.name) for c in self.key)
            marks = ", ".join("?" for _ in self.key)
            self.target.execute(self._stmt(f"INSERT INTO {self.name} ({names}) VALUES "
                                           f"({marks})"), list(key))
        for (static, ts, ttl), cols in groups.items():
            if static_only and not static:
                continue
            keys = self.pk if static else self.key
            names = [q(c.name) for c in keys] + [q(n) for n, _ in cols]
            text = (f"INSERT INTO {self.name} ({', '.join(names)}) VALUES "
                    f"({', '.join('?' for _ in names)}) USING TIMESTAMP ? AND TTL ?")
            values = list(pk if static else key) + [v for _, v in cols] + [ts, ttl]
            self.target.execute(self._stmt(text), values)
        for c, value, ts, ttl in collections:
            if static_only and c.kind != "static":
                continue
            self._collection(c, value, ts, ttl, pk if c.kind == "static" else key, redo)

    def _collection(self, c: Any, value: Any, ts: Any, ttl: Any, key: tuple,
                    redo: bool) -> None:
        q = quote_name
        kind = self.kinds[c.name]
        where = self.pk_where if c.kind == "static" else self.key_where
        if kind == "list" and redo:
            current = self.target.execute(
                f"SELECT {q(c.name)} FROM {self.name} WHERE {where}", list(key)).one()
            if current is not None and list(current[0] or []) == list(value):
                return  # appended by the run that was killed
        elements = list(value.items()) if kind == "map" else list(value)
        stamps = list(zip(ts if isinstance(ts, list) else [ts] * len(elements),
                          ttl if isinstance(ttl, list) else [ttl] * len(elements)))
        text = (f"UPDATE {self.name} USING TIMESTAMP ? AND TTL ? SET {q(c.name)} = "
                f"{q(c.name)} + ? WHERE {where}")
        for (stamp, ttl_), run in _runs(list(zip(elements, stamps))):
            if kind == "map":
                part: Any = dict(run)
            elif kind == "set":
                part = set(run)
            else:
                part = run
            self.target.execute(self._stmt(text), [stamp, ttl_ or 0, part, *key])

    def _counters(self, key: tuple, cells: list, static_only: bool,
                  first_of_partition: bool) -> None:
        q = quote_name
        pk = key[:len(self.pk)]
        for c, value, _, _ in cells:
            static = c.kind == "static"
            if (static and not first_of_partition) or (static_only and not static):
                continue
            where, k = (self.pk_where, pk) if static else (self.key_where, key)
            current = self.target.execute(
                self._stmt(f"SELECT {q(c.name)} FROM {self.name} WHERE {where}"), list(k)).one()
            have = (current[0] if current is not None else None) or 0
            if value != have:
                self.target.execute(self._stmt(
                    f"UPDATE {self.name} SET {q(c.name)} = {q(c.name)} + ? WHERE {where}"),
                    [value - have, *k])
