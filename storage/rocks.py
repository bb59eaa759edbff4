"""A storage engine on RocksDB (through the optional ``rocksdict`` package): one key per row.

Key layout (plain byte order is Cassandra's order, so RocksDB iterators serve slices)::

    table_id NUL | token (8 bytes, big-endian, sign flipped) | esc(pk) 00 00 | 01       header
    table_id NUL | token (8 bytes, big-endian, sign flipped) | esc(pk) 00 00 | 02 ck    one row

``esc`` doubles every 0x00 of the serialized partition key as ``00 FF``; the ``00 00``
terminator then makes partition prefixes prefix-free and keeps (token, key) order. ``ck`` is
the model's byte-comparable clustering key (reversed columns already invert their bytes), so
a slice ``[lo, hi)`` is the key range ``[P 02 lo, P 02 hi)``. The header holds what applies
to the whole partition: its deletion, range tombstones and static row. The header's value
is a row-less partition in the LSM engine's encoding (``storage.lsm.encoding``); a row's is
either plain (one timestamp, no TTL, tombstone or collection: flag, timestamp, then name and
value pairs) or general (flag, base timestamp, the LSM row body).

Writes read only the rows they touch (and the header when they touch it), reconcile them with
the model's rules, purge tombstones older than ``gc_grace_seconds`` from them (each key holds
the only version of its row, so this is safe), and write the results in one WriteBatch: a
list of mutations is atomic. A partition deletion or range tombstone leaves the header only
together with what it shadows: when one becomes droppable, the whole partition is purged
against it in the same batch (rows stored under it may still hold shadowed cells; reads
apply the header's deletions). What no write touches again is purged by reads: a row with
nothing live of its own goes once its tombstones are past gc_grace, and a header holding a
deletion past gc_grace gets the whole-partition purge. ``compact()`` runs that purge over
every partition, then RocksDB's compaction.

Reads use one RocksDB iterator, whose implicit snapshot makes a partition's header and rows
consistent without a lock; they seek to each slice and stop at ``limit`` live rows. A full
primary key is two gets under the write lock instead. Projected reads (``read_rows``,
``scan_rows``) take a plain row's values straight from its bytes: one timestamp means the
row is shadowed whole or not at all.

Besides the tables' keys, NUL-prefixed keys hold the format (``\\x00cassalite-format``) and
each registered table's ``TableInfo`` as JSON (``\\x00table\\x00`` + id), so that the
engine knows its tables before any schema does (``cassalite-nodetool``). The maintenance
verbs are ``storage.rocks_admin``.

Durability is RocksDB's WAL: ``commitlog_sync="batch"`` or ``"group"`` fsyncs every write
(RocksDB joins concurrent writers into one fsync); ``"periodic"`` writes the WAL to the OS on
every write (a process crash loses nothing) and fsyncs it every
``commitlog_sync_period_ms``.
"""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Iterator

from sortedcontainers import SortedDict

from . import tracing
from .engine import FULL_RANGE, KeyRange, Slices, StorageEngine, TableInfo, now_seconds
from .errors import CorruptionError, DirectoryLockedError
from .lsm.compaction import purge_gc_row, purge_partition
from .lsm.encoding import (
    encode_partition,
    get_row_body,
    get_uvarint,
    put_bytes,
    put_row_body,
    safe_decode_partition,
)
from .lsm.options import TableOptions
from .model import (
    NO_DELETION_TIME,
    NO_TTL,
    Cell,
    LivenessInfo,
    Mutation,
    Partition,
    PartitionView,
    Row,
    merge_partition_into,
    merged_row,
    purge_row,
    purged_row,
    row_values,
    shadowing,
    view_partition,
)
from .murmur3 import decorate

MIB = 1 << 20
_tnew = tuple.__new__
SYNC_MODES = ("periodic", "batch", "group")
_MAX_TS = (1 << 63) - 1
_FORMAT_KEY = b"\x00cassalite-format"  # table prefixes never start with NUL
_FORMAT = b"rows-1"
_TABLE_INFO = b"\x00table\x00"  # + table id: the table's TableInfo as JSON (for nodetool)
_HEADER = b"\x01"
_ROW = b"\x02"
_END = b"\x03"  # past every key of a partition


# ------------------------------------------------------------------------- keys


def partition_prefix(table_prefix: bytes, dk: bytes) -> bytes:
    """Every key of the partition with decorated key ``dk`` starts with this (and no other's)."""
    return table_prefix + dk[:8] + dk[8:].replace(b"\x00", b"\x00\xff") + b"\x00\x00"


def split_key(key: bytes, n: int) -> tuple[bytes, int]:
    """(decorated key, length of the partition prefix) of a key whose table prefix is ``n`` long."""
    end = key.index(b"\x00\x00", n + 8)  # escaped keys hold 00 only as 00 FF
    return key[n:n + 8] + key[n + 8:end].replace(b"\x00\xff", b"\x00"), end + 2


# ----------------------------------------------------------------------- values


_Q = struct.Struct(">q")
_PLAIN_LIVE = b"\x01"  # plain row with a row marker: flag, timestamp, (name, value)...
_PLAIN = b"\x02"  # the same without a marker (an UPDATE's row)
_GENERAL = b"\x00"  # anything else: flag, base timestamp, the LSM row body
_names: dict[bytes, str] = {}  # column names as stored -> str (tables have few columns)
_name_prefixes: dict[str, bytes] = {}  # str -> length-prefixed UTF-8


def _name_prefix(name: str) -> bytes:
    out = bytearray()
    put_bytes(out, name.encode())
    if len(_name_prefixes) < 10000:
        _name_prefixes[name] = bytes(out)
    return bytes(out)


def encode_row(row: Row) -> bytes:
    """A row's value. Most rows are plain (one timestamp, no TTL, no tombstone, no
    collection): they get a flat layout that decodes in a third of the general one's time."""
    liveness = row.liveness
    ts = None
    if row.deletion is None and (liveness is None or (
            liveness.ttl == NO_TTL and liveness.local_expiration_time == NO_DELETION_TIME)):
        ts = liveness.timestamp if liveness is not None else None
        out = bytearray(_PLAIN if liveness is None else _PLAIN_LIVE)
        out += bytes(8)
        for name, c in row.cells.items():
            if (type(c) is not Cell or c.value is None or c.ttl != NO_TTL
                    or c.local_deletion_time != NO_DELETION_TIME or c.timestamp != (
                        ts if ts is not None else c.timestamp)):
                break
            ts = c.timestamp
            prefix = _name_prefixes.get(name)
            if prefix is None:
                prefix = _name_prefix(name)
            out += prefix
            put_bytes(out, c.value)
        else:
            if ts is not None:
                out[1:9] = _Q.pack(ts)
                return bytes(out)
    base = liveness.timestamp if liveness is not None else 0
    out = bytearray(_GENERAL)
    out += _Q.pack(base)
    put_row_body(out, row, base)
    return bytes(out)


def _plain_values(buf: bytes) -> dict[str, bytes]:
    """The (name, value) pairs of a plain row's value."""
    pos = 9
    end = len(buf)
    values = {}
    while pos < end:
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(buf, pos)
        raw = buf[pos:pos + n]
        pos += n
        name = _names.get(raw)
        if name is None:
            name = str(raw, "utf-8")
            if len(_names) < 10000:
                _names[raw] = name
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(buf, pos)
        values[name] = buf[pos:pos + n]
        pos += n
    return values


_DECODE_ERRORS = (IndexError, ValueError, UnicodeDecodeError, OverflowError, struct.error)


def decode_row(buf: bytes, key: bytes, path: str) -> Row:
    try:
        kind = buf[0]
        ts = _Q.unpack_from(buf, 1)[0]
        if kind == 0:
            return get_row_body(buf, 9, ts)[0]
        row = Row.__new__(Row)
        row.cells = {name: _tnew(Cell, (value, ts, NO_TTL, NO_DELETION_TIME))
                     for name, value in _plain_values(buf).items()}
        row.liveness = _tnew(LivenessInfo, (ts, NO_TTL, NO_DELETION_TIME)) if kind == 1 else None
        row.deletion = None
        return row
    except _DECODE_ERRORS as exc:
        raise _malformed(path, key, exc) from None


def _malformed(path: str, key: bytes, exc: Exception) -> CorruptionError:
    return CorruptionError(path, detail=f"malformed row under key {key.hex()}: {exc}")


def read_values(buf: bytes, key: bytes, path: str, ck: bytes, pdel, rts, now: int,
                columns: tuple[str, ...]) -> list | None:
    """A projected read of one stored row: ``model.row_values`` of its live cells, or None
    when the row is not live. A plain row goes straight from its bytes to the values."""
    if buf[0] == 0:
        live = purged_row(ck, decode_row(buf, key, path), pdel, rts, now)
        return None if live is None else row_values(live.cells, columns)
    try:
        ts = _Q.unpack_from(buf, 1)[0]
        shadow = shadowing(ck, pdel, rts)
        if shadow is not None and ts <= shadow.marked_at:
            return None  # one timestamp: all of the row is shadowed or none of it
        values = _plain_values(buf)
    except _DECODE_ERRORS as exc:
        raise _malformed(path, key, exc) from None
    return [values.get(name) for name in columns]


def encode_header(p: Partition) -> bytes:
    return encode_partition(Partition(p.deletion, p.range_tombstones, p.static_row))


def decode_header(buf: bytes, key: bytes, path: str) -> Partition:
    try:
        return safe_decode_partition(buf)[0]
    except ValueError as exc:
        raise CorruptionError(path, detail=f"malformed header under key {key.hex()}: {exc}") \
            from None


def _gc_row(row: Row, gc_before: int, now: int) -> Row | None:
    """``row`` without tombstones older than ``gc_before``; rows holding none pass as they are."""
    if row.deletion is None and (row.liveness is None or row.liveness.ttl == NO_TTL):
        for data in row.cells.values():
            if type(data) is not Cell or data.value is None or data.ttl != NO_TTL:
                break
        else:
            return row if row.liveness is not None or row.cells else None
    return purge_gc_row(row, None, gc_before, _MAX_TS, now)


def _droppable(header: Partition, gc_before: int) -> bool:
    """Has the header a partition deletion or range tombstone past gc_grace?"""
    if header.deletion is not None and header.deletion.local_deletion_time < gc_before:
        return True
    return any(rt.deletion.local_deletion_time < gc_before for rt in header.range_tombstones)


def _drops_a_deletion(header: Partition, purged: Partition | None) -> bool:
    """Did purging ``header`` drop its partition deletion or a range tombstone?"""
    if header.deletion is not None and (purged is None or purged.deletion is None):
        return True
    kept = set(purged.range_tombstones) if purged is not None else set()
    return any(rt not in kept for rt in header.range_tombstones)


def _header_view(header: Partition | None, now: int, columns: tuple[str, ...] | None):
    """(partition deletion, range tombstones, live static row) of a partition's header;
    projected reads (``columns``) leave the static row out."""
    if header is None:
        return None, None, None
    static = None
    if header.static_row is not None and columns is None:
        static = purge_row(header.static_row, header.deletion, now)
    return header.deletion, header.range_tombstones, static


class _Table:
    __slots__ = ("info", "prefix", "end", "gc_grace")

    def __init__(self, info: TableInfo):
        self.info = info
        self.prefix = info.table_id.encode() + b"\x00"
        self.end = info.table_id.encode() + b"\x01"
        self.gc_grace = TableOptions(info.options).gc_grace_seconds


# ----------------------------------------------------------------------- engine


class RocksEngine(StorageEngine):
    def __init__(
        self,
        path: str,
        *,
        commitlog_sync: str = "periodic",
        commitlog_sync_period_ms: float = 10000,
        memtable_size_bytes: int = 64 * MIB,
    ):
        try:
            from rocksdict import Options, Rdict, WriteBatch, WriteOptions
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("the RocksDB engine needs the 'rocksdict' package "
                               "(pip install cassalite[rocks])") from exc
        if commitlog_sync not in SYNC_MODES:
            raise ValueError(f"commitlog_sync must be one of {SYNC_MODES}, not {commitlog_sync!r}")
        self.path = path
        self._WriteBatch = WriteBatch
        opts = Options(raw_mode=True)
        opts.create_if_missing(True)
        opts.set_write_buffer_size(int(memtable_size_bytes))
        try:
            self._db = Rdict(path, options=opts)
        except Exception as exc:  # rocksdict raises plain Exception for RocksDB errors
            if "LOCK" in str(exc):
                raise DirectoryLockedError(
                    f"data directory {path} is already in use by another RocksDB engine: "
                    f"{exc}") from None
            raise
        self._closed = False
        self._check_format()
        self._write_opts = WriteOptions()
        self._write_opts.sync = commitlog_sync != "periodic"
        self._db.set_write_options(self._write_opts)  # batches and truncates alike
        self._tables: dict[str, _Table] = {}
        self._load_tables()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._syncer = None
        if commitlog_sync == "periodic":
            self._syncer = threading.Thread(target=self._sync_wal,
                                            args=(commitlog_sync_period_ms / 1000,),
                                            name="cassalite-rocks-wal-sync", daemon=True)
            self._syncer.start()

    def _check_format(self) -> None:
        found = self._db.get(_FORMAT_KEY)
        if found == _FORMAT:
            return
        if found is None:
            it = self._db.iter()
            it.seek_to_first()
            if not it.valid():
                self._db.put(_FORMAT_KEY, _FORMAT)
                return
            del it
        self._db.close()
        self._closed = True
        raise CorruptionError(self.path, detail="not a one-key-per-row cassalite RocksDB "
                              f"database (format {found!r}, expected {_FORMAT!r})")

    def _sync_wal(self, period: float) -> None:
        while not self._stop.wait(period):
            self._db.flush_wal(True)

    def _table(self, table_id: str) -> _Table:
        try:
            return self._tables[table_id]
        except KeyError:
            raise KeyError(f"unknown table id {table_id}") from None

    # ------------------------------------------------------------ schema

    def _load_tables(self) -> None:
        """The tables registered before, so that nodetool knows them without a schema."""
        it = self._db.iter()
        it.seek(_TABLE_INFO)
        while it.valid() and it.key().startswith(_TABLE_INFO):
            table_id, keyspace, name, options = json.loads(it.value())
            self._tables[table_id] = _Table(TableInfo(table_id, keyspace, name, options))
            it.next()

    def create_table(self, table: TableInfo) -> None:
        with self._lock:
            self._tables[table.table_id] = _Table(table)
            self._db.put(_TABLE_INFO + table.table_id.encode(),
                         json.dumps(list(table), default=str).encode())

    alter_table = create_table

    def drop_table(self, table_id: str) -> None:
        with self._lock:
            if table_id in self._tables:
                self.truncate(table_id)
            self._tables.pop(table_id, None)
            self._db.delete(_TABLE_INFO + table_id.encode())

    def tables(self) -> list[TableInfo]:
        return [t.info for t in self._tables.values()]

    def truncate(self, table_id: str) -> None:
        t = self._table(table_id)
        with self._lock:
            self._db.delete_range(t.prefix, t.end)

    # ------------------------------------------------------------ writes

    def apply(self, mutations: list[Mutation]) -> None:
        now = now_seconds()
        db = self._db
        path = self.path
        with self._lock:
            rows: dict[bytes, Row | None] = {}  # key -> the row to store (None: delete)
            headers: dict[bytes, tuple[Partition, bytes, int]] = {}  # key -> (hdr, P, gc)
            for m in mutations:
                t = self._table(m.table_id)
                p = partition_prefix(t.prefix, decorate(m.pk))
                gc_before = now - t.gc_grace
                u = m.update
                if u.deletion is not None or u.range_tombstones or u.static_row is not None:
                    hk = p + _HEADER
                    entry = headers.get(hk)
                    if entry is None:
                        raw = db.get(hk)
                        header = Partition() if raw is None else decode_header(raw, hk, path)
                        headers[hk] = (header, p, gc_before)
                    else:
                        header = entry[0]
                    merge_partition_into(header, Partition(u.deletion, u.range_tombstones,
                                                           u.static_row), owned=True)
                rp = p + _ROW
                for ck, row in dict.items(u.rows):
                    key = rp + ck
                    if key in rows:
                        current = rows[key]
                    else:
                        raw = db.get(key)
                        current = None if raw is None else decode_row(raw, key, path)
                    if current is not None:
                        row = merged_row(current, row)
                    rows[key] = _gc_row(row, gc_before, now)
            header_values: dict[bytes, Partition | None] = {}
            for hk, (header, p, gc_before) in headers.items():
                purged = purge_partition(header, gc_before, _MAX_TS, now)
                if _drops_a_deletion(header, purged):
                    purged = self._purge_partition(p, header, rows, gc_before, now)
                header_values[hk] = purged
            self._write(rows, header_values)
        if tracing.current() is not None:
            tracing.trace("Wrote {} rows and {} partition headers to RocksDB in one batch{}",
                          len(rows), len(header_values),
                          ", WAL fsynced" if self._write_opts.sync else "",
                          stage=tracing.MUTATION)

    def _purge_partition(self, p: bytes, header: Partition, rows: dict, gc_before: int,
                         now: int) -> Partition | None:
        """Purge the whole partition ``p`` (stored rows overlaid by ``rows``, which receives
        every row's new value) against ``header``; returns the purged header."""
        rp = p + _ROW
        n = len(rp)
        current = SortedDict()
        it = self._db.iter()
        it.seek(rp)
        while it.valid():
            key = it.key()
            if not key.startswith(rp):
                break
            current[key[n:]] = decode_row(it.value(), key, self.path)
            it.next()
        for key, row in rows.items():
            if key.startswith(rp):
                if row is None:
                    current.pop(key[n:], None)
                else:
                    current[key[n:]] = row
        full = Partition(header.deletion, header.range_tombstones, header.static_row, current)
        purged = purge_partition(full, gc_before, _MAX_TS, now)
        kept = purged.rows if purged is not None else {}
        for ck, row in current.items():
            new = kept.get(ck)
            if new != row:
                rows[rp + ck] = new
        if purged is None or (purged.deletion is None and not purged.range_tombstones
                              and purged.static_row is None):
            return None
        return Partition(purged.deletion, purged.range_tombstones, purged.static_row)

    def _write(self, rows: dict[bytes, Row | None],
               headers: dict[bytes, Partition | None]) -> None:
        batch = self._WriteBatch(raw_mode=True)
        for key, row in rows.items():
            if row is None:
                batch.delete(key)
            else:
                batch.put(key, encode_row(row))
        for key, header in headers.items():
            if header is None:
                batch.delete(key)
            else:
                batch.put(key, encode_header(header))
        self._db.write(batch)

    # ------------------------------------------------------------ reads

    def read_partition(self, table_id: str, pk: bytes, slices: Slices = None,
                       reverse: bool = False, now: int | None = None,
                       limit: int | None = None) -> PartitionView | None:
        return self._read_partition(table_id, pk, slices, reverse, now, limit, None)

    def read_rows(self, table_id: str, pk: bytes, slices: Slices = None, reverse: bool = False,
                  now: int | None = None, limit: int | None = None, *,
                  columns: tuple[str, ...]) -> PartitionView | None:
        return self._read_partition(table_id, pk, slices, reverse, now, limit, columns)

    def _read_partition(self, table_id, pk, slices, reverse, now, limit, columns):
        t = self._table(table_id)
        p = partition_prefix(t.prefix, decorate(pk))
        now = now if now is not None else now_seconds()
        if slices is not None and len(slices) == 1 and tracing.current() is None:
            lo, hi = slices[0]
            if hi is not None and len(hi) == len(lo) + 1 and hi[-1] == 0 and hi.startswith(lo):
                return self._read_row(t, p, pk, lo, now, columns)  # [ck, ck + 0x00): one row
        return self._read(self._db.iter(), t, p, pk, slices, reverse, now, limit, columns)

    def _read_row(self, t: _Table, p: bytes, pk: bytes, ck: bytes, now: int,
                  columns: tuple[str, ...] | None) -> PartitionView | None:
        """An exact-key read: two gets (cheaper than an iterator's two seeks), under the
        write lock so that the header and the row come from the same state."""
        hk = p + _HEADER
        key = p + _ROW + ck
        with self._lock:
            raw_header = self._db.get(hk)
            raw = self._db.get(key)
        header = None
        if raw_header is not None:
            header = decode_header(raw_header, hk, self.path)
            if _droppable(header, now_seconds() - t.gc_grace):
                self._purge_stored_partition(t, p, now_seconds())
        pdel, rts, static = _header_view(header, now, columns)
        out = []
        if raw is not None:
            if columns is None:
                live = purged_row(ck, decode_row(raw, key, self.path), pdel, rts, now)
            else:
                live = read_values(raw, key, self.path, ck, pdel, rts, now, columns)
            if live is not None:
                out.append((ck, live))
            elif raw[0] == 0:
                self._drop_dead_rows(t, [(key, raw)])
        if static is None and not out:
            return None
        return PartitionView(pk, static, out)

    def _read(self, it, t: _Table, p: bytes, pk: bytes, slices: Slices, reverse: bool,
              now: int, limit: int | None,
              columns: tuple[str, ...] | None) -> PartitionView | None:
        """One partition through the iterator ``it`` (left anywhere); ``columns``: a
        projected read (``read_rows``)."""
        path = self.path
        it.seek(p)
        header = None
        if it.valid():
            key = it.key()
            if key == p + _HEADER:
                header = decode_header(it.value(), key, path)
                it.next()
                if _droppable(header, now_seconds() - t.gc_grace):
                    # its rows lose what it shadows, then it goes (this read's iterator
                    # still sees the partition as it was: same answer)
                    self._purge_stored_partition(t, p, now_seconds())
        if tracing.current() is not None:
            return self._traced_read(it, p, pk, header, slices, reverse, now, limit, columns)
        pdel, rts, static = _header_view(header, now, columns)
        out: list[tuple[bytes, Row]] = []
        dead = []  # rows with nothing live of their own: candidates for _drop_dead_rows
        rp = p + _ROW
        n = len(rp)
        for lo, hi in (((b"", None),) if slices is None
                       else reversed(slices) if reverse else slices):
            lo_key = rp + lo
            hi_key = rp + hi if hi is not None else p + _END
            if reverse:
                it.seek_for_prev(hi_key)
                step = it.prev
            else:
                if not it.valid() or it.key() < lo_key:  # the first row is often the one
                    it.seek(lo_key)
                step = it.next
            while it.valid():
                key = it.key()
                if (key < lo_key) if reverse else (key >= hi_key):
                    break
                if key == hi_key:  # seek_for_prev lands on the excluded bound itself
                    step()
                    continue
                ck = key[n:]
                value = it.value()
                if columns is None:
                    live = purged_row(ck, decode_row(value, key, path), pdel, rts, now)
                else:
                    live = read_values(value, key, path, ck, pdel, rts, now, columns)
                if live is not None:
                    out.append((ck, live))
                    if limit is not None and len(out) >= limit:
                        break
                elif value[0] == 0:  # plain rows are always live by themselves
                    dead.append((key, value))
                step()
            if limit is not None and len(out) >= limit:
                break
        if dead:
            self._drop_dead_rows(t, dead)
        if static is None and not out:
            return None
        return PartitionView(pk, static, out)

    def _drop_dead_rows(self, t: _Table, rows: list[tuple[bytes, bytes]]) -> None:
        """Delete the rows (key, value as read) whose own tombstones and expired cells are
        all past gc_grace_seconds now (the wall clock, not the read's ``now``), unless a
        write changed them since. Rows no write touches again (deleted or expired ones) leave
        RocksDB this way, the first time a read passes over them once they can."""
        now = now_seconds()
        gc_before = now - t.gc_grace
        doomed = [key for key, value in rows if purge_gc_row(
            decode_row(value, key, self.path), None, gc_before, _MAX_TS, now) is None]
        if not doomed:
            return
        values = dict(rows)
        with self._lock:
            batch = self._WriteBatch(raw_mode=True)
            for key in doomed:
                if self._db.get(key) == values[key]:
                    batch.delete(key)
            if not batch.is_empty():
                self._db.write(batch)

    def _traced_read(self, it, p, pk, header, slices, reverse, now, limit, columns):
        """A traced read gathers the sliced rows and lets the model count what it passes."""
        tracing.trace("Reading the partition's rows from RocksDB", stage=tracing.READ)
        rp = p + _ROW
        n = len(rp)
        rows = SortedDict()
        for lo, hi in slices if slices is not None else ((b"", None),):
            hi_key = rp + hi if hi is not None else p + _END
            it.seek(rp + lo)
            while it.valid() and it.key() < hi_key:
                key = it.key()
                rows[key[n:]] = decode_row(it.value(), key, self.path)
                it.next()
        part = header if header is not None else Partition()
        part = Partition(part.deletion, part.range_tombstones, part.static_row, rows)
        return view_partition(pk, part, slices, reverse, now, limit, columns)

    def scan(self, table_id: str, key_range: KeyRange = FULL_RANGE, slices: Slices = None,
             now: int | None = None) -> Iterator[PartitionView]:
        return self._scan(table_id, key_range, slices, now, None)

    def scan_rows(self, table_id: str, key_range: KeyRange = FULL_RANGE, slices: Slices = None,
                  now: int | None = None, *,
                  columns: tuple[str, ...]) -> Iterator[PartitionView]:
        return self._scan(table_id, key_range, slices, now, columns)

    def _scan(self, table_id, key_range, slices, now, columns) -> Iterator[PartitionView]:
        t = self._table(table_id)
        now = now if now is not None else now_seconds()
        prefix = t.prefix
        n = len(prefix)
        it = self._db.iter()
        start = key_range.start
        it.seek(partition_prefix(prefix, start) if start is not None else prefix)
        while it.valid():
            key = it.key()
            if not key.startswith(prefix):
                return
            dk, end = split_key(key, n)
            p = key[:end]
            if key_range.contains(dk):
                view = self._read(it, t, p, dk[8:], slices, False, now, None, columns)
                if view is not None:
                    yield view
            elif key_range.end is not None and dk > key_range.end:
                return
            it.seek(p + _END)

    # ------------------------------------------------------------ maintenance

    def flush(self, table_id: str | None = None) -> None:
        self._db.flush()

    def compact(self, table_id: str | None = None) -> None:
        """Purge droppable tombstones from every partition, then compact RocksDB's files."""
        tables = [self._table(table_id)] if table_id is not None else list(self._tables.values())
        now = now_seconds()
        for t in tables:
            with self._lock:
                self._purge_table(t, now)
            self._db.compact_range(t.prefix, t.end)

    def _purge_table(self, t: _Table, now: int) -> None:
        """Purge partition by partition, each under the write lock (writers interleave)."""
        n = len(t.prefix)
        it = self._db.iter()
        it.seek(t.prefix)
        while it.valid():
            key = it.key()
            if not key.startswith(t.prefix):
                break
            p = key[:split_key(key, n)[1]]
            self._purge_stored_partition(t, p, now)
            it.seek(p + _END)

    def _purge_stored_partition(self, t: _Table, p: bytes, now: int) -> None:
        """The whole-partition purge of ``p`` as stored now, written back where it changed."""
        hk = p + _HEADER
        with self._lock:
            raw = self._db.get(hk)
            header = Partition() if raw is None else decode_header(raw, hk, self.path)
            rows: dict[bytes, Row | None] = {}
            purged = self._purge_partition(p, header, rows, now - t.gc_grace, now)
            headers = {} if purged == (None if raw is None else header) else {hk: purged}
            if rows or headers:
                self._write(rows, headers)

    # ------------------------------------------------------------ admin (storage.rocks_admin)

    @property
    def admin(self):
        from .rocks_admin import RocksAdmin

        return RocksAdmin(self)

    def checkpoint(self, target: str) -> None:
        """A RocksDB checkpoint of the whole database in ``target`` (which must not exist)."""
        from rocksdict import Checkpoint

        Checkpoint(self._db).create_checkpoint(target)

    def property_int(self, name: str) -> int | None:
        """A RocksDB integer property (``rocksdb.estimate-live-data-size``, ...)."""
        return self._db.property_int_value(name)

    def live_file_count(self) -> int:
        return len(self._db.live_files())

    def table_counts(self, table_id: str) -> dict[str, int]:
        """Stored partitions, rows and key + value bytes of a table, from one scan."""
        t = self._table(table_id)
        partitions = rows = size = 0
        n = len(t.prefix)
        last = b""
        it = self._db.iter()
        it.seek(t.prefix)
        while it.valid() and (key := it.key()) < t.end:
            end = split_key(key, n)[1]
            if key[:end] != last:
                partitions += 1
                last = key[:end]
            rows += key[end:end + 1] == _ROW
            size += len(key) + len(it.value())
            it.next()
        return {"partitions": partitions, "rows": rows, "bytes": size}

    def verify_table(self, table_id: str) -> list[CorruptionError]:
        """Decode every key and value of a table; one error per malformed one, naming it."""
        t = self._table(table_id)
        where = f"table {t.info.keyspace}.{t.info.name}"
        problems = []
        n = len(t.prefix)
        it = self._db.iter()
        it.seek(t.prefix)
        while it.valid() and (key := it.key()) < t.end:
            try:
                end = split_key(key, n)[1]
                kind = key[end:end + 1]
                if kind == _HEADER and len(key) == end + 1:
                    decode_header(it.value(), key, self.path)
                elif kind == _ROW:
                    decode_row(it.value(), key, self.path)
                else:
                    raise CorruptionError(self.path, detail=f"malformed key {key.hex()}")
            except (CorruptionError, ValueError) as exc:
                detail = exc.detail if isinstance(exc, CorruptionError) else \
                    f"malformed key {key.hex()}: {exc}"
                problems.append(CorruptionError(self.path, detail=f"{where}: {detail}"))
            it.next()
        return problems

    def close(self) -> None:
        if self._closed:
            return
        self._stop.set()
        if self._syncer is not None:
            self._syncer.join()
        self._closed = True
        self._db.close()
