"""examples/feed: fan-out on write, TTL'd entries, static per-user columns."""

from __future__ import annotations

from types import ModuleType

EXAMPLE = "feed"


def test_main_with_expiry(app: ModuleType, capsys) -> None:
    result = app.main(["--db", ":memory:", "--rows", "30", "--users", "6", "--ttl", "1",
                       "--wait-for-expiry"])
    assert result["home"] and all(e.ttl is not None and e.ttl <= 1 for e in result["home"])
    assert result["email"] == "user00@example.org"  # the static column, changed once
    assert result["display_name"] == "Foodie 00"
    assert result["expired"] == []
    assert "read marker kept" in capsys.readouterr().out


def test_feed_operations(app: ModuleType) -> None:
    session = app.open_session(":memory:", app.SCHEMA)
    feed = app.Feed(session)  # the table's default TTL: 7 days
    for name in ("ana", "bo", "cy"):
        feed.add_user(name, f"{name}@x", name.upper())
    assert feed.profile("ana") == ("ana@x", "ANA", [])  # static row only, before any post
    feed.follow("ana", "bo")
    first = feed.post("ana", "review", "5 stars for CTR")
    feed.mark_seen("bo", first)
    second = feed.post("ana", "photo", "dosa")
    feed.post("cy", "checkin", "at Toit")  # bo does not follow cy

    home = feed.home("bo")
    assert [(e.id, e.author, e.body) for e in home] == [
        (second, "ana", "dosa"), (first, "ana", "5 stars for CTR")]
    assert all(604790 <= e.ttl <= 604800 for e in home)
    assert [e.id for e in feed.unseen("bo")] == [second]
    assert [e.id for e in feed.unseen("cy")] == [feed.home("cy")[0].id]  # no marker: all

    feed.change_email("ana", "ana@y")
    email, name, posts = feed.profile("ana")
    assert (email, name, [p[0] for p in posts]) == ("ana@y", "ANA", [second, first])
    marker = session.execute("SELECT last_seen, TTL(last_seen) AS ttl FROM home_feed "
                             "WHERE owner = 'bo' LIMIT 1").one()
    assert (marker.last_seen, marker.ttl) == (first, None)  # TTL 0 beat the default TTL


def test_static_row_survives_expired_entries(app: ModuleType) -> None:
    session = app.open_session(":memory:", app.SCHEMA)
    feed = app.Feed(session, entry_ttl=1)
    feed.add_user("ana", "ana@x", "ANA")
    entry = feed.post("ana", "photo", "idli")
    feed.mark_seen("ana", entry)
    assert app.wait_for_expiry(feed, "ana", 5) < 5
    rows = session.execute("SELECT owner, id, last_seen, body FROM home_feed "
                           "WHERE owner = 'ana'").all()
    assert [(r.owner, r.id, r.last_seen, r.body) for r in rows] == [("ana", None, entry, None)]
    assert feed.home("ana") == []
    assert feed.profile("ana")[:2] == ("ana@x", "ANA")  # profiles have no TTL
