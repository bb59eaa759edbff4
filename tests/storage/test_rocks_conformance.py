"""The conformance body against the optional RocksDB engine (skipped without rocksdict)."""

import pytest

from .engine_conformance import run_workload

pytest.importorskip("rocksdict")

from cassalite.storage.rocks import RocksEngine


@pytest.mark.parametrize("seed", range(2))
def test_rocks_engine(lsm_dir, seed):
    run_workload(lambda: RocksEngine(lsm_dir), seed=300 + seed, ops=250)
