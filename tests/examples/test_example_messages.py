"""examples/messages: bucketed chat history, latest 50 and jump-to-message."""

from __future__ import annotations

from types import ModuleType

EXAMPLE = "messages"
DAY_MS = 24 * 3600 * 1000


def test_main_reads_latest_and_around(app: ModuleType, capsys) -> None:
    result = app.main(["--db", ":memory:", "--rows", "300", "--days", "40"])
    posted = result["posted"]
    newest_first = sorted(posted, reverse=True)
    assert posted == sorted(posted) and len(set(posted)) == 300
    assert result["latest"] == newest_first[:50]
    assert sum(result["bucket_sizes"].values()) == 300
    assert len(result["bucket_sizes"]) >= 4  # 40 days of 10-day buckets
    # 25 newer, the target, 25 older: a contiguous run of the history, newest first.
    target = result["target"]
    i = newest_first.index(target)
    assert result["around"] == newest_first[i - 25:i + 26]
    assert "latest 50" in capsys.readouterr().out


def test_snowflakes_sort_by_time_and_name_their_bucket(app: ModuleType) -> None:
    t = 1_700_000_000_000
    a, b, c = app.make_snowflake(t, 1), app.make_snowflake(t, 2), app.make_snowflake(t + 1)
    assert a < b < c
    assert app.snowflake_ms(c) == t + 1
    assert app.bucket_of(app.make_snowflake(t + 10 * DAY_MS)) == app.bucket_of(a) + 1


def test_sparse_channel_walks_empty_buckets(app: ModuleType) -> None:
    """A quiet channel: three messages months apart; every read still finds them all."""
    session = app.open_session(":memory:", app.SCHEMA)
    history = app.ChannelHistory(session)
    now = 1_700_000_000_000
    channel = history.new_id(now - 100 * DAY_MS)
    ids = [history.post(channel, 1, f"m{n}", now - days * DAY_MS)
           for n, days in enumerate((90, 45, 1))]
    latest = history.latest(channel, 50, now)
    assert [m.message_id for m in latest] == ids[::-1]
    buckets = app.bucket_of(app.make_snowflake(now)) - app.bucket_of(channel) + 1
    assert history.partitions_read == buckets
    assert [m.message_id for m in history.around(channel, ids[1], 1, 1, now)] == ids[::-1]
    assert [m.content for m in history.around(channel, ids[0], 5, 0, now)] == ["m0"]
