"""``python -m cassalite.grammar``: rebuild ``cql_tables.json`` from ``cql.lark``.

Run it after editing the grammar (tests/grammar/test_tables.py fails until then).
"""

from __future__ import annotations

import sys

from cassalite.grammar import CQL_TABLES, grammar_digest, write_tables


def main() -> int:
    path = write_tables(CQL_TABLES)
    print(f"wrote {path} (grammar sha256 {grammar_digest()[:16]}...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
