"""The parser tables ship as plain JSON data and nothing executable is read from disk.

Issue: the tables used to be cached as ``/tmp/.cassalite_cql_tables_<uid>_<hash>.pickle``
and loaded with ``pickle.load``, so another local user could plant code at that name.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import cassalite.grammar as grammar
from cassalite.grammar.runtime import TABLES_FORMAT, tables_from_data, tables_to_data


def _normal(tables: dict) -> dict:
    return json.loads(json.dumps(tables_to_data(tables)))


@pytest.fixture(scope="module")
def built() -> dict:
    """Tables freshly built by Lark from cql.lark (two seconds: built once here)."""
    return grammar.build_tables()


def test_shipped_tables_equal_freshly_built_ones(built):
    text = grammar.CQL_TABLES.read_text(encoding="utf-8")
    shipped = json.loads(text)
    assert shipped["grammar_sha256"] == grammar.grammar_digest(), (
        "cql_tables.json is stale: run python -m cassalite.grammar")
    shipped_tables = {k: v for k, v in shipped.items()
                      if k not in ("grammar_sha256", "lark_version")}
    assert shipped_tables == _normal(built)
    # and the file is exactly what the generator writes (no hand edits)
    assert text == grammar._document(built, grammar.grammar_digest())


def test_building_is_deterministic_across_hash_seeds(built):
    """Lark numbers states in set order; the canonical renumbering removes that."""
    code = ("import json, hashlib, cassalite.grammar as g\n"
            "from cassalite.grammar.runtime import tables_to_data\n"
            "print(hashlib.sha256(json.dumps(tables_to_data(g.build_tables()), "
            "sort_keys=True).encode()).hexdigest())")
    seed = str(int(os.environ.get("PYTHONHASHSEED", "0") or 0) + 7)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
    here = hashlib.sha256(json.dumps(tables_to_data(built), sort_keys=True).encode())
    assert out.strip() == here.hexdigest()


def test_loaded_tables_are_the_shipped_ones():
    tables = grammar.load_tables()
    assert tables == tables_from_data(json.loads(grammar.CQL_TABLES.read_text()))
    assert tables["format"] == TABLES_FORMAT


def _old_pickle_names(directory: str) -> list[str]:
    """Where cassalite 0.1.0 looked for its pickled tables and Lark caches."""
    text = grammar.CQL_GRAMMAR.read_text(encoding="utf-8")
    from importlib.metadata import version
    key = f"{TABLES_FORMAT}\0{version('lark')}\0{text}".encode()
    digest = hashlib.sha256(key).hexdigest()[:16]
    short = hashlib.sha256(text.encode()).hexdigest()[:16]
    return [os.path.join(directory, f".cassalite_cql_tables_{os.getuid()}_{digest}.pickle"),
            *(os.path.join(directory, f".cassalite_cql_lark_{lexer}_{short}")
              for lexer in ("contextual", "basic"))]


class _Planted:
    """Unpickling this runs ``open(marker, 'w')``: the attacker's code."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_planted_pickle_in_the_temp_directory_runs_no_code(tmp_path):
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(str(marker)))
    pickle.loads(payload)  # the payload works: it creates the marker
    assert marker.exists()
    marker.unlink()
    for name in _old_pickle_names(str(shared)) + _old_pickle_names(tempfile.gettempdir()):
        try:
            Path(name).write_bytes(payload)
        except OSError:
            pass
    code = ("import cassalite.grammar as g; g.load_tables(); g.load_lark()\n"
            "import cql; s = cql.connect(':memory:')\n"
            "s.execute('SELECT release_version FROM system.local')")
    env = {**os.environ, "TMPDIR": str(shared), "CASSALITE_GRAMMAR_CACHE": str(shared),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert not marker.exists()
    for name in _old_pickle_names(tempfile.gettempdir()):
        try:
            os.unlink(name)
        except OSError:
            pass


@pytest.fixture
def stale(tmp_path, monkeypatch, built):
    """Shipped tables built from another grammar, and a private cache dir under tmp."""
    bad = tmp_path / "cql_tables.json"
    doc = json.loads(grammar.CQL_TABLES.read_text())
    doc["grammar_sha256"] = "0" * 64
    bad.write_text(json.dumps(doc))
    monkeypatch.setattr(grammar, "CQL_TABLES", bad)
    monkeypatch.setattr(grammar, "build_tables", lambda: built)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "shared"))
    (tmp_path / "shared").mkdir()
    return tmp_path


def test_stale_tables_are_rebuilt_in_memory_and_cached_privately(stale, built):
    tables = grammar.load_tables.__wrapped__()
    assert _normal(tables) == _normal(built)
    assert list((stale / "shared").iterdir()) == []  # nothing on shared disk
    directory = stale / "cache" / "cassalite"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    (cached,) = directory.iterdir()
    assert cached.name == f"cql_tables_{grammar.grammar_digest()[:32]}.json"
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    json.loads(cached.read_text())  # plain JSON
    # the next process reads the private cache instead of building
    assert grammar._load_cached(grammar.grammar_digest()) == tables


def test_private_cache_is_ignored_unless_private_and_ours(stale, monkeypatch):
    grammar.load_tables.__wrapped__()
    digest = grammar.grammar_digest()
    directory = stale / "cache" / "cassalite"
    cached = grammar._cache_file(directory, digest)
    assert grammar._load_cached(digest) is not None
    os.chmod(cached, 0o622)  # writable by others: ignored
    assert grammar._load_cached(digest) is None
    os.chmod(cached, 0o600)
    os.chmod(directory, 0o770)  # group-writable directory: ignored
    assert grammar.private_cache_dir() is None
    assert grammar._load_cached(digest) is None
    os.chmod(directory, 0o700)
    # a symlink planted in place of the file is not followed
    target = stale / "elsewhere.json"
    target.write_bytes(cached.read_bytes())
    cached.unlink()
    cached.symlink_to(target)
    assert grammar._load_cached(digest) is None
    cached.unlink()
    cached.write_bytes(target.read_bytes())
    os.chmod(cached, 0o600)
    if os.getuid() == 0:  # as root we can make the file someone else's
        os.chown(cached, 65534, 65534)
        assert grammar._load_cached(digest) is None
        os.chown(cached, 0, 0)
        os.chown(directory, 65534, 65534)
        assert grammar.private_cache_dir() is None
        os.chown(directory, 0, 0)
    assert grammar._load_cached(digest) is not None


def test_garbage_tables_files_are_rejected(tmp_path, monkeypatch):
    digest = grammar.grammar_digest()
    assert grammar._read_tables(b"\x80\x04garbage", digest) is None
    assert grammar._read_tables(b'{"grammar_sha256": "%s", "format": 2}' % digest.encode(),
                                digest) is None
    assert grammar._read_tables(b"[]", digest) is None
