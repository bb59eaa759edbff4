"""examples/face_features: wide partitions of 3.2 KB blobs."""

from __future__ import annotations

from types import ModuleType

EXAMPLE = "face_features"


def test_main_reads_back_what_it_wrote(app: ModuleType, capsys) -> None:
    result = app.main(["--db", ":memory:", "--groups", "2", "--rows", "150"])
    assert result["group"] == result["written"]
    assert all(len(f) == app.FEATURE_BYTES for f in result["group"].values())
    assert result["one"] == result["written"][result["one_id"]]
    assert result["stats"] is None  # no SSTables in memory
    out = capsys.readouterr().out
    assert "read one feature" in out and "read group 0 (150 features)" in out


def test_group_read_pages(app: ModuleType) -> None:
    session = app.open_session(":memory:", app.SCHEMA)
    store = app.FeatureStore(session)
    for i in range(120):
        store.enroll(7, i, f"p{i}", bytes([i]) * app.FEATURE_BYTES)
    features, pages = store.group(7, fetch_size=50)
    assert (len(features), pages) == (120, 3)
    assert features[119] == bytes([119]) * app.FEATURE_BYTES
    assert store.feature(7, 120) is None


def test_main_on_a_directory_flushes_and_rereads(app: ModuleType, data_dir: str) -> None:
    result = app.main(["--db", data_dir, "--groups", "1", "--rows", "100"])
    assert result["group"] == result["written"]
    stats = result["stats"]
    assert stats["sstable_count"] >= 1
    assert stats["compacted_partition_maximum_bytes"] >= 100 * app.FEATURE_BYTES
