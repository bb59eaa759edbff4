"""A cassalite-server standing in for a cluster, shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("cassandra", reason="cluster sessions use cassandra-driver")


@pytest.fixture(scope="module")
def server() -> Iterator:
    from cassalite.server import ServerConfig, ServerThread

    thread = ServerThread(ServerConfig(memory=True, host="127.0.0.1", port=0,
                                       log_level="WARNING")).start()
    yield thread
    thread.stop()


@pytest.fixture(scope="module")
def cluster_url(server) -> str:
    return f"cassandra://127.0.0.1:{server.port}/?protocol_version=4"
