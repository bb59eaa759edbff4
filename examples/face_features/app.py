"""Face features: wide partitions of 3.2 KB blobs, one group read whole, one feature read.

    python examples/face_features/app.py --db :memory: --rows 1000
    python examples/face_features/app.py --db ./faces-data --groups 2 --rows 10000

Writes ``--groups`` partitions of ``--rows`` features each, then times reading one whole
group (paged, as a matcher would scan it), reading single features by key, and, with a
directory, the same reads again after the memtable is flushed to an SSTable.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import arg_parser, flush_and_stats, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")
FEATURE_BYTES = 3200  # 800 float32 components


class FeatureStore:
    def __init__(self, session: cql.Session):
        self.session = session
        self._insert = session.prepare(
            "INSERT INTO face_features (group_id, feature_id, person, feature) VALUES (?, ?, ?, ?)")
        self._group = session.prepare(
            "SELECT feature_id, person, feature FROM face_features WHERE group_id = ?")
        self._one = session.prepare(
            "SELECT person, feature FROM face_features WHERE group_id = ? AND feature_id = ?")

    def enroll(self, group_id: int, feature_id: int, person: str, feature: bytes) -> None:
        self.session.execute(self._insert, (group_id, feature_id, person, feature))

    def group(self, group_id: int, fetch_size: int = 1000) -> tuple[dict[int, bytes], int]:
        """Every feature of a group, and the number of pages it took.

        A 10,000-feature group is 32 MB: paging keeps each response to ``fetch_size`` rows
        instead of materialising the whole partition at once.
        """
        result = self.session.execute(self._group, (group_id,), fetch_size=fetch_size)
        features: dict[int, bytes] = {}
        pages = 1
        while True:
            features.update((r.feature_id, r.feature) for r in result.current_rows)
            if not result.has_more_pages:
                return features, pages
            result.fetch_next_page()
            pages += 1

    def feature(self, group_id: int, feature_id: int) -> bytes | None:
        row = self.session.execute(self._one, (group_id, feature_id)).one()
        return row.feature if row else None


def read_timings(store: FeatureStore, group_id: int, rows: int, samples: list[int],
                 label: str) -> tuple[dict[int, bytes], float]:
    """Time a whole-group read and point reads; returns the group and ms per point read."""
    with timed(f"{label}: read group {group_id} ({rows} features)", rows):
        features, pages = store.group(group_id)
    print(f"    {len(features)} features, {len(features) * FEATURE_BYTES / 1e6:.1f} MB "
          f"in {pages} page(s)")
    start = time.perf_counter()
    for feature_id in samples:
        store.feature(group_id, feature_id)
    per_read = (time.perf_counter() - start) * 1000 / max(1, len(samples))
    print(f"  {label}: read one feature: {per_read:.2f} ms (mean of {len(samples)})")
    return features, per_read


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 1000,
                        "features per group (default 1000; try 10000)")
    parser.add_argument("--groups", type=int, default=3, help="groups to write (default 3)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    total = args.groups * args.rows

    print(f"database: {args.db}")
    with open_session(args.db, SCHEMA) as session:
        store = FeatureStore(session)
        written: dict[int, bytes] = {}
        with timed(f"write {total} features of {FEATURE_BYTES} B "
                   f"({total * FEATURE_BYTES / 1e6:.1f} MB)", total):
            for group_id in range(args.groups):
                for feature_id in range(args.rows):
                    feature = rng.randbytes(FEATURE_BYTES)
                    if group_id == 0:
                        written[feature_id] = feature
                    store.enroll(group_id, feature_id, f"person-{feature_id // 3}", feature)

        samples = [rng.randrange(args.rows) for _ in range(min(200, args.rows))]
        group, per_read = read_timings(store, 0, args.rows, samples, "memtable")
        stats = flush_and_stats(session, "faces", "face_features")
        if stats is None:
            print("  (run with --db DIR to time reads from SSTables as well)")
        else:
            print(f"  flushed: {stats['sstable_count']} SSTable(s), "
                  f"{stats['space_used_live'] / 1e6:.1f} MB on disk, largest partition "
                  f"{stats['compacted_partition_maximum_bytes'] / 1e6:.1f} MB")
            group, per_read = read_timings(store, 0, args.rows, samples, "sstable")
        one = store.feature(0, samples[0]) if samples else None

    return {"group": group, "written": written, "one": one,
            "one_id": samples[0] if samples else None, "per_read_ms": per_read, "stats": stats}


if __name__ == "__main__":
    main()
