"""cassalite-nodetool as a command: its default data directory and the node-level verbs."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import cql
from cassalite.storage.nodetool import main as nodetool
from cassalite.storage.paths import default_data_dir


def test_shell_server_and_nodetool_share_the_default_directory(tmp_path, monkeypatch):
    from cassalite.server.server import default_data_dir as server_default
    from cassalite.shell.config import user_data_dir

    monkeypatch.delenv("CASSALITE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "cassalite"
    assert user_data_dir() == server_default() == default_data_dir()
    monkeypatch.setenv("CASSALITE_DATA_DIR", str(tmp_path / "mine"))
    assert user_data_dir() == server_default() == tmp_path / "mine"


def test_without_d_nodetool_uses_the_default_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CASSALITE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert nodetool(["listsnapshots"], out=io.StringIO()) == 2
    assert err.getvalue() == (f"error: data directory {tmp_path / 'xdg' / 'cassalite'} "
                              "does not exist\n")
    assert os.listdir(tmp_path) == ["xdg"] or os.listdir(tmp_path) == []  # nothing in cwd
    data = tmp_path / "xdg" / "cassalite"
    with cql.connect(str(data)) as s:
        s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE ks.t (k int PRIMARY KEY)")
        s.execute("INSERT INTO ks.t (k) VALUES (1)")
    out = io.StringIO()
    assert nodetool(["tablestats", "ks.t"], out=out) == 0
    assert "\t\tTable: t\n" in out.getvalue()
    assert sorted(os.listdir(tmp_path)) == ["xdg"]


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "db"
    with cql.connect(str(path)) as s:
        s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE ks.t (k int, c int, v text, PRIMARY KEY (k, c))")
        for k in range(20):
            for c in range(k % 5 + 1):
                s.execute("INSERT INTO ks.t (k, c, v) VALUES (%s, %s, %s)", (k, c, "x" * k))
    return str(path)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    rc = nodetool(list(argv), out=out)
    return rc, out.getvalue()


def _rows(path: str) -> list[tuple]:
    with cql.connect(path) as s:
        return sorted(tuple(r) for r in s.execute("SELECT k, c, v FROM ks.t"))


def test_snapshot_restore(data_dir):
    before = _rows(data_dir)
    assert _run("-d", data_dir, "snapshot", "-t", "before", "ks")[0] == 0
    with cql.connect(data_dir) as s:
        s.execute("DELETE FROM ks.t WHERE k = 3")
        s.execute("INSERT INTO ks.t (k, c, v) VALUES (99, 0, 'new')")
    assert len(_rows(data_dir)) == len(before) - 4 + 1
    rc, out = _run("-d", data_dir, "restore", "-t", "before", "ks", "t")
    assert (rc, out) == (0, "Restored ks.t from snapshot before (1 SSTables)\n")
    assert _rows(data_dir) == before
    assert _rows(data_dir) == before  # and it stays restored when reopened
    assert _run("-d", data_dir, "restore", "-t", "nope")[0] == 1


def test_refresh_loads_uploaded_sstables(data_dir, tmp_path):
    assert _run("-d", data_dir, "snapshot", "-t", "copy", "ks", "t")[0] == 0
    with cql.connect(data_dir) as s:
        s.execute("TRUNCATE ks.t")
    assert _rows(data_dir) == []
    table_dir = next((tmp_path / "db" / "data" / "ks").iterdir())
    upload = table_dir / "upload"
    upload.mkdir()
    for f in (table_dir / "snapshots" / "copy").iterdir():
        if f.name != "manifest.json":
            (upload / f.name).write_bytes(f.read_bytes())
    rc, out = _run("-d", data_dir, "refresh", "ks", "t")
    assert (rc, out) == (0, "Loaded 1 SSTables into ks.t\n")
    assert len(_rows(data_dir)) == sum(k % 5 + 1 for k in range(20))
    assert list(upload.iterdir()) == []  # the files moved into the table


def test_info_status_compactionstats_tablehistograms(data_dir):
    rc, out = _run("-d", data_dir, "info")
    assert rc == 0
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert [label.rstrip() for label in lines] == [
        "Gossip active", "Native Transport active", "Load", "Data Directory", "Tables",
        "SSTables", "Memtable partitions", "Memtable data size", "Commit log size",
        "Snapshots size", "Pending compactions", "Max RSS (MB)", "Data Center", "Rack",
        "Percent Repaired"]
    assert lines["Data Directory         "] == os.path.abspath(data_dir)
    assert lines["Data Center            "] == "datacenter1"
    assert lines["Percent Repaired       "] == "100.0%"
    rc, out = _run("-d", data_dir, "status")
    assert out.splitlines()[:4] == ["Datacenter: datacenter1", "=======================",
                                    "Status=Up/Down", "|/ State=Normal/Leaving/Joining/Moving"]
    assert out.splitlines()[5].startswith("UN  127.0.0.1  ")
    assert out.splitlines()[5].endswith("16      100.0%            rack1")
    rc, out = _run("-d", data_dir, "compactionstats", "--json")
    report = __import__("json").loads(out)
    assert report["active"] == [] and report["pending_tasks"] >= 0
    rc, out = _run("-d", data_dir, "tablehistograms", "ks.t")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == "ks/t histograms"
    assert lines[1].split() == ["Percentile", "SSTables", "Write", "Latency", "Read", "Latency",
                                "Partition", "Size", "Cell", "Count"]
    by_label = {line.split()[0]: line.split() for line in lines[3:] if line}
    assert by_label["Min"][1] == "1.00" and by_label["Max"][1] == "1.00"
    # partitions hold 1..5 rows of one cell (v) each
    assert (by_label["Min"][5], by_label["Max"][5]) == ("1", "5")
    assert by_label["50%"][5] == "3"


def test_compactionstats_shows_a_running_compaction(data_dir):
    from cassalite.storage import nodeinfo
    from cassalite.storage.lsm import LSMEngine

    engine = LSMEngine(data_dir, compaction_in_background=False)
    try:
        t = next(t for t in engine.tables() if t.info.name == "t")
        s = t.live_sstables()[0]
        t.compacting.add(s.gen)  # as run_compaction marks its inputs
        half = s.data_size // 2
        (Path(t.directory) / f"nb-{s.gen + 100}-big-Data.db").write_bytes(b"x" * half)
        report = nodeinfo.compaction_stats(engine)
        assert report["active"] == [{
            "keyspace": "ks", "table": "t", "compaction_type": "Compaction",
            "completed": half, "total": s.data_size, "unit": "bytes",
            "progress": round(100.0 * half / s.data_size, 2), "inputs": [s.gen]}]
        t.compacting.discard(s.gen)
        (Path(t.directory) / f"nb-{s.gen + 100}-big-Data.db").unlink()
    finally:
        engine.close()
