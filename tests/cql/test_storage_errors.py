"""Storage errors reach Python code as cql exceptions (the storage error is the cause)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cql
from cassalite.storage import errors as storage_errors

from .conftest import KS


def test_a_locked_data_directory_is_a_cql_exception(tmp_path: Path) -> None:
    with cql.connect(tmp_path):
        with pytest.raises(cql.DirectoryLockedError) as info:
            cql.connect(tmp_path)
    assert isinstance(info.value, cql.DriverException)
    assert isinstance(info.value.__cause__, storage_errors.DirectoryLockedError)
    assert str(tmp_path) in str(info.value)


def test_a_damaged_file_read_through_cql_is_a_cql_exception(tmp_path: Path) -> None:
    with cql.connect(tmp_path) as s:
        s.execute(KS)
        s.execute("CREATE TABLE ks.t (k int PRIMARY KEY, v text)")
        for i in range(50):
            s.execute("INSERT INTO ks.t (k, v) VALUES (%s, %s)", (i, "x" * 100))
    (data,) = (tmp_path / "data" / "ks").glob("t-*/*-Data.db")
    damaged = bytearray(data.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    data.write_bytes(bytes(damaged))
    with cql.connect(tmp_path) as s:
        with pytest.raises(cql.CorruptionError) as info:
            list(s.execute("SELECT * FROM ks.t"))
    assert info.value.path == str(data)
    assert isinstance(info.value, cql.StorageError)
    assert isinstance(info.value.__cause__, storage_errors.CorruptionError)
    assert str(info.value) == str(info.value.__cause__)
