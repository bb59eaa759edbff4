"""The memory engine's projected reads (``read_rows``, with its one-row-key lookup) give
what projecting its full partition reads gives, under the engine conformance workload."""

from __future__ import annotations

import pytest

from cassalite.storage.memory import MemoryEngine

from .engine_conformance import run_workload


class _Memory(MemoryEngine):
    """A memory engine the workload can flush and compact (nothing to do)."""

    def flush(self, table_id=None) -> None:
        pass

    def compact(self, table_id=None) -> None:
        pass


@pytest.mark.parametrize("seed", range(6))
def test_projected_reads_match_projected_partitions(seed):
    engine = _Memory()
    run_workload(lambda: engine, seed, ops=300, reopen=False)
