"""``cassalite migrate SOURCE TARGET``: the command line of a migration.

SOURCE and TARGET are a cassalite data directory or a cluster URL
(``cassandra://host1,host2:9042?dc=dc1&user=...``), in either order.
Exit status: 0 done (and verified), 1 ``--verify`` found differences, 2 an error.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from .copier import MigrateError, Migration, migrate
from .progress import clock
from .state import StateMismatch
from .verify import verify


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cassalite migrate",
        description="Copy keyspaces between a cassalite data directory and a Cassandra or "
                    "ScyllaDB cluster (either way): schema, then data by token range with "
                    "write timestamps and TTLs preserved.")
    p.add_argument("source", help="data directory or cassandra://... / scylla://... URL")
    p.add_argument("target", help="data directory or cassandra://... / scylla://... URL")
    p.add_argument("-k", "--keyspace", action="append", default=[],
                   help="a keyspace to copy (repeatable; default: every user keyspace)")
    p.add_argument("-t", "--table", action="append", default=[], metavar="KS.TABLE",
                   help="only this table (repeatable)")
    p.add_argument("--ranges", type=int, default=64, help="token ranges per table (64)")
    p.add_argument("--workers", type=int, default=4, help="ranges copied at once (4)")
    p.add_argument("--state", default=None, metavar="FILE",
                   help="record finished ranges here; run again with it to resume")
    p.add_argument("--rate", type=float, default=None, metavar="ROWS_PER_S",
                   help="copy at most this many rows per second")
    p.add_argument("--verify", action="store_true",
                   help="after copying, compare row counts and digests per token range")
    p.add_argument("--verify-only", action="store_true", help="compare only, copy nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress line")
    return p


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    m = Migration(args.source, args.target, keyspaces=args.keyspace, tables=args.table,
                  ranges=args.ranges, workers=args.workers, state_file=args.state,
                  rate=args.rate, progress=not args.no_progress, out=err)
    started = time.monotonic()
    try:
        if not args.verify_only:
            copied = migrate(m)
            elapsed = time.monotonic() - started
            rows = sum(copied.values())
            print(f"Copied {rows} rows of {len(copied)} tables from {args.source} to "
                  f"{args.target} in {clock(elapsed)} ({rows / max(elapsed, 1e-9):,.0f} "
                  "rows/s)", file=out)
        if args.verify or args.verify_only:
            return _verify(m, out)
        return 0
    except (MigrateError, StateMismatch) as e:
        print(f"cassalite migrate: error: {e}", file=err)
        return 2
    except KeyboardInterrupt:
        print("\ncassalite migrate: interrupted; run again with the same --state to resume",
              file=err)
        return 130


def _verify(m: Migration, out: TextIO) -> int:
    source, target = m.open(m.source), m.open(m.target)
    try:
        tables = m.plan(source)
        rows, mismatches = verify(source, target, tables, m.ranges, m.workers)
    finally:
        target.close()
        source.close()
    for mismatch in mismatches:
        print(f"DIFFERS: {mismatch}", file=out)
    units = len(tables) * m.ranges
    if mismatches:
        print(f"Verify: {len(mismatches)} of {units} token ranges differ", file=out)
        return 1
    print(f"Verify: {rows} rows in {units} token ranges of {len(tables)} tables are "
          "identical", file=out)
    return 0


__all__ = ["build_parser", "main"]
