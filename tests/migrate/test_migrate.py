"""cassalite migrate: an example's data embedded -> cassalite-server -> a new embedded
directory, with the same rows, WRITETIME and TTL; --verify; resuming after a kill."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cql
from cassalite.migrate import schema
from cassalite.migrate.cli import main as migrate_main
from cassalite.migrate.ranges import MAX_TOKEN, MIN_TOKEN, split_ring

pytest.importorskip("cassandra", reason="the cluster side uses cassandra-driver")

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = """
CREATE KEYSPACE extras WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
CREATE TYPE extras.point (x int, y int);
CREATE TABLE extras.c (k int, c text, s set<int>, m map<text, int>, l list<text>,
    f frozen<list<int>>, p frozen<point>, st text static, v text, PRIMARY KEY (k, c));
CREATE TABLE extras.hits (page text PRIMARY KEY, views counter, likes counter);
CREATE TABLE extras.keys_only (k int, c int, PRIMARY KEY (k, c));
"""


def _script(session, text: str) -> None:
    for statement in filter(str.strip, text.split(";")):
        session.execute(statement)


@pytest.fixture(scope="module")
def server():
    from cassalite.server import ServerConfig, ServerThread

    thread = ServerThread(ServerConfig(memory=True, host="127.0.0.1", port=0,
                                       log_level="WARNING")).start()
    yield thread
    thread.stop()


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> str:
    """The feed example's data (TTLs, statics, timeuuids) plus collections and counters."""
    sys.path.insert(0, str(ROOT / "tests" / "examples"))
    from tests.examples.conftest import load_example

    path = str(tmp_path_factory.mktemp("src") / "db")
    load_example("feed").main(["--db", path, "--rows", "40", "--users", "6"])
    with cql.connect(path) as s:
        _script(s, EXTRAS)
        for k in range(30):
            s.execute("UPDATE extras.c USING TIMESTAMP %s SET s = s + {1}, m = m + {'a': 1}, "
                      "l = l + ['x'] WHERE k = %s AND c = 'a'", (1000 + k, k))
            s.execute("UPDATE extras.c USING TIMESTAMP %s AND TTL 5000 SET s = s + {2}, "
                      "m = m + {'b': 2}, l = l + ['y'], v = 'v' WHERE k = %s AND c = 'a'",
                      (2000 + k, k))
            s.execute("INSERT INTO extras.c (k, c, f, p, st) VALUES (%s, 'b', [1, 2], "
                      "{x: 1, y: 2}, 'static') USING TIMESTAMP 3000", (k,))
            s.execute("UPDATE extras.hits SET views = views + %s, likes = likes - 1 "
                      "WHERE page = %s", (k + 1, f"p{k}"))
            s.execute("INSERT INTO extras.keys_only (k, c) VALUES (%s, %s)", (k, k))
        s.execute("INSERT INTO extras.c (k, st) VALUES (99, 'only static') USING TIMESTAMP 7")
    return path


def dump(where: str) -> dict[str, list[tuple]]:
    """Every user table's rows with WRITETIME and TTL of each value; TTLs as ``Ttl``s,
    equal when within 3 seconds (the seconds a copy takes count down on both sides)."""
    out = {}
    with cql.connect(where) as s:
        s.row_factory = cql.tuple_factory
        for ks in schema.user_keyspaces(s):
            for t in schema.tables(s, ks):
                cols = [c.name for c in t.primary_key]
                for c in t.values:
                    cols.append(c.name)
                    if c.type != "counter":
                        cols += [f"writetime({c.name})", f"ttl({c.name})"]
                rows = s.execute(f"SELECT {', '.join(cols)} FROM {ks}.{t.name}",
                                 fetch_size=0).current_rows
                out[t.qualified] = [tuple(_coarse(v, n) for v, n in zip(r, cols))
                                    for r in rows]
    return out


class Ttl:
    def __init__(self, seconds):
        self.seconds = seconds

    def __eq__(self, other) -> bool:
        a, b = self.seconds, other.seconds
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(Ttl(x) == Ttl(y) for x, y in zip(a, b))
        if a is None or b is None or isinstance(a, list) or isinstance(b, list):
            return a == b
        return abs(a - b) <= 3

    def __repr__(self) -> str:
        return f"Ttl({self.seconds})"


def _coarse(value, column: str):
    return Ttl(value) if column.startswith("ttl(") else value


def _cluster(server) -> str:
    return f"cassandra://127.0.0.1:{server.port}/?protocol_version=4"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = migrate_main(list(argv), out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


def test_ring_split_covers_every_token_once() -> None:
    ranges = split_ring(5)
    assert ranges[0].start == MIN_TOKEN and ranges[-1].end == MAX_TOKEN
    assert all(a.end == b.start for a, b in zip(ranges, ranges[1:]))
    assert str(ranges[0]).startswith("[") and str(ranges[1]).startswith("(")


def test_round_trip_embedded_to_server_to_embedded(source, server, tmp_path) -> None:
    expected = dump(source)
    assert len(expected["feed.home_feed"]) > 0 and len(expected["extras.c"]) == 61
    cluster = _cluster(server)
    rc, out, err = _run(source, cluster, "--ranges", "8", "--verify")
    assert rc == 0, err
    assert out.startswith(f"Copied {sum(map(len, expected.values()))} rows of "
                          f"{len(expected)} tables from {source} to {cluster} in ")
    assert out.endswith(f"Verify: {sum(map(len, expected.values()))} rows in "
                        f"{8 * len(expected)} token ranges of {len(expected)} tables are "
                        "identical\n")
    assert "rows/s  ETA 0:00:00\n" in err  # the progress line's last state
    back = str(tmp_path / "back")
    rc, out, err = _run(cluster, back, "-k", "feed", "-k", "extras", "--no-progress")
    assert rc == 0, err
    assert err == ""
    expected = dump(source)  # again: TTLs counted down meanwhile, on every side
    assert dump(back) == expected
    assert dump(cluster) == expected


def test_verify_detects_a_dropped_row(source, tmp_path) -> None:
    copy = str(tmp_path / "copy")
    assert _run(source, copy, "-k", "extras", "--no-progress", "--ranges", "4")[0] == 0
    with cql.connect(copy) as s:
        token = s.execute("SELECT token(k) FROM extras.keys_only WHERE k = 7").one()[0]
        s.execute("DELETE FROM extras.keys_only WHERE k = 7 AND c = 7")
    rc, out, _ = _run(source, copy, "-k", "extras", "--verify-only", "--ranges", "4")
    assert rc == 1
    bad = next(r for r in split_ring(4) if (r.first and token >= r.start or token > r.start)
               and token <= r.end)
    assert out == (f"DIFFERS: extras.keys_only range {bad.index} {bad}: row counts differ "
                   "(source 7 rows, target 6 rows)\n"
                   "Verify: 1 of 12 token ranges differ\n").replace(
        "source 7 rows, target 6 rows", _counts(source, copy, bad))


def _counts(source: str, copy: str, rng) -> str:
    from cassalite.migrate.verify import range_digest

    t = schema.Table("extras", "keys_only", ())
    with cql.connect(source) as a, cql.connect(copy) as b:
        t = schema.table(a, "extras", "keys_only")
        return (f"source {range_digest(a, t, rng).rows} rows, "
                f"target {range_digest(b, t, rng).rows} rows")


def test_incompatible_table_is_refused(source, tmp_path) -> None:
    other = str(tmp_path / "other")
    with cql.connect(other) as s:
        s.execute("CREATE KEYSPACE extras WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE extras.keys_only (k int, c text, PRIMARY KEY (k, c))")
    rc, out, err = _run(source, other, "-t", "extras.keys_only", "--no-progress")
    assert (rc, out) == (2, "")
    assert err == ("cassalite migrate: error: Table extras.keys_only exists on the target "
                   "with an incompatible definition: the primary keys differ: source (k int "
                   "(partition key), c int (clustering)), target (k int (partition key), "
                   "c text (clustering))\n")


def test_resume_after_a_kill(source, server, tmp_path) -> None:
    state = tmp_path / "state.json"
    target = str(tmp_path / "resumed")
    cmd = [sys.executable, "-m", "cassalite.migrate", source, target, "-k", "feed",
           "-k", "extras", "--ranges", "16", "--workers", "1", "--rate", "300",
           "--state", str(state), "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                data = json.loads(state.read_text())
                done = sum(len(t["done"]) for t in data["tables"].values())
            except (OSError, ValueError):
                done = 0
            if done >= 10:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the migration ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    data = json.loads(state.read_text())
    finished = sum(len(t["done"]) for t in data["tables"].values())
    assert 10 <= finished < 16 * 6
    rc, out, err = _run(source, target, "-k", "feed", "-k", "extras", "--ranges", "16",
                        "--state", str(state), "--no-progress", "--verify")
    assert rc == 0, err
    copied = int(out.split()[1])
    assert 0 < copied < sum(map(len, dump(source).values()))  # only what was left
    assert dump(target) == dump(source)
    rc, out, err = _run(source, cql_url := _cluster(server), "--state", str(state))
    assert rc == 2 and "is for another migration" in err and cql_url
