"""A storage engine on RocksDB (through the optional ``rocksdict`` package).

RocksDB stores bytes under bytes keys; we store one value per partition: key =
``table_id + NUL + decorated key``, value = the partition in the LSM engine's encoding
(``storage.lsm.encoding``). A write reads the stored partition, folds the update in with
the model's reconciliation, drops tombstones past ``gc_grace_seconds`` (safe: the whole
partition is in this one value), and writes it back in a WriteBatch, so a list of
mutations is atomic. RocksDB's own WAL gives durability (``sync=True`` fsyncs each batch).

This trades write cost (read-modify-write of the partition) for simplicity; it suits small
partitions. The LSM engine is the default.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from .engine import FULL_RANGE, KeyRange, Slices, StorageEngine, TableInfo, now_seconds
from .lsm.compaction import purge_partition
from .lsm.encoding import encode_partition, safe_decode_partition
from .lsm.options import TableOptions
from .model import Mutation, Partition, PartitionView, merge_partition_into, view_partition
from .murmur3 import decorate

_MAX_TS = (1 << 63) - 1


class RocksEngine(StorageEngine):
    def __init__(self, path: str, *, sync: bool = False):
        try:
            from rocksdict import Options, Rdict, WriteBatch, WriteOptions
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("the RocksDB engine needs the 'rocksdict' package "
                               "(pip install cassalite[rocks])") from exc
        self._WriteBatch = WriteBatch
        opts = Options(raw_mode=True)
        opts.create_if_missing(True)
        self._db = Rdict(path, options=opts)
        self._write_opts = WriteOptions()
        self._write_opts.sync = sync
        self._infos: dict[str, TableInfo] = {}
        self._opts: dict[str, TableOptions] = {}
        self._lock = threading.RLock()

    @staticmethod
    def _prefix(table_id: str) -> bytes:
        return table_id.encode() + b"\x00"

    def _check(self, table_id: str) -> bytes:
        if table_id not in self._infos:
            raise KeyError(f"unknown table id {table_id}")
        return self._prefix(table_id)

    # ------------------------------------------------------------ schema

    def create_table(self, table: TableInfo) -> None:
        with self._lock:
            self._infos[table.table_id] = table
            self._opts[table.table_id] = TableOptions(table.options)

    alter_table = create_table

    def drop_table(self, table_id: str) -> None:
        with self._lock:
            if table_id in self._infos:
                self.truncate(table_id)
            self._infos.pop(table_id, None)
            self._opts.pop(table_id, None)

    def truncate(self, table_id: str) -> None:
        prefix = self._check(table_id)
        with self._lock:
            self._db.delete_range(prefix, prefix[:-1] + b"\x01")

    # ------------------------------------------------------------ writes

    def apply(self, mutations: list[Mutation]) -> None:
        now = int(time.time())
        with self._lock:
            pending: dict[bytes, Partition] = {}
            for m in mutations:
                key = self._check(m.table_id) + decorate(m.pk)
                current = pending.get(key)
                if current is None:
                    raw = self._db.get(key)
                    current = safe_decode_partition(raw)[0] if raw is not None else Partition()
                    pending[key] = current
                merge_partition_into(current, m.update)
                gc_before = now - self._opts[m.table_id].gc_grace_seconds
                pending[key] = purge_partition(current, gc_before, _MAX_TS, now) or Partition()
            batch = self._WriteBatch(raw_mode=True)
            for key, p in pending.items():
                if p.is_empty():
                    batch.delete(key)
                else:
                    batch.put(key, encode_partition(p))
            self._db.write(batch, write_opt=self._write_opts)

    # ------------------------------------------------------------ reads

    def read_partition(self, table_id: str, pk: bytes, slices: Slices = None,
                       reverse: bool = False, now: int | None = None,
                       limit: int | None = None) -> PartitionView | None:
        raw = self._db.get(self._check(table_id) + decorate(pk))
        if raw is None:
            return None
        p = safe_decode_partition(raw)[0]
        return view_partition(pk, p, slices, reverse, now if now is not None else now_seconds(),
                              limit)

    def scan(self, table_id: str, key_range: KeyRange = FULL_RANGE, slices: Slices = None,
             now: int | None = None) -> Iterator[PartitionView]:
        prefix = self._check(table_id)
        now = now if now is not None else now_seconds()
        it = self._db.iter()
        it.seek(prefix + (key_range.start or b""))
        n = len(prefix)
        while it.valid():
            key = it.key()
            if not key.startswith(prefix):
                return
            dk = key[n:]
            if not key_range.contains(dk):
                if key_range.end is not None and dk > key_range.end:
                    return
                it.next()
                continue
            view = view_partition(dk[8:], safe_decode_partition(it.value())[0], slices, False,
                                  now)
            if view is not None:
                yield view
            it.next()

    # ------------------------------------------------------------ maintenance

    def flush(self, table_id: str | None = None) -> None:
        self._db.flush()

    def compact(self, table_id: str | None = None) -> None:
        if table_id is None:
            self._db.compact_range(None, None)
        else:
            prefix = self._check(table_id)
            self._db.compact_range(prefix, prefix[:-1] + b"\x01")

    def close(self) -> None:
        self._db.close()
