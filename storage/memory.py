"""The in-memory engine: sorted containers only; the reference model for every other engine."""

from __future__ import annotations

import threading
from typing import Iterator

from sortedcontainers import SortedDict

from . import tracing
from .engine import FULL_RANGE, KeyRange, Slices, StorageEngine, TableInfo, now_seconds
from .model import (
    Mutation,
    Partition,
    PartitionView,
    Row,
    live_row_values,
    merge_partition_into,
    view_partition,
)
from .murmur3 import decorate
from .rowput import put_row
from .sdict import sorted_rows


class MemoryEngine(StorageEngine):
    def __init__(self) -> None:
        self._tables: dict[str, SortedDict] = {}
        self._infos: dict[str, TableInfo] = {}
        self._lock = threading.RLock()

    def create_table(self, table: TableInfo) -> None:
        with self._lock:
            self._tables.setdefault(table.table_id, SortedDict())
            self._infos[table.table_id] = table

    def alter_table(self, table: TableInfo) -> None:
        with self._lock:
            self._infos[table.table_id] = table

    def drop_table(self, table_id: str) -> None:
        with self._lock:
            self._tables.pop(table_id, None)
            self._infos.pop(table_id, None)

    def truncate(self, table_id: str) -> None:
        with self._lock:
            if table_id in self._tables:
                self._tables[table_id] = SortedDict()

    def _partitions(self, table_id: str) -> SortedDict:
        try:
            return self._tables[table_id]
        except KeyError:
            raise KeyError(f"unknown table id {table_id}") from None

    def apply(self, mutations: list[Mutation]) -> None:
        with self._lock:
            for m in mutations:
                parts = self._partitions(m.table_id)
                dk = decorate(m.pk)
                existing = parts.get(dk)
                if existing is None:
                    update = m.update
                    if type(update.rows) is dict:
                        update.rows = sorted_rows(update.rows)
                    parts[dk] = update
                else:
                    merge_partition_into(existing, m.update, owned=True)
        if tracing.current() is not None:
            for table_id in dict.fromkeys(m.table_id for m in mutations):
                self._trace_write(table_id)

    def write_row(self, table_id: str, pk: bytes, ck: bytes, row: Row) -> None:
        """``apply`` of the one-row mutation, without building it."""
        with self._lock:
            put_row(self._partitions(table_id), decorate(pk), ck, row)
        if tracing.current() is not None:
            self._trace_write(table_id)

    def _trace_write(self, table_id: str) -> None:
        info = self._infos.get(table_id)
        name = f"{info.keyspace}.{info.name}" if info else table_id
        tracing.trace("Merged into the in-memory partitions of {}", name,
                      stage=tracing.MUTATION)

    def read_partition(
        self,
        table_id: str,
        pk: bytes,
        slices: Slices = None,
        reverse: bool = False,
        now: int | None = None,
        limit: int | None = None,
    ) -> PartitionView | None:
        return self._read(table_id, pk, slices, reverse, now, limit, None)

    def _read(self, table_id: str, pk: bytes, slices: Slices, reverse: bool, now: int | None,
              limit: int | None, columns: tuple[str, ...] | None) -> PartitionView | None:
        with self._lock:
            partition = self._partitions(table_id).get(decorate(pk))
            if partition is None:
                tracing.trace("Partition not found in memory", stage=tracing.READ)
                return None
            tracing.trace("Reading the partition from memory", stage=tracing.READ)
            return view_partition(
                pk, partition, slices, reverse, now if now is not None else now_seconds(), limit,
                columns
            )

    def read_rows(
        self,
        table_id: str,
        pk: bytes,
        slices: Slices = None,
        reverse: bool = False,
        now: int | None = None,
        limit: int | None = None,
        *,
        columns: tuple[str, ...],
    ) -> PartitionView | None:
        if slices is not None and len(slices) == 1 and tracing.current() is None:
            lo, hi = slices[0]
            if hi is not None and len(hi) == len(lo) + 1 and hi[-1] == 0 and hi.startswith(lo):
                return self._read_row(table_id, pk, lo, now, columns)
        return self._read(table_id, pk, slices, reverse, now, limit, columns)

    def _read_row(self, table_id: str, pk: bytes, ck: bytes, now: int | None,
                  columns: tuple[str, ...]) -> PartitionView | None:
        """The projected read of one row key (``[ck, ck + 0x00)``), untraced: a dict lookup
        and the row purged, without walking a slice."""
        with self._lock:
            partition = self._partitions(table_id).get(decorate(pk))
            if partition is None:
                return None
            row = partition.rows.get(ck)
            if row is None:
                return None
            values = live_row_values(ck, row, partition.deletion, partition.range_tombstones,
                                     now if now is not None else now_seconds(), columns)
        if values is None:
            return None
        # tuple.__new__: the NamedTuple's own __new__ is a Python call
        return tuple.__new__(PartitionView, (pk, None, [(ck, values)]))

    def scan_rows(
        self,
        table_id: str,
        key_range: KeyRange = FULL_RANGE,
        slices: Slices = None,
        now: int | None = None,
        *,
        columns: tuple[str, ...],
    ) -> Iterator[PartitionView]:
        return self._scan(table_id, key_range, slices, now, columns)

    def scan(
        self,
        table_id: str,
        key_range: KeyRange = FULL_RANGE,
        slices: Slices = None,
        now: int | None = None,
    ) -> Iterator[PartitionView]:
        return self._scan(table_id, key_range, slices, now, None)

    def _scan(self, table_id: str, key_range: KeyRange, slices: Slices, now: int | None,
              columns: tuple[str, ...] | None) -> Iterator[PartitionView]:
        now = now if now is not None else now_seconds()
        parts = self._partitions(table_id)
        lo, hi = key_range.start, key_range.end
        with self._lock:
            keys = list(
                parts.irange(
                    lo, hi, inclusive=(key_range.start_inclusive, key_range.end_inclusive)
                )
            )
        tracing.trace("Scanning {} in-memory partitions in the range", len(keys),
                      stage=tracing.READ)
        for dk in keys:
            with self._lock:
                partition: Partition | None = parts.get(dk)
                if partition is None:
                    continue
                view = view_partition(dk[8:], partition, slices, False, now, None, columns)
            if view is not None:
                yield view
