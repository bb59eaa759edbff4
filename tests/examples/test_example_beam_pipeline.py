"""examples/beam_pipeline: runs only where apache-beam is installed (an optional extra)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLE = "beam_pipeline"

pytestmark = pytest.mark.beam
pytest.importorskip("apache_beam", reason="the beam_pipeline example needs apache-beam")


def expected_windows(app: ModuleType, path: Path, seconds: int) -> dict:
    windows: dict[dt.datetime, Counter] = {}
    for line in path.read_text().splitlines():
        stamp, _, text = line.partition("\t")
        at = dt.datetime.fromisoformat(stamp)
        start = dt.datetime.fromtimestamp(at.timestamp() // seconds * seconds, dt.UTC)
        windows.setdefault(start.replace(tzinfo=None), Counter()).update(app.words(text))
    return {k: dict(v) for k, v in windows.items()}


def test_pipeline_counts_words_per_window(app: ModuleType, tmp_path: Path) -> None:
    events = tmp_path / "events.tsv"
    app.write_sample(events, 150, seed=4)  # 2 s apart: 5 minutes, 5 windows of 60 s
    result = app.main(["--db", ":memory:", "--input", str(events), "--batch-size", "16"])
    assert result["windows"] == expected_windows(app, events, 60)
    assert len(result["windows"]) == 5


def test_rerun_overwrites_instead_of_adding(app: ModuleType, tmp_path: Path,
                                            data_dir: str) -> None:
    events = tmp_path / "events.tsv"
    app.write_sample(events, 40, seed=9)
    args = ["--db", data_dir, "--input", str(events), "--window", "30"]
    first = app.main(args)["windows"]
    assert app.main(args)["windows"] == first == expected_windows(app, events, 30)


def test_plain_memory_is_refused_by_the_sink(app: ModuleType) -> None:
    with pytest.raises(ValueError, match="named in-memory|:memory:<name>"):
        app.WriteToCassalite(":memory:", app.INSERT)
