"""Storage-Attached Indexes: what an SAI index can answer, its text analysis, its options.

SAI (``CREATE [CUSTOM] INDEX ... USING 'sai'``) differs from the legacy index in what it
answers and in how queries are planned:

* equality on any indexed column; ranges (``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``) on
  ordered non-literal types (numbers, dates, times, timestamps, inet, ...); ``CONTAINS`` on
  ``values()`` targets, ``CONTAINS KEY`` on ``keys()``, map entries on ``entries()`` and
  equality on ``full()`` of frozen collections; ANN ordering only on vector indexes;
* every SAI index of a table belongs to one index group, so any number of SAI-served
  restrictions are intersected without ALLOW FILTERING (a legacy index serves one);
* text indexes can analyse values: ``case_sensitive`` (default true), ``normalize``
  (Unicode NFC, default false) and ``ascii`` (fold to ASCII, default false) change what
  equality means on that column.

Queries stay exact: the planner only uses this module to decide what needs ALLOW
FILTERING; rows are still selected by key, token range or index lookup and every
restriction is re-checked on the live row (:class:`AnalyzedRestriction` for analysed
columns).
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Any, Callable

from cql.errors import ConfigurationException, InvalidRequest
from cql.schema.metadata import IndexMetadata, TableMetadata
from cql.types.values import EMPTY

SAI_CLASS = "org.apache.cassandra.index.sai.StorageAttachedIndex"
ANALYSIS_OPTIONS = ("case_sensitive", "normalize", "ascii")
#: IndexWriterConfig / StorageAttachedIndex.VALID_OPTIONS (5.0, with trunk's shard option).
VALID_OPTIONS = {"target", "class_name", "case_sensitive", "normalize", "ascii",
                 "similarity_function", "optimize_for", "index_analyzer", "query_analyzer",
                 "bkd_postings_skip", "bkd_postings_min_leaves", "shards",
                 "maximum_node_connections", "construction_beam_width"}
MAX_SHARDS = 256
_VECTOR_OPTIONS = ("maximum_node_connections", "construction_beam_width", "similarity_function",
                   "optimize_for")
#: Types whose SAI index answers equality only (IndexTermType's literal types).
_EQ_ONLY = {"text", "varchar", "ascii", "boolean", "uuid", "blob"}
_TEXT = {"text", "varchar", "ascii"}
#: Restriction parts SAI never answers (5.0 has no index support for != / NOT ...).
_NEGATIONS = ("excluded", "excluded_lists", "not_contains", "not_contains_key", "entries_neq")


def is_sai(index: IndexMetadata) -> bool:
    if index.kind != "CUSTOM":
        return False
    name = index.options.get("class_name", "")
    return name == SAI_CLASS or name.lower() in ("sai", "storageattachedindex")


def sai_indexes(table: TableMetadata) -> list[IndexMetadata]:
    return [i for i in table.indexes.values() if is_sai(i)]


def _bool_option(index: IndexMetadata, name: str, default: bool) -> bool:
    value = index.options.get(name)
    if value is None:
        return default
    return str(value).strip().lower() == "true"


def analyzer(table: TableMetadata, index: IndexMetadata) -> Callable[[str], str] | None:
    """The text transformation an SAI index applies to values and query terms, or None."""
    if not is_sai(index):
        return None
    column = table.columns.get(index.target_column)
    if column is not None and _base_name(column.type) == "inet":
        return _inet_key  # SAI indexes IPv4 as IPv4-mapped IPv6: both spellings are equal
    if column is None or _base_name(column.type) not in _TEXT:
        return None
    fold_case = not _bool_option(index, "case_sensitive", True)
    normalize = _bool_option(index, "normalize", False)
    ascii_fold = _bool_option(index, "ascii", False)
    if not (fold_case or normalize or ascii_fold):
        return None

    def analyze(text: str) -> str:
        if normalize:
            text = unicodedata.normalize("NFC", text)
        if fold_case:
            text = text.lower()
        if ascii_fold:
            text = "".join(c for c in unicodedata.normalize("NFKD", text)
                           if not unicodedata.combining(c))
        return text

    return analyze


def _inet_key(value) -> bytes:
    if value is EMPTY:
        return b""
    address = ipaddress.ip_address(str(value))
    if address.version == 4:
        return b"\x00" * 10 + b"\xff\xff" + address.packed
    return address.packed


def _base_name(ctype) -> str:
    return getattr(ctype, "name", "").split("<")[0]


def supports(table: TableMetadata, index: IndexMetadata, r) -> bool:
    """Whether SAI ``index`` answers every part of restriction ``r`` on its column."""
    column = table.columns.get(index.target_column)
    if column is None or column.name != r.column.name or not is_sai(index):
        return False
    ctype = column.type
    if getattr(ctype, "is_vector", False):
        return False  # vector indexes answer ANN orderings only
    if r.is_in or any(getattr(r, name, None) for name in _NEGATIONS):
        return False
    kind = index.target_kind if ctype.is_collection and ctype.is_multicell else "full"
    if ctype.is_collection and ctype.is_multicell:
        if r.eq is not None or r.is_slice:
            return False
        if r.contains and kind != "values":
            return False
        if r.contains_key and kind != "keys":
            return False
        if (r.entries or r.entry_slices) and kind != "entries":
            return False
        return r.is_contains
    if r.is_contains:
        return False
    if r.is_slice and (_base_name(ctype) in _EQ_ONLY or ctype.is_collection
                       or getattr(ctype, "is_tuple", False) or getattr(ctype, "is_udt", False)):
        return False
    return r.eq is not None or r.is_slice


def served(table: TableMetadata, r) -> bool:
    """Whether the SAI indexes of ``table`` answer restriction ``r`` (on a collection, each
    part by the index of its kind: CONTAINS by values(), CONTAINS KEY by keys(), entries
    by entries())."""
    if any(supports(table, i, r) for i in table.indexes.values()):
        return True
    ctype = r.column.type
    if not (ctype.is_collection and ctype.is_multicell) or not r.is_contains or \
            r.eq is not None or r.is_slice or r.is_in or \
            any(getattr(r, name, None) for name in _NEGATIONS):
        return False
    kinds = {i.target_kind for i in table.indexes.values()
             if is_sai(i) and i.target_column == r.name}
    needed = {k for k, part in (("values", r.contains), ("keys", r.contains_key),
                                ("entries", r.entries or r.entry_slices)) if part}
    return needed <= kinds


def analyzer_for(table: TableMetadata, column: str) -> Callable[[str], str] | None:
    for index in table.indexes.values():
        if index.target_column == column:
            a = analyzer(table, index)
            if a is not None:
                return a
    return None


class AnalyzedRestriction:
    """A restriction on an analysed text column: binds to a filter comparing analysed values."""

    def __init__(self, inner, analyze: Callable[[str], str]):
        self.inner = inner
        self.column = inner.column
        self.analyze = analyze

    @property
    def name(self) -> str:
        return self.inner.name

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)

    def bind(self, bound: list) -> AnalyzedFilter:
        inner, a = self.inner, self.analyze
        f = AnalyzedFilter(self.column, a)
        if inner.eq is not None or inner.is_in:
            f.equal = {a(v) for v in inner.values(bound)}
        if inner.is_slice:
            lower, upper, excluded = inner.bounds(bound)
            f.lower = None if lower is None else (a(lower[0]), lower[1])
            f.upper = None if upper is None else (a(upper[0]), upper[1])
            f.excluded = {a(v) for v in excluded}
        return f

    def matches(self, value: Any, bound: list) -> bool:
        return self.bind(bound).matches(value)


class AnalyzedFilter:
    __slots__ = ("column", "analyze", "equal", "lower", "upper", "excluded")

    def __init__(self, column, analyze: Callable[[str], str]):
        self.column = column
        self.analyze = analyze
        self.equal = self.lower = self.upper = None
        self.excluded = ()

    def matches(self, value: Any) -> bool:
        if value is None or value is EMPTY:  # an empty inet is not indexed (CASSANDRA-20313)
            return False
        key = self.analyze(value)
        if self.equal is not None and key not in self.equal:
            return False
        if self.lower is not None:
            lo, inclusive = self.lower
            if key < lo or (key == lo and not inclusive):
                return False
        if self.upper is not None:
            hi, inclusive = self.upper
            if key > hi or (key == hi and not inclusive):
                return False
        return key not in self.excluded


# ---- CREATE INDEX ... USING 'sai' ------------------------------------------------------------

def validate_create(table: TableMetadata, targets: list[tuple[str, str]],
                    options: dict[str, str]) -> None:
    """StorageAttachedIndex.validateOptions and the SAI checks of CreateIndexStatement."""
    if len(targets) != 1:
        raise InvalidRequest("storage-attached index cannot be created over multiple columns")
    name, kind = targets[0]
    column = table.columns[name]
    ctype = column.type
    unknown = [key for key in options if key not in VALID_OPTIONS]
    if unknown:  # IndexMetadata.validateCustomIndexOptions on validateOptions' unknown ones
        raise ConfigurationException(
            f"Properties specified [{', '.join(unknown)}] are not understood by "
            "StorageAttachedIndex")
    is_vector = bool(getattr(ctype, "is_vector", False))
    base = _base_name(ctype)
    if base in ("counter", "duration") or getattr(ctype, "references_duration", False):
        raise InvalidRequest(f"Unsupported type: {ctype.name}")
    analysis = {k: str(options[k]) for k in ANALYSIS_OPTIONS if k in options}
    for key in ANALYSIS_OPTIONS:
        if key in options and str(options[key]).strip().lower() not in ("true", "false"):
            raise InvalidRequest(
                f"Illegal value for boolean option '{key}': '{options[key]}'")
    if analysis and column.is_primary_key:
        found = "{" + ", ".join(f"'{k}': '{v}'" for k, v in sorted(analysis.items())) + "}"
        raise InvalidRequest(
            f"Analysis options are not supported on primary key columns, but found {found}")
    if analysis and base not in _TEXT:
        raise InvalidRequest(
            f"CQL type {ctype.name} cannot be analyzed options ["
            + ", ".join(sorted(analysis)) + "]")
    for key in ("index_analyzer", "query_analyzer"):
        if key in options:
            raise InvalidRequest(f"Option '{key}' is not supported by this version of "
                                 "storage-attached indexes")
    for key in ("bkd_postings_skip", "bkd_postings_min_leaves"):
        if key in options:
            if base in _TEXT:
                raise InvalidRequest(f"Option '{key}' is only valid on numeric columns")
            try:
                value = int(str(options[key]))
            except ValueError:
                raise InvalidRequest(f"Option '{key}' must be an integer") from None
            if value < 1:
                raise InvalidRequest(f"Option '{key}' must be greater than 0, was {value}")
    if "shards" in options:
        if is_vector:
            raise InvalidRequest("vector column does not support sharding")
        if str(options["shards"]).strip().lower() == "auto":
            shards = 1
        else:
            shards = None
        try:
            shards = shards if shards is not None else int(str(options["shards"]))
        except ValueError:
            raise InvalidRequest(
                "Shard count for a storage-attached index must be a valid integer") from None
        if shards <= 0:
            raise InvalidRequest(
                "Shard count for a storage-attached index must be a positive integer")
        if shards > MAX_SHARDS:
            raise InvalidRequest(
                f"Shard count for a storage-attached index must not exceed {MAX_SHARDS}")
    if is_vector:
        _validate_vector(ctype, options)
    elif any(k in options for k in _VECTOR_OPTIONS):  # IndexWriterConfig.fromOptions
        raise InvalidRequest(f"CQL type {ctype.name} cannot have vector options")


def check_one_per_column(table: TableMetadata, targets: list[tuple[str, str]]) -> None:
    """One SAI index per column and target kind (after the duplicate-index check)."""
    name, kind = targets[0]
    for index in table.indexes.values():
        if is_sai(index) and index.target_column == name and \
                index.target_kind == (kind.lower() if kind != "SIMPLE" else "values"):
            raise InvalidRequest(
                f"Cannot create more than one storage-attached index on the same column: {name}")


def _validate_vector(ctype, options: dict[str, str]) -> None:
    if getattr(ctype.element_type, "name", "") != "float":
        raise InvalidRequest("SAI ANN indexes are only allowed on vector columns with float elements")
    # trunk's default: the graph parameters need -Dcassandra.sai.vector.allow_custom_parameters
    for key, what in (("maximum_node_connections", "Maximum node connections"),
                      ("construction_beam_width", "Construction beam width")):
        if key in options:
            raise InvalidRequest(
                f"{what} cannot be set without enabling SAI_VECTOR_ALLOW_CUSTOM_PARAMETERS")
    similarity = str(options.get("similarity_function", "cosine")).lower()
    if similarity not in ("cosine", "euclidean", "dot_product"):
        raise InvalidRequest(
            f"Similarity function {options['similarity_function']} was not recognized for the "
            "vector index. Valid values are: cosine, euclidean, dot_product")
    if "optimize_for" in options and str(options["optimize_for"]).lower() not in ("latency", "recall"):
        raise InvalidRequest(
            f"Optimize for {options['optimize_for']} was not recognized for the vector index. "
            "Valid values are: latency, recall")
    if similarity == "cosine" and ctype.dimension == 1:
        raise InvalidRequest("Cosine similarity is not supported for single-dimension vectors")


def analyzed(table: TableMetadata, r):
    """``r``, comparing analysed text when an SAI index analyses its column."""
    analyze = analyzer_for(table, r.name)
    return r if analyze is None else AnalyzedRestriction(r, analyze)


def serves_query(table: TableMetadata, where) -> bool:
    """Whether the SAI index group answers every restriction of ``where`` that the
    partition key and clustering slices cannot select (StatementRestrictions with
    IndexRestrictions.needsFiltering against the SAI group)."""
    if not table.indexes or not sai_indexes(table):
        return False
    needed = list(where.non_key_restrictions())
    prs = [r for r in where.partition_restrictions() if r is not None]
    full = where.token is None and where.has_full_partition_key()
    if not full:
        needed += prs
    crs = [r for r in where.clustering_restrictions() if r is not None]
    multis = list(getattr(where, "multis", ()) or ())
    clustering = getattr(where, "clustering", None)
    clustering_filtered = clustering is not None and clustering.needs_filtering
    if crs or multis:
        if not full or clustering_filtered:
            if multis:
                return False
            needed += crs
    return bool(needed) and all(served(table, r) for r in needed)
