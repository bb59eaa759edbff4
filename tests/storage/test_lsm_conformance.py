"""The conformance body against every engine (MemoryEngine is the oracle)."""

import pytest

from cassalite.storage.lsm import LSMEngine
from cassalite.storage.memory import MemoryEngine

from .engine_conformance import run_workload


def test_memory_engine_against_itself():
    run_workload(MemoryEngine, seed=1, ops=150, reopen=False)


@pytest.mark.parametrize("seed", range(8))
def test_lsm_foreground(lsm_dir, seed):
    def open_engine():
        return LSMEngine(lsm_dir, compaction_in_background=False,
                         memtable_size_bytes=40_000 + 10_000 * seed,
                         commitlog_segment_size_bytes=8192)

    run_workload(open_engine, seed=seed)


@pytest.mark.parametrize("seed", range(3))
def test_lsm_background(lsm_dir, seed):
    def open_engine():
        return LSMEngine(lsm_dir, compaction_in_background=True,
                         memtable_size_bytes=30_000, commitlog_segment_size_bytes=16384,
                         commitlog_total_space_bytes=40_000)

    run_workload(open_engine, seed=100 + seed)


@pytest.mark.parametrize("seed", range(3))
def test_lsm_time_series(lsm_dir, seed):
    """Clustering keys that grow with time: versions of a partition in several memtables
    and SSTables hold disjoint clustering ranges, which projected reads chain unmerged."""

    def open_engine():
        return LSMEngine(lsm_dir, compaction_in_background=False,
                         memtable_size_bytes=20_000 + 10_000 * seed,
                         commitlog_segment_size_bytes=8192)

    run_workload(open_engine, seed=200 + seed, ops=400, series=True)


def test_lsm_wide_values(lsm_dir):
    """Partitions big enough to get row indexes and span many chunks."""

    def open_engine():
        return LSMEngine(lsm_dir, compaction_in_background=False,
                         memtable_size_bytes=400_000)

    run_workload(open_engine, seed=7, ops=200, value_size=9000)
