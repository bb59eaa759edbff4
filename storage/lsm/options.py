"""Table options (CQL ``WITH ...`` values as Python objects) as the engine reads them.

Cassandra hands option maps around as strings ('4', 'true'), the cql layer may pass ints
or bools: everything is parsed leniently here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

from .sstable import SSTableOptions

DEFAULT_GC_GRACE = 864000

STRATEGIES = {
    "sizetieredcompactionstrategy": "stcs",
    "leveledcompactionstrategy": "lcs",
    "timewindowcompactionstrategy": "twcs",
    "unifiedcompactionstrategy": "ucs",
}

COMPRESSOR_CLASSES = {
    "lz4compressor": "lz4",
    "deflatecompressor": "deflate",
    # Not available in pure Python with our dependencies: stored as LZ4 instead.
    "snappycompressor": "lz4",
    "zstdcompressor": "lz4",
    "noopcompressor": "none",
}


def as_int(value: object, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def as_float(value: object, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def as_bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def strategy_name(compaction: Mapping | None) -> str:
    """'stcs' | 'lcs' | 'twcs' | 'ucs' from a compaction option map (class short or FQ)."""
    cls = str((compaction or {}).get("class", "SizeTieredCompactionStrategy"))
    short = cls.rsplit(".", 1)[-1].lower()
    return STRATEGIES.get(short, "stcs")


class TableOptions:
    """The options of one table that the engine acts on."""

    def __init__(self, options: Mapping | None):
        options = dict(options or {})
        self.raw = options
        self.gc_grace_seconds = as_int(options.get("gc_grace_seconds"), DEFAULT_GC_GRACE)
        compaction = options.get("compaction") or {}
        self.compaction: dict = dict(compaction) if isinstance(compaction, Mapping) else {}
        self.strategy = strategy_name(self.compaction)
        self.compaction_enabled = as_bool(self.compaction.get("enabled"), True)
        self.fp_chance = as_float(options.get("bloom_filter_fp_chance"), 0.01)
        compression = options.get("compression") or {}
        compression = dict(compression) if isinstance(compression, Mapping) else {}
        enabled = as_bool(compression.get("enabled"), True)
        cls = str(compression.get("class", compression.get("sstable_compression", "LZ4Compressor")))
        kind = COMPRESSOR_CLASSES.get(cls.rsplit(".", 1)[-1].lower(), "lz4") if cls else "none"
        if not enabled:
            kind = "none"
        chunk_kb = as_int(compression.get("chunk_length_in_kb",
                                          compression.get("chunk_length_kb")), 16)
        chunk_kb = max(1, min(chunk_kb, 1 << 16))
        self.sstable = SSTableOptions(chunk_length=chunk_kb * 1024, compressor=kind,
                                      fp_chance=self.fp_chance)
        self.allow_auto_snapshot = as_bool(options.get("allow_auto_snapshot"), False)
