"""``cassalite migrate``: copy keyspaces between a cassalite data directory and a cluster.

Either side is anything ``cql.connect`` opens (a directory, or ``cassandra://`` /
``scylla://``), so data moves both ways through the one Session API:

* ``schema``   — the source's DESCRIBE output creates what the target lacks; a table that
  exists on both sides with other key columns or column types is refused, by name;
* ``ranges``   — the Murmur3 token ring cut into equal ranges, the unit of work;
* ``rows``     — one range of one table read with WRITETIME/TTL of every cell and written
  back with USING TIMESTAMP/TTL (collections element by element, counters as deltas);
* ``state``    — the state file: finished ranges, so a killed run resumes where it stopped;
* ``progress`` — the live progress line: rows, bytes, rate and ETA;
* ``verify``   — row count and digest per token range on both sides;
* ``copier``   — the orchestration: ranges over a thread pool;
* ``cli``      — the command line.
"""

from .copier import MigrateError, Migration, migrate
from .verify import verify

__all__ = ["MigrateError", "Migration", "migrate", "verify"]
