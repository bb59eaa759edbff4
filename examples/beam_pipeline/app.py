"""Apache Beam into cassalite: windowed word counts written by a small sink DoFn.

    pip install apache-beam
    python examples/beam_pipeline/app.py --db :memory: --rows 2000
    python examples/beam_pipeline/app.py --db ./beam-data --input events.tsv

The pipeline (DirectRunner) reads lines of ``<ISO 8601 time><TAB><text>``, stamps each
with its event time, puts them into fixed windows (``--window`` seconds), counts words per
window, batches the results and writes them with :class:`WriteToCassalite`. Without
``--input`` it first writes ``--rows`` sample lines to a temporary file. Options the script
does not know are passed to Beam (``--direct_num_workers 2``, ``--runner``...).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms.window import FixedWindows, TimestampedValue

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import arg_parser, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")
INSERT = ("INSERT INTO beam.word_counts_by_window (window_start, window_end, word, count) "
          "VALUES (?, ?, ?, ?)")
START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
WORD = re.compile(r"[a-z']+")
SENTENCES = (
    "beam windows the stream by event time",
    "each window is counted on its own",
    "the sink writes every window into cassalite",
    "a retried bundle writes the same rows again",
)


_sessions: dict[str, tuple[cql.Session, int]] = {}
_sessions_lock = threading.Lock()


def _acquire(db: str) -> cql.Session:
    """The process's session on ``db``, opened by the first bundle that needs it.

    A data directory is locked by one open engine at a time, so bundles running in parallel
    threads of one worker share a session (sessions are thread-safe) instead of each
    opening the directory.
    """
    with _sessions_lock:
        session, users = _sessions.get(db) or (cql.connect(db), 0)
        _sessions[db] = (session, users + 1)
        return session


def _release(db: str) -> None:
    """Close the shared session when the last bundle using it has finished."""
    with _sessions_lock:
        session, users = _sessions[db]
        if users > 1:
            _sessions[db] = (session, users - 1)
        else:
            del _sessions[db]
            session.close()


class WriteToCassalite(beam.DoFn):
    """Executes one prepared statement per element of each incoming batch.

    The session is taken when a bundle starts and given back when it finishes, so when the
    pipeline is done no session is left open and the caller can open the directory. ``db``
    must be a directory or a named in-memory database (``:memory:name``, shared within the
    process); a plain ``:memory:`` would give every bundle a database of its own.
    """

    def __init__(self, db: str, statement: str):
        if db == ":memory:":
            raise ValueError("WriteToCassalite needs a directory or ':memory:<name>'")
        self.db = db
        self.statement = statement
        self.session: cql.Session | None = None
        self.prepared: cql.PreparedStatement | None = None

    def start_bundle(self) -> None:
        self.session = _acquire(self.db)
        self.prepared = self.session.prepare(self.statement)

    def process(self, batch: Sequence[tuple]) -> Iterable[int]:
        assert self.session is not None
        for values in batch:
            self.session.execute(self.prepared, values)
        yield len(batch)

    def finish_bundle(self) -> None:
        if self.session is not None:
            self.session = self.prepared = None
            _release(self.db)


def parse_line(line: str) -> TimestampedValue:
    """``<ISO time>\\t<text>`` -> the text, stamped with its event time."""
    stamp, _, text = line.partition("\t")
    return TimestampedValue(text, dt.datetime.fromisoformat(stamp).timestamp())


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class WithWindow(beam.DoFn):
    """(word, count) in a window -> the row to insert: window start, end, word, count."""

    def process(self, element: tuple[str, int], window=beam.DoFn.WindowParam):
        word, count = element
        yield (window.start.micros // 1000, window.end.micros // 1000, word, count)


def build(pipeline: beam.Pipeline, input_path: str, db: str, window_seconds: int,
          batch_size: int) -> beam.PCollection:
    """The pipeline's transforms; returns the number of rows each sink batch wrote."""
    return (
        pipeline
        | "Read" >> beam.io.ReadFromText(input_path)
        | "EventTime" >> beam.Map(parse_line)
        | "Window" >> beam.WindowInto(FixedWindows(window_seconds))
        | "Words" >> beam.FlatMap(words)
        | "Count" >> beam.combiners.Count.PerElement()
        | "Rows" >> beam.ParDo(WithWindow())
        | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=batch_size)
        | "Write" >> beam.ParDo(WriteToCassalite(db, INSERT))
    )


def write_sample(path: Path, rows: int, seed: int) -> None:
    """``rows`` lines, one every 2 seconds of event time from START."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            at = START + dt.timedelta(seconds=2 * i)
            f.write(f"{at.isoformat()}\t{rng.choice(SENTENCES)}\n")


def run(input_path: str, db: str, window_seconds: int = 60, batch_size: int = 100,
        beam_args: Sequence[str] = ()) -> None:
    """Run on the DirectRunner unless ``beam_args`` (Beam's own flags) say otherwise."""
    options = PipelineOptions(list(beam_args), runner="DirectRunner")
    with beam.Pipeline(options=options) as pipeline:
        build(pipeline, input_path, db, window_seconds, batch_size)


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 1000, "sample lines to generate (default 1000)")
    parser.add_argument("--input", help="a file of <ISO time>\\t<text> lines")
    parser.add_argument("--window", type=int, default=60, help="window in seconds (default 60)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2)
    args, beam_args = parser.parse_known_args(argv)  # the rest are Beam's pipeline options
    # Bundles open their own sessions: ':memory:' becomes a named database they can share.
    db = f":memory:beam-{uuid.uuid4().hex}" if args.db == ":memory:" else args.db

    print(f"database: {args.db}")
    open_session(db, SCHEMA).close()  # create the table, then release the directory
    with tempfile.TemporaryDirectory() as tmp:
        input_path = args.input
        if input_path is None:
            input_path = str(Path(tmp) / "events.tsv")
            write_sample(Path(input_path), args.rows, args.seed)
        with timed("pipeline (DirectRunner)"):
            run(input_path, db, args.window, args.batch_size, beam_args)

    with cql.connect(db) as session:
        rows = session.execute(
            "SELECT window_start, word, count FROM beam.word_counts_by_window").all()
    windows: dict[dt.datetime, dict[str, int]] = {}
    for r in rows:
        windows.setdefault(r.window_start, {})[r.word] = r.count
    print(f"  {len(rows)} (window, word) rows in {len(windows)} windows")
    for start in sorted(windows)[:3]:
        top = sorted(windows[start].items(), key=lambda wc: (-wc[1], wc[0]))[:4]
        print(f"    {start:%H:%M}: " + ", ".join(f"{w} {n}" for w, n in top))
    return {"db": db, "windows": windows}


if __name__ == "__main__":
    main()
