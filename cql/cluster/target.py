"""Cluster connection URLs: ``cassandra://[user:password@]host1,host2[:port]/[keyspace]?opts``.

Options (query string): ``consistency`` (a consistency level name, default LOCAL_ONE),
``serial_consistency`` (SERIAL or LOCAL_SERIAL), ``dc`` (the local data centre: requests
go to its nodes), ``user`` / ``password`` (PasswordAuthenticator), ``ssl`` (``true``:
TLS, the server's certificate checked against the system's CAs or ``ssl_ca``),
``ssl_ca`` (a CA file), ``ssl_validate`` (``false``: do not check the certificate),
``protocol_version``, ``connect_timeout`` and ``request_timeout`` (seconds).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = ("cassandra", "scylla")
DEFAULT_PORT = 9042
LEVELS = ("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM",
          "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE")
OPTIONS = ("consistency", "serial_consistency", "dc", "user", "password", "ssl", "ssl_ca",
           "ssl_validate", "protocol_version", "connect_timeout", "request_timeout")

#: ``host:port``, ``h1,h2:9042`` or ``[::1]:9042``, optionally followed by ``/keyspace``
_ADDRESS = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(,[A-Za-z0-9_.\[\]:-]+)*:\d{1,5}"
                      r"(/\w*)?$")


class TargetError(ValueError):
    """A connection URL that cannot be used."""


@dataclass(frozen=True)
class ClusterTarget:
    scheme: str
    hosts: tuple[str, ...]
    port: int = DEFAULT_PORT
    keyspace: str | None = None
    consistency: str = "LOCAL_ONE"
    serial_consistency: str = "SERIAL"
    dc: str | None = None
    user: str | None = None
    password: str | None = None
    ssl: bool = False
    ssl_ca: str | None = None
    ssl_validate: bool = True
    protocol_version: int | None = None
    connect_timeout: float = 10.0
    request_timeout: float = 10.0
    extra: dict = field(default_factory=dict)

    def url(self, *, keyspace: str | None = None, password: bool = False) -> str:
        """The URL again (the password shown only when asked), for messages and tools."""
        auth = ""
        if self.user is not None:
            auth = self.user + (f":{self.password}" if password and self.password else "") + "@"
        ks = keyspace if keyspace is not None else (self.keyspace or "")
        return f"{self.scheme}://{auth}{','.join(self.hosts)}:{self.port}/{ks}"


def is_cluster_url(target: object) -> bool:
    return isinstance(target, str) and target.split("://", 1)[0].lower() in SCHEMES \
        and "://" in target


def looks_like_address(path: str) -> bool:
    """``127.0.0.1:9042`` and the like: a node's address, not a directory name."""
    return bool(_ADDRESS.match(path)) and not os.path.isdir(path)


def _bool(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise TargetError(f"Option {name} takes true or false, not {value!r}")


def _level(name: str, value: str) -> str:
    v = value.strip().upper()
    if v not in LEVELS:
        raise TargetError(f"Unknown consistency level {value!r} for {name} "
                          f"(one of {', '.join(LEVELS)})")
    return v


def parse_target(url: str) -> ClusterTarget:
    """Parse a ``cassandra://`` / ``scylla://`` URL; TargetError says what is wrong."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise TargetError(f"Not a cluster URL: {url!r} (expected cassandra:// or scylla://)")
    netloc = parts.netloc
    user = password = None
    if "@" in netloc:
        auth, netloc = netloc.rsplit("@", 1)
        user, _, password = auth.partition(":")
        user, password = unquote(user), unquote(password) if password else None
    hosts: list[str] = []
    port = DEFAULT_PORT
    for item in filter(None, netloc.split(",")):
        host, item_port = item, None
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            item_port = rest[1:] if rest.startswith(":") else None
        elif item.count(":") == 1:
            host, item_port = item.split(":")
        if item_port:
            if not item_port.isdigit() or not 0 < int(item_port) < 65536:
                raise TargetError(f"Bad port {item_port!r} in {url!r}")
            port = int(item_port)
        hosts.append(host)
    if not hosts:
        raise TargetError(f"No host in {url!r}: cassandra://host1,host2:9042/keyspace")
    keyspace = unquote(parts.path.strip("/")) or None
    if keyspace is not None and "/" in keyspace:
        raise TargetError(f"The path of {url!r} names one keyspace, not {keyspace!r}")
    kwargs: dict = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in OPTIONS:
            raise TargetError(f"Unknown option {name!r} in {url!r} (known: {', '.join(OPTIONS)})")
        if name in ("consistency", "serial_consistency"):
            kwargs[name] = _level(name, value)
        elif name in ("ssl", "ssl_validate"):
            kwargs[name] = _bool(name, value)
        elif name == "protocol_version":
            kwargs[name] = int(value)
        elif name in ("connect_timeout", "request_timeout"):
            kwargs[name] = float(value)
        elif name == "user":
            user = value
        elif name == "password":
            password = value
        else:
            kwargs[name] = value
    if kwargs.get("serial_consistency", "SERIAL") not in ("SERIAL", "LOCAL_SERIAL"):
        raise TargetError("serial_consistency is SERIAL or LOCAL_SERIAL")
    return ClusterTarget(scheme, tuple(hosts), port, keyspace, user=user, password=password,
                         **kwargs)
