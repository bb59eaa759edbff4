"""Tests of the conformance runner itself, on the sample files in ``selftest/``.

``Features``, ``Values`` and ``ByteOrdered`` use every format feature and must pass in every
mode; every case of ``Failing`` and ``FailingByteOrdered`` fails on purpose, and must be
reported with the expected headline (so a runner that stops detecting a wrong row, a wrong
message or an unexpected success fails here).
"""

from __future__ import annotations

import datetime
import decimal
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
try:
    from tests.conformance import runner as R
    from tests.conformance import update_known_failures as U
except ImportError:  # pytest without the repository root on sys.path
    sys.path.insert(0, str(HERE.parent.parent))
    from tests.conformance import runner as R
    from tests.conformance import update_known_failures as U

SELFTEST = HERE / "selftest"
PASSING_FILES = ["Features.cqlt", "Values.cqlt", "ByteOrdered.cqlt"]
FAILING_FILES = ["Failing.cqlt", "FailingByteOrdered.cqlt"]

# case id -> what the failure's headline must say
FAILING = {
    "Failing.wrongRow": "row 0: expected (1, 2), got (1, 1)",
    "Failing.missingRow": "expected 2 rows, got 1",
    "Failing.wrongOrder": "rows in a different order; row 0: expected (2,), got (1,)",
    "Failing.wrongUnordered": "expected row (3,) not found (in any order)",
    "Failing.wrongMessage": "wrong error message: expected 'InvalidRequest: this is not the "
                            "message', got 'InvalidRequest: Cannot execute this query",
    "Failing.wrongClass": "wrong error: expected SyntaxException, got InvalidRequest: ",
    "Failing.unexpectedSuccess": "expected error InvalidRequest, but the statement succeeded",
    "Failing.unexpectedSuccessInvalid": "expected error invalid (InvalidRequest / "
                                        "SyntaxException / ConfigurationException / "
                                        "AlreadyExists), but the statement succeeded",
    "Failing.unexpectedError": "unexpected error InvalidRequest: Undefined column name nope",
    "Failing.notEmpty": "expected no rows, got 1: (1, 1)",
    "Failing.wrongCount": "expected 2 rows, got 1",
    "Failing.wrongColumns": "columns differ: expected ['v', 'k'], got ['k', 'v']",
    "Failing.wrongApplied": "expected [applied] = false, got true",
    "Failing.floatOutsideTolerance": "row 0: expected (1.5001,), got (1.5,)",
    "Failing.decimalIsNotFloat": "row 0: expected (1.5,), got (dec('1.5'),)",
    "Failing.listIsNotSet": "row 0: expected ([1, 2],), got ({1, 2},)",
    "Failing.boolIsNotInt": "row 0: expected (1,), got (true,)",
    "Failing.wrongTimestamp": "expected (ts('2011-02-03 04:05:01'),), got "
                              "(ts('2011-02-03 04:05:00'),)",
    "Failing.wrongUdtField": "expected (udt(a=1),), got (udt(a=1, b='x'),)",
    "Failing.nullIsNotEmpty": "row 0: expected (null,), got ('',)",
    "FailingByteOrdered.orderInsidePartition": "rows in a different order",
}


def _cases(*names: str) -> list[R.Case]:
    return [c for n in names for c in R.parse_file(SELFTEST / n).cases]


PASSING_CASES = _cases(*PASSING_FILES)
FAILING_CASES = _cases(*FAILING_FILES)


@pytest.mark.parametrize("mode", ["memory", "lsm"])
@pytest.mark.parametrize("case", PASSING_CASES, ids=[c.id for c in PASSING_CASES])
def test_sample_passes(case, mode):
    outcome = R.run_case(case, mode)
    assert outcome.passed, outcome.message


@pytest.mark.parametrize("mode", ["memory", "lsm"])
@pytest.mark.parametrize("case", FAILING_CASES, ids=[c.id for c in FAILING_CASES])
def test_sample_failure_is_detected(case, mode):
    outcome = R.run_case(case, mode)
    assert outcome.status == "fail", outcome.message
    assert FAILING[case.id] in outcome.first_line, outcome.message
    # The report names the case, the mode, the file:line and the statement.
    first = outcome.message.splitlines()[0]
    assert first.startswith(f"{case.id} [{mode}] statement ")
    assert f"{case.path}:{outcome.statement.line}" in first
    assert outcome.statement.text in outcome.message


def test_every_failing_sample_is_checked():
    assert {c.id for c in FAILING_CASES} == set(FAILING)


def test_server_mode():
    """The samples through cassalite-server and cassandra-driver (one server)."""
    pytest.importorskip("cassandra")
    try:
        for case in PASSING_CASES:
            outcome = R.run_case(case, "server")
            assert outcome.passed, outcome.message
        for case in FAILING_CASES:
            outcome = R.run_case(case, "server")
            assert outcome.status == "fail", outcome.message
            assert FAILING[case.id] in outcome.first_line, outcome.message
    finally:
        R.shutdown_server()


# ---- parsing -------------------------------------------------------------------------

def test_parse_features():
    cf = R.parse_file(SELFTEST / "Features.cqlt")
    assert cf.source == "tests/conformance/selftest/Features.cqlt"
    assert cf.partitioner == "murmur3"
    assert [s.id for s in cf.skips] == ["Features.testNotPortable", "Features.testChunked#3"]
    assert cf.skips[0].reason == "a skipped method and its reason"
    ids = [c.id for c in cf.cases]
    assert "Features.testChunked#2" in ids and "Features.testVariant[frozen]" in ids
    bind = next(c for c in cf.cases if c.name == "testBind")
    st = bind.statements[1]
    assert st.bind == ((0, 0, "a"), {})
    assert bind.statements[2].bind == ((), {"k": 0, "c": 1, "v": "b"})
    assert bind.statements[3].bind[0][2] is R.UNSET
    assert bind.statements[4].rows == [(0, "a"), (1, "b"), (2, None)]
    plain = next(c for c in cf.cases if c.name == "testPlainStatements")
    assert plain.statements[1].text == "INSERT INTO t (k, v) VALUES (1, 'one')"  # ';' dropped
    assert plain.statements[-1].columns == ["count", "system.max(k)"]
    storage = next(c for c in cf.cases if c.name == "testStorageSteps")
    assert [s.kind for s in storage.statements].count("flush") == 2
    assert R.parse_file(SELFTEST / "ByteOrdered.cqlt").partitioner == "byteordered"


@pytest.mark.parametrize("text, line, message", [
    ("case a\nSELECT 1\n  rowz (1)\n", 3, "unknown expectation 'rowz'"),
    ("case a\nSELECT 1\n  rows (foo(1))\n", 3, "unknown name 'foo'"),
    ("case a\nSELECT 1\n  rows (().__class__)\n", 3, "attribute access"),
    ("case a\nSELECT 1\n  rows (1,\n", 3, "not a valid value expression"),
    ("SELECT 1\n", 1, "statement outside a case"),
    ("case a\n  rows (1)\n", 2, "indented line after a case header"),
    ("case a\nflush\n  rows (1)\n", 3, "indented line after a storage step"),
    ("case a\ncase a\n", 2, "duplicate case 'X.a' (first at line 1)"),
    ("case a b\n", 1, "bad case line"),
    ("case a(b)\n", 1, "bad case name"),
    ("skip a\n", 1, "bad skip line"),
    ("skip a:\n", 1, "bad skip line"),
    ("case a\nSELECT 1\n  error InvalidReq: x\n", 3, "unknown error class 'InvalidReq'"),
    ("case a\nSELECT 1\n  error InvalidRequest\n  rows (1)\n", 4, "both an error and a result"),
    ("case a\nSELECT 1\n  count x\n", 3, "count takes a number"),
    ("case a\nSELECT 1\n  paging 0\n", 3, "paging takes a page size"),
    ("case a\nSELECT 1\n  applied maybe\n", 3, "applied takes true or false"),
    ("case a\nSELECT 1\n  bind 1\n  bind 2\n", 4, "two bind lines"),
    ("case a\nSELECT 1\n  bind 1, k=2\n", 3, "positional values or name=value"),
    ("case a\nSELECT 1\nrows (1)\n", 3, "must be indented"),
    ("case a\nflush now\n", 2, "storage steps take no arguments"),
    ("case a\nlogin alice\n", 2, "login <role> <password>"),
    ("case a\nlogout now\n", 2, "login <role> <password>"),
    ("case a\nlogin u p\n  rows (1)\n", 3, "indented line after a storage step"),
    ("# partitioner: random\ncase a\n", 1, "unknown partitioner"),
    ("case a\nSELECT 1\n\trows (1)\n", 3, "not tabs"),
])
def test_parse_errors_name_file_and_line(text, line, message):
    with pytest.raises(R.CorpusError) as info:
        R.parse_file("X.cqlt", text)
    assert info.value.line == line, str(info.value)
    assert message in info.value.message, str(info.value)
    assert str(info.value).startswith(f"X.cqlt:{line}: ")


def test_load_corpus_collects_errors(tmp_path):
    (tmp_path / "Good.cqlt").write_text("case a\nSELECT 1\n")
    (tmp_path / "Bad.cqlt").write_text("case a\nSELECT 1\n  nonsense\n")
    files, errors = R.load_corpus(tmp_path)
    assert [f.stem for f in files] == ["Good"]
    assert [(Path(e.path).name, e.line) for e in errors] == [("Bad.cqlt", 3)]


def test_continuation_lines_and_comments():
    cf = R.parse_file("X.cqlt", "case a\nSELECT 1\n  rows (1, 'a # not a comment'),  # comment\n"
                                "     (2, 'b')\n     (3, 'c'),\n")
    assert cf.cases[0].statements[0].rows == [(1, "a # not a comment"), (2, "b"), (3, "c")]


def test_error_message_is_verbatim():
    cf = R.parse_file("X.cqlt", "case a\nSELECT 1\n  error InvalidRequest: a: b 'c'   \n"
                                "SELECT 2\n  error InvalidRequestException\n")
    st = cf.cases[0].statements
    assert (st[0].error, st[0].error_message) == ("InvalidRequest", "a: b 'c'")
    assert (st[1].error, st[1].error_message) == ("InvalidRequest", None)


def test_rows_forms():
    assert R.evaluate_rows("(1, 2), (5), 3, (tup(1, 2)), ([1],)") == [
        (1, 2), (5,), (3,), (R.Tup((1, 2)),), ([1],)]
    assert R.evaluate_rows("*[(i, i * 2) for i in range(3)]") == [(0, 0), (1, 2), (2, 4)]
    assert R.evaluate_rows("") == []


# ---- values and comparison -----------------------------------------------------------

def test_value_constructors():
    ev = R.evaluate
    assert ev("ts('2011-02-03 04:05:00')") == R.Ts(1296705900000)
    assert ev("ts('2011-02-03T04:05:00.5+01:00')") == R.Ts(1296705900000 - 3600000 + 500)
    assert ev("ts('2011-02-03')") == R.Ts(1296691200000)
    assert ev("date('2011-02-03')") == R.DateV(15008)
    assert ev("date('-0001-01-01')").days < -719000
    assert ev("time('13:30:54.234')") == R.TimeV(48654234000000)
    assert ev("dur('1y2mo3w4d5h6m7s8ms9us10ns')") == R.Dur(
        14, 25, (((5 * 60 + 6) * 60 + 7) * 1000 + 8) * 1000000 + 9010)
    assert ev("dur('-P1DT1H')") == R.Dur(0, -1, -3600000000000)
    assert ev("dec('1.50')") == decimal.Decimal("1.50")
    assert ev("blob('0xcafe')") == ev("b'\\xca\\xfe'") == b"\xca\xfe"
    assert ev("inet('::0001')") == "::1"
    assert ev("uuid('550e8400-e29b-41d4-a716-446655440000')") == uuid.UUID(
        "550e8400-e29b-41d4-a716-446655440000")
    assert ev("udt(a=1, **{'B c': 2})") == R.Udt({"a": 1, "B c": 2})
    assert ev("{udt(a=1)}") == {R.Udt({"a": 1})}
    assert ev("set()") == R.ExpSet([])


def test_match_rules():
    m = R.match
    assert m(1, 1.0) and m(1.0, 1) and not m(1, True) and not m(True, 1)
    assert m(1.8333334, 1.8333333730697632)  # a float32 result, written as Java prints it
    assert not m(0.1, 0.1000001)  # a double: no float32 tolerance
    assert m(float("nan"), float("nan")) and not m(float("nan"), 1.0)
    assert m(decimal.Decimal("1.50"), decimal.Decimal("1.5"))
    assert not m(decimal.Decimal("1.5"), 1.5) and not m(1.5, decimal.Decimal("1.5"))
    assert m({}, set()) and m({}, {}) and m(R.ExpSet([]), set())
    assert not m({}, None) and not m(None, set())
    assert m([1, 2], (1, 2)) and m((1, 2), [1, 2])
    assert m(R.Tup((1, "a")), (1, "a", None)) and not m(R.Tup((1, "a")), (1, "a", 2))
    assert m({(1, 2)}, {(1, 2)}) and m(R.ExpSet([[1, 2]]), {(1, 2)})
    assert m({"a": 1.5}, {"a": 1.5}) and not m({"a": 1}, {"b": 1})
    assert m(R.Ts(0), datetime.datetime(1970, 1, 1)) and m(R.Ts(-1), -1)
    assert m(R.Ts(0), datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc))
    assert m(R.DateV(1), datetime.date(1970, 1, 2))
    assert m(R.TimeV(1000), datetime.time(0, 0, 0, 1))
    assert m(R.Inet("::1"), "0::1")


def test_match_cql_value_classes():
    types = pytest.importorskip("cql.types")
    assert R.match(R.DateV(-800000), types.Date(-800000))
    assert R.match(R.TimeV(5), types.Time(5))
    assert R.match(R.Dur(1, 2, 3), types.Duration(1, 2, 3))


def test_match_driver_value_classes():
    util = pytest.importorskip("cassandra.util")
    assert R.match({1, 2}, util.SortedSet([2, 1]))
    assert R.match({}, util.SortedSet())
    assert R.match({"a": 1}, util.OrderedMap([("a", 1)]))
    assert R.match(R.DateV(3), util.Date(3))
    assert R.match(R.TimeV(7), util.Time(7))
    assert R.match(R.Dur(1, 2, 3), util.Duration(1, 2, 3))
    from collections import namedtuple
    typ = namedtuple("typ1", ["a", "b"])
    assert R.match(R.Udt({"a": 1}), typ(1, None))
    assert not R.match(R.Udt({"a": 1}), typ(1, "x"))
    assert not R.match(R.Tup((1, None)), typ(1, None))


def test_fmt_is_the_value_syntax():
    row = (None, True, 1.5, decimal.Decimal("2.50"), b"\x01", datetime.datetime(2011, 2, 3, 4, 5),
           datetime.date(2011, 2, 3), R.TimeV(1), [1], (1, "a"), {"a": 1}, {2, 1}, "x")
    text = R.fmt_row(row)
    assert text == ("(null, true, 1.5, dec('2.50'), blob('0x01'), ts('2011-02-03 04:05:00'), "
                    "date('2011-02-03'), time('00:00:00.000000001'), [1], tup(1, 'a'), "
                    "{'a': 1}, {1, 2}, 'x')")
    assert R.evaluate_rows(text)[0][3] == decimal.Decimal("2.50")


# ---- running -------------------------------------------------------------------------

class _Stub:
    """A backend whose statements raise what the test says."""

    def __init__(self, exc):
        self.exc = exc

    def storage_step(self, kind):
        pass

    def execute(self, st):
        raise self.exc


def test_non_cql_exceptions_are_internal():
    cql = pytest.importorskip("cql")
    case = R.parse_file("X.cqlt", "case a\nSELECT 1\n  error InvalidRequest\n").cases[0]
    backend = R.CqlBackend.__new__(R.CqlBackend)
    backend.cql = cql
    err = backend.classify(AttributeError("'NoneType' object has no attribute 'x'"))
    assert err.kind == "internal"
    outcome = R.run_case(case, "memory", backend=_Stub(err))
    assert outcome.status == "internal"
    assert outcome.first_line.startswith("INTERNAL AttributeError: 'NoneType' object")
    assert backend.classify(cql.ServerError("boom")).kind == "internal"
    assert backend.classify(cql.InvalidRequest("no")).kind == "error"


def test_lsm_reopens_only_after_writes():
    case = R.parse_file("X.cqlt", """case a
CREATE TABLE t (k int PRIMARY KEY, v int)
SELECT * FROM t
INSERT INTO t (k, v) VALUES (1, 1)
SELECT * FROM t
  rows (1, 1)
SELECT * FROM t
  rows (1, 1)
INSERT INTO t (k, v) VALUES (2, 2)
INSERT INTO t (k, v) VALUES (3, 3)
UPDATE t SET v = 4 WHERE k = 3 IF v = 3
  applied true
SELECT v FROM t WHERE k = 3
  rows (4)
SELECT * FROM t WHERE k = 9
  rows (9, 9)
""").cases[0]
    outcome = R.run_case(case, "lsm")
    assert outcome.status == "fail"  # the last statement; everything before passed
    assert outcome.reopens == 4  # SELECT after CREATE, after INSERT, LWT, SELECT after LWT
    assert R.run_case(case, "memory").reopens == 0


@pytest.mark.parametrize("mode", ["memory", "lsm"])
def test_login_steps_run_statements_as_a_role(mode):
    case = R.parse_file("X.cqlt", """case a
CREATE TABLE t (k int PRIMARY KEY, v int)
INSERT INTO t (k, v) VALUES (1, 1)
CREATE ROLE alice WITH LOGIN = true AND PASSWORD = 'pw 1'
login alice 'pw 1'
SELECT * FROM t
  error Unauthorized: User alice has no SELECT permission on <table ks.t> or any of its parents
logout
GRANT SELECT ON t TO alice
login alice 'pw 1'
INSERT INTO t (k, v) VALUES (2, 2)
  error Unauthorized: User alice has no MODIFY permission on <table ks.t>
SELECT * FROM t
  rows (1, 1)
logout
INSERT INTO t (k, v) VALUES (2, 2)
SELECT * FROM t
  rows (1, 1), (2, 2)
""").cases[0]
    assert [s.kind for s in case.statements].count("login") == 2
    assert case.statements[3].user == "alice" and case.statements[3].password == "pw 1"
    outcome = R.run_case(case, mode)
    assert outcome.status == "pass", outcome.message


def test_statement_classification():
    assert R._is_read("SELECT * FROM t")
    assert R._is_read("  select * from t")
    assert R._is_read("UPDATE t SET v = 1 WHERE k = 0 IF EXISTS")
    assert R._is_read("DELETE l[1] FROM t WHERE k = 0")
    assert R._is_read("UPDATE t SET l = l - [1] WHERE k = 0")
    assert not R._is_read("UPDATE t SET v = 'IF' WHERE k = 0")
    assert not R._is_read("INSERT INTO t (k) VALUES (1)")
    assert not R._is_read("CREATE TABLE IF NOT EXISTS t (k int PRIMARY KEY)")
    assert R._is_read("CREATE INDEX ON t (v)")


def test_known_failures_format(tmp_path):
    p = tmp_path / "known_failures.txt"
    p.write_text("# header\n\nA.b: reason one\nA.c[x] [lsm]: r: with colon\n"
                 "A.d [memory, server]: two modes\n")
    kfs = R.parse_known_failures(p)
    assert [(k.case_id, k.modes, k.reason) for k in kfs] == [
        ("A.b", None, "reason one"), ("A.c[x]", ("lsm",), "r: with colon"),
        ("A.d", ("memory", "server"), "two modes")]
    idx = R.known_failure_index(kfs)
    assert set(idx) == {("A.b", "memory"), ("A.b", "lsm"), ("A.b", "server"),
                        ("A.c[x]", "lsm"), ("A.d", "memory"), ("A.d", "server")}
    p.write_text("A.b [disk]: x\n")
    with pytest.raises(R.CorpusError, match="unknown mode 'disk'"):
        R.parse_known_failures(p)


def test_known_failures_rendering():
    cf = R.parse_file("A.cqlt", "case b\nSELECT 1\ncase c\nSELECT 1\ncase d\nSELECT 1\n")
    failing = {("A.b", "memory"): "r1", ("A.b", "lsm"): "r1b", ("A.c", "lsm"): "r2"}
    for mode in R.planned_modes("A.b", R.MODES):
        failing.setdefault(("A.b", mode), "r1")
    text = U.render([cf], failing, "# h\n")
    assert text == "# h\n\nA.b: r1\nA.c [lsm]: r2\n"


def test_a_case_that_hangs_is_stopped():
    class Slow(_Stub):
        def execute(self, st):
            import time
            time.sleep(5)

    case = R.parse_file("X.cqlt", "case a\nSELECT 1\n").cases[0]
    outcome = R.run_case(case, "memory", backend=Slow(None), timeout=0.2)
    assert outcome.status == "internal"
    assert "CaseTimeout: the case did not finish in 0.2s" in outcome.first_line


def test_flaky_known_failures(tmp_path):
    p = tmp_path / "known_failures.txt"
    p.write_text("A.b [lsm]: flaky: sometimes too slow\nA.c: wrong\n")
    kfs = R.parse_known_failures(p)
    assert [k.flaky for k in kfs] == [True, False]


@pytest.mark.parametrize("text, days", [
    ("1970-01-01", 0), ("0000-01-01", -719528), ("-0001-12-31", -719529),
    ("-0399-03-01", -865200), ("-1306427-11-21", -477881867),  # java.time's toEpochDay
])
def test_date_literals_are_proleptic_gregorian(text, days):
    assert R._v_date(text) == R.DateV(days)
