"""The batch size guardrail (BatchStatement.verifyBatchSize): a batch whose mutations span more
than one partition warns above ``batch_size_warn_threshold`` (5 KiB) and fails above
``batch_size_fail_threshold`` (50 KiB), the size being Cassandra's ``PartitionUpdate.dataSize``
of every mutation: cells (timestamp, ttl, local deletion time, value, path), row liveness and
deletion, the static row and the partition's deletion info."""

from __future__ import annotations

from cassalite.storage.model import ComplexColumn, Mutation, Row
from cassalite.storage.tracing import trace
from cql.cells import clustering_values
from cql.errors import InvalidRequest
from cql.schema.metadata import TableMetadata
from cql.vocabulary import quote_name

BATCH_SIZE_WARN_THRESHOLD = 5 * 1024  # batch_size_warn_threshold: 5KiB
BATCH_SIZE_FAIL_THRESHOLD = 50 * 1024  # batch_size_fail_threshold: 50KiB

_TIMESTAMP, _TTL, _LOCAL_DELETION_TIME = 8, 4, 4
_DELETION_TIME = 12  # DeletionTime.dataSize(), also for a live (absent) deletion
_LIVENESS = _TIMESTAMP  # LivenessInfo.dataSize(), also for an empty one
_CELL = _TIMESTAMP + _TTL + _LOCAL_DELETION_TIME


def _row_size(row: Row | None, clustering: int) -> int:
    if row is None:  # Rows.EMPTY_STATIC_ROW
        return _LIVENESS + _DELETION_TIME
    size = clustering + _LIVENESS + _DELETION_TIME
    if row.liveness is not None and row.liveness.ttl:
        size += _TTL + _LOCAL_DELETION_TIME
    for data in row.cells.values():
        if isinstance(data, ComplexColumn):
            size += _DELETION_TIME  # the complex deletion
            for path, cell in data.cells.items():
                size += _CELL + len(cell.value or b"") + len(path)
        else:
            size += _CELL + len(data.value or b"")
    return size


def _clustering_size(table: TableMetadata, ck: bytes) -> int:
    values = clustering_values(table, ck)
    return sum(len(t.serialize(v) or b"") for t, v in zip(table.clustering_types, values))


def mutation_size(table: TableMetadata, mutation: Mutation) -> int:
    """PartitionUpdate.dataSize()."""
    update = mutation.update
    size = _row_size(update.static_row, 0) + _DELETION_TIME  # static row, partition deletion
    if update.range_tombstones:
        size += 4  # RangeTombstoneList's size
        for rt in update.range_tombstones:
            size += len(rt.lo) + len(rt.hi or b"") + _TIMESTAMP + _LOCAL_DELETION_TIME
    for ck, row in update.rows.items():
        size += _row_size(row, _clustering_size(table, ck))
    return size


def check_batch_size(db, mutations: list[Mutation]) -> list[str]:
    """The client warnings of a batch's size, or InvalidRequest('Batch too large')."""
    tables = {m.table_id: db.table_by_id(m.table_id) for m in mutations}
    # one Mutation per keyspace and partition key: a single one is never checked (#10876)
    if len({(tables[m.table_id].keyspace, m.pk) for m in mutations}) <= 1:
        return []
    size = sum(mutation_size(tables[m.table_id], m) for m in mutations)
    if size <= BATCH_SIZE_WARN_THRESHOLD:
        return []
    names = ", ".join(sorted({f"{quote_name(t.keyspace)}.{quote_name(t.name)}"
                              for t in tables.values()}))
    if size > BATCH_SIZE_FAIL_THRESHOLD:
        trace(f"Batch for [{names}] is of size {size}, exceeding specified threshold of "
              f"{BATCH_SIZE_FAIL_THRESHOLD} by {size - BATCH_SIZE_FAIL_THRESHOLD}. "
              "(see batch_size_fail_threshold)")
        raise InvalidRequest("Batch too large")
    return [f"Batch for [{names}] is of size {size}, exceeding specified threshold of "
            f"{BATCH_SIZE_WARN_THRESHOLD} by {size - BATCH_SIZE_WARN_THRESHOLD}."]
