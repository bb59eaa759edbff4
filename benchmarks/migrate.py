"""cassalite migrate against COPY TO + COPY FROM, in the same run: the messages example's
data moved from a data directory to a cassalite-server standing in for a cluster.

    python benchmarks/migrate.py [--rows 20000] [--workers 4] [--ranges 64]

Reports rows/s of ``cassalite migrate DIR cassandra://...`` (cell timestamps and TTLs kept)
and of the cqlsh way: COPY TO a CSV file from the directory, then COPY FROM it into the
server through the shell's remote mode (timestamps and TTLs lost). Both targets are checked
to hold every row.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import sys
import tempfile
import time
from pathlib import Path

import cql
from cassalite.migrate import Migration, migrate
from cassalite.server import ServerConfig, ServerThread
from cassalite.shell.core import Shell, ShellSettings
from cassalite.shell.remote import connect_remote

ROOT = Path(__file__).resolve().parents[1]


def _load_messages(path: str, rows: int) -> int:
    spec = importlib.util.spec_from_file_location("bench_messages",
                                                  ROOT / "examples" / "messages" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    module.main(["--db", path, "--rows", str(rows)])
    with cql.connect(path) as s:
        return s.execute("SELECT count(*) FROM chat.messages").one()[0]


def _count(port: int) -> int:
    with cql.connect(f"cassandra://127.0.0.1:{port}/?protocol_version=4") as s:
        return s.execute("SELECT count(*) FROM chat.messages").one()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--ranges", type=int, default=64)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "db")
        rows = _load_messages(data, args.rows)
        print(f"source: {rows} rows in chat.messages ({data})")

        with ServerThread(ServerConfig(memory=True, host="127.0.0.1", port=0,
                                       log_level="WARNING")) as server:
            t0 = time.perf_counter()
            migrate(Migration(data, f"cassandra://127.0.0.1:{server.port}/?protocol_version=4",
                              keyspaces=["chat"], ranges=args.ranges, workers=args.workers,
                              progress=False))
            migrate_s = time.perf_counter() - t0
            assert _count(server.port) == rows

        with ServerThread(ServerConfig(memory=True, host="127.0.0.1", port=0,
                                       log_level="WARNING")) as server:
            csv_path = Path(tmp) / "messages.csv"
            out = io.StringIO()
            t0 = time.perf_counter()
            with cql.connect(data) as local:
                Shell(local, ShellSettings(), out=out, err=out).feed_text(
                    f"COPY chat.messages TO '{csv_path}';\n")
            remote = connect_remote("127.0.0.1", server.port, protocol_version=4)
            try:
                shell = Shell(remote, ShellSettings(), out=out, err=out)
                schema = (ROOT / "examples" / "messages" / "schema.cql").read_text()
                shell.feed_text(schema + f"\nCOPY chat.messages FROM '{csv_path}';\n")
            finally:
                remote.close()
            copy_s = time.perf_counter() - t0
            assert _count(server.port) == rows, out.getvalue()

    print(f"cassalite migrate:        {migrate_s:7.2f} s  {rows / migrate_s:9,.0f} rows/s "
          "(WRITETIME and TTL kept)")
    print(f"COPY TO + COPY FROM:      {copy_s:7.2f} s  {rows / copy_s:9,.0f} rows/s "
          "(timestamps and TTLs lost)")
    print(f"migrate / COPY: {copy_s / migrate_s:.2f}x the speed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
