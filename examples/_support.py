"""What every example script shares: the ``--db`` option, opening a session, timing.

The scripts put this directory on ``sys.path`` and import it, so each one still runs as
``python examples/<name>/app.py``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cql
from cql.syntax import split_statements

#: Where a script keeps its data when run by hand: a directory, so a second run (or the
#: ``cassalite --data-dir cassalite-data`` shell) sees what the first one wrote.
DEFAULT_DB = "cassalite-data"


def arg_parser(description: str, rows: int, rows_help: str) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` with the options every example has: ``--db`` and ``--rows``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db", default=DEFAULT_DB,
        help=f"database directory, or :memory: for a throwaway one (default: {DEFAULT_DB})",
    )
    parser.add_argument("--rows", type=int, default=rows, help=rows_help)
    return parser


def run_script(session: cql.Session, path: Path) -> None:
    """Run a ``.cql`` file statement by statement, as the shell's ``SOURCE`` does."""
    for statement in split_statements(path.read_text(encoding="utf-8")):
        session.execute(statement.text)


def open_session(db: str, schema: Path) -> cql.Session:
    """Open ``db`` and apply the example's schema (which ends in ``USE <keyspace>``)."""
    session = cql.connect(db)
    try:
        run_script(session, schema)
    except BaseException:
        session.close()
        raise
    return session


def admin_of(session: cql.Session):
    """The engine's operator interface (flush, compact, tablestats); None for ``:memory:``."""
    try:
        return session.admin
    except cql.InvalidRequest:
        return None


def flush_and_stats(session: cql.Session, keyspace: str, table: str) -> dict | None:
    """Flush a table to SSTables and return its ``tablestats``; None for ``:memory:``."""
    admin = admin_of(session)
    if admin is None:
        return None
    admin.flush(keyspace, table)
    return admin.tablestats(keyspace, table)[0]


@contextmanager
def timed(label: str, count: int | None = None) -> Iterator[None]:
    """Print how long the block took (and the rate per item when ``count`` is given)."""
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    rate = f", {count / elapsed:,.0f}/s" if count and elapsed > 0 else ""
    print(f"  {label}: {elapsed * 1000:,.1f} ms{rate}")
