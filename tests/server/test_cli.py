"""``python -m server``: options, config file, logging, SIGTERM, durable restart."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest

from cassalite.server.__main__ import build_parser, load_config


def test_options_override_the_config_file(tmp_path):
    cfg_file = tmp_path / "cassalite-server.toml"
    cfg_file.write_text('host = "127.0.0.1"\n[server]\nport = 9100\nworkers = 2\n')
    args = build_parser().parse_args(["--config", str(cfg_file), "--port", "9200", "--auth",
                                      "--memory"])
    cfg = load_config(args)
    assert (cfg.port, cfg.workers, cfg.auth, cfg.memory) == (9200, 2, True, True)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--memory", "--data-dir", "x"])


def test_engine_option_opens_the_data_dir_with_that_engine(tmp_path):
    pytest.importorskip("rocksdict")
    from cassalite.server.server import CQLServer
    from cassalite.storage.rocks import RocksEngine

    cfg = load_config(build_parser().parse_args(["--data-dir", str(tmp_path / "db"),
                                                 "--engine", "rocks"]))
    server = CQLServer(cfg)
    server.open_database()
    try:
        assert cfg.engine == "rocks"
        assert isinstance(server.root.database.engine, RocksEngine)
    finally:
        server.root.close()
    with pytest.raises(ValueError, match=r"Unknown storage engine 'nope' \(expected one of "
                                         r"lsm, memory, rocks\)"):
        cfg.updated({"engine": "nope"})
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--engine", "nope"])


def _start(args: list[str], tmp_path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "cassalite.server", "--port", "0", *args],
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    deadline = time.monotonic() + 30
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"Listening for CQL clients on 127\.0\.0\.1:(\d+)", line)
        if m:
            return proc, int(m.group(1))
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("server did not start")


def _stop(proc: subprocess.Popen, sig: int) -> str:
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    return err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_durable_data_survives_a_signal_and_restart(tmp_path, sig):
    cluster_mod = pytest.importorskip("cassandra.cluster")
    data = tmp_path / "data"
    proc, port = _start(["--data-dir", str(data)], tmp_path)
    c = cluster_mod.Cluster(["127.0.0.1"], port=port, protocol_version=4, connect_timeout=5)
    try:
        s = c.connect()
        s.execute("CREATE KEYSPACE d WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE d.t (k int PRIMARY KEY, v text)")
        ins = s.prepare("INSERT INTO d.t (k, v) VALUES (?, ?)")
        for i in range(100):
            s.execute(ins, (i, f"v{i}"))
    finally:
        c.shutdown()
    err = _stop(proc, sig)
    assert "Shutting down" in err and "Stopped" in err
    proc, port = _start(["--data-dir", str(data)], tmp_path)
    c = cluster_mod.Cluster(["127.0.0.1"], port=port, protocol_version=4, connect_timeout=5)
    try:
        s = c.connect()
        assert s.execute("SELECT count(*) FROM d.t").one()[0] == 100
        assert s.execute("SELECT v FROM d.t WHERE k = 42").one().v == "v42"
        assert "t" in c.metadata.keyspaces["d"].tables
    finally:
        c.shutdown()
        _stop(proc, signal.SIGTERM)


def test_bad_config_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("nonsense_key = 1\n")
    res = subprocess.run([sys.executable, "-m", "cassalite.server", "--config", str(bad)],
                         capture_output=True, text=True, timeout=30, check=False)
    assert res.returncode == 2 and "nonsense_key" in res.stderr
