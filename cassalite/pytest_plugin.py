"""pytest fixtures for code that speaks CQL, backed by cassalite instead of a Cassandra node.

Registered automatically (entry point ``pytest11``, name ``cassalite``) when cassalite is
installed; ``-p no:cassalite`` turns it off.

``cql_session``
    A fresh in-memory database per test, with a keyspace of its own (named after the test)
    already created and in use: ``cql_session.keyspace``. Mark a test
    ``@pytest.mark.cql_schema("schema.cql")`` (a path relative to the test file, or CQL
    text) to run a schema script in that keyspace first.

    With ``--cql-target=cassandra://host:9042`` (or ``$CASSALITE_TARGET``) the same tests
    run on a real cluster instead: each test gets a session on the cluster and a fresh
    keyspace of the same name (NetworkTopologyStrategy over the cluster's data centres,
    replication factor up to 3 in each), dropped when the test ends.

``cql_server``
    A CQL native-protocol server on a free loopback port, for code that uses
    ``cassandra-driver``. One per test session (like a container started once); its
    database is a named in-memory one, so ``cql_server.connect()`` gives an embedded
    session on the same data for setting up and checking.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import cql
from cql.syntax import split_statements

__all__ = ["CqlServer", "keyspace_name", "run_cql"]

#: Cassandra's limit on keyspace names.
MAX_KEYSPACE_NAME = 48
REPLICATION = "{'class': 'SimpleStrategy', 'replication_factor': 1}"


def keyspace_name(test_name: str) -> str:
    """A valid keyspace name from a test name: ``test_x[a-1]`` -> ``test_x_a_1``."""
    name = re.sub(r"\W+", "_", test_name).strip("_").lower() or "test"
    if not name[0].isalpha():
        name = "t_" + name
    return name[:MAX_KEYSPACE_NAME].rstrip("_")


def run_cql(session: cql.Session, script: str) -> None:
    """Execute each ``;``-separated statement of ``script`` in order."""
    for statement in split_statements(script):
        session.execute(statement.text)


def _schema_script(request: pytest.FixtureRequest) -> str | None:
    """The ``cql_schema`` marker's script: a file next to the test, or CQL text."""
    marker = request.node.get_closest_marker("cql_schema")
    if marker is None:
        return None
    if len(marker.args) != 1 or not isinstance(marker.args[0], (str, Path)):
        raise pytest.UsageError("cql_schema takes one argument: a .cql path or CQL text")
    arg = marker.args[0]
    path = Path(request.path).parent / arg
    if isinstance(arg, Path) or (str(arg).endswith(".cql") and ";" not in str(arg)):
        return path.read_text(encoding="utf-8")
    return str(arg)


TARGET_ENV = "CASSALITE_TARGET"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cassalite")
    group.addoption(
        "--cql-target", dest="cql_target", default=None, metavar="URL",
        help="run cql_session tests on a cluster (cassandra://host1,host2:9042?dc=...) "
             f"instead of in-memory cassalite databases; default: ${TARGET_ENV}")


def cql_target(config: pytest.Config) -> str | None:
    """The cluster the ``cql_session`` tests run on (None: embedded databases)."""
    return config.getoption("cql_target", None) or os.environ.get(TARGET_ENV) or None


def replication_for(session: Any) -> str:
    """NetworkTopologyStrategy over the data centres the cluster's nodes report (RF up to
    3 in each); SimpleStrategy, RF 1, if the nodes name none."""
    nodes: dict[str, int] = {}
    rows = [*session.execute("SELECT data_center FROM system.local"),
            *session.execute("SELECT data_center FROM system.peers")]
    for (dc,) in rows:
        if dc:
            nodes[dc] = nodes.get(dc, 0) + 1
    if not nodes:
        return REPLICATION
    factors = ", ".join(f"'{dc}': {min(3, n)}" for dc, n in sorted(nodes.items()))
    return f"{{'class': 'NetworkTopologyStrategy', {factors}}}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cql_schema(script): run a .cql file (relative to the test file) or CQL text in "
        "the cql_session keyspace before the test",
    )


class _ClusterTarget:
    """One connection to ``--cql-target`` for the test session; a session per test."""

    def __init__(self, url: str):
        self.url = url
        self.root = cql.connect(url)
        self.root.row_factory = cql.tuple_factory
        self.replication = replication_for(self.root)

    def session(self) -> Any:
        session = self.root.sibling()
        session.row_factory = cql.named_tuple_factory
        return session

    def close(self) -> None:
        self.root.close()


@pytest.fixture(scope="session")
def _cql_target(request: pytest.FixtureRequest) -> Iterator[_ClusterTarget | None]:
    url = cql_target(request.config)
    if url is None:
        yield None
        return
    target = _ClusterTarget(url)
    try:
        yield target
    finally:
        target.close()


@pytest.fixture
def cql_session(request: pytest.FixtureRequest,
                _cql_target: _ClusterTarget | None) -> Iterator[cql.Session]:
    """A private in-memory database with the keyspace ``keyspace_name(test name)`` in use;
    with ``--cql-target``, a session on that cluster and a fresh keyspace of that name."""
    name = keyspace_name(request.node.name)
    if _cql_target is None:
        session = cql.connect(":memory:")
        replication = REPLICATION
    else:
        session = _cql_target.session()
        replication = _cql_target.replication
        session.execute(f"DROP KEYSPACE IF EXISTS {name}")  # left by an interrupted run
    try:
        session.execute(f"CREATE KEYSPACE {name} WITH replication = {replication}")
        session.set_keyspace(name)
        script = _schema_script(request)
        if script is not None:
            run_cql(session, script)
            session.set_keyspace(name)  # a script that says USE elsewhere does not leak
        yield session
    finally:
        try:
            if _cql_target is not None:
                session.execute(f"DROP KEYSPACE IF EXISTS {name}")
        finally:
            session.close()


#: Cluster arguments that the driver does not allow together with execution profiles.
LEGACY_CLUSTER_OPTIONS = {"load_balancing_policy", "default_retry_policy",
                          "speculative_execution_policy"}


@dataclass
class CqlServer:
    """Where the test server listens, and ways in: embedded sessions and driver clusters."""

    host: str
    port: int
    #: The ``cql.connect`` target of the server's database (a named in-memory database).
    database: str

    @property
    def contact_points(self) -> list[str]:
        return [self.host]

    def connect(self, keyspace: str | None = None) -> cql.Session:
        """An embedded session on the server's database (no network in between)."""
        return cql.connect(self.database, keyspace=keyspace)

    def cluster(self, **kwargs: Any) -> Any:
        """A ``cassandra.cluster.Cluster`` pointed at the server (the caller shuts it down).

        Skips the test when cassandra-driver is not installed.
        """
        cluster_module = pytest.importorskip(
            "cassandra.cluster", reason="cql_server.cluster() needs cassandra-driver")
        from cassandra.policies import RoundRobinPolicy

        kwargs.setdefault("protocol_version", 4)
        if not set(kwargs) & LEGACY_CLUSTER_OPTIONS:
            # one node, round robin; set in an execution profile (the legacy Cluster
            # argument makes the driver warn: DeprecationWarning in every user suite)
            profile = cluster_module.ExecutionProfile(load_balancing_policy=RoundRobinPolicy())
            profiles = dict(kwargs.get("execution_profiles") or {})
            profiles.setdefault(cluster_module.EXEC_PROFILE_DEFAULT, profile)
            kwargs["execution_profiles"] = profiles
        return cluster_module.Cluster(self.contact_points, port=self.port, **kwargs)


@pytest.fixture(scope="session")
def cql_server() -> Iterator[CqlServer]:
    """A native-protocol server on 127.0.0.1 and a free port, shared by the test session."""
    try:
        from cassalite.server import ServerConfig, ServerThread
    except ImportError as exc:
        pytest.skip(f"cql_server: cassalite's native-protocol server cannot be imported ({exc})")
    database = f":memory:cassalite-pytest-{uuid.uuid4().hex}"
    thread = ServerThread(ServerConfig(memory=True, host="127.0.0.1", port=0,
                                       log_level="WARNING"))
    # Serve a named in-memory database, so that connect() reaches the same data.
    root = cql.connect(database)
    root.row_factory = cql.tuple_factory
    thread.server.root = root
    thread.start()
    try:
        yield CqlServer(thread.host, thread.port, database)
    finally:
        thread.stop()
