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

from cassalite.storage.paths import default_data_dir


def _engine(path: str):
    from cassalite.storage.lsm import LSMEngine

    if not os.path.isdir(path):
        raise FileNotFoundError(f"data directory {path} does not exist")
    return LSMEngine(path, compaction_in_background=False)


def _size(n: float | None) -> str:
    if n is None:
        return "NaN"
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.2f} {unit}"
        n /= 1024
    return str(n)


def _print_tablestats(stats: list[dict], out) -> None:
    by_ks: dict[str, list[dict]] = {}
    for s in stats:
        by_ks.setdefault(s["keyspace"], []).append(s)
    print(f"Total number of tables: {len(stats)}", file=out)
    print("----------------", file=out)
    for ks in sorted(by_ks):
        tables = by_ks[ks]
        print(f"Keyspace : {ks}", file=out)
        print(f"\tRead Count: {sum(t['local_read_count'] for t in tables)}", file=out)
        print(f"\tWrite Count: {sum(t['local_write_count'] for t in tables)}", file=out)
        print(f"\tPending Flushes: {sum(t['pending_flushes'] for t in tables)}", file=out)
        for t in sorted(tables, key=lambda t: t["table"]):
            ratio = t["sstable_compression_ratio"]
            rows = [
                ("Table", t["table"]),
                ("SSTable count", t["sstable_count"]),
                ("SSTables in each level", t["sstables_per_level"]),
                ("Space used (live)", t["space_used_live"]),
                ("Space used (total)", t["space_used_total"]),
                ("Space used by snapshots (total)", t["space_used_by_snapshots"]),
                ("SSTable Compression Ratio", f"{ratio:.5f}" if ratio is not None else "-1.0"),
                ("Number of partitions (estimate)", t["partitions_estimate"]),
                ("Memtable cell count (partitions)", t["memtable_partitions"]),
                ("Memtable data size", t["memtable_data_size"]),
                ("Memtable switch count", t["memtable_switch_count"]),
                ("Local read count", t["local_read_count"]),
                ("Local write count", t["local_write_count"]),
                ("Pending flushes", t["pending_flushes"]),
                ("Bloom filter false positives", t["bloom_filter_false_positives"]),
                ("Bloom filter false ratio", f"{t['bloom_filter_false_ratio']:.5f}"),
                ("Bloom filter space used", t["bloom_filter_space_used"]),
                ("Compacted partition maximum bytes", t["compacted_partition_maximum_bytes"]),
                ("Compaction strategy", t["compaction_strategy"]),
            ]
            for label, value in rows:
                print(f"\t\t{label}: {value}", file=out)
            for problem in t["corrupt_sstables"]:
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
            return _node_verb(engine, data_dir, args, out)
        elif verb == "verify":
            problems = admin.verify(*_targets(args))
            for p in problems:
                print(f"CORRUPT: {p}", file=out)
            if problems:
                return 1
            print("Verification complete: no corruption found", file=out)
        return 0
    finally:
        engine.close()


def _node_verb(engine, data_dir: str, args, out) -> int:
    from cassalite.storage import nodeinfo
    from cassalite.storage.lsm import restore

    verb = args.verb
    if verb == "restore":
        ks, tables = _targets(args)
        chosen = [t for t in engine.admin.select(ks, tables)
                  if os.path.isdir(os.path.join(t.directory, "snapshots", args.tag))]
        if not chosen:
            print(f"error: no table has a snapshot named {args.tag!r}", file=sys.stderr)
            return 1
        for t in chosen:
            n = restore.restore_snapshot(engine, t, args.tag)
            print(f"Restored {t.info.keyspace}.{t.info.name} from snapshot {args.tag} "
                  f"({n} SSTables)", file=out)
        return 0
    if verb == "refresh":
        tables = engine.admin.select(args.keyspace, [args.table])
        if not tables:
            print(f"error: unknown table {args.keyspace}.{args.table}", file=sys.stderr)
            return 1
        n = restore.refresh(engine, tables[0], args.source)
        print(f"Loaded {n} SSTables into {args.keyspace}.{args.table}", file=out)
        return 0
    if verb in ("tablehistograms", "cfhistograms"):
        ks, _, table = args.names[0].partition(".")
        table = table or (args.names[1] if len(args.names) > 1 else "")
        tables = engine.admin.select(ks, [table]) if table else []
        if not tables:
            print(f"error: unknown table {ks}.{table}", file=sys.stderr)
            return 1
        report = nodeinfo.table_histograms(engine, tables[0])
    elif verb == "info":
        report = nodeinfo.info(engine, data_dir)
    elif verb == "status":
        report = nodeinfo.status(engine)
    else:
        report = nodeinfo.compaction_stats(engine)
    if args.json:
        json.dump(report, out, indent=2)
        print(file=out)
    else:
        {"info": _print_info, "status": _print_status, "compactionstats": _print_compactions
         }.get(verb, _print_histograms)(report, out)
    return 0


def _print_info(r: dict, out) -> None:
    rows = [("Gossip active", "false"), ("Native Transport active", "false"),
            ("Load", _size(r["load"])), ("Data Directory", r["data_directory"]),
            ("Tables", r["tables"]), ("SSTables", r["sstables"]),
            ("Memtable partitions", r["memtable_partitions"]),
            ("Memtable data size", _size(r["memtable_bytes"])),
            ("Commit log size", _size(r["commitlog_bytes"])),
            ("Snapshots size", _size(r["snapshots_bytes"])),
            ("Pending compactions", r["pending_compactions"]),
            ("Max RSS (MB)", f"{r['max_rss_bytes'] / 1048576:.2f}"),
            ("Data Center", r["data_center"]), ("Rack", r["rack"]),
            ("Percent Repaired", f"{r['percent_repaired']}%")]
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
