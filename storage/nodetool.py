"""``cassalite-nodetool``: nodetool's storage verbs against a cassalite data directory.

The directory must not be open in another process (the engine's lock file enforces it).
Tables are found from their on-disk manifests, so no schema is needed::

    cassalite-nodetool -d DATA_DIR tablestats [keyspace[.table] ...] [--json]
    cassalite-nodetool -d DATA_DIR flush [keyspace [table ...]]
    cassalite-nodetool -d DATA_DIR compact [keyspace [table ...]]
    cassalite-nodetool -d DATA_DIR snapshot [-t TAG] [keyspace [table ...]]
    cassalite-nodetool -d DATA_DIR listsnapshots
    cassalite-nodetool -d DATA_DIR clearsnapshot [-t TAG | --all]
    cassalite-nodetool -d DATA_DIR verify [keyspace [table ...]]
    cassalite-nodetool -d DATA_DIR restore -t TAG [keyspace [table ...]]
    cassalite-nodetool -d DATA_DIR refresh keyspace table [--from DIR]
    cassalite-nodetool -d DATA_DIR info | status | compactionstats [--json]
    cassalite-nodetool -d DATA_DIR tablehistograms keyspace table [--json]

Without ``-d``, the default data directory of the shell and the server
(``$CASSALITE_DATA_DIR`` or the user data directory).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from cassalite.storage.errors import StorageError
from cassalite.storage.paths import default_data_dir


def is_rocks_dir(path: str) -> bool:
    """A RocksDB database: its ``CURRENT`` file and an ``OPTIONS-*`` file (an LSM data
    directory holds ``data/`` and ``commitlog/`` instead)."""
    names = os.listdir(path)
    return "CURRENT" in names and any(n.startswith("OPTIONS-") for n in names)


def _engine(path: str):
    if not os.path.isdir(path):
        raise FileNotFoundError(f"data directory {path} does not exist")
    if is_rocks_dir(path):
        from cassalite.storage.rocks import RocksEngine

        return RocksEngine(path)
    from cassalite.storage.lsm import LSMEngine

    return LSMEngine(path, compaction_in_background=False)


def _size(n: float | None) -> str:
    if n is None:
        return "NaN"
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.2f} {unit}"
        n /= 1024
    return str(n)


_KEYSPACE_STATS = (("Read Count", "local_read_count"), ("Write Count", "local_write_count"),
                   ("Pending Flushes", "pending_flushes"))
#: (label, key) of what tablestats prints, when the engine reports it
_TABLE_STATS = (
    ("Table", "table"), ("SSTable count", "sstable_count"),
    ("SSTables in each level", "sstables_per_level"), ("Space used (live)", "space_used_live"),
    ("Space used (total)", "space_used_total"),
    ("Space used by snapshots (total)", "space_used_by_snapshots"),
    ("SSTable Compression Ratio", "sstable_compression_ratio"),
    ("Number of partitions (estimate)", "partitions_estimate"),
    ("Stored rows (tombstones included)", "stored_rows"),
    ("Stored bytes (keys + values, uncompressed)", "stored_bytes"),
    ("Memtable cell count (partitions)", "memtable_partitions"),
    ("Memtable data size", "memtable_data_size"),
    ("Memtable switch count", "memtable_switch_count"),
    ("Local read count", "local_read_count"), ("Local write count", "local_write_count"),
    ("Pending flushes", "pending_flushes"),
    ("Bloom filter false positives", "bloom_filter_false_positives"),
    ("Bloom filter false ratio", "bloom_filter_false_ratio"),
    ("Bloom filter space used", "bloom_filter_space_used"),
    ("Compacted partition maximum bytes", "compacted_partition_maximum_bytes"),
    ("Compaction strategy", "compaction_strategy"),
)


def _stat(key: str, value) -> str:
    if key == "sstable_compression_ratio":
        return f"{value:.5f}" if value is not None else "-1.0"
    if key == "bloom_filter_false_ratio":
        return f"{value:.5f}"
    return str(value)


def _print_tablestats(stats: list[dict], out) -> None:
    by_ks: dict[str, list[dict]] = {}
    for s in stats:
        by_ks.setdefault(s["keyspace"], []).append(s)
    print(f"Total number of tables: {len(stats)}", file=out)
    print("----------------", file=out)
    for ks in sorted(by_ks):
        tables = by_ks[ks]
        print(f"Keyspace : {ks}", file=out)
        for label, key in _KEYSPACE_STATS:
            if key in tables[0]:
                print(f"\t{label}: {sum(t[key] for t in tables)}", file=out)
        for t in sorted(tables, key=lambda t: t["table"]):
            for label, key in _TABLE_STATS:
                if key in t:
                    print(f"\t\t{label}: {_stat(key, t[key])}", file=out)
            for problem in t.get("corrupt_sstables", ()):
                print(f"\t\tCORRUPT: {problem}", file=out)
            print(file=out)
        print("----------------", file=out)


def _targets(args) -> tuple[str | None, list[str] | None]:
    names = list(args.names or [])
    if not names:
        return None, None
    return names[0], names[1:] or None


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="cassalite-nodetool", description=__doc__.split(
        "\n")[0])
    parser.add_argument("-d", "--data-dir", default=None,
                        help="cassalite data directory (default: the one the shell and "
                             "server use: $CASSALITE_DATA_DIR or the user data directory, "
                             f"here {default_data_dir()})")
    sub = parser.add_subparsers(dest="verb", required=True)
    for verb in ("flush", "compact", "verify"):
        p = sub.add_parser(verb)
        p.add_argument("names", nargs="*", help="keyspace [table ...]")
    p = sub.add_parser("tablestats", aliases=["cfstats"])
    p.add_argument("names", nargs="*", help="keyspace or keyspace.table")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("snapshot")
    p.add_argument("-t", "--tag", default=None)
    p.add_argument("names", nargs="*", help="keyspace [table ...]")
    sub.add_parser("listsnapshots")
    p = sub.add_parser("restore", help="replace tables' data by a snapshot of theirs")
    p.add_argument("-t", "--tag", required=True)
    p.add_argument("names", nargs="*", help="keyspace [table ...]")
    p = sub.add_parser("refresh", help="load SSTables put in <table dir>/upload/")
    p.add_argument("keyspace")
    p.add_argument("table")
    p.add_argument("--from", dest="source", default=None,
                   help="load from this directory instead")
    for verb in ("info", "status", "compactionstats"):
        sub.add_parser(verb).add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("tablehistograms", aliases=["cfhistograms"])
    p.add_argument("names", nargs="+", help="keyspace table, or keyspace.table")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("clearsnapshot")
    p.add_argument("-t", "--tag", default=None)
    p.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)

    data_dir = str(args.data_dir or default_data_dir())
    try:
        engine = _engine(data_dir)
    except Exception as exc:  # noqa: BLE001 - a command line tool reports, not crashes
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        admin = engine.admin
        verb = args.verb
        if verb == "flush":
            admin.flush(*_targets(args))
        elif verb == "compact":
            admin.compact(*_targets(args))
        elif verb in ("tablestats", "cfstats"):
            stats = []
            for name in args.names or [None]:
                ks, _, table = (name or "").partition(".")
                stats += admin.tablestats(ks or None, table or None)
            if args.json:
                json.dump(stats, out, indent=2, default=str)
                print(file=out)
            else:
                _print_tablestats(stats, out)
        elif verb == "snapshot":
            ks, tables = _targets(args)
            tag = admin.snapshot(args.tag, ks, tables)
            print(f"Snapshot directory: {tag}", file=out)
        elif verb == "listsnapshots":
            snaps = admin.list_snapshots()
            if not snaps:
                print("There are no snapshots", file=out)
            else:
                print("Snapshot Details:", file=out)
                print(f"{'Snapshot name':<30} {'Keyspace name':<20} {'Column family name':<20}"
                      f" {'Size on disk'}", file=out)
                for tag, entries in sorted(snaps.items()):
                    for e in entries:
                        print(f"{tag:<30} {e['keyspace']:<20} {e['table']:<20} "
                              f"{_size(e['size'])}", file=out)
        elif verb == "clearsnapshot":
            if args.tag is None and not args.all:
                print("error: give -t TAG or --all", file=sys.stderr)
                return 1
            removed = admin.clear_snapshot(None if args.all else args.tag)
            print(f"Removed {len(removed)} snapshot directories", file=out)
        elif verb in ("restore", "refresh", "info", "status", "compactionstats",
                      "tablehistograms", "cfhistograms"):
            return _node_verb(admin, data_dir, args, out)
        elif verb == "verify":
            problems = admin.verify(*_targets(args))
            for p in problems:
                print(f"CORRUPT: {p}", file=out)
            if problems:
                return 1
            print("Verification complete: no corruption found", file=out)
        return 0
    except (StorageError, ValueError) as exc:  # unsupported verb, corrupt data, bad tag
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.close()


def _node_verb(admin, data_dir: str, args, out) -> int:
    verb = args.verb
    if verb == "restore":
        restored = admin.restore(args.tag, *_targets(args))
        if not restored:
            print(f"error: no table has a snapshot named {args.tag!r}", file=sys.stderr)
            return 1
        for ks, table, n in restored:
            print(f"Restored {ks}.{table} from snapshot {args.tag} ({n} SSTables)", file=out)
        return 0
    if verb == "refresh":
        n = admin.refresh(args.keyspace, args.table, args.source)
        if n is None:
            print(f"error: unknown table {args.keyspace}.{args.table}", file=sys.stderr)
            return 1
        print(f"Loaded {n} SSTables into {args.keyspace}.{args.table}", file=out)
        return 0
    if verb in ("tablehistograms", "cfhistograms"):
        ks, _, table = args.names[0].partition(".")
        table = table or (args.names[1] if len(args.names) > 1 else "")
        report = admin.table_histograms(ks, table) if table else None
        if report is None:
            print(f"error: unknown table {ks}.{table}", file=sys.stderr)
            return 1
    elif verb == "info":
        report = admin.info(data_dir)
    elif verb == "status":
        report = admin.status()
    else:
        report = admin.compaction_stats()
    if args.json:
        json.dump(report, out, indent=2)
        print(file=out)
    else:
        {"info": _print_info, "status": _print_status, "compactionstats": _print_compactions
         }.get(verb, _print_histograms)(report, out)
    return 0


#: (label, key, format) of what info prints, when the engine reports it
_INFO = (
    ("Storage engine", "engine", str), ("Load", "load", _size),
    ("Data Directory", "data_directory", str), ("Tables", "tables", str),
    ("SSTables", "sstables", str), ("Memtable partitions", "memtable_partitions", str),
    ("Memtable data size", "memtable_bytes", _size), ("Commit log size", "commitlog_bytes", _size),
    ("Snapshots size", "snapshots_bytes", _size),
    ("Pending compactions", "pending_compactions", str),
    ("Max RSS (MB)", "max_rss_bytes", lambda n: f"{n / 1048576:.2f}"),
    ("Data Center", "data_center", str), ("Rack", "rack", str),
    ("Percent Repaired", "percent_repaired", lambda p: f"{p}%"),
)


def _print_info(r: dict, out) -> None:
    rows = [("Gossip active", "false"), ("Native Transport active", "false")]
    rows += [(label, show(r[key])) for label, key, show in _INFO if key in r]
    for label, value in rows:
        print(f"{label:<23}: {value}", file=out)


def _print_status(r: dict, out) -> None:
    title = f"Datacenter: {r['data_center']}"
    print(title, file=out)
    print("=" * len(title), file=out)
    print("Status=Up/Down\n|/ State=Normal/Leaving/Joining/Moving", file=out)
    print(f"{'--':<4}{'Address':<11}{'Load':<12}{'Tokens':<8}{'Owns (effective)':<18}"
          f"{'Rack'}", file=out)
    for n in r["nodes"]:
        print(f"{n['state']:<4}{n['address']:<11}{_size(n['load']):<12}{n['tokens']:<8}"
              f"{str(n['owns']) + '%':<18}{n['rack']}", file=out)


def _print_compactions(r: dict, out) -> None:
    print(f"pending tasks: {r['pending_tasks']}", file=out)
    for ks, tables in sorted(r["pending_by_table"].items()):
        for table, n in sorted(tables.items()):
            print(f"- {ks}.{table}: {n}", file=out)
    if r["active"]:
        print(file=out)
        print(f"{'compaction type':<17}{'keyspace':<15}{'table':<15}{'completed':>12}"
              f"{'total':>12}  {'unit':<6}{'progress':>8}", file=out)
        for a in r["active"]:
            print(f"{a['compaction_type']:<17}{a['keyspace']:<15}{a['table']:<15}"
                  f"{a['completed']:>12}{a['total']:>12}  {a['unit']:<6}"
                  f"{a['progress']:>7.2f}%", file=out)


def _print_histograms(r: dict, out) -> None:
    print(f"{r['keyspace']}/{r['table']} histograms", file=out)
    fmt = "%-10s%10s%18s%18s%18s%18s"
    print(fmt % ("Percentile", "SSTables", "Write Latency", "Read Latency", "Partition Size",
                 "Cell Count"), file=out)
    print(fmt % ("", "", "(micros)", "(micros)", "(bytes)", ""), file=out)
    for p in r["percentiles"]:
        print(fmt % (p["percentile"], f"{p['sstables']:.2f}", "0.00", "0.00",
                     p["partition_size"], p["cell_count"]), file=out)
    print(file=out)


if __name__ == "__main__":
    sys.exit(main())
