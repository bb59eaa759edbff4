"""Compact binary encoding of the data model (partitions, rows, cells), shared by the
commit log and the SSTable data file.

Written for CPython speed: unsigned LEB128 varints with an inlined one-byte fast path,
timestamps as zig-zag deltas against a per-partition base (cells written by one statement
share a timestamp, so most timestamps cost one byte), and values as raw length-prefixed
bytes. The layout is documented in ``storage/lsm/FORMAT.md``.
"""

from __future__ import annotations

import struct
from operator import itemgetter
from typing import NamedTuple

from ..model import (
    MIN_TIMESTAMP,
    NO_DELETION_TIME,
    NO_TTL,
    CachedRow,
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Partition,
    RangeTombstone,
    Row,
)
from ..sdict import sorted_dict_from_sorted as _sdict

# Partition flags
P_DELETION = 0x01
P_RTS = 0x02
P_STATIC = 0x04
# Row flags
R_LIVENESS = 0x01
R_LIVENESS_TTL = 0x02
R_DELETION = 0x04
# Cell flags
C_TOMBSTONE = 0x01
C_TTL = 0x02
C_COMPLEX = 0x04
C_LDT = 0x08  # a local deletion time is stored explicitly
C_CDEL = 0x10  # complex column with a deletion

_first = itemgetter(0)
_tnew = tuple.__new__
_pnew = object.__new__


class DecodeError(ValueError):
    """Raised when bytes do not decode; callers turn it into a CorruptionError."""


# --------------------------------------------------------------------------------------
# varints
# --------------------------------------------------------------------------------------


def put_uvarint(out: bytearray, v: int) -> None:
    if v < 0x80:
        out.append(v)
        return
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def uvarint_bytes(v: int) -> bytes:
    out = bytearray()
    put_uvarint(out, v)
    return bytes(out)


def get_uvarint(buf, pos: int) -> tuple[int, int]:
    b = buf[pos]
    if b < 0x80:
        return b, pos + 1
    result = b & 0x7F
    shift = 7
    pos += 1
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise DecodeError("varint too long")


def put_svarint(out: bytearray, v: int) -> None:
    put_uvarint(out, v << 1 if v >= 0 else ((-v) << 1) - 1)


def get_svarint(buf, pos: int) -> tuple[int, int]:
    u, pos = get_uvarint(buf, pos)
    return (u >> 1) if not u & 1 else -((u + 1) >> 1), pos


def put_bytes(out: bytearray, b: bytes) -> None:
    n = len(b)
    if n < 0x80:
        out.append(n)
    else:
        put_uvarint(out, n)
    out += b


def get_bytes(buf, pos: int) -> tuple[bytes, int]:
    n = buf[pos]
    if n < 0x80:
        pos += 1
    else:
        n, pos = get_uvarint(buf, pos)
    end = pos + n
    if end > len(buf):
        raise DecodeError("length past end of buffer")
    return bytes(buf[pos:end]), end


# --------------------------------------------------------------------------------------
# encoding
# --------------------------------------------------------------------------------------


def _put_ts(out: bytearray, ts: int, base: int) -> None:
    d = ts - base
    if d == 0:
        out.append(0)
    else:
        put_uvarint(out, d << 1 if d > 0 else ((-d) << 1) - 1)


def _base_timestamp(p: Partition) -> int:
    """Any timestamp of the partition: deltas against it are small."""
    rows = p.rows
    for row in (dict.values(rows) if len(rows) == 1 else rows.values()):
        if row.liveness is not None:
            return row.liveness.timestamp
        for data in row.cells.values():
            if type(data) is Cell:
                return data.timestamp
        break
    if p.deletion is not None:
        return p.deletion.marked_at
    if p.static_row is not None and p.static_row.liveness is not None:
        return p.static_row.liveness.timestamp
    return 0


def _put_cell(out: bytearray, c: Cell, base: int) -> None:
    value, ts, ttl, ldt = c
    if value is None:
        if ttl:
            out.append(C_TOMBSTONE | C_TTL)
            _put_ts(out, ts, base)
            put_svarint(out, ttl)
        else:
            out.append(C_TOMBSTONE)
            _put_ts(out, ts, base)
        put_svarint(out, ldt)
        return
    if ttl:
        out.append(C_TTL)
        _put_ts(out, ts, base)
        put_svarint(out, ttl)
        put_svarint(out, ldt)
    elif ldt != NO_DELETION_TIME:
        out.append(C_LDT)
        _put_ts(out, ts, base)
        put_svarint(out, ldt)
    else:
        out.append(0)
        d = ts - base
        if d == 0:
            out.append(0)
        else:
            put_uvarint(out, d << 1 if d > 0 else ((-d) << 1) - 1)
    n = len(value)
    if n < 0x80:
        out.append(n)
    else:
        put_uvarint(out, n)
    out += value


_NAMES: dict[str, bytes] = {}


def _name_prefix(name: str) -> bytes:
    """A column name as written (length + UTF-8), cached: tables have few columns."""
    out = bytearray()
    put_bytes(out, name.encode())
    prefix = bytes(out)
    if len(_NAMES) < 10000:
        _NAMES[name] = prefix
    return prefix


_INDEXES: dict[tuple, dict] = {}


def name_index(columns: tuple[str, ...]) -> dict:
    """Each of ``columns``' encoded names (as a row writes it) -> its position, for
    ``get_live_rows``. For a name under 128 bytes, also the name followed by the cell
    flags and timestamp delta of a plain cell written at its row's timestamp (0, 0: how
    most cells start) -> its position, and that followed by each one-byte value length
    ``n`` -> (position, header length, n): one lookup recognises such a cell and where
    its value is. (A name's first byte is its length only under 128 bytes; the lookups
    slice by it.) Cached per tuple of columns (not to be modified)."""
    index = _INDEXES.get(columns)
    if index is not None:
        return index
    index = {}
    for i, name in enumerate(columns):
        prefix = _NAMES.get(name)
        if prefix is None:
            prefix = _name_prefix(name)
        index.setdefault(prefix, i)
        if prefix[0] < 0x80:
            plain = prefix + b"\x00\x00"
            index.setdefault(plain, i)
            for n in range(0x80):
                index.setdefault(plain + bytes((n,)), (i, len(plain) + 1, n))
    if len(_INDEXES) < 10000:
        _INDEXES[columns] = index
    return index


def _put_deletion(out: bytearray, d: DeletionTime, base: int) -> None:
    _put_ts(out, d.marked_at, base)
    put_svarint(out, d.local_deletion_time)


def put_row_body(out: bytearray, row: Row, base: int) -> None:
    flags = _row_flags(row)
    liveness = row.liveness
    out.append(flags)
    if liveness is None:
        _put_row_rest(out, row, flags, base)
        return
    _put_ts(out, liveness.timestamp, base)
    if type(row) is not CachedRow:
        _put_row_rest(out, row, flags, liveness.timestamp)
        return
    # what follows the marker's timestamp is relative to it, whatever the partition's base:
    # encoded once (for the commit log), copied again by the flush
    tail = row.tail
    out += tail if tail is not None else _row_tail(row, flags)


def _row_tail(row: CachedRow, flags: int) -> bytes:
    """Encode ``row``'s tail (``row`` has a marker); kept as ``row.tail`` only if the row
    is what a flush takes a kept tail for (``CachedRowsSummary``): a non-expiring marker,
    no deletion and only live, non-expiring cells at the marker's timestamp. (A tail with
    a TTL or a tombstone would be counted as live cells in the statistics; such rows are
    encoded again by the flush, as other rows are.)"""
    out = bytearray()
    ts = row.liveness.timestamp
    _put_row_rest(out, row, flags, ts)
    tail = bytes(out)
    if flags == R_LIVENESS and _plain_cells(row.cells, ts):
        row.tail = tail
    return tail


def _plain_cells(cells: dict, ts: int) -> bool:
    """Only live, non-expiring simple cells written at ``ts``."""
    for c in cells.values():
        if type(c) is not Cell or c[0] is None or c[2] or c[3] != NO_DELETION_TIME \
                or c[1] != ts:
            return False
    return True


def _row_flags(row: Row) -> int:
    flags = 0
    liveness = row.liveness
    if liveness is not None:
        flags = R_LIVENESS
        if liveness.ttl or liveness.local_expiration_time != NO_DELETION_TIME:
            flags |= R_LIVENESS_TTL
    if row.deletion is not None:
        flags |= R_DELETION
    return flags


_BYTE = [bytes((i,)) for i in range(0x80)]


def cell_head(name: str) -> bytes:
    """What precedes the value of a live, non-expiring cell written at its row marker's
    timestamp: the name, flags 0, timestamp delta 0 (for ``marker_row_tail``)."""
    return _name_prefix(name) + b"\x00\x00"


def marker_row_tail(cells: list) -> bytes:
    """The ``CachedRow.tail`` of a row with a non-expiring marker, no deletion, and only
    live, non-expiring cells at the marker's timestamp (an INSERT's row, encoded by the
    prepared statement's writer as it builds it); ``cells`` alternates ``cell_head`` and
    value."""
    return plain_row_tail(cells[0::2], cells[1::2])


def plain_row_tail(heads, values) -> bytes:
    """``marker_row_tail`` of the cells with ``heads`` (``cell_head``) and ``values``
    (sequences of the same length): a plain row's (``CachedRow.plain``)."""
    n = len(values)
    parts = [_BYTE[n] if n < 0x80 else uvarint_bytes(n)]
    for head, value in zip(heads, values):
        k = len(value)
        parts += (head, _BYTE[k] if k < 0x80 else uvarint_bytes(k), value)
    return b"".join(parts)


def _put_row_rest(out: bytearray, row: Row, flags: int, base: int) -> None:
    """A row body after its flags and marker timestamp; ``base`` is the marker's
    timestamp if it has one."""
    if flags & R_LIVENESS_TTL:
        put_svarint(out, row.liveness.ttl)
        put_svarint(out, row.liveness.local_expiration_time)
    if row.deletion is not None:
        _put_deletion(out, row.deletion, base)
    cells = row.cells
    n = len(cells)
    if n < 0x80:
        out.append(n)
    else:
        put_uvarint(out, n)
    for name, data in cells.items():
        prefix = _NAMES.get(name)
        if prefix is None:
            prefix = _name_prefix(name)
        out += prefix
        if type(data) is Cell:
            _put_cell(out, data, base)
        else:
            if data.deletion is not None:
                out.append(C_COMPLEX | C_CDEL)
                _put_deletion(out, data.deletion, base)
            else:
                out.append(C_COMPLEX)
            put_uvarint(out, len(data.cells))
            for path, cell in data.cells.items():
                put_bytes(out, path)
                _put_cell(out, cell, base)


def put_partition_header(out: bytearray, p: Partition, base: int) -> None:
    flags = 0
    if p.deletion is not None:
        flags |= P_DELETION
    if p.range_tombstones:
        flags |= P_RTS
    if p.static_row is not None:
        flags |= P_STATIC
    out.append(flags)
    put_svarint(out, base)
    if p.deletion is not None:
        _put_deletion(out, p.deletion, base)
    if p.range_tombstones:
        put_uvarint(out, len(p.range_tombstones))
        for rt in p.range_tombstones:
            put_bytes(out, rt.lo)
            if rt.hi is None:
                out.append(0)
            else:
                put_uvarint(out, len(rt.hi) + 1)
                out += rt.hi
            _put_deletion(out, rt.deletion, base)
    if p.static_row is not None:
        put_row_body(out, p.static_row, base)
    put_uvarint(out, len(p.rows))


def _put_row(out: bytearray, ck: bytes, row: Row, base: int) -> None:
    """ck, then the body's length (so readers can skip it), then the body."""
    n = len(ck)
    out.append(n) if n < 0x80 else put_uvarint(out, n)
    out += ck
    if type(row) is CachedRow and row.tail is not None:  # a flush of INSERTed rows
        tail = row.tail
        d = row.timestamp - base
        u = d << 1 if d >= 0 else ((-d) << 1) - 1  # the marker's timestamp, as _put_ts
        size = (2 if u < 0x80 else 1 + (u.bit_length() + 6) // 7) + len(tail)
        if size < 0x4000:
            out.append(0x80 | (size & 0x7F))
            out.append(size >> 7)
        else:
            put_uvarint(out, size)
        out.append(_row_flags(row))
        if u < 0x80:
            out.append(u)
        else:
            put_uvarint(out, u)
        out += tail
        return
    start = len(out)
    out += b"\x80\x00"  # two-byte varint placeholder for the body length
    put_row_body(out, row, base)
    size = len(out) - start - 2
    if size < 0x4000:
        out[start] = 0x80 | (size & 0x7F)
        out[start + 1] = size >> 7
    else:  # rare: a row over 16 KiB needs a longer length prefix
        body = bytes(out[start + 2:])
        del out[start:]
        put_uvarint(out, size)
        out += body


def put_partition(out: bytearray, p: Partition, row_offsets: list | None = None
                  ) -> CachedRowsSummary | None:
    """Append ``p``; if ``row_offsets`` is a list, append (ck, offset) for every row and
    return what the statistics need of the rows written from their kept encoding
    (``CachedRowsSummary``, see ``put_indexed_partition``), else None."""
    if row_offsets is not None:
        keys, offsets, _, summary = put_indexed_partition(out, p)
        row_offsets += zip(keys, offsets)
        return summary
    base = _base_timestamp(p)
    put_partition_header(out, p, base)
    rows = p.rows
    if len(rows) == 1:  # every one-row write: the plain dict view, no sorted-view iterator
        items = dict.items(rows)
    elif type(rows) is dict:  # an update's unsorted rows (a batch merged several)
        items = sorted(rows.items(), key=_first)
    else:  # a SortedDict: keys in order and values looked up, both in C (its items view
        items = zip(rows, map(rows.__getitem__, rows))  # iterates in Python)
    for ck, row in items:
        _put_row(out, ck, row, base)


def put_indexed_partition(out: bytearray, p: Partition
                          ) -> tuple[list, list, int, CachedRowsSummary]:
    """Append ``p`` (the bytes ``put_partition`` writes) as an SSTable writer does: returns
    its clustering keys in order, each row's offset in ``out`` (for the row index), its
    base timestamp and the summary of the rows written from their kept encoding (for the
    statistics)."""
    base = _base_timestamp(p)
    put_partition_header(out, p, base)
    # one sort of the (ck, row) pairs, cheaper than looking each key up (keys are unique,
    # so the rows are never compared); a dict's rows and a SortedDict's alike
    items = sorted(dict.items(p.rows), key=_first)
    keys = list(map(_first, items))
    offsets, summary = _put_sorted_rows(out, items, base)
    return keys, offsets, base, summary


class CachedRowsSummary(NamedTuple):
    """The rows of a partition written from their kept encoding (``CachedRow.tail``: a
    non-expiring marker, no deletion, live non-expiring cells at the marker's timestamp,
    which ``_row_tail`` and ``marker_row_tail`` ensure): how many, their timestamps'
    bounds and their cell count; ``others``: the other rows; ``first``, ``last``: the
    lowest and highest clustering key of all the rows (None without rows)."""
    count: int
    min_ts: int
    max_ts: int
    cells: int
    others: list
    first: bytes | None = None
    last: bytes | None = None


_ROW_HEADS: tuple | None = None


def _row_heads() -> tuple[list, list, list]:
    """Pieces of a kept-encoding row's head by lookup (built at the first flush, ~5 ms):
    [size] -> the two-byte body length and the flags of a marker row; [v] for v < 2**14
    -> the varint of v; [v] -> the low 14 bits of v as the first two bytes of a longer
    varint. (Sliced from byte strings laid out with stride 2 or 3: no tuple per entry.)"""
    global _ROW_HEADS
    if _ROW_HEADS is None:
        n = 1 << 14
        low = bytes(range(0x80, 0x100)) * 0x80  # v & 0x7F with the continuation bit
        high = b"".join(_BYTE[h] * 0x80 for h in range(0x80))  # v >> 7
        heads, pairs, longer = bytearray(3 * n), bytearray(2 * n), bytearray(2 * n)
        heads[0::3], heads[1::3], heads[2::3] = low, high, bytes((R_LIVENESS,)) * n
        pairs[0::2], pairs[1::2] = low, high
        longer[0::2], longer[1::2] = low, high.translate(bytes(range(0x80, 0x100)) * 2)
        heads, pairs, longer = bytes(heads), bytes(pairs), bytes(longer)
        _ROW_HEADS = (
            [heads[i:i + 3] for i in range(0, 3 * n, 3)],
            _BYTE + [pairs[i:i + 2] for i in range(0x100, 2 * n, 2)],
            [longer[i:i + 2] for i in range(0, 2 * n, 2)],
        )
    return _ROW_HEADS


def _put_sorted_rows(out: bytearray, items: list, base: int
                     ) -> tuple[list, CachedRowsSummary]:
    """``_put_row`` of each (ck, row) of ``items`` (in key order); returns each row's
    offset in ``out`` and the ``CachedRowsSummary``. An INSERTed row that kept its
    encoding (the usual row of a flush) is its tail behind a head put together from
    looked-up pieces (key length, key, body length and flags, marker timestamp delta),
    all joined once: no Python call per row; its statistics are summed up in the same
    pass (its cell count is its tail's first varint)."""
    head, short, low14 = _ROW_HEADS or _row_heads()
    pieces: list = []
    put = pieces.extend
    offsets: list = []
    offset = offsets.append
    pos = len(out)
    others = []
    count = cells = 0
    lo, hi = 1 << 64, -(1 << 64)  # timestamp bounds of the cached rows (when count > 0)
    byte = _BYTE
    cached_row = CachedRow
    for ck, row in items:
        offset(pos)
        n = len(ck)
        tail = row.tail if type(row) is cached_row else None
        if tail is not None and n < 0x80:
            ts = row.timestamp
            d = ts - base
            u = d << 1 if d >= 0 else ~(d << 1)  # zig-zag, as _put_ts
            # size: flags, the delta's varint, the tail
            if u < 0x4000:
                u_low, u_high = b"", short[u]
                size = (2 if u < 0x80 else 3) + len(tail)
            elif u < 0x10000000:
                u_low, u_high = low14[u & 0x3FFF], short[u >> 14]
                size = (4 if u < 0x200000 else 5) + len(tail)
            else:
                size = 0x4000  # a delta over 4 bytes: the general path
            if size < 0x4000:
                put((byte[n], ck, head[size], u_low, u_high, tail))
                pos += 3 + n + size
                count += 1
                c = tail[0]
                cells += c if c < 0x80 else get_uvarint(tail, 0)[0]
                if ts < lo:
                    lo = ts
                if ts > hi:
                    hi = ts
                continue
        rec = bytearray()
        _put_row(rec, ck, row, base)
        pieces.append(rec)
        pos += len(rec)
        others.append(row)
    out += b"".join(pieces)
    first, last = (items[0][0], items[-1][0]) if items else (None, None)
    return offsets, CachedRowsSummary(count, lo, hi, cells, others, first, last)


def encode_partition(p: Partition) -> bytes:
    out = bytearray()
    put_partition(out, p)
    return bytes(out)


# --------------------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------------------


def _get_ts(buf, pos: int, base: int) -> tuple[int, int]:
    u = buf[pos]
    if u < 0x80:
        pos += 1
    elif buf[pos + 1] < 0x80:
        u = (u & 0x7F) | (buf[pos + 1] << 7)
        pos += 2
    else:
        u, pos = get_uvarint(buf, pos)
    return base + ((u >> 1) if not u & 1 else -((u + 1) >> 1)), pos


def _get_cell(buf, pos: int, base: int) -> tuple[Cell, int]:
    flags = buf[pos]
    u = buf[pos + 1]
    if u < 0x80:
        pos += 2
    else:
        u, pos = get_uvarint(buf, pos + 1)
    ts = base + ((u >> 1) if not u & 1 else -((u + 1) >> 1))
    if flags == 0:
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(buf, pos)
        end = pos + n
        return _tnew(Cell, (bytes(buf[pos:end]), ts, NO_TTL, NO_DELETION_TIME)), end
    ttl = NO_TTL
    if flags & C_TTL:
        ttl, pos = get_svarint(buf, pos)
    ldt, pos = get_svarint(buf, pos)
    if flags & C_TOMBSTONE:
        return _tnew(Cell, (None, ts, ttl, ldt)), pos
    n, pos = get_uvarint(buf, pos)
    end = pos + n
    return _tnew(Cell, (bytes(buf[pos:end]), ts, ttl, ldt)), end


def _get_deletion(buf, pos: int, base: int) -> tuple[DeletionTime, int]:
    ts, pos = _get_ts(buf, pos, base)
    ldt, pos = get_svarint(buf, pos)
    return _tnew(DeletionTime, (ts, ldt)), pos


def get_row_body(buf, pos: int, base: int) -> tuple[Row, int]:
    flags = buf[pos]
    pos += 1
    liveness = deletion = None
    if flags:
        if flags & R_LIVENESS:
            ts, pos = _get_ts(buf, pos, base)
            base = ts
            if flags & R_LIVENESS_TTL:
                ttl, pos = get_svarint(buf, pos)
                let, pos = get_svarint(buf, pos)
                liveness = _tnew(LivenessInfo, (ts, ttl, let))
            else:
                liveness = _tnew(LivenessInfo, (ts, NO_TTL, NO_DELETION_TIME))
        if flags & R_DELETION:
            deletion, pos = _get_deletion(buf, pos, base)
    n = buf[pos]
    if n < 0x80:
        pos += 1
    else:
        n, pos = get_uvarint(buf, pos)
    cells: dict = {}
    for _ in range(n):
        ln = buf[pos]
        pos += 1
        if ln >= 0x80:
            ln, pos = get_uvarint(buf, pos - 1)
        name = str(buf[pos:pos + ln], "utf-8")
        pos += ln
        if buf[pos] & C_COMPLEX:
            cflags = buf[pos]
            pos += 1
            cdel = None
            if cflags & C_CDEL:
                cdel, pos = _get_deletion(buf, pos, base)
            count, pos = get_uvarint(buf, pos)
            items = []
            for _ in range(count):
                path, pos = get_bytes(buf, pos)
                cell, pos = _get_cell(buf, pos, base)
                items.append((path, cell))
            cells[name] = ComplexColumn(cdel, _sdict(items))
        else:
            cells[name], pos = _get_cell(buf, pos, base)
    row = Row.__new__(Row)
    row.liveness = liveness
    row.deletion = deletion
    row.cells = cells
    return row, pos


def get_partition_header(buf, pos: int) -> tuple[Partition, int, int, int]:
    """Decode a partition header: (partition without rows, base, row count, position)."""
    flags = buf[pos]
    base, pos = get_svarint(buf, pos + 1)
    p = _pnew(Partition)
    p.deletion = None
    p.range_tombstones = []
    p.static_row = None
    if flags & P_DELETION:
        p.deletion, pos = _get_deletion(buf, pos, base)
    if flags & P_RTS:
        count, pos = get_uvarint(buf, pos)
        rts = []
        for _ in range(count):
            lo, pos = get_bytes(buf, pos)
            hn, pos = get_uvarint(buf, pos)
            if hn == 0:
                hi = None
            else:
                hi = bytes(buf[pos:pos + hn - 1])
                pos += hn - 1
            d, pos = _get_deletion(buf, pos, base)
            rts.append(_tnew(RangeTombstone, (lo, hi, d)))
        p.range_tombstones = rts
    if flags & P_STATIC:
        p.static_row, pos = get_row_body(buf, pos, base)
    nrows, pos = get_uvarint(buf, pos)
    return p, base, nrows, pos


def get_rows(buf, pos: int, count: int, base: int, out: list) -> int:
    """Decode ``count`` rows starting at ``pos`` into ``out`` as (ck, row) pairs."""
    for _ in range(count):
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(buf, pos)
        ck = bytes(buf[pos:pos + n])
        pos += n
        while buf[pos] & 0x80:  # skip the body length
            pos += 1
        row, pos = get_row_body(buf, pos + 1, base)
        out.append((ck, row))
    return pos


def get_rows_until(
    buf, pos: int, end: int, base: int, lo: bytes | None, hi: bytes | None, out: list
) -> int:
    """Decode the rows from ``pos`` (up to ``end``) whose ck is in [lo, hi).

    Rows before ``lo`` are skipped by their length prefix, without decoding. Returns the
    position of the first row at or past ``hi`` (or ``end``).
    """
    while pos < end:
        start = pos
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(buf, pos)
        ck = bytes(buf[pos:pos + n])
        if hi is not None and ck >= hi:
            return start
        pos += n
        b0 = buf[pos]
        b1 = buf[pos + 1]
        if b0 & 0x80 and b1 < 0x80:  # the usual two-byte length
            size = (b0 & 0x7F) | (b1 << 7)
            pos += 2
        else:
            size, pos = get_uvarint(buf, pos)
        if lo is not None and ck < lo:
            pos += size
            continue
        row, pos = get_row_body(buf, pos, base)
        out.append((ck, row))
    return pos


def decode_partition(buf, pos: int = 0) -> tuple[Partition, int]:
    p, base, nrows, pos = get_partition_header(buf, pos)
    rows: list = []
    pos = get_rows(buf, pos, nrows, base, rows)
    p.rows = _sdict(rows)
    return p, pos


def safe_decode_partition(buf, pos: int = 0) -> tuple[Partition, int]:
    """decode_partition that reports any malformed input as DecodeError."""
    try:
        return decode_partition(buf, pos)
    except DecodeError:
        raise
    except (IndexError, ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise DecodeError(f"malformed partition: {exc}") from exc


# --------------------------------------------------------------------------------------
# commit log records: a list of mutations
# --------------------------------------------------------------------------------------

_U32 = struct.Struct("<I")


def encode_mutations(mutations) -> tuple[bytes, list[int]]:
    """One commit-log payload for ``mutations`` and each partition's encoded size."""
    if len(mutations) == 1:
        one = _one_row_record(mutations[0])
        if one is not None:
            return one
    out = bytearray()
    put_uvarint(out, len(mutations))
    sizes = []
    for m in mutations:
        tid = _NAMES.get(m.table_id)
        if tid is None:
            tid = _name_prefix(m.table_id)
        out += tid
        put_bytes(out, m.pk)
        out += b"\0\0\0\0"
        start = len(out)
        put_partition(out, m.update)
        size = len(out) - start
        _U32.pack_into(out, start - 4, size)
        sizes.append(size)
    return bytes(out), sizes


def _one_row_record(m) -> tuple[bytes, list[int]] | None:
    """``encode_mutations([m])`` of a one-row update that ``row_record`` encodes; None for
    anything else."""
    p = m.update
    rows = p.rows
    if len(rows) != 1 or p.deletion is not None or p.static_row is not None \
            or p.range_tombstones:
        return None
    for ck, row in dict.items(rows):
        record = row_record(m.table_id, m.pk, ck, row)
        if record is not None:
            return record[0], [record[1]]
    return None


def row_record(table_id: str, pk: bytes, ck: bytes, row) -> tuple[bytes, int] | None:
    """The commit-log record of ``row`` written alone at ``ck`` in partition ``pk``: the
    bytes of ``encode_mutations([Mutation(table_id, pk, Partition(rows={ck: row}))])``
    and the partition's encoded size, built straight from the row's kept encoding (an
    INSERT's CachedRow: the prepared writer's ``tail``), without the general walk. None
    for any other row, or keys or a row too long for the one-byte and two-byte lengths
    this writes (the general walk encodes those)."""
    if type(row) is not CachedRow:
        return None
    ts = row.timestamp  # the marker's
    if ts is None:
        return None
    tail = row.tail
    if row.values is not None and tail is not None:
        flags = R_LIVENESS  # an INSERT's plain row (CachedRow.plain): a non-expiring marker
    else:
        flags = _row_flags(row)
        if tail is None:
            tail = _row_tail(row, flags)
    size = 2 + len(tail)  # flags, marker timestamp (delta 0 against the base), tail
    nck = len(ck)
    npk = len(pk)
    if nck >= 0x80 or npk >= 0x80 or size >= 0x4000:
        return None
    if flags == R_LIVENESS:  # the body's two-byte size and its flags, looked up
        body_head = (_ROW_HEADS or _row_heads())[0][size]
    else:
        body_head = bytes((0x80 | (size & 0x7F), size >> 7, flags))
    head = _RECORD_HEADS.get(table_id)
    if head is None:
        head = _record_head(table_id)
    base = _timestamp_svarint(ts)
    # the partition: flags 0, base = the marker's timestamp, one row: ck, the body's head,
    # the marker's timestamp (delta 0 against the base), the tail
    part_size = len(base) + nck + size + 5
    return b"".join((head, _BYTE[npk], pk, _U32.pack(part_size), b"\x00", base, b"\x01",
                     _BYTE[nck], ck, body_head, b"\x00", tail)), part_size


_RECORD_HEADS: dict[str, bytes] = {}  # table id -> a record's mutation count and table id


def _record_head(table_id: str) -> bytes:
    tid = _NAMES.get(table_id)
    head = b"\x01" + (tid if tid is not None else _name_prefix(table_id))
    if len(_RECORD_HEADS) < 10000:
        _RECORD_HEADS[table_id] = head
    return head


_last_ts_high = (-1, b"")  # (ts zig-zag >> 14, its varint bytes): swapped whole, no lock


def _timestamp_svarint(ts: int) -> bytes:
    """``put_svarint`` of a timestamp as bytes. Consecutive writes' timestamps differ only
    in their low bits: the varint of the rest is kept from the previous call."""
    global _last_ts_high
    u = ts << 1 if ts >= 0 else ((-ts) << 1) - 1
    high = u >> 14
    cached = _last_ts_high
    if cached[0] != high:
        if high == 0:
            return uvarint_bytes(u)
        cached = _last_ts_high = (high, uvarint_bytes(high))
    return (_ROW_HEADS or _row_heads())[2][u & 0x3FFF] + cached[1]


def iter_mutations(payload: bytes):
    """Yield (table_id, pk, start, end) for each mutation; the partition is payload[start:end]."""
    try:
        count, pos = get_uvarint(payload, 0)
        for _ in range(count):
            tid, pos = get_bytes(payload, pos)
            pk, pos = get_bytes(payload, pos)
            (size,) = _U32.unpack_from(payload, pos)
            pos += 4
            if pos + size > len(payload):
                raise DecodeError("mutation past end of record")
            yield tid.decode(), pk, pos, pos + size
            pos += size
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise DecodeError(f"malformed mutation record: {exc}") from exc


# --------------------------------------------------------------------------------------
# projected reads: live values straight from the encoded rows
# --------------------------------------------------------------------------------------


def _row_head(buf, pos: int) -> tuple[int, int, int]:
    """(ck start, ck end, next row start) of the row at ``pos``."""
    n = buf[pos]
    if n < 0x80:
        pos += 1
    else:
        n, pos = get_uvarint(buf, pos)
    ck_end = pos + n
    b0 = buf[ck_end]
    b1 = buf[ck_end + 1]
    if b0 & 0x80 and b1 < 0x80:  # the usual two-byte length
        return pos, ck_end, ck_end + 2 + ((b0 & 0x7F) | (b1 << 7))
    size, body = get_uvarint(buf, ck_end)
    return pos, ck_end, body + size


def row_key_range(buf, pos: int, last_from: int, end: int) -> tuple[bytes, bytes] | None:
    """(first, last) clustering keys of the rows from ``pos`` (a row start) up to ``end``;
    the last is found by skipping rows by their length from ``last_from`` (a row start at
    or after ``pos``). None when there is no row."""
    if pos >= end:
        return None
    ck, ck_end, _ = _row_head(buf, pos)
    first = buf[ck:ck_end]
    at = last_from
    while True:
        ck, ck_end, nxt = _row_head(buf, at)
        if nxt >= end:
            return first, buf[ck:ck_end]
        at = nxt


def get_live_rows(buf, pos: int, end: int, base: int, lo: bytes | None, hi: bytes | None,
                  names: dict, width: int, floor: int, rts, now: int, out: list,
                  limit: int | None) -> int:
    """Append ``(ck, values)`` for each live row from ``pos`` (up to ``end``) of ``buf``
    (bytes: its slices are the keys and values) whose ck is in [lo, hi), stopping once
    ``out`` holds ``limit`` rows; returns the position reached.

    What ``get_rows_until`` and ``purge_row`` give, without building the rows: ``names``
    maps a column's encoded name (as written: length + UTF-8) to its position in
    ``values``, which holds the value bytes of a live simple cell, a ComplexColumn of a
    collection's live cells, or None. ``floor`` is the partition deletion's timestamp
    (MIN_TIMESTAMP for none) and ``rts`` the range tombstones that may cover these rows;
    what they, the row deletion or a TTL removes is not live. A row is live when its
    marker or any of its cells (selected or not) is. With nothing to shadow a row
    (``floor`` MIN_TIMESTAMP, no deletion), timestamps are not decoded: every timestamp
    is above MIN_TIMESTAMP (CQL refuses it in USING TIMESTAMP); rows of the usual shape
    are then decoded by ``_plain_live_rows``, the others by ``_live_rows``.
    """
    if end > len(buf):
        raise DecodeError(f"rows end at {end}, past their buffer of {len(buf)} bytes")
    if lo is not None:  # rows before lo: skipped by their length
        while pos < end:
            n = buf[pos]
            if n < 0x80:
                at = pos + 1
            else:
                n, at = get_uvarint(buf, pos)
            ck = buf[at:at + n]
            if ck >= lo or (hi is not None and ck >= hi):
                break
            at += n
            b0 = buf[at]
            b1 = buf[at + 1]
            if b0 & 0x80 and b1 < 0x80:  # the usual two-byte length
                pos = at + 2 + ((b0 & 0x7F) | (b1 << 7))
            else:
                size, at = get_uvarint(buf, at)
                pos = at + size
    if floor != MIN_TIMESTAMP or rts:
        return _live_rows(buf, pos, end, base, hi, names, width, floor, rts, now, out, limit)
    while True:
        at = pos
        pos, done = _plain_live_rows(buf, pos, end, hi, names, width, out, limit)
        if done:
            return pos
        if pos == at:  # not one row of the usual shape: the general loop does the rest
            return _live_rows(buf, pos, end, base, hi, names, width, floor, rts, now, out,
                              limit)
        k = len(out) + 1  # the general loop up to the next live row, then the usual shape
        pos = _live_rows(buf, pos, end, base, hi, names, width, floor, rts, now, out,
                         k if limit is None or k < limit else limit)
        if len(out) < k or len(out) == limit:
            return pos


_NO_LIMIT = 1 << 62
_RANGES = [range(n) for n in range(0x80)]  # a row's cell count: no range() call per row


def _plain_live_rows(buf, pos: int, end: int, hi: bytes | None, names: dict, width: int,
                     out: list, limit: int | None) -> tuple[int, bool]:
    """``get_live_rows`` of rows nothing can shadow (no partition deletion, no range
    tombstone) as long as they have the usual shape: a key under 128 bytes, a two-byte
    body length, a non-expiring row marker and no deletion, under 128 cells, each live
    and non-expiring (flags 0) with a name under 128 bytes. Such a row is live (its
    marker) and so are its cells whatever their timestamps, which are skipped: the
    general loop's work without its branches. Returns the position reached and whether
    the rows are done (at ``hi``, ``end`` or ``limit``); not done: ``pos`` is the start
    of a row of another shape, or of one whose lengths reach past its end (corrupt: the
    general loop reports it).

    Compiled, ``data`` is a C pointer into ``buf`` (encoding.pxd), whose slices are
    copies without bounds checks: every slice is checked against its row's end first."""
    data = buf
    get = names.get
    append = out.append
    ranges = _RANGES
    left = _NO_LIMIT if limit is None else limit - len(out)
    if end > len(buf):  # corrupt: the general loop reports it
        return pos, False
    while pos < end:
        n = buf[pos]
        if n >= 0x80:
            return pos, False
        p = pos + 1 + n
        # the body length (two bytes), the row flags, the marker's timestamp (skipped)
        b0 = buf[p]
        b1 = buf[p + 1]
        if buf[p + 2] != R_LIVENESS or b1 >= 0x80 or not b0 & 0x80:
            return pos, False
        row_end = p + 2 + ((b0 & 0x7F) | (b1 << 7))
        if row_end > end:
            return pos, False
        ck = data[pos + 1:p]
        if hi is not None and ck >= hi:
            return pos, True
        p += 3
        if buf[p] < 0x80:
            p += 1
        elif buf[p + 1] < 0x80:
            p += 2
        elif buf[p + 2] < 0x80:
            p += 3
        elif buf[p + 3] < 0x80:
            p += 4
        else:
            p = get_uvarint(buf, p)[1]
        count = buf[p]
        if count >= 0x80:
            return pos, False
        p += 1
        values = [None] * width
        for _ in ranges[count]:
            q = p + buf[p] + 4
            if q > row_end:
                return pos, False
            hit = get(data[p:q])
            if hit is not None:  # a selected cell at the row's timestamp, short value
                i, head, vn = hit
                p += head
                q = p + vn
                if q > row_end:
                    return pos, False
                values[i] = data[p:q]
                p = q
                continue
            ln = buf[p]
            q = p + 1 + ln
            if ln >= 0x80 or buf[q]:
                return pos, False  # a long name, a tombstone, a TTL, a collection...
            selected = get(data[p:q])  # None: not selected
            q += 1
            if buf[q] < 0x80:  # the timestamp
                q += 1
            else:
                q = get_uvarint(buf, q)[1]
            vn = buf[q]
            if vn < 0x80:
                q += 1
            else:
                vn, q = get_uvarint(buf, q)
            p = q + vn
            if p > row_end:
                return pos, False
            if selected is not None:
                values[selected] = data[q:p]
        pos = p
        append((ck, values))
        left -= 1
        if not left:
            return pos, True
    return pos, True


def _live_rows(buf, pos: int, end: int, base: int, hi: bytes | None, names: dict,
               width: int, floor: int, rts, now: int, out: list, limit: int | None) -> int:
    """``get_live_rows`` of the rows from ``pos`` (a row at or after ``lo``), any shape."""
    while pos < end:
        start = pos
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(buf, pos)
        ck = buf[pos:pos + n]
        if hi is not None and ck >= hi:
            return start
        pos += n
        b0 = buf[pos]
        b1 = buf[pos + 1]
        if b0 & 0x80 and b1 < 0x80:  # the body length, usually two bytes
            pos += 2
            row_end = pos + ((b0 & 0x7F) | (b1 << 7))
        else:
            size, pos = get_uvarint(buf, pos)
            row_end = pos + size
        if row_end > end:
            raise DecodeError(f"the row at {start} ends past its block")
        row_floor = floor
        if rts:
            for rt in rts:
                if rt.lo <= ck and (rt.hi is None or ck < rt.hi) \
                        and rt.deletion.marked_at > row_floor:
                    row_floor = rt.deletion.marked_at
        # the row body: flags, marker, deletion, cells (see get_row_body)
        row_base = base
        flags = buf[pos]
        pos += 1
        live = False
        if flags == R_LIVENESS and row_floor == MIN_TIMESTAMP:
            # a plain row marker nothing can shadow: live whatever its timestamp, which
            # only a collection's cells need (their base); cells skip timestamps too
            marker = pos
            while buf[pos] & 0x80:
                pos += 1
            pos += 1
            row_base = None
            live = True
        elif flags:
            if flags & R_LIVENESS:
                ts, pos = _get_ts(buf, pos, base)
                row_base = ts
                expires = None
                if flags & R_LIVENESS_TTL:
                    ttl, pos = get_svarint(buf, pos)
                    expires, pos = get_svarint(buf, pos)
                    if ttl == NO_TTL:
                        expires = None
            if flags & R_DELETION:
                dts, pos = _get_ts(buf, pos, row_base)
                _, pos = get_svarint(buf, pos)
                if dts > row_floor:
                    row_floor = dts
            if flags & R_LIVENESS:
                live = ts > row_floor and (expires is None or now < expires)
        # whether a cell written at the row's timestamp (delta 0) is above the floor
        plain_alive = row_floor == MIN_TIMESTAMP or (row_base is not None
                                                     and row_base > row_floor)
        values = [None] * width
        count = buf[pos]
        if count < 0x80:
            pos += 1
        else:
            count, pos = get_uvarint(buf, pos)
        for _ in range(count):
            ln = buf[pos]
            # a plain cell takes at least its probe's bytes; a probe past the row's end
            # is not one (and would be cut short at the buffer's end)
            q = pos + ln + 4
            hit = names.get(buf[pos:q]) if q <= row_end else None
            if hit is not None:  # a selected plain cell at the row's timestamp, short value
                i, head, vn = hit
                pos += head
                if plain_alive:
                    live = True
                    values[i] = buf[pos:pos + vn]
                pos += vn
                continue
            i = names.get(buf[pos:q - 1]) if q <= row_end else None
            if i is not None:  # a selected plain cell at the row's timestamp
                pos += ln + 3
                vn = buf[pos]
                if vn < 0x80:
                    pos += 1
                else:
                    vn, pos = get_uvarint(buf, pos)
                if plain_alive:
                    live = True
                    values[i] = buf[pos:pos + vn]
                pos += vn
                continue
            if ln < 0x80:
                name_end = pos + 1 + ln
            else:
                ln, name_end = get_uvarint(buf, pos)
                name_end += ln
            i = names.get(buf[pos:name_end])
            pos = name_end
            cflags = buf[pos]
            if cflags & C_COMPLEX:
                if row_base is None:
                    row_base = _get_ts(buf, marker, base)[0]
                data, pos = _get_live_complex(buf, pos, row_base, row_floor, now)
                if data is not None:
                    live = True
                    if i is not None:
                        values[i] = data
                continue
            u = buf[pos + 1]
            if u < 0x80:
                pos += 2
            else:
                u, pos = get_uvarint(buf, pos + 1)
            alive = row_floor == MIN_TIMESTAMP or \
                row_base + ((u >> 1) if not u & 1 else -((u + 1) >> 1)) > row_floor
            if cflags:
                ttl = NO_TTL
                if cflags & C_TTL:
                    ttl, pos = get_svarint(buf, pos)
                ldt, pos = get_svarint(buf, pos)
                if cflags & C_TOMBSTONE:
                    continue
                if ttl != NO_TTL and now >= ldt:
                    alive = False
            vn = buf[pos]
            if vn < 0x80:
                pos += 1
            else:
                vn, pos = get_uvarint(buf, pos)
            if alive:
                live = True
                if i is not None:
                    values[i] = buf[pos:pos + vn]
            pos += vn
        if live:
            out.append((ck, values))
            if limit is not None and len(out) >= limit:
                return pos
    return pos


def _get_live_complex(buf, pos: int, base: int, floor: int, now: int):
    """A collection's live cells as a ComplexColumn (None when none is live) and the
    position after it; ``pos`` is at its flags."""
    cflags = buf[pos]
    pos += 1
    if cflags & C_CDEL:
        cdel, pos = _get_deletion(buf, pos, base)
        if cdel.marked_at > floor:
            floor = cdel.marked_at
    count, pos = get_uvarint(buf, pos)
    items = []
    for _ in range(count):
        path, pos = get_bytes(buf, pos)
        cell, pos = _get_cell(buf, pos, base)
        if cell.timestamp > floor and cell.is_live(now):
            items.append((path, cell))
    return (ComplexColumn(None, _sdict(items)) if items else None), pos
