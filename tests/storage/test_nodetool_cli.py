"""cassalite-nodetool as a command: its default data directory and the node-level verbs."""

from __future__ import annotations

import io
import os

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
