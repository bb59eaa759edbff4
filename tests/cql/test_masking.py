"""Dynamic data masking (CEP-20): the switch, persistence, masked reads by role."""

from __future__ import annotations

import itertools

import pytest

import cql

_names = itertools.count()


def _memory(**options):
    return cql.connect(f":memory:ddm{next(_names)}", **options)


def _setup(s):
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("USE ks")


def test_masking_is_off_by_default():
    s = cql.connect(":memory:")
    _setup(s)
    with pytest.raises(cql.InvalidRequest, match="dynamic data masking is not enabled"):
        s.execute("CREATE TABLE t (k int PRIMARY KEY, v text MASKED WITH DEFAULT)")
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    with pytest.raises(cql.InvalidRequest, match="dynamic data masking is not enabled"):
        s.execute("ALTER TABLE t ALTER v MASKED WITH DEFAULT")
    with pytest.raises(ValueError):
        cql.connect(":memory:", dynamic_data_masking_enabled="yes")


def test_masks_are_stored_described_and_restored(tmp_path):
    s = cql.connect(str(tmp_path), dynamic_data_masking_enabled=True)
    _setup(s)
    s.execute("CREATE TABLE t (k int, c text MASKED WITH mask_inner(1, 2, '#'), "
              "v int MASKED WITH mask_replace(7), PRIMARY KEY (k, c))")
    s.execute("ALTER TABLE t ALTER v DROP MASKED")
    s.execute("ALTER TABLE t ADD w text MASKED WITH DEFAULT")
    s.close()
    s = cql.connect(str(tmp_path), "ks", dynamic_data_masking_enabled=True)
    rows = list(s.execute("SELECT column_name, function_name, function_argument_types, "
                          "function_argument_values FROM system_schema.column_masks "
                          "WHERE keyspace_name = 'ks' AND table_name = 't'"))
    assert [tuple(r) for r in rows] == [
        ("c", "mask_inner", ["int", "int", "text"], ["1", "2", "#"]),
        ("w", "mask_default", None, None)]
    text = s.execute("DESCRIBE TABLE t").one()[3]
    assert "c text MASKED WITH system.mask_inner(1, 2, '#')" in text
    assert "w text MASKED WITH system.mask_default()" in text
    s.close()


def test_null_mask_arguments_survive_a_reopen(tmp_path):
    """system_schema.column_masks holds null elements; after a reopen its built-in metadata
    (not the published rows) must still allow them."""
    s = cql.connect(str(tmp_path), dynamic_data_masking_enabled=True)
    _setup(s)
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v text MASKED WITH mask_inner(null, null))")
    s.execute("INSERT INTO t (k, v) VALUES (1, 'abcdef')")
    s.close()
    s = cql.connect(str(tmp_path), "ks", dynamic_data_masking_enabled=True)
    rows = s.execute("SELECT function_argument_values FROM system_schema.column_masks "
                     "WHERE keyspace_name = 'ks' AND table_name = 't'")
    assert [tuple(r) for r in rows] == [([None, None],)]
    assert [tuple(r) for r in s.execute("SELECT v FROM t")] == [("abcdef",)]  # superuser: UNMASK
    s.close()


def test_masked_reads_for_a_role_without_unmask():
    name = f":memory:ddm{next(_names)}"
    admin = cql.connect(name, dynamic_data_masking_enabled=True)
    _setup(admin)
    admin.execute("CREATE TABLE t (k int, c text MASKED WITH mask_inner(1, 1), s int static "
                  "MASKED WITH DEFAULT, v text MASKED WITH mask_replace('redacted'), "
                  "l list<int> MASKED WITH mask_null(), PRIMARY KEY (k, c))")
    admin.execute("INSERT INTO t (k, c, s, v, l) VALUES (1, 'abcd', 5, 'secret', [1])")
    admin.execute("CREATE ROLE reader WITH PASSWORD = 'pw' AND LOGIN = true")
    admin.execute("GRANT SELECT ON KEYSPACE ks TO reader")
    # the trusted embedded session reads clear values
    assert tuple(admin.execute("SELECT c, s, v, l FROM t").one()) == ("abcd", 5, "secret", [1])
    reader = cql.connect(name, "ks", user="reader", password="pw")
    assert tuple(reader.execute("SELECT c, s, v, l FROM t").one()) == ("a**d", 0, "redacted",
                                                                        None)
    # functions see the masked value; WHERE on a masked column needs SELECT_MASKED or UNMASK
    assert reader.execute("SELECT mask_inner(v, 1, 1) FROM t").one()[0] == "r******d"
    with pytest.raises(cql.Unauthorized, match=r"User reader has no UNMASK nor SELECT_MASKED "
                       r"permission on table ks\.t, cannot query masked columns \[c\]"):
        reader.execute("SELECT * FROM t WHERE k = 1 AND c = 'abcd'")
    admin.execute("GRANT SELECT_MASKED ON TABLE ks.t TO reader")
    row = reader.execute("SELECT c FROM t WHERE k = 1 AND c = 'abcd'").one()
    assert row[0] == "a**d"
    admin.execute("GRANT UNMASK ON TABLE ks.t TO reader")
    assert tuple(reader.execute("SELECT c, s, v FROM t").one()) == ("abcd", 5, "secret")


def test_masked_reads_need_the_switch():
    name = f":memory:ddm{next(_names)}"
    admin = cql.connect(name)
    _setup(admin)
    admin.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    admin.execute("INSERT INTO t (k, v) VALUES (1, 'x')")
    admin.execute("CREATE ROLE r WITH PASSWORD = 'pw' AND LOGIN = true")
    admin.execute("GRANT SELECT ON KEYSPACE ks TO r")
    reader = cql.connect(name, "ks", user="r", password="pw")
    assert reader.execute("SELECT v FROM t").one()[0] == "x"
