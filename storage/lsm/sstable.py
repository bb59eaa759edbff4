"""Immutable SSTables: one generation = a set of Cassandra-named component files.

``nb-<gen>-big-Data.db`` holds partitions in decorated-key order, cut into fixed-size
chunks that are compressed independently (each followed by its CRC32), so a point read
decompresses only the chunks its partition spans. ``Index.db`` maps every key to its
position (plus a row index for wide partitions), ``Summary.db`` samples the index and is
kept in memory, ``Filter.db`` is a bloom filter, ``Statistics.db`` carries what lets reads
and compaction skip whole SSTables. Byte layouts: ``storage/lsm/FORMAT.md``.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import zlib
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator

import lz4.block

from ..errors import CorruptionError
from ..model import MIN_TIMESTAMP, Partition
from ..sdict import sorted_dict_from_sorted
from .bloom import BloomFilter
from .encoding import (
    DecodeError,
    get_bytes,
    get_live_rows,
    get_partition_header,
    get_rows,
    get_rows_until,
    get_uvarint,
    put_bytes,
    put_indexed_partition,
    put_uvarint,
    row_key_range,
)
from .fsutil import fsync_dir, write_file
from .index_block import IndexBlock, IndexBlockError, entry_table
from .stats import Stats

VERSION = "nb"
COMPONENTS = (
    "Data.db",
    "Index.db",
    "Summary.db",
    "Filter.db",
    "CompressionInfo.db",
    "Statistics.db",
    "Digest.crc32",
    "TOC.txt",
)
COMPRESSORS = {"none": 0, "lz4": 1, "deflate": 2}
_COMPRESSION_HEAD = struct.Struct("<4sBIQI")  # magic, compressor, chunk length, data length, n
_U32 = struct.Struct("<I")
_crc32 = zlib.crc32


def component_path(directory: str, gen: int, component: str) -> str:
    return os.path.join(directory, f"{VERSION}-{gen}-big-{component}")


def parse_component_name(name: str) -> tuple[int, str] | None:
    """(generation, component) for a file named like ours, else None."""
    parts = name.split("-", 3)
    if len(parts) != 4 or parts[0] != VERSION or parts[2] != "big" or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[3]


class SSTableOptions:
    """The table options that shape an SSTable's files."""

    __slots__ = (
        "chunk_length",
        "compressor",
        "fp_chance",
        "index_interval",
        "row_block_size",
        "row_index_threshold",
    )

    def __init__(self, chunk_length: int = 16384, compressor: str = "lz4",
                 fp_chance: float = 0.01, index_interval: int = 32,
                 row_index_threshold: int = 4096, row_block_size: int = 1024):
        self.chunk_length = chunk_length
        self.compressor = compressor
        self.fp_chance = fp_chance
        self.index_interval = index_interval
        self.row_index_threshold = row_index_threshold
        self.row_block_size = row_block_size


def _compress(kind: int, data: bytes) -> bytes:
    if kind == 1:
        return lz4.block.compress(data, store_size=False)
    if kind == 2:
        return zlib.compress(data, 6)
    return data


def _decompress(kind: int, data: bytes, size: int) -> bytes:
    if kind == 1:
        return lz4.block.decompress(data, uncompressed_size=size)
    if kind == 2:
        return zlib.decompress(data)
    return data


# ======================================================================================
# Writer
# ======================================================================================


_WRITE_BATCH = 1 << 20


def _block_starts(offsets: list, block_size: int) -> list[int]:
    """The rows that start a row-index block: the first row, then each first row at least
    ``block_size`` bytes past the previous start (``offsets`` increase), found by
    bisection rather than a look at every row."""
    starts = []
    i, n = 0, len(offsets)
    while i < n:
        starts.append(i)
        i = bisect_left(offsets, offsets[i] + block_size, i + 1)
    return starts


class SSTableWriter:
    """Streams partitions (in decorated-key order) into a new generation's components."""

    def __init__(self, directory: str, gen: int, options: SSTableOptions, expected_keys: int,
                 keep_chunks: int = 0):
        """``keep_chunks``: up to this many bytes of the first uncompressed chunks are kept
        (``kept_chunks``) for the reader's chunk cache."""
        self.directory = directory
        self.gen = gen
        self.opts = options
        self.kind = COMPRESSORS[options.compressor]
        self.stats = Stats(created_at=int(time.time()))
        self.bloom = BloomFilter.for_keys(expected_keys, options.fp_chance)
        self._data = open(component_path(directory, gen, "Data.db"), "wb")  # noqa: SIM115
        self._pending = bytearray()
        self._out = bytearray()  # compressed chunks not yet written
        self._pos = 0  # uncompressed position of the next partition
        self._file_pos = 0
        self._chunk_offsets: list[int] = []
        self._data_crc = 0
        self._index = bytearray()
        self._index_block = bytearray()
        self._entry_starts: list[int] = []
        self._block_count = 0
        self._summary: list[tuple[bytes, int, int]] = []
        self._last_dk: bytes | None = None
        self._closed = False
        self._keep = keep_chunks
        self.kept_chunks: list[bytes] = []
        # (index entry, header cache entry or None) of the first partitions, while chunks
        # are kept: what the reader's warm() puts in its caches without decoding them
        self.warm_entries: list[tuple] = []

    def append(self, dk: bytes, partition: Partition) -> None:
        if self._last_dk is not None and dk <= self._last_dk:
            raise ValueError("partitions must be appended in increasing key order")
        self._last_dk = dk
        rec = bytearray()
        put_bytes(rec, dk)
        keys, offsets, base, cached = put_indexed_partition(rec, partition)
        size = len(rec)
        self.stats.add_partition(dk, partition, size, cached)
        self.bloom.add(dk)
        # index entry
        if self._block_count == 0:
            self._summary.append((dk, len(self._index), 0))
        entry = self._index_block
        self._entry_starts.append(len(entry))
        put_bytes(entry, dk)
        put_uvarint(entry, self._pos)
        put_uvarint(entry, size)
        if len(keys) > 8 and size > self.opts.row_index_threshold:
            # ~1 KiB blocks keep point reads short; big partitions get coarser blocks
            # so their index entry stays around 2,000 blocks.
            block_size = max(self.opts.row_block_size, size // 2048)
            starts = _block_starts(offsets, block_size)
            put_uvarint(entry, len(starts))
            cks, offs = [keys[i] for i in starts], [offsets[i] for i in starts]
            for ck, off in zip(cks, offs):
                put_bytes(entry, ck)
                put_uvarint(entry, off)
        else:
            entry.append(0)
            cks = offs = None
        if self._keep and len(self.warm_entries) < WARM_KEYS:
            self._warm_entry((dk, self._pos, size, cks, offs), partition, base,
                             offsets[0] if keys else size, keys[0] if keys else None)
        self._block_count += 1
        if self._block_count >= self.opts.index_interval:
            self._end_index_block()
        # data
        self._pending += rec
        self._pos += size
        L = self.opts.chunk_length
        if len(self._pending) >= L:
            view = self._pending
            n = len(view) // L
            for i in range(n):
                self._write_chunk(bytes(view[i * L:(i + 1) * L]))
            del view[:n * L]

    def _warm_entry(self, entry: tuple, p: Partition, base: int, rows_at: int,
                    first: bytes | None) -> None:
        """Keep what the reader's key and header caches would decode of this partition
        (``SSTableReader.warm``); the header only of a partition with no deletion, range
        tombstone or static row (the reader decodes the others)."""
        head = None
        if p.deletion is None and not p.range_tombstones and p.static_row is None:
            header = object.__new__(Partition)  # as get_partition_header makes it
            header.deletion = None
            header.range_tombstones = []
            header.static_row = None
            head = (header, base, rows_at, first)
        self.warm_entries.append((entry, head))

    def _end_index_block(self) -> None:
        if not self._block_count:
            return
        block = self._index_block
        block += entry_table(self._entry_starts)
        dk, off, _ = self._summary[-1]
        self._summary[-1] = (dk, off, len(block))
        self._index += block
        self._index += _U32.pack(_crc32(block))
        self._index_block = bytearray()
        self._entry_starts = []
        self._block_count = 0

    def _write_chunk(self, raw: bytes) -> None:
        if self._keep >= len(raw) and len(self.kept_chunks) == len(self._chunk_offsets):
            self.kept_chunks.append(raw)
            self._keep -= len(raw)
        comp = _compress(self.kind, raw)
        blob = comp + _U32.pack(_crc32(comp))
        self._chunk_offsets.append(self._file_pos)
        # Compressed chunks go out in ~1 MiB writes: each write releases the GIL, and a
        # background flush that hands it off per 16 KiB chunk starves behind a busy
        # foreground thread (the switch interval per chunk).
        out = self._out
        out += blob
        if len(out) >= _WRITE_BATCH:
            self._data.write(out)
            self._data_crc = _crc32(out, self._data_crc)
            out.clear()
        self._file_pos += len(blob)

    def _drain(self) -> None:
        out = self._out
        if out:
            self._data.write(out)
            self._data_crc = _crc32(out, self._data_crc)
            out.clear()

    def finish(self, replay_pos: tuple[int, int]) -> Stats:
        """Write the remaining components, fsync everything; returns the statistics."""
        if self._pending:
            self._write_chunk(bytes(self._pending))
            self._pending = bytearray()
        self._drain()
        self._end_index_block()
        self._data.flush()
        os.fsync(self._data.fileno())
        self._data.close()
        self._closed = True
        d, g = self.directory, self.gen
        st = self.stats
        st.replay_segment, st.replay_offset = replay_pos
        st.data_size = self._pos
        st.compressed_size = self._file_pos
        # CompressionInfo.db
        ci = bytearray(_COMPRESSION_HEAD.pack(
            b"CMP1", self.kind, self.opts.chunk_length, self._pos, len(self._chunk_offsets)))
        ci += struct.pack(f"<{len(self._chunk_offsets)}Q", *self._chunk_offsets)
        ci += struct.pack("<Q", self._file_pos)
        ci += _U32.pack(_crc32(ci))
        write_file(component_path(d, g, "CompressionInfo.db"), bytes(ci))
        write_file(component_path(d, g, "Index.db"), bytes(self._index))
        # Summary.db
        sm = bytearray(b"SUM2")  # Index.db blocks end with their entry table
        put_uvarint(sm, self.opts.index_interval)
        put_uvarint(sm, len(self._summary))
        for dk, off, length in self._summary:
            put_bytes(sm, dk)
            put_uvarint(sm, off)
            put_uvarint(sm, length)
        put_bytes(sm, st.first_dk)
        put_bytes(sm, st.last_dk)
        sm += _U32.pack(_crc32(sm))
        write_file(component_path(d, g, "Summary.db"), bytes(sm))
        write_file(component_path(d, g, "Filter.db"), self.bloom.serialize())
        write_file(component_path(d, g, "Statistics.db"), st.serialize())
        write_file(component_path(d, g, "Digest.crc32"), str(self._data_crc).encode())
        write_file(component_path(d, g, "TOC.txt"), "\n".join(COMPONENTS).encode() + b"\n")
        fsync_dir(d)
        return st

    @property
    def partitions(self) -> int:
        return self.stats.partitions

    @property
    def bytes_written(self) -> int:
        return self._file_pos + len(self._pending)

    def abort(self) -> None:
        if not self._closed:
            self._data.close()
            self._closed = True
        for comp in COMPONENTS:
            try:
                os.unlink(component_path(self.directory, self.gen, comp))
            except FileNotFoundError:
                pass


# ======================================================================================
# Reader
# ======================================================================================


class ChunkCache:
    """LRU of decompressed chunks shared by every SSTable of an engine."""

    def __init__(self, capacity_bytes: int = 64 << 20):
        self.capacity = capacity_bytes
        self.size = 0
        self._map: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        data = self._map.get(key)
        if data is not None:
            self.hits += 1
            try:
                self._map.move_to_end(key)
            except KeyError:
                pass
        return data

    def put(self, key, data: bytes) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            if key in self._map:
                return
            self._map[key] = data
            self.size += len(data)
            while self.size > self.capacity and self._map:
                _, old = self._map.popitem(last=False)
                self.size -= len(old)

    def drop_owner(self, owner: int) -> None:
        with self._lock:
            for key in [k for k in self._map if k[0] == owner]:
                self.size -= len(self._map.pop(key))


_uid_lock = threading.Lock()
_uid = [0]


def _next_uid() -> int:
    with _uid_lock:
        _uid[0] += 1
        return _uid[0]


# An index entry: (dk, position, size, row-block first cks, row-block offsets)
IndexEntry = tuple

# Per SSTable, at most this many index entries (the key cache) and partition headers
# are kept decoded (both start over when full); a flush decodes at most WARM_KEYS of its
# own up front (``SSTableReader.warm``: ~9 us each).
CACHED_KEYS = 1 << 16
WARM_KEYS = 1 << 14


def _skip_to_block(cks: list, offs: list, start: int, off: int, lo: bytes) -> int:
    """Where to look for the first row at or after ``lo``: the start of the row-index
    block that holds it, when that is past ``off`` (``start``: the partition's offset)."""
    b = bisect_right(cks, lo) - 1
    return start + offs[b] if b > 0 and start + offs[b] > off else off


def _ck_bounds(st: Stats) -> tuple[bytes, bytes | None] | None:
    """(lowest, highest or None: unbounded) clustering key of the rows and range
    tombstones an SSTable holds, by its statistics: a read of one clustering key ``ck``
    can skip it unless ``lowest <= ck <= highest`` (``Stats.may_intersect`` of
    ``[(ck, ck + 0x00)]``, without a call). (b"", None) when a static row or a partition
    deletion may matter to any key; None when it holds neither rows nor range tombstones."""
    if st.has_static or st.has_partition_deletion:
        return b"", None
    if st.min_ck is None:
        return None
    return st.min_ck, None if st.ck_unbounded else st.max_ck


class SSTableReader:
    """Read access to one generation. Metadata is checked when opened; data chunks and
    index blocks are checked when read. Every failure is a CorruptionError naming a file."""

    def __init__(self, directory: str, gen: int, cache: ChunkCache, level: int = 0):
        self.directory = directory
        self.gen = gen
        self.level = level
        self.uid = _next_uid()
        self.cache = cache
        self.bloom_fp = 0
        self.bloom_tp = 0
        self.reads = 0
        self.chunk_loads = 0
        self._blocks: dict[int, IndexBlock] = {}
        self._keys: dict[bytes, IndexEntry] = {}  # the key cache: dk -> its index entry
        self._heads: dict[int, tuple] = {}  # data position -> (header, base, rows offset)
        self._data = None
        self._index = None
        self._load()
        self.ck_bounds = _ck_bounds(self.stats)

    def path(self, component: str) -> str:
        return component_path(self.directory, self.gen, component)

    def _read(self, component: str) -> bytes:
        path = self.path(component)
        try:
            with open(path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise CorruptionError(path, None, "component file missing") from None

    def _load(self) -> None:
        toc = self._read("TOC.txt")
        try:
            names = toc.decode("ascii").split("\n")
        except UnicodeDecodeError:
            names = []
        if names != [*COMPONENTS, ""]:
            raise CorruptionError(self.path("TOC.txt"), None, "unexpected component list")
        # CompressionInfo.db
        ci = self._read("CompressionInfo.db")
        path = self.path("CompressionInfo.db")
        if len(ci) < _COMPRESSION_HEAD.size + 12 or _crc32(ci[:-4]) != _U32.unpack_from(
                ci, len(ci) - 4)[0]:
            raise CorruptionError(path, None, "checksum mismatch")
        magic, kind, chunk_len, data_len, n = _COMPRESSION_HEAD.unpack_from(ci)
        if magic != b"CMP1" or kind not in (0, 1, 2) or chunk_len <= 0:
            raise CorruptionError(path, 0, "bad header")
        if len(ci) != _COMPRESSION_HEAD.size + 8 * n + 12:
            raise CorruptionError(path, None, "bad length")
        self.kind = kind
        self.chunk_len = chunk_len
        self.data_len = data_len
        self.chunk_offsets = list(struct.unpack_from(f"<{n}Q", ci, _COMPRESSION_HEAD.size))
        (self.file_len,) = struct.unpack_from("<Q", ci, _COMPRESSION_HEAD.size + 8 * n)
        self.chunk_offsets.append(self.file_len)
        # Statistics.db
        try:
            self.stats = Stats.deserialize(self._read("Statistics.db"))
        except (ValueError, IndexError) as exc:
            raise CorruptionError(self.path("Statistics.db"), None, str(exc)) from None
        # Filter.db
        try:
            self.bloom = BloomFilter.deserialize(self._read("Filter.db"))
        except ValueError as exc:
            raise CorruptionError(self.path("Filter.db"), None, str(exc)) from None
        # Summary.db
        sm = self._read("Summary.db")
        path = self.path("Summary.db")
        if len(sm) < 8 or sm[:4] not in (b"SUM1", b"SUM2") or _crc32(
                sm[:-4]) != _U32.unpack_from(sm, len(sm) - 4)[0]:
            raise CorruptionError(path, None, "checksum mismatch")
        self.index_tables = sm[:4] == b"SUM2"  # format 2 Index.db blocks
        try:
            _, pos = get_uvarint(sm, 4)
            count, pos = get_uvarint(sm, pos)
            keys, offs, lens = [], [], []
            for _ in range(count):
                dk, pos = get_bytes(sm, pos)
                off, pos = get_uvarint(sm, pos)
                length, pos = get_uvarint(sm, pos)
                keys.append(dk)
                offs.append(off)
                lens.append(length)
            self.first_dk, pos = get_bytes(sm, pos)
            self.last_dk, pos = get_bytes(sm, pos)
        except (IndexError, DecodeError) as exc:
            raise CorruptionError(path, None, f"undecodable: {exc}") from None
        self.sum_keys, self.sum_offs, self.sum_lens = keys, offs, lens
        # Digest.crc32: parsed now, compared by verify()
        digest = self._read("Digest.crc32").strip()
        if not digest.isdigit():
            raise CorruptionError(self.path("Digest.crc32"), None, "not a decimal CRC32")
        self.digest = int(digest)
        size = os.path.getsize(self.path("Data.db"))
        if size != self.file_len:
            raise CorruptionError(self.path("Data.db"), size,
                             f"length {size} differs from the {self.file_len} recorded")
        self.index_size = os.path.getsize(self.path("Index.db"))
        # Both stay open for the reader's lifetime: a compaction may unlink the files
        # while a read that started earlier still needs them.
        self._data = open(self.path("Data.db"), "rb", buffering=0)  # noqa: SIM115
        self._fd = self._data.fileno()
        self._index = open(self.path("Index.db"), "rb", buffering=0)  # noqa: SIM115
        self._index_fd = self._index.fileno()

    def warm(self, chunks: list[bytes], entries: list | None = None) -> None:
        """Start with what a flush just wrote in the caches: ``chunks`` (the first
        uncompressed chunks of Data.db, as the writer kept them) in the chunk cache, and
        the index entries and partition headers of the partitions within them in the key
        and header caches (up to WARM_KEYS): ``entries`` (the writer's ``warm_entries``)
        or else decoded from the files. Reads right after a flush then find the flushed
        data there, as they would in ScyllaDB (whose flush populates its cache) or in
        RocksDB with ``prepopulate_block_cache = kFlushOnly``, rather than decoding it
        again. Best effort: what does not decode is left for reads to report."""
        for i, data in enumerate(chunks):
            self.cache.put((self.uid, i), data)
        covered = len(chunks) * self.chunk_len
        keys = self._keys
        heads = self._heads
        try:
            if entries is None:
                entries = ((e, None) for b in range(len(self.sum_keys))
                           for e in self._index_entries(b))
            for entry, head in entries:
                if entry[1] + entry[2] > covered or len(keys) >= WARM_KEYS:
                    return
                keys[entry[0]] = entry
                if head is None:
                    self._head(entry)
                else:
                    heads[entry[1]] = head
        except (CorruptionError, IndexError, DecodeError, ValueError, UnicodeDecodeError):
            return

    def close(self) -> None:
        if self._data is not None:
            self._data.close()
            self._index.close()
            self._data = None
        self.cache.drop_owner(self.uid)

    def __repr__(self) -> str:
        return f"SSTableReader({self.path('Data.db')})"

    # ------------------------------------------------------------ sizes

    def files(self) -> list[str]:
        return [self.path(c) for c in COMPONENTS]

    def disk_size(self) -> int:
        total = 0
        for p in self.files():
            try:
                total += os.path.getsize(p)
            except OSError:
                pass
        return total

    @property
    def data_size(self) -> int:
        return self.file_len

    # ------------------------------------------------------------ chunks

    def _chunk(self, i: int, cache: bool = True) -> bytes:
        key = (self.uid, i)
        if cache:
            data = self.cache.get(key)
            if data is not None:
                return data
        start, end = self.chunk_offsets[i], self.chunk_offsets[i + 1]
        self.chunk_loads += 1
        blob = os.pread(self._fd, end - start, start)
        if len(blob) != end - start or len(blob) < 4:
            raise CorruptionError(self.path("Data.db"), start, "chunk truncated")
        comp = blob[:-4]
        if _crc32(comp) != _U32.unpack_from(blob, len(blob) - 4)[0]:
            raise CorruptionError(self.path("Data.db"), start, f"chunk {i} checksum mismatch")
        size = min(self.chunk_len, self.data_len - i * self.chunk_len)
        try:
            data = _decompress(self.kind, comp, size)
        except Exception as exc:  # noqa: BLE001 - lz4/zlib raise assorted types
            raise CorruptionError(self.path("Data.db"), start,
                                  f"chunk {i} does not decompress: {exc}") from None
        if len(data) != size:
            raise CorruptionError(self.path("Data.db"), start,
                                  f"chunk {i} decompressed to a wrong size")
        if cache:
            self.cache.put(key, data)
        return data

    def _range(self, start: int, end: int, cache: bool = True) -> tuple[bytes, int]:
        """A buffer and offset holding uncompressed bytes [start, end)."""
        L = self.chunk_len
        first = start // L
        last = (end - 1) // L
        if first == last:
            if cache:  # the usual case first: no _chunk call
                data = self.cache.get((self.uid, first))
                if data is not None:
                    return data, start - first * L
            return self._chunk(first, cache), start - first * L
        # only the bytes asked for: a range across a chunk boundary copies its own
        # length, not whole chunks
        parts = [memoryview(self._chunk(i, cache)) for i in range(first, last + 1)]
        parts[-1] = parts[-1][:end - last * L]
        parts[0] = parts[0][start - first * L:]
        return b"".join(parts), 0

    # ------------------------------------------------------------ index

    def _index_block(self, i: int) -> IndexBlock:
        block = self._blocks.get(i)
        if block is not None:
            return block
        off, length = self.sum_offs[i], self.sum_lens[i]
        path = self.path("Index.db")
        raw = os.pread(self._index_fd, length + 4, off)
        if len(raw) != length + 4 or _crc32(raw[:length]) != _U32.unpack_from(raw, length)[0]:
            raise CorruptionError(path, off, "index block checksum mismatch")
        try:
            block = IndexBlock(raw, length, self.index_tables)
        except IndexBlockError as exc:
            raise self._index_error(i, exc) from None
        if len(self._blocks) >= 256:
            try:
                self._blocks.pop(next(iter(self._blocks)))
            except (KeyError, StopIteration, RuntimeError):
                pass  # another thread evicted concurrently
        self._blocks[i] = block
        return block

    def _index_entries(self, i: int) -> list:
        try:
            return self._index_block(i).entries()
        except IndexBlockError as exc:
            raise self._index_error(i, exc) from None

    def _index_error(self, i: int, exc: IndexBlockError) -> CorruptionError:
        return CorruptionError(self.path("Index.db"), self.sum_offs[i] + exc.pos,
                               f"undecodable index entry: {exc}")

    def may_contain(self, dk: bytes) -> bool:
        return self.first_dk <= dk <= self.last_dk and self.bloom.might_contain(dk)

    def find(self, dk: bytes) -> IndexEntry | None:
        """The index entry of ``dk`` (bloom filter and key range checked first, unless
        the key cache has it)."""
        entry = self._keys.get(dk)
        if entry is not None:
            self.bloom_tp += 1
            return entry
        if not (self.first_dk <= dk <= self.last_dk) or not self.bloom.might_contain(dk):
            return None
        i = bisect_right(self.sum_keys, dk) - 1
        if i < 0:
            entry = None
        else:
            try:
                entry = self._index_block(i).find(dk)
            except IndexBlockError as exc:
                raise self._index_error(i, exc) from None
        if entry is None:
            self.bloom_fp += 1
        else:
            self.bloom_tp += 1
            keys = self._keys
            if len(keys) >= CACHED_KEYS:
                keys.clear()
            keys[dk] = entry
        return entry

    def entries(self, start: bytes | None = None, start_inclusive: bool = True,
                end: bytes | None = None, end_inclusive: bool = True) -> Iterator[IndexEntry]:
        """Index entries in key order within the bounds."""
        i = 0
        if start is not None:
            i = max(bisect_right(self.sum_keys, start) - 1, 0)
        for b in range(i, len(self.sum_keys)):
            if end is not None and self.sum_keys[b] > end:
                return
            for e in self._index_entries(b):
                dk = e[0]
                if start is not None and (dk < start or (dk == start and not start_inclusive)):
                    continue
                if end is not None and (dk > end or (dk == end and not end_inclusive)):
                    return
                yield e

    # ------------------------------------------------------------ partitions

    def read(self, entry: IndexEntry, slices=None, cache: bool = True) -> Partition:
        """Decode the partition of ``entry``; with ``slices`` and a row index, only the
        row blocks that can intersect the slices are read and decoded."""
        _, pos, size, cks, offs = entry
        self.reads += 1
        try:
            if cks is None or slices is None:
                buf, off = self._range(pos, pos + size, cache)
                end = off + size
                _, off = get_bytes(buf, off)
                p, base, nrows, off = get_partition_header(buf, off)
                rows: list = []
                if slices is None:
                    get_rows(buf, off, nrows, base, rows)
                else:
                    for lo, hi in slices:
                        off = get_rows_until(buf, off, end, base, lo, hi, rows)
                p.rows = sorted_dict_from_sorted(rows)
                return p
            buf, off = self._range(pos, pos + offs[0], cache)
            _, off = get_bytes(buf, off)
            p, base, _, _ = get_partition_header(buf, off)
            rows = []
            nblocks = len(cks)
            for lo, hi in slices:
                b = max(bisect_right(cks, lo) - 1, 0)
                while b < nblocks:
                    if hi is not None and cks[b] >= hi:
                        break
                    bend = offs[b + 1] if b + 1 < nblocks else size
                    blen = bend - offs[b]
                    buf, off = self._range(pos + offs[b], pos + bend, cache)
                    if get_rows_until(buf, off, off + blen, base, lo, hi, rows) < off + blen:
                        break  # reached a row at or past hi
                    b += 1
            p.rows = sorted_dict_from_sorted(rows)
            return p
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                             f"undecodable partition at data position {pos}: {exc}") from None

    def open_partition(self, entry: IndexEntry, row: bytes | None = None) -> tuple[Partition, tuple]:
        """The partition of ``entry`` as ``(header, cursor)``: ``header`` holds the
        partition deletion, range tombstones and static row; ``cursor`` is where its rows
        start, for ``lazy_rows`` or ``live_rows``. With ``row`` (one clustering key, the
        only one to be read) and a row index, the cursor holds only the header and the
        row-index block that can hold ``row``: a point read then decompresses and copies
        a few KiB rather than the whole partition. Such a cursor serves ``live_rows`` and
        ``lazy_rows`` for slices within ``[row, row + 0x00)`` only (not ``row_key_range``)."""
        _, pos, size, cks, offs = entry
        self.reads += 1
        try:
            if row is None or cks is None:
                buf, off = self._range(pos, pos + size)
                start = off
                end = off + size
                _, off = get_bytes(buf, off)
                p, base, _, off = get_partition_header(buf, off)
            else:
                b = max(bisect_right(cks, row) - 1, 0)
                bend = offs[b + 1] if b + 1 < len(offs) else size
                if b == 0:
                    buf, off = self._range(pos, pos + bend)
                    start = off
                    _, off = get_bytes(buf, off)
                    p, base, _, off = get_partition_header(buf, off)
                else:
                    head, hoff = self._range(pos, pos + offs[0])
                    _, hoff = get_bytes(head, hoff)
                    p, base, _, _ = get_partition_header(head, hoff)
                    buf, off = self._range(pos + offs[b], pos + bend)
                    start = off - offs[b]  # so that start + offs[b] is still block b
                end = start + bend
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {pos}: {exc}") from None
        return p, (buf, off, start, end, base, cks, offs, pos)

    def point_row(self, entry: IndexEntry, ck: bytes, hi: bytes, names: dict, width: int,
                  now: int, out: list) -> None:
        """Append to ``out`` the row ``ck`` of the partition of ``entry`` as ``(ck, values)``
        if it is live (``hi``: ``ck + 0x00``; see ``live_rows``), shadowed only by what
        this partition version holds. Decodes the rows of the one row-index block that
        can hold ``ck``; the partition header is decoded once and cached."""
        _, pos, size, cks, offs = entry
        self.reads += 1
        try:
            head = self._heads.get(pos)
            if head is None:
                head = self._head(entry)
            p, base, start, _ = head
            end = size
            if cks is not None:
                b = bisect_right(cks, ck) - 1
                if b > 0:
                    start = offs[b]
                if b + 1 < len(offs):
                    end = offs[b + 1]
            buf, off = self._range(pos + start, pos + end)
            pdel = p.deletion
            get_live_rows(buf, off, off + end - start, base, ck, hi, names, width,
                          MIN_TIMESTAMP if pdel is None else pdel.marked_at,
                          p.range_tombstones, now, out, len(out) + 1)
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError,
                OverflowError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {pos}: {exc}") from None

    def head(self, entry: IndexEntry) -> tuple:
        """``(header, base timestamp, offset of the first row, first clustering key or
        None)`` of the partition of ``entry`` (the header as ``open_partition`` gives it;
        shared: not to be modified); cached."""
        head = self._heads.get(entry[1])
        if head is not None:
            return head
        try:
            return self._head(entry)
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {entry[1]}: {exc}"
                                  ) from None

    def _head(self, entry: IndexEntry) -> tuple:
        _, pos, size, cks, offs = entry
        buf, off = self._range(pos, pos + (size if cks is None else offs[0]))
        start = off
        _, off = get_bytes(buf, off)
        p, base, nrows, off = get_partition_header(buf, off)
        first = None if not nrows else cks[0] if cks is not None else get_bytes(buf, off)[0]
        head = (p, base, off - start, first)
        heads = self._heads
        if len(heads) >= CACHED_KEYS:
            heads.clear()
        heads[pos] = head
        return head

    def live_rows_in(self, entry: IndexEntry, lo: bytes | None, hi: bytes | None,
                     names: dict, width: int, floor: int, rts, now: int, limit: int | None,
                     out: list, at: int | None = None) -> int | None:
        """Append to ``out`` the live rows in ``[lo, hi)`` (None: unbounded) of the
        partition of ``entry`` as ``(ck, values)`` until it holds ``limit`` rows (see
        ``live_rows``), decoding one row-index block at a time from the one that holds
        ``lo`` (or from ``at``: where an earlier call stopped, a row start). Returns
        where it stopped at a row at or past ``hi`` (the row's offset in the partition,
        an ``at``), i.e. the partition has rows there (not checked once ``out`` is full);
        None when it reached the end of the partition or filled ``out``."""
        _, pos, size, cks, offs = entry
        self.reads += 1
        try:
            head = self._heads.get(pos)
            if head is None:
                head = self._head(entry)
            _, base, start, _ = head
            if at is not None:
                start = at
            if cks is None:
                buf, off = self._range(pos + start, pos + size)
                end = off + size - start
                stop = get_live_rows(buf, off, end, base, lo, hi, names, width, floor, rts,
                                     now, out, limit)
                if stop < end and (limit is None or len(out) < limit):
                    return start + stop - off
                return None
            if at is not None:
                b = bisect_right(offs, at) - 1
            else:
                b = max(bisect_right(cks, lo) - 1, 0) if lo is not None else 0
                start = offs[b]
            n = len(offs)
            L = self.chunk_len
            while b < n:
                # block b (from start) and the blocks after it that end in the same
                # chunk, in one call
                chunk_end = ((pos + start) // L + 1) * L - pos
                k = bisect_right(offs, chunk_end, b + 1) - 1
                bend = offs[k + 1] if k + 1 < n else size
                if bend <= chunk_end or k == b:
                    b = k + 1
                else:
                    bend = offs[k]
                    b = k
                buf, off = self._range(pos + start, pos + bend)
                end = off + bend - start
                stop = get_live_rows(buf, off, end, base, lo, hi, names, width, floor, rts,
                                     now, out, limit)
                if limit is not None and len(out) >= limit:
                    return None
                if stop < end:
                    return start + stop - off
                start = bend
            return None
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError,
                OverflowError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {pos}: {exc}") from None

    def read_lazy(self, entry: IndexEntry, slices=None):
        """The partition of ``entry`` as ``(header, rows)`` (see ``open_partition``);
        ``rows`` decodes, on demand and in clustering order, the rows within ``slices``
        (rows before a slice are skipped by their length prefix, from the row-index block
        that holds its start)."""
        p, cursor = self.open_partition(entry)
        return p, self.lazy_rows(cursor, slices)

    def lazy_rows(self, cursor: tuple, slices):
        """The rows of an opened partition within ``slices``, decoded on demand."""
        buf, off, start, end, base, cks, offs, pos = cursor
        return self._lazy_rows(buf, off, start, end, base, cks, offs, slices, pos)

    def row_key_range(self, cursor: tuple) -> tuple[bytes, bytes] | None:
        """(first, last) clustering keys of an opened partition's rows (None: no rows);
        the last is found by skipping, from the last row-index block, rows by length."""
        buf, off, start, end, _, cks, offs, pos = cursor
        try:
            return row_key_range(buf, off, max(off, start + offs[-1]) if cks else off, end)
        except (IndexError, DecodeError, ValueError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {pos}: {exc}") from None

    def live_rows(self, cursor: tuple, slices, names: dict, width: int, floor: int, rts,
                  now: int, limit: int | None, out: list) -> None:
        """Append to ``out`` the live rows within ``slices`` of an opened partition as
        ``(ck, values)``, in clustering order, until ``out`` holds ``limit`` rows (see
        ``encoding.get_live_rows`` for ``names``, ``floor`` and ``rts``)."""
        buf, off, start, end, base, cks, offs, pos = cursor
        try:
            for lo, hi in slices if slices is not None else ((None, None),):
                if cks is not None and lo is not None:
                    off = _skip_to_block(cks, offs, start, off, lo)
                off = get_live_rows(buf, off, end, base, lo, hi, names, width, floor, rts,
                                    now, out, limit)
                if limit is not None and len(out) >= limit:
                    return
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError,
                OverflowError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {pos}: {exc}") from None

    def _lazy_rows(self, buf, off, start, end, base, cks, offs, slices, pos):
        """Decoded by ``get_rows_until`` one row-index block at a time (the whole slice
        of a partition without a row index, which is small)."""
        try:
            for lo, hi in slices if slices is not None else ((None, None),):
                if cks is not None and lo is not None:
                    off = _skip_to_block(cks, offs, start, off, lo)
                while off < end:
                    stop = end
                    if cks is not None:
                        b = bisect_right(offs, off - start)
                        if b < len(offs):
                            stop = start + offs[b]
                    rows: list = []
                    off = get_rows_until(buf, off, stop, base, lo, hi, rows)
                    yield from rows
                    if off < stop:
                        break  # reached a row at or past hi
        except (IndexError, DecodeError, ValueError, UnicodeDecodeError) as exc:
            raise CorruptionError(self.path("Data.db"), None,
                                  f"undecodable partition at data position {pos}: {exc}") from None

    def get(self, dk: bytes, slices=None) -> Partition | None:
        entry = self.find(dk)
        return None if entry is None else self.read(entry, slices)

    def scan(self, start=None, start_inclusive=True, end=None, end_inclusive=True,
             slices=None, cache: bool = True) -> Iterator[tuple[bytes, Partition]]:
        for e in self.entries(start, start_inclusive, end, end_inclusive):
            yield e[0], self.read(e, slices, cache)

    # ------------------------------------------------------------ verification

    def verify(self) -> None:
        """Check the Data.db digest and every chunk (like ``nodetool verify``)."""
        crc = 0
        pos = 0
        while True:
            block = os.pread(self._fd, 1 << 20, pos)
            if not block:
                break
            crc = _crc32(block, crc)
            pos += len(block)
        if crc != self.digest:
            raise CorruptionError(self.path("Digest.crc32"), None,
                             f"Data.db digest {crc} differs from recorded {self.digest}")
        for i in range(len(self.chunk_offsets) - 1):
            self._chunk(i, cache=False)
        for b in range(len(self.sum_keys)):
            self._index_entries(b)
