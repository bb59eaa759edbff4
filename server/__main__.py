"""``cassalite-server``: serve a cassalite database over the CQL native protocol (v4)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from cassalite.server.config import ServerConfig
from cassalite.server.server import CQLServer
from cassalite.storage import ENGINE_NAMES

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cassalite-server",
        description="Serve a cassalite database to Cassandra drivers and cqlsh "
                    "(CQL native protocol v4).")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--data-dir", help="database directory (default: the user data dir)")
    where.add_argument("--memory", action="store_true", default=None,
                       help="serve a fresh in-memory database")
    p.add_argument("--engine", choices=ENGINE_NAMES,
                   help="storage engine of --data-dir (default lsm; rocks needs the "
                        "cassalite[rocks] extra)")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to bind (default 9042; 0 picks a free one)")
    p.add_argument("--auth", action="store_true", default=None,
                   help="require PasswordAuthenticator logins (creates cassandra/cassandra)")
    p.add_argument("--config", help="TOML config file (keys as the long options, "
                                    "at the top level or under [server])")
    p.add_argument("--workers", type=int,
                   help="engine worker threads (0 runs requests on the event loop)")
    p.add_argument("--max-inflight", type=int, dest="max_inflight_per_connection",
                   help="concurrent requests per connection before reading pauses")
    tls = p.add_argument_group("TLS (as Cassandra's client_encryption_options)")
    tls.add_argument("--ssl-certfile", help="PEM certificate chain: enables TLS (1.2+)")
    tls.add_argument("--ssl-keyfile", help="PEM private key (default: in --ssl-certfile)")
    tls.add_argument("--ssl-ca", help="PEM CA certificates that client certificates must "
                                      "chain to")
    tls.add_argument("--ssl-client-auth", choices=["none", "optional", "required"],
                     help="client certificates (default: required with --ssl-ca, else none)")
    tls.add_argument("--ssl-optional", action="store_true", default=None,
                     help="also accept plaintext clients on the same port")
    lim = p.add_argument_group("limits")
    lim.add_argument("--max-connections", type=int,
                     help="concurrent client connections (default -1: unlimited)")
    lim.add_argument("--max-connections-per-ip", type=int,
                     help="concurrent connections from one address (default -1: unlimited)")
    lim.add_argument("--idle-timeout", type=float, dest="idle_timeout_seconds",
                     help="close connections idle this many seconds (default 0: never)")
    lim.add_argument("--auth-failure-delay", type=float, dest="auth_failure_delay_seconds",
                     help="seconds before a failed login is answered (default 1)")
    lim.add_argument("--request-timeout", type=float, dest="request_timeout_seconds",
                     help="seconds before a request times out (default 10; 0: never)")
    db = p.add_argument_group("database settings (cassandra.yaml's names)")
    db.add_argument("--dynamic-data-masking-enabled", action="store_true", default=None,
                    help="dynamic data masking (CEP-20): MASKED WITH columns, masked reads "
                         "for roles without UNMASK (default off)")
    db.add_argument("--mv-allow-filtering-nonkey-columns-unsafe", action="store_true",
                    default=None,
                    help="materialized views may filter on non-key columns "
                         "(cassandra.mv.allow_filtering_nonkey_columns_unsafe; default off)")
    db.add_argument("--drop-compact-storage-enabled", action="store_true", default=None,
                    help="ALTER TABLE ... DROP COMPACT STORAGE is allowed (default off)")
    p.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   type=str.upper, help="log level (default INFO)")
    return p


def load_config(args: argparse.Namespace) -> ServerConfig:
    cfg = ServerConfig.from_file(args.config) if args.config else ServerConfig()
    overrides = {k: v for k, v in vars(args).items() if k != "config" and v is not None}
    return cfg.updated(overrides)


async def serve(cfg: ServerConfig) -> None:
    server = CQLServer(cfg)
    await server.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(server.stop()))
        except NotImplementedError:  # not on this platform
            pass
    await server.wait_stopped()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = load_config(args)
    except (OSError, ValueError) as e:
        print(f"cassalite-server: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=getattr(logging, cfg.log_level.upper(), logging.INFO),
                        format=LOG_FORMAT, stream=sys.stderr)
    try:
        asyncio.run(serve(cfg))
    except OSError as e:
        logging.getLogger("cassalite.server").error("Cannot serve: %s", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
