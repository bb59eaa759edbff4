"""session.admin and cassalite-nodetool on a RocksDB data directory: the verbs RocksDB can
carry out, and the clear errors of those it cannot (skipped without rocksdict)."""

import io
import json
import os

import pytest

import cql
from cassalite.storage.errors import UnsupportedOperation
from cassalite.storage.nodetool import is_rocks_dir
from cassalite.storage.nodetool import main as nodetool

rocksdict = pytest.importorskip("rocksdict")


@pytest.fixture
def data_dir(tmp_path):
    path = str(tmp_path / "db")
    with cql.connect(path, engine="rocks") as s:
        s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE ks.t (k int, c int, v text, PRIMARY KEY (k, c))")
        s.execute("CREATE TABLE ks.u (k int PRIMARY KEY, v int)")
        for k in range(20):
            for c in range(k % 5 + 1):
                s.execute("INSERT INTO ks.t (k, c, v) VALUES (%s, %s, %s)", (k, c, "x" * k))
        s.execute("INSERT INTO ks.u (k, v) VALUES (1, 1)")
    return path


def _run(*argv: str, capsys=None) -> tuple[int, str]:
    out = io.StringIO()
    rc = nodetool(list(argv), out=out)
    return rc, out.getvalue()


def _rows(path: str) -> list[tuple]:
    with cql.connect(path, engine="rocks") as s:
        return sorted(tuple(r) for r in s.execute("SELECT k, c, v FROM ks.t"))


def test_a_rocks_directory_is_recognised(data_dir, tmp_path):
    assert is_rocks_dir(data_dir)
    with cql.connect(str(tmp_path / "lsm")) as s:
        s.execute("SELECT * FROM system.local")
    assert not is_rocks_dir(str(tmp_path / "lsm"))


def test_session_admin_flush_compact_tablestats_verify(data_dir):
    with cql.connect(data_dir, engine="rocks") as s:
        s.execute("DELETE FROM ks.t WHERE k = 0 AND c = 0")
        admin = s.admin
        admin.flush("ks")
        admin.compact("ks", ["t"])
        stats = {t["table"]: t for t in admin.tablestats("ks")}
        assert stats["t"]["partitions_estimate"] == 20
        # 60 rows, one deleted: its tombstone stays until gc_grace_seconds has passed
        assert stats["t"]["stored_rows"] == 60
        assert stats["u"]["partitions_estimate"] == 1 and stats["u"]["stored_rows"] == 1
        assert admin.verify() == []
        assert admin.status()["nodes"][0]["load"] is not None


def test_snapshot_list_and_clear(data_dir):
    before = _rows(data_dir)
    assert _run("-d", data_dir, "snapshot", "-t", "snap1") == (0, "Snapshot directory: snap1\n")
    snap = os.path.join(data_dir, "snapshots", "snap1")
    with open(os.path.join(snap, "manifest.json")) as f:
        tables = [t[:2] for t in json.load(f)["tables"]]
    assert ["system_schema", "tables"] in tables  # the whole database, schema included
    assert [t for t in tables if t[0] == "ks"] == [["ks", "t"], ["ks", "u"]]
    rc, out = _run("-d", data_dir, "listsnapshots")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == "Snapshot Details:"
    assert len(lines) == 2 + len(tables)
    assert [line.split()[:3] for line in lines[2:] if " ks " in line] == [
        ["snap1", "ks", "t"], ["snap1", "ks", "u"]]
    # the checkpoint is a database of its own, with the rows of the snapshot
    assert _rows(snap) == before
    assert _run("-d", data_dir, "clearsnapshot", "-t", "snap1") == (
        0, "Removed 1 snapshot directories\n")
    assert not os.path.exists(os.path.join(data_dir, "snapshots"))
    assert _run("-d", data_dir, "listsnapshots") == (0, "There are no snapshots\n")
    assert _rows(data_dir) == before


def test_tablestats_info_status(data_dir):
    assert _run("-d", data_dir, "flush") == (0, "")
    assert _run("-d", data_dir, "compact", "ks", "t") == (0, "")
    rc, out = _run("-d", data_dir, "tablestats", "ks.t")
    assert rc == 0
    assert "\t\tTable: t\n\t\tNumber of partitions (estimate): 20\n" \
           "\t\tStored rows (tombstones included): 60\n" in out
    assert "SSTable count" not in out
    rc, out = _run("-d", data_dir, "info")
    assert rc == 0
    assert "Storage engine         : rocks\n" in out
    n_tables = len(json.loads(_run("-d", data_dir, "tablestats", "--json")[1]))
    assert n_tables > 2  # the system tables live in the engine too
    assert f"Tables                 : {n_tables}\n" in out
    rc, out = _run("-d", data_dir, "status", "--json")
    assert rc == 0 and json.loads(out)["nodes"][0]["state"] == "UN"


@pytest.mark.parametrize("argv, message", [
    (("restore", "-t", "x"), "error: restore is not supported by the rocks storage engine: "
                             "a checkpoint is a whole database: open "),
    (("refresh", "ks", "t"), "error: refresh is not supported by the rocks storage engine: "
                             "it loads SSTables, which only the lsm engine reads\n"),
    (("compactionstats",), "error: compactionstats is not supported by the rocks storage "
                           "engine: RocksDB runs its compactions itself and reports no "
                           "per-table progress\n"),
    (("tablehistograms", "ks.t"), "error: tablehistograms is not supported by the rocks "
                                  "storage engine: RocksDB keeps no per-partition statistics\n"),
    (("snapshot", "ks"), "error: snapshot of selected tables is not supported by the rocks "
                         "storage engine: a RocksDB checkpoint holds the whole database\n"),
])
def test_verbs_rocksdb_cannot_carry_out(data_dir, capsys, argv, message):
    capsys.readouterr()
    assert _run("-d", data_dir, *argv) == (1, "")
    assert capsys.readouterr().err.startswith(message)


def test_snapshot_tags_are_checked(data_dir, capsys):
    assert _run("-d", data_dir, "snapshot", "-t", "a")[0] == 0
    capsys.readouterr()
    assert _run("-d", data_dir, "snapshot", "-t", "a") == (1, "")
    assert capsys.readouterr().err == "error: snapshot 'a' already exists\n"
    assert _run("-d", data_dir, "snapshot", "-t", "..") == (1, "")
    assert capsys.readouterr().err == "error: invalid snapshot tag '..'\n"


def test_session_admin_unsupported_names_verb_and_engine(data_dir):
    with cql.connect(data_dir, engine="rocks") as s:
        with pytest.raises(UnsupportedOperation, match="^refresh is not supported by the "
                                                       "rocks storage engine: "):
            s.admin.refresh("ks", "t")


def test_verify_reports_a_corrupt_value_naming_the_table(data_dir, capsys):
    db = rocksdict.Rdict(data_dir, options=rocksdict.Options(raw_mode=True))
    try:
        info = {json.loads(v)[2]: json.loads(v)[0] for k, v in db.items()
                if k.startswith(b"\x00table\x00")}
        prefix = info["t"].encode() + b"\x00"
        it = db.iter()
        it.seek(prefix)
        key = it.key()
        del it
        db.put(key, b"\x01")  # a plain row cut after its flag
    finally:
        db.close()
    rc, out = _run("-d", data_dir, "verify", "ks")
    assert rc == 1
    assert out == (f"CORRUPT: Corrupt data in {data_dir}: table ks.t: malformed row under "
                   f"key {key.hex()}: unpack_from requires a buffer of at least 9 bytes for "
                   "unpacking 8 bytes at offset 1 (actual buffer size is 1)\n")
    assert _run("-d", data_dir, "verify", "ks", "u") == (
        0, "Verification complete: no corruption found\n")
