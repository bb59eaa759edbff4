"""Fixtures the cql tests share: a fresh in-memory database with keyspace ``ks`` in use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import cql

KS = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"


def ks_session(*statements: str, row_factory: Callable[..., Any] | None = None,
               path: str = ":memory:") -> cql.Session:
    """A new database (in memory, or at ``path``) with keyspace ``ks`` created and in use,
    then ``statements`` run in it."""
    session = cql.connect(path)
    if row_factory is not None:
        session.row_factory = row_factory
    session.execute(KS)
    session.set_keyspace("ks")
    for statement in statements:
        session.execute(statement)
    return session


@pytest.fixture
def session() -> Iterator[cql.Session]:
    """Keyspace ``ks`` in use; rows as named tuples."""
    with ks_session() as s:
        yield s


@pytest.fixture
def s() -> Iterator[cql.Session]:
    """Keyspace ``ks`` in use; rows as plain tuples."""
    with ks_session(row_factory=cql.tuple_factory) as s:
        yield s
