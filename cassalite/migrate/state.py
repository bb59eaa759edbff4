"""The state file of a migration: which token ranges of which tables are finished.

JSON, rewritten atomically (temporary file, fsync, rename) after every finished range, so a
run killed at any moment resumes with every range it recorded done and redoes the others.
A state file belongs to one source, target and ring split: another one is refused.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any


class StateMismatch(ValueError):
    pass


class State:
    def __init__(self, path: str | None, source: str, target: str, ranges: int):
        self.path = path
        self.key = {"source": source, "target": target, "ranges": ranges}
        self.done: dict[str, set[int]] = {}
        self.started: dict[str, set[int]] = {}
        self.rows: dict[str, int] = {}
        self._lock = threading.Lock()
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            if {k: data.get(k) for k in self.key} != self.key:
                raise StateMismatch(
                    f"State file {path} is for another migration ({data.get('source')} -> "
                    f"{data.get('target')}, {data.get('ranges')} ranges); remove it or "
                    "give another --state")
            for table, info in data.get("tables", {}).items():
                self.done[table] = set(info.get("done", []))
                self.started[table] = set(info.get("started", []))
                self.rows[table] = int(info.get("rows", 0))

    def is_done(self, table: str, index: int) -> bool:
        return index in self.done.get(table, ())

    def was_started(self, table: str, index: int) -> bool:
        """Begun by an earlier run that did not finish it: its rows may be partly written."""
        return index in self.started.get(table, ()) and not self.is_done(table, index)

    def start(self, table: str, index: int) -> None:
        with self._lock:
            self.started.setdefault(table, set()).add(index)
            self._save()

    def finish(self, table: str, index: int, rows: int) -> None:
        with self._lock:
            self.done.setdefault(table, set()).add(index)
            self.rows[table] = self.rows.get(table, 0) + rows
            self._save()

    def snapshot(self) -> dict[str, Any]:
        tables = sorted(set(self.done) | set(self.started))
        return {**self.key, "tables": {t: {
            "done": sorted(self.done.get(t, ())),
            "started": sorted(self.started.get(t, ()) - self.done.get(t, set())),
            "rows": self.rows.get(t, 0)} for t in tables}}

    def _save(self) -> None:
        if not self.path:
            return
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.snapshot(), f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
