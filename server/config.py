"""Server settings: defaults, a TOML config file, then command-line overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cassalite.server.frame import DEFAULT_MAX_FRAME_SIZE
from cassalite.storage import ENGINE_NAMES
from cql.settings import DEFAULT_SETTINGS, SETTING_NAMES


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 9042
    data_dir: str | None = None  # None and not memory: the user data directory
    memory: bool = False
    engine: str = "lsm"  # the storage engine of data_dir (cassalite.storage.ENGINE_NAMES)
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
    # ---- TLS, as Cassandra's client_encryption_options (enabled when ssl_certfile is set)
    ssl_certfile: str | None = None  # PEM certificate chain (may also hold the key)
    ssl_keyfile: str | None = None  # PEM private key (default: in ssl_certfile)
    ssl_ca: str | None = None  # PEM CA bundle that client certificates must chain to
    # client certificates: "none", "optional" (verified when sent) or "required";
    # None: "required" when ssl_ca is set, else "none"
    ssl_client_auth: str | None = None
    # True: plaintext and TLS clients on the same port (Cassandra's ``optional: true``)
    ssl_optional: bool = False
    ssl_handshake_timeout_seconds: float = 10.0
    # ---- limits (-1 or 0: none), as native_transport_max_concurrent_connections[_per_ip]
    max_connections: int = -1
    max_connections_per_ip: int = -1
    # close connections with no traffic and no request in flight for this long (0: never)
    idle_timeout_seconds: float = 0.0
    # a failed login is answered only after this delay (slows password guessing)
    auth_failure_delay_seconds: float = 1.0
    # requests not answered in this time get a Read/WriteTimeout (0: no timeout)
    request_timeout_seconds: float = 10.0
    # ---- database settings (cql.settings, cassandra.yaml's names), passed to cql.connect
    dynamic_data_masking_enabled: bool = DEFAULT_SETTINGS.dynamic_data_masking_enabled
    mv_allow_filtering_nonkey_columns_unsafe: bool = \
        DEFAULT_SETTINGS.mv_allow_filtering_nonkey_columns_unsafe
    drop_compact_storage_enabled: bool = DEFAULT_SETTINGS.drop_compact_storage_enabled

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
        if self.engine not in ENGINE_NAMES:
            raise ValueError(f"Unknown storage engine {self.engine!r} "
                             f"(expected one of {', '.join(ENGINE_NAMES)})")
        if int(self.workers) < 0:
            raise ValueError("workers must be >= 0")
        if int(self.max_inflight_per_connection) < 1:
            raise ValueError("max_inflight_per_connection must be >= 1")
        if int(self.max_frame_size) < 1024:
            raise ValueError("max_frame_size must be at least 1024 bytes")
        for name in ("idle_timeout_seconds", "auth_failure_delay_seconds",
                     "request_timeout_seconds", "ssl_handshake_timeout_seconds"):
            if float(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.ssl_client_auth not in (None, "none", "optional", "required"):
            raise ValueError(f"Invalid ssl_client_auth {self.ssl_client_auth!r} "
                             "(none, optional or required)")
        if self.ssl_certfile is None:
            for name in ("ssl_keyfile", "ssl_ca", "ssl_client_auth"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} needs ssl_certfile (TLS is not enabled)")
            if self.ssl_optional:
                raise ValueError("ssl_optional needs ssl_certfile (TLS is not enabled)")
        if self.client_auth != "none" and not self.ssl_ca:
            raise ValueError(f"ssl_client_auth {self.client_auth!r} needs ssl_ca")

    def database_settings(self) -> dict[str, Any]:
        """The ``cql.connect`` options of the database settings (every one of cql.settings)."""
        return {name: getattr(self, name) for name in SETTING_NAMES}

    @property
    def tls(self) -> bool:
        return self.ssl_certfile is not None

    @property
    def client_auth(self) -> str:
        if self.ssl_client_auth is not None:
            return self.ssl_client_auth
        return "required" if self.ssl_ca else "none"

    def ssl_context(self):
        """The server's SSLContext (TLS 1.2 or later), or None without TLS."""
        if not self.tls:
            return None
        import ssl

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        if self.ssl_ca:
            ctx.load_verify_locations(cafile=self.ssl_ca)
        ctx.verify_mode = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL,
                           "required": ssl.CERT_REQUIRED}[self.client_auth]
        return ctx
