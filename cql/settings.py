"""Database settings: what ``cassandra.yaml`` configures for the CQL layer, said once.

``cql.connect(path, **options)`` takes these by name next to the storage engine's options
(``split_options`` separates them) and ``cassalite-server`` exposes each as a setting and a
command-line option (``--dynamic-data-masking-enabled``). Defaults are Cassandra's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DatabaseSettings:
    #: CEP-20 dynamic data masking: ``MASKED WITH`` columns, masked reads for roles without
    #: UNMASK (Cassandra's ``dynamic_data_masking_enabled``, off by default).
    dynamic_data_masking_enabled: bool = False
    #: a materialized view's WHERE may restrict non-key columns by more than IS NOT NULL
    #: (Cassandra's -Dcassandra.mv.allow_filtering_nonkey_columns_unsafe, off by default:
    #: such a view can miss updates, CASSANDRA-13798)
    mv_allow_filtering_nonkey_columns_unsafe: bool = False
    #: ``ALTER TABLE ... DROP COMPACT STORAGE`` turns a COMPACT STORAGE table into a CQL one
    #: (Cassandra's ``drop_compact_storage_enabled``, off by default)
    drop_compact_storage_enabled: bool = False


SETTING_NAMES = tuple(f.name for f in fields(DatabaseSettings))
DEFAULT_SETTINGS = DatabaseSettings()


def split_options(options: dict[str, Any]) -> tuple[DatabaseSettings, dict[str, Any]]:
    """``cql.connect`` options: the database settings, and the rest (engine options)."""
    mine = {k: options[k] for k in SETTING_NAMES if k in options}
    for name, value in mine.items():
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, not {value!r}")
    rest = {k: v for k, v in options.items() if k not in mine}
    return DatabaseSettings(**mine), rest
