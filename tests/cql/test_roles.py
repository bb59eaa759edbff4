"""Roles and permissions through the embedded API: logged-in sessions are checked with
Cassandra's messages, trusted sessions are not, grants follow inheritance and survive a
restart."""

from __future__ import annotations

import pytest

import cql
from cql.errors import BadCredentials, InvalidRequest, Unauthorized


@pytest.fixture
def admin(request):
    name = f":memory:roles_{request.node.name}"
    s = cql.connect(name)
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("CREATE TABLE ks.t (k int PRIMARY KEY, v int)")
    s.execute("INSERT INTO ks.t (k, v) VALUES (1, 10)")
    s.execute("CREATE ROLE alice WITH LOGIN = true AND PASSWORD = 'pw'")
    s.name = name
    return s


def login(admin, user="alice", password="pw"):
    return cql.connect(admin.name, user=user, password=password)


def test_select_without_permission_is_refused(admin):
    alice = login(admin)
    with pytest.raises(Unauthorized) as info:
        alice.execute("SELECT * FROM ks.t")
    assert str(info.value) == ("User alice has no SELECT permission on <table ks.t> "
                               "or any of its parents")


def test_grant_and_revoke_take_effect_at_once(admin):
    alice = login(admin)
    admin.execute("GRANT SELECT ON KEYSPACE ks TO alice")
    assert list(alice.execute("SELECT k, v FROM ks.t")) == [(1, 10)]
    with pytest.raises(Unauthorized, match="^User alice has no MODIFY permission on "
                                           "<table ks.t> or any of its parents$"):
        alice.execute("INSERT INTO ks.t (k, v) VALUES (2, 20)")
    admin.execute("REVOKE SELECT ON KEYSPACE ks FROM alice")
    with pytest.raises(Unauthorized, match="no SELECT permission on <table ks.t>"):
        alice.execute("SELECT k, v FROM ks.t")


def test_permissions_are_inherited_through_roles(admin):
    alice = login(admin)
    admin.execute("CREATE ROLE readers")
    admin.execute("CREATE ROLE writers")
    admin.execute("GRANT SELECT ON TABLE ks.t TO readers")
    admin.execute("GRANT MODIFY ON ALL KEYSPACES TO writers")
    admin.execute("GRANT readers TO writers")
    admin.execute("GRANT writers TO alice")
    alice.execute("INSERT INTO ks.t (k, v) VALUES (2, 20)")
    assert len(list(alice.execute("SELECT * FROM ks.t"))) == 2
    assert list(admin.execute("LIST ROLES OF alice")) == [
        ("alice", False, True, {}, "ALL"), ("readers", False, False, {}, "n/a"),
        ("writers", False, False, {}, "n/a")]
    assert list(admin.execute("LIST ALL PERMISSIONS OF alice")) == [
        ("readers", "readers", "<table ks.t>", "SELECT"),
        ("writers", "writers", "<all keyspaces>", "MODIFY")]
    admin.execute("REVOKE readers FROM writers")
    with pytest.raises(Unauthorized, match="no SELECT permission"):
        alice.execute("SELECT * FROM ks.t")
    with pytest.raises(InvalidRequest, match="^alice is a member of writers$"):
        admin.execute("GRANT alice TO writers")
    with pytest.raises(InvalidRequest, match="^writers is not a member of readers$"):
        admin.execute("REVOKE readers FROM writers")


def test_schema_statements_need_their_permissions(admin):
    alice = login(admin)
    with pytest.raises(Unauthorized, match="^User alice has no CREATE permission on "
                                           "<all tables in ks> or any of its parents$"):
        alice.execute("CREATE TABLE ks.u (k int PRIMARY KEY)")
    with pytest.raises(Unauthorized, match="^User alice has no CREATE permission on "
                                           "<all keyspaces> or any of its parents$"):
        alice.execute("CREATE KEYSPACE ks2 WITH replication = {'class': 'SimpleStrategy', "
                      "'replication_factor': 1}")
    admin.execute("GRANT CREATE ON KEYSPACE ks TO alice")
    alice.execute("CREATE TABLE ks.u (k int PRIMARY KEY)")
    # the creator of a table may do everything with it
    alice.execute("INSERT INTO ks.u (k) VALUES (1)")
    assert list(alice.execute("SELECT k FROM ks.u")) == [(1,)]
    with pytest.raises(Unauthorized, match="^system keyspace is not user-modifiable.$"):
        login(admin, "cassandra", "cassandra").execute("DROP TABLE system.local")


def test_superuser_and_system_tables(admin):
    root = login(admin, "cassandra", "cassandra")
    assert list(root.execute("SELECT k FROM ks.t")) == [(1,)]
    alice = login(admin)
    # drivers' tables are readable by everyone, system_auth is not
    assert alice.execute("SELECT key FROM system.local").one() == ("local",)
    with pytest.raises(Unauthorized, match="no SELECT permission on <table system_auth.roles>"):
        alice.execute("SELECT * FROM system_auth.roles")
    with pytest.raises(Unauthorized, match="^User alice does not have sufficient privileges "
                                           "to perform the requested operation$"):
        alice.execute("CREATE ROLE bob")  # role statements do not name the resource
    with pytest.raises(Unauthorized, match="^You are not authorized to view superuser details$"):
        alice.execute("LIST SUPERUSERS")
    assert list(alice.execute("LIST ROLES")) == [("alice", False, True, {}, "ALL")]
    with pytest.raises(Unauthorized, match="^You are not authorized to view everyone's "
                                           "permissions$"):
        alice.execute("LIST ALL PERMISSIONS")


def test_logins(admin):
    with pytest.raises(BadCredentials, match="^Provided username alice and/or password "
                                             "are incorrect$"):
        login(admin, "alice", "wrong")
    admin.execute("CREATE ROLE nologin WITH PASSWORD = 'pw'")
    with pytest.raises(BadCredentials, match="^nologin is not permitted to log in$"):
        login(admin, "nologin", "pw")
    alice = login(admin)
    alice.execute("ALTER ROLE alice WITH PASSWORD = 'new'")  # one's own password
    with pytest.raises(Unauthorized, match="^You aren't allowed to alter LOGIN$"):
        alice.execute("ALTER ROLE alice WITH LOGIN = false")
    login(admin, "alice", "new")
    with pytest.raises(InvalidRequest, match="^Cannot DROP primary role for current login$"):
        login(admin, "cassandra", "cassandra").execute("DROP ROLE cassandra")


def test_grant_messages_and_warnings(admin):
    with pytest.raises(InvalidRequest, match="^Role nobody doesn't exist$"):
        admin.execute("GRANT SELECT ON ks.t TO nobody")
    with pytest.raises(InvalidRequest, match="^Resource <table ks.nope> doesn't exist$"):
        admin.execute("GRANT SELECT ON ks.nope TO alice")
    with pytest.raises(InvalidRequest, match="^Resource type DataResource does not support the "
                                             "requested permissions: DESCRIBE$"):
        admin.execute("GRANT SELECT, DESCRIBE ON ks.t TO alice")
    admin.execute("GRANT SELECT ON ks.t TO alice")
    rs = admin.execute("GRANT SELECT, MODIFY ON ks.t TO alice")
    assert rs.warnings == ["Role 'alice' was already granted SELECT on <table ks.t>"]
    rs = admin.execute("REVOKE ALTER ON ks.t FROM alice")
    assert rs.warnings == ["Role 'alice' was not granted ALTER on <table ks.t>"]
    # a dropped table takes its grants with it
    admin.execute("DROP TABLE ks.t")
    assert list(admin.execute("LIST ALL PERMISSIONS OF alice")) == []


def test_function_and_mbean_resources(admin):
    """FunctionResource and JMXResource: their permissions, names and messages (there are no
    user-defined functions nor MBeans, so a single one never exists)."""
    admin.execute("CREATE ROLE r")
    admin.execute("GRANT EXECUTE ON ALL FUNCTIONS TO r")
    admin.execute("GRANT ALL ON ALL FUNCTIONS IN KEYSPACE ks TO r")
    admin.execute("GRANT ALL PERMISSIONS ON ALL MBEANS TO r")
    assert list(admin.execute("LIST EXECUTE OF r")) == [
        ("r", "r", "<all functions>", "EXECUTE"), ("r", "r", "<all functions in ks>", "EXECUTE"),
        ("r", "r", "<all mbeans>", "EXECUTE")]
    assert [row[3] for row in admin.execute("LIST ALL ON ALL FUNCTIONS IN KEYSPACE ks OF r "
                                            "NORECURSIVE")] == [
        "CREATE", "ALTER", "DROP", "AUTHORIZE", "EXECUTE"]
    assert [row[3] for row in admin.execute("LIST ALL ON ALL MBEANS OF r")] == [
        "SELECT", "MODIFY", "AUTHORIZE", "DESCRIBE", "EXECUTE"]
    refusals = {
        "GRANT SELECT ON ALL FUNCTIONS TO r":
            "Resource type FunctionResource does not support the requested permissions: SELECT",
        "GRANT EXECUTE ON KEYSPACE ks TO r":
            "Resource type DataResource does not support the requested permissions: EXECUTE",
        "GRANT CREATE ON ALL MBEANS TO r":
            "Resource type JMXResource does not support the requested permissions: CREATE",
        "GRANT EXECUTE ON FUNCTION f(int) TO r":
            "In this context function name must be explictly qualified by a keyspace",
        "GRANT EXECUTE ON FUNCTION system.now() TO r":
            "Altering permissions on builtin functions is not supported",
        "GRANT EXECUTE ON FUNCTION ks.f(int, text) TO r":
            "Resource <function ks.f(int, text)> doesn't exist",
        "GRANT EXECUTE ON ALL FUNCTIONS IN KEYSPACE nope TO r":
            "Resource <all functions in nope> doesn't exist",
        "GRANT SELECT ON MBEAN 'org.apache.cassandra.db:type=Tables,*' TO r":
            "Resource <mbean org.apache.cassandra.db:type=Tables,*> doesn't exist",
        "LIST ALL PERMISSIONS ON FUNCTION ks.f(int)": "<function ks.f(int)> doesn't exist",
    }
    for statement, message in refusals.items():
        with pytest.raises(InvalidRequest) as info:
            admin.execute(statement)
        assert str(info.value) == message, statement
    # a dropped keyspace takes the grants on its functions with it
    admin.execute("DROP KEYSPACE ks")
    assert [row[2] for row in admin.execute("LIST ALL OF r")] == [
        "<all functions>", *["<all mbeans>"] * 5]


def test_access_to_datacenters(admin):
    """One node, in datacenter1 (as system.local): the only datacenter a role may be given;
    stored in system_auth.network_permissions and shown by LIST ROLES / LIST USERS."""
    with pytest.raises(InvalidRequest, match=r"^Invalid value\(s\) for DATACENTERS "
                                             r"'\[dc1\]',All values must be valid datacenters$"):
        admin.execute("CREATE ROLE bob WITH LOGIN = true AND PASSWORD = 'pw' "
                      "AND ACCESS TO DATACENTERS {'dc1'}")
    assert list(admin.execute("SELECT role FROM system_auth.roles WHERE role = 'bob'")) == []
    admin.execute("CREATE ROLE bob WITH LOGIN = true AND PASSWORD = 'pw' "
                  "AND ACCESS TO DATACENTERS {'datacenter1'}")
    assert list(admin.execute("SELECT dcs FROM system_auth.network_permissions "
                              "WHERE role = 'bob'")) == [({"datacenter1"},)]
    assert ("bob", False, True, {}, "datacenter1") in list(admin.execute("LIST ROLES"))
    assert ("bob", False, "datacenter1") in list(admin.execute("LIST USERS"))
    login(admin, "bob", "pw")
    with pytest.raises(Unauthorized, match="^Only superusers are allowed to alter access to "
                                           "datacenters.$"):
        login(admin).execute("ALTER ROLE alice WITH ACCESS TO ALL DATACENTERS")
    admin.execute("ALTER ROLE bob WITH ACCESS TO ALL DATACENTERS")
    assert list(admin.execute("SELECT dcs FROM system_auth.network_permissions "
                              "WHERE role = 'bob'")) == [(set(),)]
    # a restriction written directly to the table, to another datacenter, is enforced
    admin.execute("UPDATE system_auth.network_permissions SET dcs = {'dc2'} WHERE role = 'bob'")
    with pytest.raises(Unauthorized, match=r"^You do not have access to this datacenter "
                                           r"\(datacenter1\)$"):
        login(admin, "bob", "pw")
    admin.execute("DROP ROLE bob")
    assert list(admin.execute("SELECT dcs FROM system_auth.network_permissions "
                              "WHERE role = 'bob'")) == []


def test_access_from_cidrs(admin):
    """CIDR groups come from system_auth.cidr_groups; a role restricted to some may only
    log in from an address whose longest matching CIDR is in one of them."""
    with pytest.raises(InvalidRequest, match=r"^Invalid CIDR group\(s\): \[g1\]. "
                                             r"Available CIDR Groups are: \[\]$"):
        admin.execute("CREATE ROLE bob WITH LOGIN = true AND PASSWORD = 'pw' "
                      "AND ACCESS FROM CIDRS {'g1'}")
    admin.execute("INSERT INTO system_auth.cidr_groups (cidr_group, cidrs) "
                  "VALUES ('g1', {('10.20.30.5', 24)})")
    admin.execute("INSERT INTO system_auth.cidr_groups (cidr_group, cidrs) "
                  "VALUES ('g2', {('10.20.30.7', 32), ('11.20.30.6', 33)})")
    admin.execute("CREATE ROLE bob WITH LOGIN = true AND PASSWORD = 'pw' "
                  "AND ACCESS FROM CIDRS {'g1'}")
    assert list(admin.execute("SELECT cidr_groups FROM system_auth.cidr_permissions "
                              "WHERE role = 'bob'")) == [({"g1"},)]
    auth = admin.database.auth
    assert auth.authenticate("bob", "pw", "10.20.30.1") == "bob"
    assert auth.authenticate("bob", "pw") == "bob"  # embedded login: no client address
    for address in ("10.20.30.7", "11.20.30.6", "127.0.0.1"):  # g2's /32 is the longer match
        with pytest.raises(Unauthorized, match=f"^You do not have access from this IP "
                                               f"{address}$"):
            auth.authenticate("bob", "pw", address)
    assert auth.authenticate("cassandra", "cassandra", "127.0.0.1") == "cassandra"
    with pytest.raises(Unauthorized, match="^Only superusers are allowed to alter access "
                                           "from CIDRs.$"):
        login(admin).execute("ALTER ROLE alice WITH ACCESS FROM ALL CIDRS")
    admin.execute("ALTER ROLE bob WITH ACCESS FROM CIDRS {'g1', 'g2'}")
    assert auth.authenticate("bob", "pw", "10.20.30.7") == "bob"
    admin.execute("DROP ROLE bob")
    assert list(admin.execute("SELECT * FROM system_auth.cidr_permissions")) == []


def test_trusted_sessions_are_not_checked(admin):
    assert admin.user is None
    assert list(admin.execute("SELECT role FROM system_auth.role_permissions")) == []


def test_roles_and_grants_survive_a_restart(tmp_path):
    path = tmp_path / "db"
    with cql.connect(path) as s:
        s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE ks.t (k int PRIMARY KEY)")
        s.execute("CREATE ROLE alice WITH LOGIN = true AND PASSWORD = 'pw'")
        s.execute("CREATE ROLE readers")
        s.execute("GRANT SELECT ON ks.t TO readers")
        s.execute("GRANT readers TO alice")
        s.execute("DROP ROLE cassandra")  # stays dropped: roles exist
    with cql.connect(path, user="alice", password="pw") as alice:
        assert list(alice.execute("SELECT k FROM ks.t")) == []
        with pytest.raises(Unauthorized, match="no MODIFY permission on <table ks.t>"):
            alice.execute("INSERT INTO ks.t (k) VALUES (1)")
    with cql.connect(path) as s:
        assert [r.role for r in s.execute("LIST ROLES")] == ["alice", "readers"]


def test_connect_creates_the_default_superuser_without_the_planner():
    """connect() writes cassandra/cassandra straight to system_auth.roles: no statement is
    parsed or planned (the planner, every dml/ddl module and numpy load with the first use),
    and the row is the one CQL would have written."""
    import subprocess
    import sys
    code = (
        "import sys, cql\n"
        "s = cql.connect(':memory:')\n"
        "print(sorted(m for m in ('cql.planner', 'cql.dml.select', 'numpy', 'ssl') if m in sys.modules))\n"
        "print(list(s.execute('SELECT role, can_login, is_superuser, member_of FROM system_auth.roles')))\n"
        "print([r.role for r in s.execute('LIST ROLES')])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["[]", "[Row(role='cassandra', can_login=True, is_superuser=True, member_of=None)]",
                   "['cassandra']"]
