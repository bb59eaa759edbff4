"""Table and keyspace ``WITH`` options: parsing, validation and canonical values.

Mirrors Cassandra's PropertyDefinitions / TableAttributes / TableParams / CachingParams /
CompactionParams / CompressionParams / KeyspaceAttributes / ReplicationParams, so that the
stored values (and therefore DESCRIBE output and ``system_schema`` rows) are what Cassandra
would hold, and bad values fail with Cassandra's error class and text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from cql.errors import ConfigurationException, InvalidRequest, SyntaxException
from cql.types.base import java_float_str

from .metadata import DEFAULT_TABLE_OPTIONS

MAX_TTL = 630720000  # 20 years, Attributes.MAX_TTL
MIN_BLOOM_FP = 6.71e-05  # BloomCalculations.minSupportedBloomFilterFpChance()
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_JAVA_INT = re.compile(r"^[+-]?\d+$")

MAP_OPTIONS = frozenset({"caching", "compaction", "compression", "extensions"})
TABLE_OPTION_NAMES = frozenset(DEFAULT_TABLE_OPTIONS) | {"id"}
KEYSPACE_OPTION_NAMES = frozenset({"replication", "durable_writes"})


# --------------------------------------------------------------------------------------
# PropertyDefinitions


def collect(options: tuple, valid: frozenset) -> dict[str, Any]:
    """Options as a dict; unknown or repeated names fail as in PropertyDefinitions."""
    out: dict[str, Any] = {}
    for name, value in options:
        if name in out:
            raise SyntaxException(f"Multiple definitions for property '{name}'")
        out[name] = dict(value) if isinstance(value, tuple) else value
    for name in out:
        if name not in valid:
            raise SyntaxException(f"Unknown property '{name}'")
    return out


def get_string(props: dict, name: str) -> str:
    value = props[name]
    if not isinstance(value, str):
        raise SyntaxException(f"Invalid value for property '{name}'. It should be a string")
    return value


def get_map(props: dict, name: str) -> dict[str, str]:
    value = props[name]
    if not isinstance(value, dict):
        raise SyntaxException(f"Invalid value for property '{name}'. It should be a map.")
    return {str(k): str(v) for k, v in value.items()}


def parse_boolean(key: str, value: str) -> bool:
    low = value.lower()
    if low in ("1", "true", "yes"):
        return True
    if low in ("0", "false", "no"):
        return False
    raise SyntaxException(
        f"Invalid boolean value {value} for '{key}'. Positive values can be '1', 'true' or "
        "'yes'. Negative values can be '0', 'false' or 'no'."
    )


def parse_int(key: str, value: str) -> int:
    """Java's Integer.parseInt: optional sign, digits, 32-bit range."""
    if _JAVA_INT.match(value):
        n = int(value)
        if _INT_MIN <= n <= _INT_MAX:
            return n
    raise SyntaxException(f"Invalid integer value {value} for '{key}'")


def parse_double(key: str, value: str) -> float:
    """Java's Double.parseDouble (surrounding whitespace allowed, 'd'/'f' suffix too)."""
    text = value.strip()
    if text[-1:] in ("d", "D", "f", "F"):
        text = text[:-1]
    if re.match(r"^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$", text):
        return float(text.replace("Infinity", "inf"))
    raise SyntaxException(f"Invalid double value {value} for '{key}'")


# --------------------------------------------------------------------------------------
# Map-valued table options


def caching_from_map(options: dict[str, str]) -> dict[str, str]:
    """CachingParams.fromMap + asMap: a missing 'keys' means NONE, like Cassandra."""
    rest = dict(options)
    keys = rest.pop("keys", None)
    rows = rest.pop("rows_per_partition", None)
    if keys is None:
        keys_text = "NONE"
    elif keys.upper() in ("ALL", "NONE"):
        keys_text = keys.upper()
    else:
        raise ConfigurationException(
            f"Invalid value '{keys}' for caching sub-option 'keys': only 'ALL' and 'NONE' are "
            "allowed"
        )
    rows_text = "NONE" if rows is None else _rows_per_partition(rows)
    if rest:
        raise ConfigurationException(
            f"Invalid caching sub-options {_java_set(rest)}: only 'keys' and "
            "'rows_per_partition' are allowed"
        )
    return {"keys": keys_text, "rows_per_partition": rows_text}


def _rows_per_partition(value: str) -> str:
    if value.upper() in ("ALL", "NONE"):
        return value.upper()
    if value.isdigit() and value.isascii():
        n = int(value)
        if n == 0:
            return "NONE"
        return "ALL" if n >= _INT_MAX else str(n)
    raise ConfigurationException(
        f"Invalid value '{value}' for caching sub-option 'rows_per_partition': only 'ALL', "
        "'NONE', and integer values are allowed"
    )


def _java_set(d: dict) -> str:
    return "[" + ", ".join(d) + "]"


_COMPACTION_PACKAGE = "org.apache.cassandra.db.compaction."
_COMMON_COMPACTION = {"class", "enabled", "min_threshold", "max_threshold",
                      "tombstone_threshold", "tombstone_compaction_interval",
                      "unchecked_tombstone_compaction", "only_purge_repaired_tombstones",
                      "log_all", "provide_overlapping_tombstones"}
# Strategy -> the sub-options it understands besides the common ones.
COMPACTION_STRATEGIES: dict[str, frozenset] = {
    "SizeTieredCompactionStrategy": frozenset(
        {"bucket_high", "bucket_low", "min_sstable_size"}),
    "LeveledCompactionStrategy": frozenset(
        {"sstable_size_in_mb", "fanout_size", "single_sstable_uplevel"}),
    "TimeWindowCompactionStrategy": frozenset(
        {"compaction_window_unit", "compaction_window_size", "timestamp_resolution",
         "expired_sstable_check_frequency_seconds", "unsafe_aggressive_sstable_expiration"}),
    "UnifiedCompactionStrategy": frozenset(
        {"scaling_parameters", "target_sstable_size", "base_shard_count",
         "min_sstable_size", "sstable_growth", "flush_size_override", "max_sstables_to_compact",
         "expired_sstable_check_frequency_seconds", "overlap_inclusion_method",
         "num_shards"}),
}
_THRESHOLD_STRATEGIES = frozenset(
    {"SizeTieredCompactionStrategy", "LeveledCompactionStrategy", "TimeWindowCompactionStrategy"}
)


def compaction_from_map(options: dict[str, str]) -> dict[str, str]:
    """CompactionParams.fromMap: class required and resolved, thresholds defaulted."""
    rest = dict(options)
    name = rest.pop("class", None)
    if name is None:
        raise ConfigurationException("Missing sub-option 'class' for the 'compaction' option")
    full = name if "." in name else _COMPACTION_PACKAGE + name
    short = full[len(_COMPACTION_PACKAGE):] if full.startswith(_COMPACTION_PACKAGE) else None
    if short not in COMPACTION_STRATEGIES:
        raise ConfigurationException(f"Unable to find compaction strategy class '{full}'")
    tomb = rest.get("provide_overlapping_tombstones", "NONE").upper()
    if tomb not in ("NONE", "ROW", "CELL"):
        raise ConfigurationException(
            f"Invalid value {tomb} for 'provide_overlapping_tombstones' compaction sub-option - "
            "must be one of the following [NONE, ROW, CELL]."
        )
    unknown = [k for k in rest if k not in _COMMON_COMPACTION | COMPACTION_STRATEGIES[short]]
    if unknown:
        raise ConfigurationException(
            f"Properties specified {_java_set(dict.fromkeys(unknown))} are not understood by "
            f"{short}"
        )
    if short in _THRESHOLD_STRATEGIES:
        rest.setdefault("min_threshold", "4")
        rest.setdefault("max_threshold", "32")
        _check_thresholds(rest)
    return {"class": full, **rest}


def _check_thresholds(options: dict[str, str]) -> None:
    values = {}
    for key in ("min_threshold", "max_threshold"):
        text = options[key]
        if not _JAVA_INT.match(text):
            raise ConfigurationException(f"{text} is not a parsable int (base10) for {key}")
        values[key] = int(text)
    if values["min_threshold"] < 2:
        raise ConfigurationException(
            f"min_threshold must be larger than 1, but was {values['min_threshold']}")
    if values["max_threshold"] < values["min_threshold"]:
        raise ConfigurationException("max_threshold cannot be smaller than min_threshold")


_COMPRESSION_PACKAGE = "org.apache.cassandra.io.compress."
COMPRESSORS: dict[str, frozenset] = {
    "LZ4Compressor": frozenset({"lz4_compressor_type", "lz4_high_compressor_level"}),
    "SnappyCompressor": frozenset(),
    "DeflateCompressor": frozenset(),
    "ZstdCompressor": frozenset({"compression_level"}),
    "NoopCompressor": frozenset(),
}


def compression_from_map(options: dict[str, str]) -> dict[str, str]:
    """CompressionParams.fromMap + asMap."""
    rest = dict(options)
    enabled = rest.pop("enabled", "true").lower() == "true"
    if options and enabled and "class" not in rest and "sstable_compression" not in rest:
        raise ConfigurationException("Missing sub-option 'class' for the 'compression' option.")
    if not enabled:
        if rest:
            raise ConfigurationException(
                "If the 'enabled' option is set to false no other options must be specified")
        return {"enabled": "false"}
    if not options:
        return dict(DEFAULT_TABLE_OPTIONS["compression"])  # type: ignore[arg-type]
    name = rest.pop("class", None)
    legacy = rest.pop("sstable_compression", None)
    name = legacy if name is None else name
    if not name:
        raise ConfigurationException(
            "The 'class' option must not be empty. To disable compression use 'enabled' : false")
    full = name if "." in name else _COMPRESSION_PACKAGE + name
    short = full[len(_COMPRESSION_PACKAGE):] if full.startswith(_COMPRESSION_PACKAGE) else None
    if short not in COMPRESSORS:
        raise ConfigurationException(f"Could not create Compression for type {full}")
    chunk = rest.pop("chunk_length_in_kb", rest.pop("chunk_length_kb", "16"))
    if not _JAVA_INT.match(chunk):
        raise ConfigurationException(f"Invalid value for chunk_length_in_kb: {chunk}")
    length = int(chunk)
    if length <= 0:
        raise ConfigurationException("Invalid negative or null chunk_length_in_kb")
    if length & (length - 1):
        raise ConfigurationException("chunk_length_in_kb must be a power of 2")
    ratio = rest.pop("min_compress_ratio", None)
    if ratio is not None:
        try:
            ratio = float(ratio)
        except ValueError:
            raise ConfigurationException(
                f"Invalid value for min_compress_ratio: {ratio}") from None
        if ratio < 0:
            raise ConfigurationException("Invalid negative min_compress_ratio")
        if ratio != 0.0 and ratio < 1.0:
            raise ConfigurationException(
                "min_compress_ratio can either be 0 or greater than or equal to 1")
    unknown = [k for k in rest if k not in COMPRESSORS[short] and k != "crc_check_chance"]
    if unknown:
        raise ConfigurationException(f"Unknown compression options {', '.join(unknown)}")
    rest.pop("crc_check_chance", None)
    out = {"chunk_length_in_kb": str(length), "class": full, **rest}
    if ratio is not None and ratio != 0.0:
        out["min_compress_ratio"] = str(ratio)
    return out


# --------------------------------------------------------------------------------------
# Simple table options


_PERCENTILE = re.compile(r"^(\d+(?:\.\d+)?)(?:P|PERCENTILE)$")
_MILLIS = re.compile(r"^(\d+(?:\.\d+)?)MS$")


def speculative_retry(key: str, value: str) -> str:
    """SpeculativeRetryPolicy.fromString, returned in its canonical toString form.

    Cassandra names 'speculative_retry' in these messages even for additional_write_policy.
    """
    invalid = ConfigurationException(f"Invalid value {value} for option 'speculative_retry'")
    text = value.strip().upper()
    if text in ("ALWAYS", "NEVER", "NONE"):
        return "NEVER" if text == "NONE" else text
    m = re.match(r"^(MIN|MAX)\((.*),(.*)\)$", text)
    if m:
        try:
            parts = [speculative_retry(key, p) for p in (m.group(2), m.group(3))]
        except ConfigurationException:
            raise invalid from None
        kinds = ["PERCENTILE" if p.endswith("p") else "FIXED" if p.endswith("ms") else p
                 for p in parts]
        if kinds[0] == kinds[1]:
            raise ConfigurationException(
                f"Invalid value {value} for option 'speculative_retry': MIN()/MAX() arguments "
                f"should be of different types, but both are of type {kinds[0]}"
            )
        if "PERCENTILE" not in kinds or "FIXED" not in kinds:
            raise invalid
        percentile = parts[kinds.index("PERCENTILE")]
        millis = parts[kinds.index("FIXED")]
        return f"{m.group(1)}({percentile},{millis})"
    m = _PERCENTILE.match(text)
    if m:
        p = float(m.group(1))
        if not 0 < p < 100:
            raise ConfigurationException(
                f"Invalid value {value} for PERCENTILE option 'speculative_retry': must be "
                "between (0.0 and 100.0)"
            )
        return _decimal(p) + "p"
    m = _MILLIS.match(text)
    if m:
        return f"{int(float(m.group(1)))}ms"
    raise invalid


def _decimal(x: float) -> str:
    """Java's DecimalFormat("#.####")."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def read_repair(key: str, value: str) -> str:
    upper = value.upper()
    if upper not in ("BLOCKING", "NONE"):
        raise ConfigurationException(
            f"Invalid value {value} for option '{key}'. Supported values are BLOCKING, NONE")
    return upper


MEMTABLE_CONFIGURATIONS = ("default", "skiplist", "trie")


def memtable(key: str, value: str) -> str:
    if value not in MEMTABLE_CONFIGURATIONS:
        raise ConfigurationException(f"Memtable configuration \"{value}\" not found.")
    return value


def _bool_opt(key: str, value: str) -> bool:
    return parse_boolean(key, value)


_SIMPLE_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "additional_write_policy": speculative_retry,
    "allow_auto_snapshot": _bool_opt,
    "bloom_filter_fp_chance": parse_double,
    "cdc": _bool_opt,
    "comment": lambda k, v: v,
    "memtable": memtable,
    "crc_check_chance": parse_double,
    "default_time_to_live": parse_int,
    "gc_grace_seconds": parse_int,
    "incremental_backups": _bool_opt,
    "max_index_interval": parse_int,
    "memtable_flush_period_in_ms": parse_int,
    "min_index_interval": parse_int,
    "read_repair": read_repair,
    "speculative_retry": speculative_retry,
}

_MAP_PARSERS: dict[str, Callable[[dict], dict]] = {
    "caching": caching_from_map,
    "compaction": compaction_from_map,
    "compression": compression_from_map,
}


def table_options(options: tuple, previous: dict | None = None) -> tuple[dict, uuid.UUID | None]:
    """Apply ``WITH`` options over ``previous`` (defaults for a new table).

    Returns the complete option dict and the ``id`` option (None when absent). Follows
    TableAttributes.build then TableParams.validate, including their error classes.
    """
    props = collect(options, TABLE_OPTION_NAMES)
    result = dict(DEFAULT_TABLE_OPTIONS if previous is None else previous)
    for name in props:
        if name == "id":
            continue
        if name in MAP_OPTIONS:
            mapping = get_map(props, name)
            if name == "extensions":
                continue  # Cassandra accepts and ignores it (TableAttributes.build)
            result[name] = _MAP_PARSERS[name](mapping)
        else:
            result[name] = _SIMPLE_PARSERS[name](name, get_string(props, name))
    if "compaction" in props and "bloom_filter_fp_chance" not in props and previous is None:
        lcs = result["compaction"]["class"].endswith("LeveledCompactionStrategy")
        result["bloom_filter_fp_chance"] = 0.1 if lcs else 0.01
    validate_table_params(result)
    table_id = None
    if "id" in props:
        table_id = parse_table_id(get_string(props, "id"))
    return result, table_id


def parse_table_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ConfigurationException("Invalid table id") from None


def validate_table_params(p: dict) -> None:
    """TableParams.validate, with its ConfigurationException messages."""

    fp = p["bloom_filter_fp_chance"]
    if fp <= MIN_BLOOM_FP or fp > 1:
        raise ConfigurationException(
            "bloom_filter_fp_chance must be larger than 6.71E-5 and less than or equal to 1.0 "
            f"(got {java_float_str(fp)})"
        )
    crc = p["crc_check_chance"]
    if crc < 0 or crc > 1.0:
        raise ConfigurationException(
            "crc_check_chance must be larger than or equal to 0 and smaller than or equal to "
            f"1.0 (got {java_float_str(crc)})"
        )
    ttl = p["default_time_to_live"]
    if ttl < 0:
        raise ConfigurationException(
            f"default_time_to_live must be greater than or equal to 0 (got {ttl})")
    if ttl > MAX_TTL:
        raise ConfigurationException(
            f"default_time_to_live must be less than or equal to {MAX_TTL} (got {ttl})")
    if p["gc_grace_seconds"] < 0:
        raise ConfigurationException(
            f"gc_grace_seconds must be greater than or equal to 0 (got {p['gc_grace_seconds']})")
    lo, hi = p["min_index_interval"], p["max_index_interval"]
    if lo < 1:
        raise ConfigurationException(f"min_index_interval must be greater than or equal to 1 (got {lo})")
    if hi < lo:
        raise ConfigurationException(
            f"max_index_interval must be greater than or equal to min_index_interval ({lo}) "
            f"(got {hi})"
        )
    flush = p["memtable_flush_period_in_ms"]
    if flush < 0:
        raise ConfigurationException(
            f"memtable_flush_period_in_ms must be greater than or equal to 0 (got {flush})")


# --------------------------------------------------------------------------------------
# Keyspace options

STRATEGY_PACKAGE = "org.apache.cassandra.locator."
SIMPLE_STRATEGY = STRATEGY_PACKAGE + "SimpleStrategy"
NTS = STRATEGY_PACKAGE + "NetworkTopologyStrategy"
LOCAL_STRATEGY = STRATEGY_PACKAGE + "LocalStrategy"
DATACENTER = "datacenter1"
NODE_COUNT = 1
DEFAULT_KEYSPACE_RF = 1  # cassandra.yaml default_keyspace_rf


def keyspace_options(options: tuple) -> dict[str, Any]:
    """KeyspaceAttributes.validate: known names; a replication map needs a class."""
    props = collect(options, KEYSPACE_OPTION_NAMES)
    if "replication" in props:
        replication = get_map(props, "replication")
        if replication and "class" not in replication:
            raise ConfigurationException("Missing replication strategy class")
        props["replication"] = replication
    if "durable_writes" in props:
        props["durable_writes"] = parse_boolean(
            "durable_writes", get_string(props, "durable_writes"))
    return props


def replication_params(keyspace: str, options: dict[str, str],
                       previous: dict[str, str] | None = None) -> dict[str, str]:
    """ReplicationParams.fromMap(+WithDefaults) and strategy validation.

    Returns the map stored in system_schema.keyspaces: the class fully qualified, factors as
    strings, NetworkTopologyStrategy's 'replication_factor' expanded to the datacenter.
    """
    rest = dict(options)
    name = rest.pop("class", None)
    if name is None:
        raise ConfigurationException("Missing replication strategy class")
    full = name if "." in name else STRATEGY_PACKAGE + name
    if full == LOCAL_STRATEGY:
        raise InvalidRequest(
            "Unable to use given strategy class: LocalStrategy is reserved for internal use.")
    if full == SIMPLE_STRATEGY:
        return {"class": full, **_simple_strategy(keyspace, rest)}
    if full == NTS:
        return {"class": full, **_network_topology(keyspace, rest, previous)}
    raise ConfigurationException(f"Unable to find replication strategy class '{full}'")


def _simple_strategy(keyspace: str, options: dict[str, str]) -> dict[str, str]:
    for key in options:
        if key != "replication_factor":
            raise ConfigurationException(
                f"Unrecognized strategy option {{{key}}} passed to SimpleStrategy for keyspace "
                f"{keyspace}"
            )
    # ReplicationParams.fromMapWithDefaults: a missing factor is default_keyspace_rf (1)
    rf = options.get("replication_factor", str(DEFAULT_KEYSPACE_RF))
    _check_replication_factor(rf)
    return {"replication_factor": rf}


def _network_topology(keyspace: str, options: dict[str, str],
                      previous: dict[str, str] | None) -> dict[str, str]:
    rest = dict(options)
    default_rf = rest.pop("replication_factor", None)
    if default_rf is not None:
        _check_replication_factor(default_rf)
        rest.setdefault(DATACENTER, default_rf)
    elif not rest and previous is None:
        rest[DATACENTER] = "1"
    if previous is not None and previous.get("class") == NTS:
        # fromMapWithDefaults: datacenters not mentioned keep their previous factor
        for dc, rf in previous.items():
            if dc != "class":
                rest.setdefault(dc, rf)
    for dc, rf in rest.items():
        if dc != DATACENTER:
            raise ConfigurationException(
                f"Unrecognized strategy option {{{dc}}} passed to NetworkTopologyStrategy for "
                f"keyspace {keyspace}"
            )
        _check_replication_factor(rf)
    return rest


def _check_replication_factor(text: str) -> int:
    """ReplicationFactor.fromString: '<replicas>' (transient replication is disabled)."""
    if "/" in text:
        raise ConfigurationException("Transient replication is disabled. Enable in "
                                     "cassandra.yaml to use.")
    if not _JAVA_INT.match(text):
        raise ConfigurationException(f'For input string: "{text}"')
    rf = int(text)
    if rf < 0:
        raise ConfigurationException(f"Replication factor must be non-negative, found {rf}")
    return rf


def replication_warnings(keyspace: str, replication: dict[str, str]) -> list[str]:
    """The client warning Cassandra gives when the factor exceeds the node count."""
    out = []
    for key, value in replication.items():
        if key == "class" or not value.isdigit():
            continue
        rf = int(value)
        if rf > NODE_COUNT:
            where = "" if key == "replication_factor" else f" for datacenter {key}"
            out.append(
                f"Your replication factor {rf} for keyspace {keyspace} is higher than the "
                f"number of nodes {NODE_COUNT}{where}"
            )
    return out
