"""Request tracing: what the engine records for traced requests, and where it keeps it."""

from __future__ import annotations

import datetime
import threading

import pytest

import cql
from cassalite.storage import tracing

from .conftest import ks_session


def _session(path=":memory:"):
    return ks_session("CREATE TABLE ks.t (k int, c int, v text, PRIMARY KEY (k, c))", path=path)


@pytest.fixture
def session():
    s = _session()
    yield s
    s.close()


def activities(rs) -> list[str]:
    return [e.description for e in rs.trace.events]


def executed(rs) -> list[str]:
    """The events after planning: "Parsing ..." and "Preparing statement", or the plan-cache
    hit (an unprepared statement runs as its cached prepared shape when only its literals
    differ from an earlier one)."""
    events = activities(rs)
    for i, e in enumerate(events):
        if e in ("Preparing statement", "Found the statement in the plan cache"):
            return events[i + 1:]
    raise AssertionError(f"no planning event in {events}")


def test_untraced_requests_have_no_trace_and_store_nothing(session):
    rs = session.execute("SELECT * FROM ks.t")
    assert rs.trace is None and rs.get_query_trace() is None
    assert session.execute("SELECT * FROM system_traces.sessions").all() == []


def test_single_partition_read_on_the_memory_engine(session):
    for c in range(4):
        session.execute(f"INSERT INTO ks.t (k, c, v) VALUES (1, {c}, 'x')")
    session.execute("DELETE FROM ks.t WHERE k = 1 AND c = 2")
    rs = session.execute("SELECT * FROM ks.t WHERE k = 1", trace=True)
    assert activities(rs) == [
        "Parsing SELECT * FROM ks.t WHERE k = 1",
        "Preparing statement",
        "Executing single-partition query on t",
        "Reading the partition from memory",
        "Read 3 live rows and 1 tombstone cells",
    ]
    assert [e.thread_name for e in rs.trace.events] == [
        tracing.COORDINATOR, tracing.COORDINATOR, tracing.COORDINATOR, tracing.READ,
        tracing.COORDINATOR]
    t = rs.get_query_trace()
    assert t is rs.trace
    assert t.request_type == "Execute CQL3 query"
    assert t.parameters == {"query": "SELECT * FROM ks.t WHERE k = 1",
                            "consistency_level": "ONE", "page_size": "5000"}
    assert (t.client, t.coordinator) == ("127.0.0.1", "127.0.0.1")


def test_event_times_are_ordered_and_inside_the_request(session):
    rs = session.execute("SELECT * FROM ks.t WHERE k = 1", trace=True)
    t = rs.trace
    elapsed = [e.source_elapsed for e in t.events]
    assert elapsed == sorted(elapsed) and elapsed[-1] <= t.duration
    times = [e.datetime for e in t.events]
    assert all(tm.tzinfo is datetime.UTC for tm in times)  # aware, as the driver's
    start = t.started_at.replace(tzinfo=datetime.UTC)
    assert start <= times[0] and times == sorted(times)
    assert times[-1] <= start + t.duration + datetime.timedelta(microseconds=1)
    assert len({e.event_id for e in t.events}) == len(t.events)
    assert all(e.event_id.version == 1 for e in t.events)


def test_a_cached_plan_is_reported_instead_of_parsing(session):
    session.execute("SELECT * FROM ks.t WHERE k = 5")
    rs = session.execute("SELECT * FROM ks.t WHERE k = 5", trace=True)
    assert activities(rs)[0] == "Found the statement in the plan cache"


def test_an_auto_parameterised_statement_is_traced_with_its_own_text(session):
    rs = session.execute("SELECT * FROM ks.t WHERE k = 7", trace=True)
    assert activities(rs)[:2] == ["Parsing SELECT * FROM ks.t WHERE k = 7", "Preparing statement"]
    rs = session.execute("SELECT * FROM ks.t WHERE k = 8", trace=True)  # same shape
    assert activities(rs)[0] == "Found the statement in the plan cache"


def test_tombstones_cover_range_and_collection_deletions(session):
    session.execute("CREATE TABLE ks.l (k int, c int, tags set<text>, PRIMARY KEY (k, c))")
    session.execute("INSERT INTO ks.l (k, c, tags) VALUES (1, 1, {'a'})")  # + complex deletion
    session.execute("DELETE FROM ks.l WHERE k = 1 AND c > 5")  # range tombstone
    rs = session.execute("SELECT * FROM ks.l WHERE k = 1", trace=True)
    assert "Read 1 live rows and 2 tombstone cells" in activities(rs)


def test_filtering_reports_rows_read_and_kept(session):
    for c in range(5):
        session.execute(f"INSERT INTO ks.t (k, c, v) VALUES ({c}, {c}, '{'ab'[c % 2]}')")
    rs = session.execute("SELECT * FROM ks.t WHERE v = 'a' ALLOW FILTERING", trace=True)
    events = activities(rs)
    assert events[2] == ("Executing seq scan on t for [min(-9223372036854775808), "
                         "max(9223372036854775807)]")
    assert events[3] == "Scanning 5 in-memory partitions in the range"
    assert events[-2:] == ["Read 5 live rows and 0 tombstone cells", "Filtering kept 3 rows"]


def test_each_page_is_a_traced_request_of_its_own(session):
    for c in range(5):
        session.execute(f"INSERT INTO ks.t (k, c, v) VALUES (1, {c}, 'x')")
    rs = session.execute("SELECT * FROM ks.t WHERE k = 1", fetch_size=2, trace=True)
    first = rs.trace
    assert "Page full at 2 rows: returning a paging state" in activities(rs)
    rs.fetch_next_page()
    nxt = session.execute("SELECT * FROM ks.t WHERE k = 1", fetch_size=2,
                          paging_state=rs.paging_state, trace=True)
    assert nxt.trace.trace_id != first.trace_id
    ids = {r.session_id for r in session.execute("SELECT session_id FROM system_traces.sessions")}
    assert first.trace_id in ids and nxt.trace.trace_id in ids


def test_lightweight_transactions_show_the_precondition(session):
    session.execute("INSERT INTO ks.t (k, c, v) VALUES (1, 1, 'a')")
    rs = session.execute("UPDATE ks.t SET v = 'b' WHERE k = 1 AND c = 1 IF v = 'a'", trace=True)
    assert activities(rs)[2:] == [
        "Reading existing values for CAS precondition",
        "Reading the partition from memory",
        "CAS precondition is met; applying the update",
        "Merged into the in-memory partitions of ks.t",
    ]
    rs = session.execute("UPDATE ks.t SET v = 'c' WHERE k = 1 AND c = 1 IF v = 'a'", trace=True)
    assert "CAS precondition does not match current values" in activities(rs)


def test_prepared_statements_and_batches_name_their_request(session):
    ps = session.prepare("INSERT INTO ks.t (k, c, v) VALUES (?, ?, ?)")
    rs = session.execute(ps, (1, 1, "a"), trace=True)
    assert rs.trace.request_type == "Execute CQL3 prepared query"
    assert rs.trace.parameters["query"] == "INSERT INTO ks.t (k, c, v) VALUES (?, ?, ?)"
    rs = session.execute_batch([(ps, (2, 2, "b")), (ps, (3, 3, "c"))], trace=True)
    assert rs.trace.request_type == "Execute batch of CQL3 queries"
    assert "query" not in rs.trace.parameters
    assert activities(rs)[0] == "Executing logged batch of 2 statements"


def test_traces_are_stored_in_system_traces_for_a_day(session):
    rs = session.execute("SELECT * FROM ks.t WHERE k = 1", trace=True)
    t = rs.trace
    row = session.execute("SELECT request, client, coordinator, duration, parameters, "
                          f"TTL(request) FROM system_traces.sessions WHERE session_id = {t.trace_id}"
                          ).one()
    duration = t.duration.seconds * 1_000_000 + t.duration.microseconds
    assert row[:4] == ("Execute CQL3 query", "127.0.0.1", "127.0.0.1", duration)
    assert dict(row.parameters) == t.parameters
    assert 86_390 < row[5] <= 86_400
    events = session.execute("SELECT event_id, activity, source_elapsed, thread FROM "
                             f"system_traces.events WHERE session_id = {t.trace_id}").all()
    assert [(e.event_id, e.activity, e.thread) for e in events] == [
        (e.event_id, e.description, e.thread_name) for e in t.events]
    assert [e.source_elapsed for e in events] == [
        e.source_elapsed.seconds * 1_000_000 + e.source_elapsed.microseconds for e in t.events]


def test_a_failed_request_is_still_recorded(session):
    with pytest.raises(cql.InvalidRequest):
        session.execute("SELECT * FROM ks.t WHERE v = 'a'", trace=True)
    requests = session.execute("SELECT parameters FROM system_traces.sessions").all()
    assert [dict(r.parameters)["query"] for r in requests] == ["SELECT * FROM ks.t WHERE v = 'a'"]


def test_concurrent_traces_do_not_mix(session):
    for k in range(8):
        session.execute(f"INSERT INTO ks.t (k, c, v) VALUES ({k}, 0, 'x')")
    seen: dict[int, list[str]] = {}

    def worker(k: int) -> None:
        for _ in range(20):
            rs = session.execute(f"SELECT * FROM ks.t WHERE k = {k}", trace=True)
            seen.setdefault(k, []).extend(activities(rs))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for k, events in seen.items():
        assert events.count("Executing single-partition query on t") == 20
        assert events.count("Read 1 live rows and 0 tombstone cells") == 20
        parsed = [e for e in events if e.startswith("Parsing ")]
        assert set(parsed) <= {f"Parsing SELECT * FROM ks.t WHERE k = {k}"}


def test_lsm_reads_name_the_sstables_they_touch_and_skip(tmp_path):
    s = _session(str(tmp_path / "data"))
    try:
        for c in range(3):
            s.execute(f"INSERT INTO ks.t (k, c, v) VALUES (1, {c}, 'x')")
        s.admin.flush()
        s.execute("INSERT INTO ks.t (k, c, v) VALUES (2, 0, 'y')")
        s.admin.flush()
        s.execute("INSERT INTO ks.t (k, c, v) VALUES (1, 9, 'z')")
        rs = s.execute("SELECT * FROM ks.t WHERE k = 1", trace=True)
        events = executed(rs)
        # sstable 2 holds only k=2: its key range or bloom filter rules it out
        assert events[1] in ("Partition is outside the key range of sstable 2",
                             "Bloom filter allows skipping sstable 2")
        assert events[0] == "Executing single-partition query on t"
        assert events[2:] == [
            "Partition index found the partition in sstable 1",
            "Skipped 0/2 non-slice-intersecting sstables",
            "Merged data from 1 of 1 memtables and 1 sstables",
            "Read 4 live rows and 0 tombstone cells",
        ]
        rs = s.execute("SELECT * FROM ks.t", trace=True)
        assert "Scanning 1/1 memtables and 2/2 sstables that overlap the range" in activities(rs)
        rs = s.execute("INSERT INTO ks.t (k, c, v) VALUES (3, 3, 'w')", trace=True)
        write = executed(rs)
        assert write[0].startswith("Appended 1 mutations (") and " to commit log segment " in \
            write[0]
        assert write[1:] == ["Adding to ks.t memtable"]
    finally:
        s.close()


def test_index_and_view_maintenance_is_traced(session):
    session.execute("CREATE INDEX t_v ON ks.t (v)")
    session.execute("CREATE MATERIALIZED VIEW ks.by_v AS SELECT * FROM ks.t WHERE v IS NOT NULL "
                    "AND k IS NOT NULL AND c IS NOT NULL PRIMARY KEY (v, k, c)")
    rs = session.execute("INSERT INTO ks.t (k, c, v) VALUES (1, 1, 'a')", trace=True)
    events = activities(rs)
    assert "Writing 1 index entries for ks.t" in events
    assert "Reading base rows before the write to update materialized views" in events
    assert "Applying 1 materialized view mutations" in events
    rs = session.execute("SELECT * FROM ks.t WHERE v = 'a'", trace=True)
    assert "Executing read on ks.t using index t_v" in activities(rs)
