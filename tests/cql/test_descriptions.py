"""Trunk's COMMENT ON / SECURITY LABEL ON: storage, restarts, DESCRIBE, schema changes, and
the virtual tables that show them (system_views.schema_comments / schema_security_labels)."""

from __future__ import annotations

import pytest

import cql
from cql.errors import InvalidRequest

from .conftest import ks_session

COMMENTS = "SELECT * FROM system_views.schema_comments WHERE object_type = %s AND keyspace_name = 'ks'"
LABELS = ("SELECT * FROM system_views.schema_security_labels WHERE object_type = %s "
          "AND keyspace_name = 'ks'")

SETUP = (
    "CREATE TABLE t (k int PRIMARY KEY, v text)",
    "CREATE TYPE addr (street text, city text)",
    "COMMENT ON KEYSPACE ks IS 'the keyspace'",
    "SECURITY LABEL ON KEYSPACE ks IS 'KS'",
    "COMMENT ON TABLE t IS 'it''s a table'",
    "SECURITY LABEL FOR prov ON TABLE t IS 'TBL'",
    "COMMENT ON COLUMN t.v IS 'a value'",
    "SECURITY LABEL ON COLUMN ks.t.v IS 'PII'",
    "COMMENT ON TYPE addr IS 'an address'",
    "SECURITY LABEL ON TYPE ks.addr IS 'ADDR'",
    "COMMENT ON FIELD addr.street IS 'the street'",
    "SECURITY LABEL ON FIELD ks.addr.city IS 'CITY'",
)


def _state(s: cql.Session) -> dict:
    out = {}
    for kind in ("KEYSPACE", "TABLE", "COLUMN", "UDT", "FIELD"):
        out[kind] = ([tuple(r)[2:] for r in s.execute(COMMENTS, [kind])],
                     [tuple(r)[2:] for r in s.execute(LABELS, [kind])])
    return out


EXPECTED = {
    "KEYSPACE": ([("", "", "", "", "the keyspace")], [("", "", "", "", "KS")]),
    "TABLE": ([("t", "", "", "", "it's a table")], [("t", "", "", "", "TBL")]),
    "COLUMN": ([("t", "v", "", "", "a value")], [("t", "v", "", "", "PII")]),
    "UDT": ([("", "", "addr", "", "an address")], [("", "", "addr", "", "ADDR")]),
    "FIELD": ([("", "", "addr", "street", "the street")], [("", "", "addr", "city", "CITY")]),
}


def test_set_read_back_and_survive_a_restart(tmp_path):
    path = str(tmp_path / "db")
    with ks_session(*SETUP, path=path) as s:
        assert _state(s) == EXPECTED
        # COMMENT ON TABLE is the table's comment option
        assert s.execute("SELECT comment FROM system_schema.tables WHERE keyspace_name = 'ks' "
                         "AND table_name = 't'").one().comment == "it's a table"
    with cql.connect(path) as s:
        assert _state(s) == EXPECTED


def test_is_null_removes_and_drops_forget(tmp_path):
    path = str(tmp_path / "db")
    with ks_session(*SETUP, path=path) as s:
        s.execute("COMMENT ON COLUMN t.v IS NULL")
        s.execute("SECURITY LABEL ON FIELD addr.city IS NULL")
        state = _state(s)
        assert state["COLUMN"] == ([], EXPECTED["COLUMN"][1])
        assert state["FIELD"] == (EXPECTED["FIELD"][0], [])
        s.execute("DROP TABLE t")
        s.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
        s.execute("DROP TYPE addr")
        s.execute("CREATE TYPE addr (street text, city text)")
    with cql.connect(path) as s:
        state = _state(s)
        assert state["KEYSPACE"] == EXPECTED["KEYSPACE"]
        assert all(state[k] == ([], []) for k in ("TABLE", "COLUMN", "UDT", "FIELD"))


def test_alter_type_keeps_them_and_rename_moves_field_ones(session):
    for statement in SETUP:
        session.execute(statement)
    session.execute("ALTER TYPE addr ADD zip int")
    session.execute("ALTER TYPE addr RENAME street TO road")
    state = _state(session)
    assert state["UDT"] == EXPECTED["UDT"]
    assert state["FIELD"] == ([("", "", "addr", "road", "the street")],
                              [("", "", "addr", "city", "CITY")])


def test_describe_appends_the_statements(session):
    for statement in SETUP:
        session.execute(statement)
    ks = session.execute("DESCRIBE ONLY KEYSPACE ks").one().create_statement
    assert ks.endswith("durable_writes = true;\nCOMMENT ON KEYSPACE ks IS 'the keyspace';"
                       "\nSECURITY LABEL ON KEYSPACE ks IS 'KS';")
    table = session.execute("DESCRIBE TABLE t").one().create_statement
    assert "AND comment = 'it''s a table'" in table
    assert table.endswith("'99p';\nSECURITY LABEL ON TABLE ks.t IS 'TBL';"
                          "\nCOMMENT ON COLUMN ks.t.v IS 'a value';"
                          "\nSECURITY LABEL ON COLUMN ks.t.v IS 'PII';")
    udt = session.execute("DESCRIBE TYPE addr").one().create_statement
    assert udt == ("CREATE TYPE ks.addr (\n    street text,\n    city text\n);"
                   "\nCOMMENT ON TYPE ks.addr IS 'an address';"
                   "\nCOMMENT ON FIELD ks.addr.street IS 'the street';"
                   "\nSECURITY LABEL ON TYPE ks.addr IS 'ADDR';"
                   "\nSECURITY LABEL ON FIELD ks.addr.city IS 'CITY';")


def test_provider_warning(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    rs = session.execute("SECURITY LABEL FOR p ON TABLE t IS 'X'")
    assert rs.warnings == ["Provider functionality not implemented. Provider 'p' will not be "
                           "loaded or invoked."]


@pytest.mark.parametrize("statement, message", [
    ("COMMENT ON TABLE t IS ''", "Cannot set comment to empty string"),
    ("SECURITY LABEL ON TABLE t IS ''", "Cannot set security label to empty string"),
    ("COMMENT ON TABLE t IS '" + "a" * 129 + "'",
     "comment length (129) exceeds maximum allowed length (128)"),
    ("SECURITY LABEL ON COLUMN t.k IS '" + "a" * 49 + "'",
     "security label length (49) exceeds maximum allowed length (48)"),
    ("COMMENT ON COLUMN t.nope IS 'x'", "Column 'nope' doesn't exist in table 'ks.t'"),
    ("COMMENT ON TYPE nope IS 'x'", "Type 'ks.nope' doesn't exist"),
    ("COMMENT ON FIELD ks.nope.f IS 'x'", "Type 'ks.nope' doesn't exist"),
    ("COMMENT ON TABLE system_views.settings IS 'x'",
     "Virtual keyspace 'system_views' is not user-modifiable"),
    ("COMMENT ON KEYSPACE system IS 'x'", "System keyspace 'system' is not user-modifiable"),
])
def test_messages(session, statement, message):
    session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    with pytest.raises(InvalidRequest) as e:
        session.execute(statement)
    assert str(e.value) == message


def test_virtual_tables_are_read_only_and_described(session):
    for statement, message in [
        ("INSERT INTO system_views.settings (name, value) VALUES ('a', 'b')",
         "Modification is not supported by table system_views.settings"),
        ("DELETE FROM system_views.settings WHERE name = 'a'",
         "Modification is not supported by table system_views.settings"),
        ("TRUNCATE system_views.settings",
         "Truncation is not supported by table system_views.settings"),
    ]:
        with pytest.raises(InvalidRequest) as e:
            session.execute(statement)
        assert str(e.value) == message
    row = session.execute("DESCRIBE TABLE system_views.settings").one()
    assert row.create_statement == (
        "/*\nWarning: Table system_views.settings is a virtual table and cannot be recreated "
        "with CQL.\nStructure, for reference:\nVIRTUAL TABLE system_views.settings (\n"
        "    name text PRIMARY KEY,\n    value text\n) WITH comment = 'current settings';\n*/")
    names = [r.keyspace_name for r in session.execute("SELECT * FROM system_virtual_schema.keyspaces")]
    assert sorted(names) == ["system_views", "system_virtual_schema"]


def test_virtual_tables_filter_without_allow_filtering(session):
    rows = session.execute("SELECT column_name FROM system_virtual_schema.columns "
                           "WHERE table_name = 'settings'")
    assert [r.column_name for r in rows] == ["name", "value"]
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    session.execute("COMMENT ON COLUMN t.v IS 'x'")
    rows = session.execute("SELECT column_name FROM system_views.schema_comments "
                           "WHERE comment = 'x'")
    assert [r.column_name for r in rows] == ["v"]


@pytest.mark.parametrize("options, comment, label", [
    ("", "", ""), (" WITH COMMENTS", "c", ""), (" WITH SECURITY LABELS", "", "L"),
    (" WITH COMMENTS AND SECURITY LABELS AND INDEXES", "c", "L"),
])
def test_create_table_like_copies_them_on_request(session, options, comment, label):
    for statement in ("CREATE TABLE t (k int PRIMARY KEY, v text) WITH comment = 'tc'",
                      "COMMENT ON COLUMN t.v IS 'c'", "SECURITY LABEL ON COLUMN t.v IS 'L'",
                      "SECURITY LABEL ON TABLE t IS 'L'", "CREATE TABLE u LIKE t" + options):
        session.execute(statement)
    rows = {r.object_type: r.comment for r in session.execute(
        "SELECT * FROM system_views.schema_comments WHERE table_name = 'u'")}
    assert rows == {"TABLE": "tc", **({"COLUMN": comment} if comment else {})}
    labels = {r.object_type: r.security_label for r in session.execute(
        "SELECT * FROM system_views.schema_security_labels WHERE table_name = 'u'")}
    assert labels == ({"TABLE": label, "COLUMN": label} if label else {})
