"""Run the corpus and rewrite known_failures.txt with today's failures; print pass rates.

    python -m tests.conformance.update_known_failures [--modes memory,lsm,server]
                                                     [--jobs N] [--dry-run]

Existing reasons are kept; a new failure gets the first line of its mismatch or error as
its reason. A case failing in every mode it runs in gets one line without a mode, otherwise
one line per failing mode (``<case id> [<mode>]: <reason>``). Entries for modes that were not
run (e.g. ``--modes memory``) are kept as they are; entries for cases that no longer exist
are dropped, and so are entries of cases that pass now, except those whose reason starts with
``flaky:`` (a pass is tolerated for them; remove them by hand). The header comment of the
file is kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

try:
    from tests.conformance import runner as R
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    from tests.conformance import runner as R

HEADER = """\
# Conformance cases that fail today: "<case id> [<mode>]: <reason>" (no mode = every mode
# the case runs in). A listed case that fails is an xfail; a listed case that passes fails
# the run, so the list only shrinks. Regenerate with
#     python -m tests.conformance.update_known_failures
# (existing reasons are kept; edit them freely).
"""

MAX_REASON = 240
DOC_BEGIN = "<!-- conformance-table:begin -->"
DOC_END = "<!-- conformance-table:end -->"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."


def render(files: list[R.CorpusFile], failing: dict[tuple[str, str], str],
           header: str) -> str:
    lines = [header.rstrip("\n"), ""]
    for cf in files:
        for case in cf.cases:
            planned = R.planned_modes(case.id, R.MODES)
            modes = [m for m in planned if (case.id, m) in failing]
            if not modes:
                continue
            reasons = [failing[(case.id, m)] for m in modes]
            if modes == planned:
                lines.append(f"{case.id}: {reasons[0]}")
            else:
                lines += [f"{case.id} [{m}]: {r}" for m, r in zip(modes, reasons)]
    return "\n".join(lines) + "\n"


def write_doc_table(path: Path, table: str) -> None:
    """Replace the text between the markers in ``path`` with ``table``."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(DOC_BEGIN), text.find(DOC_END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: markers {DOC_BEGIN} / {DOC_END} not found")
    path.write_text(text[:start + len(DOC_BEGIN)] + "\n" + table + "\n" + text[end:],
                    encoding="utf-8")


def existing_header(path: Path) -> str:
    if not path.exists():
        return HEADER
    head = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            head.append(line)
        elif line.strip():
            break
    return "\n".join(head) + "\n" if head else HEADER


def load_saved(path: str, modes: tuple[str, ...]) -> tuple[list[R.Outcome], dict[str, float]]:
    import json

    outcomes = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d["mode"] in modes:
            o = R.Outcome(d["id"], d["mode"], d["status"], "  ! " + d["headline"]
                          if d["status"] != "pass" else "", None, d["seconds"], d["reopens"])
            outcomes.append(o)
    timing = {m: sum(o.seconds for o in outcomes if o.mode == m) for m in modes}
    return outcomes, timing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.conformance.update_known_failures",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--modes", default="memory,lsm,server")
    ap.add_argument("-j", "--jobs", type=int, default=None,
                    help="worker processes for memory/LSM (default: $CQLT_JOBS or the CPUs)")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write the file")
    ap.add_argument("--file", default=str(R.KNOWN_FAILURES))
    ap.add_argument("--save", metavar="FILE", help="also write every outcome as a JSON line")
    ap.add_argument("--from-saved", metavar="FILE",
                    help="use the outcomes a --save wrote instead of running the corpus")
    ap.add_argument("--doc", metavar="FILE",
                    help="also write the pass-rate table into FILE between the markers "
                         f"{DOC_BEGIN} and {DOC_END}")
    args = ap.parse_args(argv)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    if "server" in modes:
        try:
            import cassandra  # noqa: F401
        except ImportError:
            print("cassandra-driver is not installed: server mode not run (its entries kept)",
                  file=sys.stderr)
            modes = tuple(m for m in modes if m != "server")

    files, errors = R.load_corpus(R.CASES_DIR)
    for e in errors:
        print(f"PARSE ERROR {e}", file=sys.stderr)
    path = Path(args.file)
    old = R.parse_known_failures(path)
    old_index = R.known_failure_index(old)

    t0 = time.perf_counter()
    if args.from_saved:
        outcomes, timing = load_saved(args.from_saved, modes)
    else:
        try:
            outcomes, timing = R.run_all(files, modes, jobs=args.jobs)
        finally:
            R.shutdown_server()
    wall = time.perf_counter() - t0

    if args.save:
        R.CASE_STATEMENTS.update({c.id: c.statements for cf in files for c in cf.cases})
        R.save_outcomes(outcomes, args.save)
    ran = {(o.case_id, o.mode): o for o in outcomes}
    existing_ids = {c.id for cf in files for c in cf.cases}
    broken_files = {Path(e.path).stem for e in errors}
    failing: dict[tuple[str, str], str] = {}
    for (cid, mode), kf in old_index.items():
        if (cid, mode) not in ran and cid in existing_ids:
            if mode in R.planned_modes(cid, R.MODES):
                failing[(cid, mode)] = kf.reason  # not run this time: kept
    for key, o in ran.items():
        kf = old_index.get(key)
        if not o.passed:
            failing[key] = kf.reason if kf else _one_line(o.first_line)
        elif kf is not None and kf.flaky:
            failing[key] = kf.reason  # flaky entries stay until removed by hand
    # Cases of files that do not parse today keep their entries untouched.
    kept_broken = [kf for kf in old if kf.case_id.split(".", 1)[0] in broken_files]

    text = render(files, failing, existing_header(path))
    if kept_broken:
        text += "\n# files that did not parse at the last update:\n" + "".join(
            f"{kf.case_id}" + (f" [{','.join(kf.modes)}]" if kf.modes else "")
            + f": {kf.reason}\n" for kf in kept_broken)

    new_keys = set(failing)
    old_keys = {k for k in old_index if k[0].split(".", 1)[0] not in broken_files}
    added = sorted(new_keys - old_keys)
    fixed = sorted(k for k in old_keys - new_keys if k in ran)
    gone = sorted({k[0] for k in old_keys if k[0] not in existing_ids})

    print(R.pass_rate_table(files, outcomes, modes))
    print()
    for m in modes:
        n = sum(1 for o in outcomes if o.mode == m)
        busy = sum(o.seconds for o in outcomes if o.mode == m)
        print(f"{m}: {n} cases, " + ("" if args.from_saved else f"{timing[m]:.1f}s wall, ")
              + f"{busy:.1f}s of case time")
    if not args.from_saved:
        print(f"total {wall:.1f}s with {args.jobs or R.default_jobs()} job(s)")
    internal = [o for o in outcomes if o.status == "internal"]
    print(f"{len(internal)} INTERNAL errors (non-CQL exceptions) among the failures")
    print(f"known failures: {len(added)} new, {len(fixed)} now passing, "
          f"{len(gone)} cases gone")
    for cid, mode in added[:50]:
        print(f"  + {cid} [{mode}]: {failing[(cid, mode)]}")
    if len(added) > 50:
        print(f"  ... {len(added) - 50} more")
    for cid, mode in fixed:
        print(f"  - {cid} [{mode}] passes now")
    if args.doc:
        write_doc_table(Path(args.doc), R.pass_rate_markdown(files, outcomes, modes))
        print(f"wrote the pass-rate table into {args.doc}")
    if args.dry_run:
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
