"""Server settings: defaults, a TOML config file, then command-line overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cassalite.server.frame import DEFAULT_MAX_FRAME_SIZE


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 9042
    data_dir: str | None = None  # None and not memory: the user data directory
    memory: bool = False
    auth: bool = False
    # Engine calls run on this many threads (0: everything inline on the event loop).
    workers: int = 4
    # Statements measured cheaper than this run inline on the loop (0: never inline).
    inline_threshold_ms: float = 1.0
    max_inflight_per_connection: int = 128
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
    prepared_cache_size: int = 10_000
    shutdown_grace_seconds: float = 5.0
    log_level: str = "INFO"

    @classmethod
    def from_file(cls, path: str | Path) -> ServerConfig:
        """Keys at the top level or under ``[server]``; unknown keys are an error."""
        with open(path, "rb") as f:
            data = tomllib.load(f)
        data = {**{k: v for k, v in data.items() if not isinstance(v, dict)},
                **data.get("server", {})}
        return cls().updated(data)

    def updated(self, values: dict[str, Any]) -> ServerConfig:
        known = {f.name: f for f in fields(self)}
        out = ServerConfig(**{f: getattr(self, f) for f in known})
        for key, value in values.items():
            key = key.replace("-", "_")
            if key not in known:
                raise ValueError(f"Unknown server setting {key!r}")
            setattr(out, key, value)
        out.validate()
        return out

    def validate(self) -> None:
        if not 0 <= int(self.port) <= 65535:
            raise ValueError(f"Invalid port {self.port}")
        if int(self.workers) < 0:
            raise ValueError("workers must be >= 0")
        if int(self.max_inflight_per_connection) < 1:
            raise ValueError("max_inflight_per_connection must be >= 1")
        if int(self.max_frame_size) < 1024:
            raise ValueError("max_frame_size must be at least 1024 bytes")
