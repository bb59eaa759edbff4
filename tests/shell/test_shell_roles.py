"""The shell's output for role and permission statements (LIST ROLES / PERMISSIONS)."""

from __future__ import annotations

import pytest

from .test_shell_cli import run


@pytest.fixture(autouse=True)
def _home(isolated_home):
    return isolated_home


def test_list_roles_and_permissions(tmp_path):
    script = tmp_path / "in.cql"
    script.write_text(
        "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': 1};\n"
        "CREATE TABLE ks.t (k int PRIMARY KEY);\n"
        "CREATE ROLE alice WITH LOGIN = true AND PASSWORD = 'pw';\n"
        "GRANT SELECT ON ks.t TO alice;\n"
        "GRANT MODIFY ON KEYSPACE ks TO alice;\n"
        "LIST ROLES;\n"
        "LIST ALL PERMISSIONS OF alice;\n")
    rc, out, err = run(["--memory", "-f", str(script)])
    assert (rc, err) == (0, "")
    roles, permissions = out.split("(2 rows)\n")[:2]
    assert [line.split("|")[0].strip() for line in roles.splitlines()[3:5]] == [
        "alice", "cassandra"]
    assert permissions == (
        "\n"
        " role  | username | resource      | permission\n"
        "-------+----------+---------------+------------\n"
        " alice |    alice | <keyspace ks> |     MODIFY\n"
        " alice |    alice |  <table ks.t> |     SELECT\n"
        "\n")
