"""Parser throughput: ``python tests/grammar/bench_parser.py`` (not collected by pytest).

Prints statements per CPU-second for uncached parses (what a stream of distinct non-prepared statements
costs) and for cache hits, plus import and first-parse time in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

STATEMENTS = {
    "INSERT": "INSERT INTO ks.users (id, name, age, email) VALUES ({i}, 'alice', 30, 'a@b.c')",
    "SELECT": "SELECT name, age FROM ks.users WHERE id = {i} AND c > 5 LIMIT 10",
    "UPDATE": "UPDATE ks.t USING TTL 60 SET v = v + 1, m['k'] = 'x' WHERE k = {i} IF EXISTS",
    "CREATE TABLE": "CREATE TABLE ks.t{i} (k int, c text, v map<text, int>, "
                    "PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC)",
}


def _rate(fn, texts) -> float:
    best = 0.0
    for _ in range(5):
        start = time.process_time()
        for text in texts:
            fn(text)
        best = max(best, len(texts) / (time.process_time() - start))
    return best


def main() -> None:
    cold = subprocess.run(
        [sys.executable, "-c",
         ("import time; t=time.process_time(); import cassalite.grammar, cql.syntax as p; "
         "t1=time.process_time(); p.parse('SELECT * FROM t'); t2=time.process_time(); "
         "print(f'{(t1-t)*1000:.0f} ms import (grammar+cql.syntax), "
         "{(t2-t1)*1000:.0f} ms first parse')")],
        cwd=ROOT, capture_output=True, text=True, check=True)
    print(cold.stdout.strip())
    from cql.syntax import parser

    parser.parse("SELECT * FROM warmup")
    for label, template in STATEMENTS.items():
        texts = [template.format(i=i) for i in range(3000)]
        uncached = _rate(parser._parse_uncached, texts)
        parser.parse.cache_clear()
        for text in texts[:1000]:
            parser.parse(text)
        cached = _rate(parser.parse, texts[:1000])
        print(f"{label:13s} {uncached:9,.0f} stmt/s uncached  {cached:12,.0f} stmt/s cached")


if __name__ == "__main__":
    main()
