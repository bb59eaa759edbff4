"""``import cql; cql.connect(':memory:')`` stays light (issue 16: under 0.2 s).

An embedded in-memory session needs neither the LSM or RocksDB engines, the server, the
shell, the vector-search libraries, the parser generator nor the password hasher; each of
them is imported where it is first used. A fresh interpreter checks that none of them is
loaded, so an import added at the top of a module on this path fails here instead of
quietly slowing every start.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: Modules (and their submodules) an in-memory session must not load at start.
NOT_AT_START = (
    # optional heavy libraries: vector search, compression, drivers, RocksDB
    "numpy", "faiss", "usearch", "lz4", "zstandard", "cassandra", "rocksdict",
    # tooling: the parser generator, test helpers
    "lark", "hypothesis", "pytest",
    # the other layers and engines
    "cassalite.server", "cassalite.shell", "cassalite.storage.lsm",
    "cassalite.storage.rocks", "cassalite.storage.rocks_admin", "cassalite.storage.nodetool",
    # statement planning and execution load with the first statement of their kind
    "cql.planner", "cql.plan.restrictions", "cql.dml", "cql.ddl", "cql.functions",
    # standard library pieces nothing on this path uses
    "asyncio", "socket", "ssl", "concurrent", "multiprocessing", "subprocess", "sqlite3",
    "mmap", "logging", "bcrypt", "pickle", "argparse", "unittest",
)

_PROBE = """
import json, sys
import cql
cql.connect(':memory:')
print(json.dumps(sorted(sys.modules)))
"""


def _loaded() -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_connect_memory_loads_none_of_the_heavy_modules() -> None:
    loaded = _loaded()
    assert "cql.database" in loaded  # the probe really connected
    bad = sorted(m for m in loaded
                 if any(m == name or m.startswith(name + ".") for name in NOT_AT_START))
    assert not bad, f"import cql; connect(':memory:') loads {bad}: import them where used"
