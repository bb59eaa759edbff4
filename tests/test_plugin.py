"""The pytest plugin (cassalite.pytest_plugin), run over the sample project under pytester."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest

from cassalite.pytest_plugin import keyspace_name

try:  # imported here, before any in-process inner run: pytester restores sys.modules
    # after each, and a server module first imported inside one would be dropped again
    import cassandra.cluster  # noqa: F401

    import cassalite.server  # noqa: F401
except ImportError:
    pass

pytest_plugins = ["pytester"]

SAMPLE = Path(__file__).parent / "plugin_sample"
# ``-p cassalite`` names the pytest11 entry point: pytest skips a plugin it already has.
# (This process imported the plugin already, so the inner runs cannot rewrite its asserts.)
# Hypothesis's plugin is left out of the inner runs: it takes a second to start each time.
QUICK = ("-p", "no:hypothesispytest")
PLUGIN = ("-p", "cassalite", "-W", "ignore::pytest.PytestAssertRewriteWarning", *QUICK)


@pytest.fixture
def sample(pytester: pytest.Pytester) -> pytest.Pytester:
    """The sample project, its ``sample_*.py`` files renamed so pytest collects them."""
    for path in SAMPLE.iterdir():
        name = path.name.replace("sample_", "test_", 1) if path.suffix == ".py" else path.name
        shutil.copy(path, pytester.path / name)
    return pytester


def test_cql_session_fixture(sample: pytest.Pytester) -> None:
    result = sample.runpytest(*PLUGIN, "test_session.py", "-q")
    result.assert_outcomes(passed=8)


def test_cql_server_fixture(sample: pytest.Pytester) -> None:
    pytest.importorskip("cassandra", reason="the server sample uses cassandra-driver")
    result = sample.runpytest(*PLUGIN, "test_server.py", "-q")
    result.assert_outcomes(passed=4)


def test_cql_server_skips_without_the_server(sample: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sample.makepyfile(test_needs_server="def test_x(cql_server):\n    pass\n")
    # Hide the server package only once collection is over (a None entry in sys.modules
    # during plugin registration trips pytest's assertion rewriter).
    sample.makeconftest("""
        import sys
        import pytest

        @pytest.fixture(scope="session", autouse=True)
        def _no_server():
            saved = sys.modules.get("cassalite.server")
            sys.modules["cassalite.server"] = None  # import cassalite.server -> ImportError
            yield
            if saved is None:
                del sys.modules["cassalite.server"]
            else:
                sys.modules["cassalite.server"] = saved
    """)
    result = sample.runpytest(*PLUGIN, "test_needs_server.py", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*cql_server: cassalite's native-protocol server cannot be imported*"])


def test_bad_schema_marker_is_a_usage_error(sample: pytest.Pytester) -> None:
    sample.makepyfile(test_bad="""
        import pytest

        @pytest.mark.cql_schema()
        def test_x(cql_session):
            pass
    """)
    result = sample.runpytest(*PLUGIN, "test_bad.py")
    result.stdout.fnmatch_lines(["*cql_schema takes one argument*"])
    assert result.ret != 0


def test_keyspace_names() -> None:
    assert keyspace_name("test_a[x-1]") == "test_a_x_1"
    assert keyspace_name("1abc") == "t_1abc"
    assert keyspace_name("t" * 60) == "t" * 48
    assert keyspace_name("[]") == "test"


def test_registered_as_a_pytest11_entry_point() -> None:
    points = [ep for ep in importlib.metadata.entry_points(group="pytest11")
              if ep.value == "cassalite.pytest_plugin"]
    if not points:
        pytest.skip("no pytest11 entry point for cassalite.pytest_plugin: add "
                    "[project.entry-points.pytest11] cassalite = \"cassalite.pytest_plugin\" "
                    "to pyproject.toml and reinstall")
    assert [ep.name for ep in points] == ["cassalite"]


def test_auto_registered_in_a_fresh_process(sample: pytest.Pytester) -> None:
    """As a user gets it: no -p, pytest in a subprocess finds the plugin by entry point."""
    test_registered_as_a_pytest11_entry_point()
    result = sample.runpytest_subprocess(*QUICK, "test_session.py", "-q", "-k", "schema")
    result.assert_outcomes(passed=2)


# ---- the same tests on a cluster (--cql-target) ---------------------------------------------

@pytest.fixture(scope="module")
def target_server():
    """A cassalite-server standing in for the cluster a team's CI would point at."""
    pytest.importorskip("cassandra", reason="--cql-target uses cassandra-driver")
    from cassalite.server import ServerConfig, ServerThread

    thread = ServerThread(ServerConfig(memory=True, host="127.0.0.1", port=0,
                                       log_level="WARNING")).start()
    yield f"cassandra://127.0.0.1:{thread.port}/?protocol_version=4", thread
    thread.stop()


def _test_keyspaces(url: str) -> list[str]:
    import cql

    with cql.connect(url) as session:
        return sorted(r.keyspace_name for r in session.execute(
            "SELECT keyspace_name FROM system_schema.keyspaces")
            if r.keyspace_name.startswith("test_"))


def test_the_same_suite_runs_on_a_cluster(sample: pytest.Pytester, target_server) -> None:
    url, _ = target_server
    # (in a subprocess: an in-process run restores sys.modules afterwards, and the driver's
    # modules imported inside it would then be half-forgotten by this process)
    result = sample.runpytest_subprocess(*PLUGIN, "test_session.py", "-q",
                                         f"--cql-target={url}")
    result.assert_outcomes(passed=8)
    assert _test_keyspaces(url) == []  # each test's keyspace is dropped afterwards


def test_cassalite_target_variable(sample: pytest.Pytester, target_server,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = target_server
    sample.makepyfile(test_where="""
        import cql

        def test_on_the_cluster(cql_session):
            assert isinstance(cql_session, cql.ClusterSession)
            row = cql_session.execute("SELECT replication FROM system_schema.keyspaces "
                                      "WHERE keyspace_name = %s", [cql_session.keyspace]).one()
            assert row.replication == {
                "class": "org.apache.cassandra.locator.NetworkTopologyStrategy",
                "datacenter1": "1"}
            cql_session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    """)
    monkeypatch.setenv("CASSALITE_TARGET", url)
    result = sample.runpytest_subprocess(*PLUGIN, "test_where.py", "-q")
    result.assert_outcomes(passed=1)
    monkeypatch.delenv("CASSALITE_TARGET")
    result = sample.runpytest_subprocess(*PLUGIN, "test_where.py", "-q")  # embedded
    result.assert_outcomes(failed=1)


def test_cql_server_cluster_emits_no_deprecation_warning() -> None:
    pytest.importorskip("cassandra")
    import warnings

    from cassalite.pytest_plugin import CqlServer

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cluster = CqlServer("127.0.0.1", 9042, ":memory:x").cluster()
    cluster.shutdown()
    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []
