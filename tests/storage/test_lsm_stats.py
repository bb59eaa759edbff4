"""SSTable statistics: the one-loop collection of plain rows gives what the per-row
collection gives, for any mix of rows."""

from hypothesis import given

from cassalite.storage.lsm.stats import Stats

from .lsm_strategies import partitions


@given(partitions)
def test_plain_row_shortcut_collects_what_the_per_row_path_does(p):
    fast = Stats()
    fast.add_partition(b"dk", p, 100)
    slow = Stats()
    slow._plain_rows = lambda rows: list(rows)  # every row through Stats._row
    slow.add_partition(b"dk", p, 100)
    assert fast == slow
