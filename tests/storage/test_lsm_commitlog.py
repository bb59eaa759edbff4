"""The memory-mapped commit log: preallocated segments, the zeroed end a crash leaves
behind, oversized frames, and segments of format version 1 (written with ``write()``)."""

import os
import shutil
import struct
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from cassalite.storage.lsm import framing
from cassalite.storage.lsm.commitlog import HEADER_SIZE, CommitLog, segment_name


def _records(directory):
    log = CommitLog(directory)
    return [payload for _, payload in log.replay()], log


def test_a_crashed_segment_ends_in_zeros_and_replays_without_warnings(tmp_path):
    live, crashed = tmp_path / "live", tmp_path / "crashed"
    log = CommitLog(str(live), segment_size=1 << 20)
    log.start()
    payloads = [b"record %d" % i * (i + 1) for i in range(50)]
    ends = [log.append(p)[1] for p in payloads]
    # a SIGKILL leaves the preallocated file as the page cache has it: copy it as it is now
    shutil.copytree(live, crashed)
    seg = os.path.join(crashed, segment_name(ends[-1][0]))
    assert os.path.getsize(seg) == 1 << 20
    replayed, again = _records(str(crashed))
    assert replayed == payloads
    assert again.replay_warnings == []
    assert os.path.getsize(seg) == ends[-1][1]  # cut back to what was written
    log.close()
    assert os.path.getsize(os.path.join(live, segment_name(ends[-1][0]))) == ends[-1][1]


def test_a_frame_torn_by_a_crash_is_a_torn_tail(tmp_path):
    log = CommitLog(str(tmp_path), segment_size=1 << 16)
    log.start()
    log.append(b"first")
    (seg_id, off), _ = log.append(b"second record, torn")
    path = os.path.join(tmp_path, segment_name(seg_id))
    log.close()
    with open(path, "r+b") as f:  # as if killed in the middle of copying the frame
        f.truncate(off + 10)
        f.truncate(1 << 16)
    replayed, again = _records(str(tmp_path))
    assert replayed == [b"first"]
    assert any("torn tail" in w for w in again.replay_warnings)
    assert os.path.getsize(path) == off


def test_a_frame_bigger_than_a_segment_gets_a_segment_of_its_own(tmp_path):
    log = CommitLog(str(tmp_path), segment_size=4096)
    log.start()
    small = log.append(b"a" * 100)[0]
    big = log.append(b"b" * 10000)[0]
    after = log.append(b"c" * 100)[0]
    assert small[0] < big[0] < after[0]
    log.close()
    replayed, _ = _records(str(tmp_path))
    assert replayed == [b"a" * 100, b"b" * 10000, b"c" * 100]


def test_version_1_segments_still_replay(tmp_path):
    seg_id = 1700000000000
    head = struct.pack("<4sHHQ", b"CLOG", 1, 0, seg_id)
    data = head + struct.pack("<I", zlib.crc32(head))
    assert len(data) == HEADER_SIZE
    data += framing.frame(b"old one") + framing.frame(b"old two")
    (tmp_path / segment_name(seg_id)).write_bytes(data)
    replayed, log = _records(str(tmp_path))
    assert replayed == [b"old one", b"old two"]
    assert log.replay_warnings == []
    log.start()
    assert log.append(b"new")[0][0] > seg_id
    log.close()
    replayed, _ = _records(str(tmp_path))
    assert replayed == [b"old one", b"old two", b"new"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=3000), max_size=40))
def test_serialized_appends_write_what_append_writes(tmp_path_factory, payloads):
    """The engine's ``append_serialized`` (no lock, no position tuples, frame heads looked
    up) against ``append``: the same frames at the same offsets, rolling to a new segment
    at the same records, and the same records replayed."""
    a_dir, b_dir = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    a, b = CommitLog(str(a_dir), segment_size=1 << 13), CommitLog(str(b_dir), segment_size=1 << 13)
    a.start()
    b.start()
    for payload in payloads:
        a_seg, b_seg = a.segment_id, b.segment_id
        pos, end = a.append(payload)
        start = b.append_serialized(payload)
        assert (pos[0] != a_seg) == (b.segment_id != b_seg)
        assert pos == (a.segment_id, start)
        assert end == (a.segment_id, start + len(payload) + framing.OVERHEAD)
        assert b._active.map[start:end[1]] == framing.frame(payload)
    a.close()
    b.close()
    assert _records(str(a_dir))[0] == _records(str(b_dir))[0] == payloads
