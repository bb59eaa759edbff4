"""The engine conformance workload against the RocksDB engine (skipped without rocksdict):
the same seeds, sizes and wide values as the LSM engine's runs, in each sync mode."""

import pytest

from .engine_conformance import run_workload

pytest.importorskip("rocksdict")

from cassalite.storage.rocks import RocksEngine


@pytest.mark.parametrize("seed", range(8))
def test_rocks_engine(lsm_dir, seed):
    def open_engine():
        return RocksEngine(lsm_dir, memtable_size_bytes=40_000 + 10_000 * seed)

    run_workload(open_engine, seed=seed)


@pytest.mark.parametrize("sync", ["batch", "group"])
def test_rocks_engine_synced(lsm_dir, sync):
    run_workload(lambda: RocksEngine(lsm_dir, commitlog_sync=sync), seed=100, ops=200)


def test_rocks_wide_values(lsm_dir):
    run_workload(lambda: RocksEngine(lsm_dir), seed=7, ops=200, value_size=9000)
