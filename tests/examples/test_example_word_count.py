"""examples/word_count: counters fed from a topic stand-in, with committed offsets."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from types import ModuleType

EXAMPLE = "word_count"


def expected(app: ModuleType, n: int) -> Counter:
    """The word counts of the topic's first ``n`` records, counted directly."""
    return Counter(w for r in itertools.islice(app.topic_records(), n) for w in app.words(r.value))


def top10(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:10]


def test_main_counts_every_word_once(app: ModuleType) -> None:
    result = app.main(["--db", ":memory:", "--rows", "600", "--batch-size", "64"])
    assert result["counted"] == 600
    assert result["positions"] == {0: 200, 1: 200, 2: 200}
    assert result["top"] == top10(expected(app, 600))
    # 4 records a second: the first minute is the first 240 records.
    assert result["first_minute"] == expected(app, 240)


def test_second_run_resumes_from_committed_offsets(app: ModuleType) -> None:
    db = f":memory:word-count-{uuid.uuid4().hex}"  # shared by both runs, like a directory
    assert app.main(["--db", db, "--rows", "300"])["counted"] == 300
    again = app.main(["--db", db, "--rows", "500"])
    assert again["counted"] == 200
    assert again["top"] == top10(expected(app, 500))  # nothing counted twice
