"""The prepared shape of a simple statement written with literals.

``UPDATE t SET v = 3 WHERE k = 1 AND c = 'x'`` has the shape
``UPDATE t SET v = ? WHERE k = ? AND c = ?`` and the literals ``3, 1, 'x'``.
:func:`literal_shape` recognises only the plainest forms of INSERT, UPDATE, DELETE and
SELECT, with integer and quoted-string literals in value positions (``VALUES``, ``SET
col = v``, ``WHERE col = v AND ...``), and answers None for anything else (comments,
functions, collections, IN, ranges, LIMIT, USING, IF, quoted names ...): the caller then
parses the statement in full. Identifiers and keywords are copied from the text as
written, so the shape parses exactly as the statement would.
"""

from __future__ import annotations

import re

_IDENT = r"[A-Za-z][A-Za-z0-9_]*"
_TABLE = rf"{_IDENT}(?:\.{_IDENT})?"
#: an integer (not followed by a letter, digit, '.' or another sign) or a quoted string
#: without quotes inside
_LIT = r"(?:(-?[0-9]+)(?![\w.])|'([^']*)')"
_LITERAL = r"(?:-?[0-9]+(?![\w.])|'[^']*')"  # the same, capturing nothing
_FLAGS = re.IGNORECASE | re.DOTALL | re.ASCII

_INSERT = re.compile(
    rf"\s*INSERT\s+INTO\s+({_TABLE})\s*\(\s*({_IDENT}(?:\s*,\s*{_IDENT})*)\s*\)"
    r"\s*VALUES\s*\((.*)\)\s*;?\s*\Z", _FLAGS)
_VALUE = re.compile(rf"\s*{_LIT}\s*(,|\Z)", re.ASCII)
_EQ = rf"{_IDENT}\s*=\s*{_LITERAL}"
_UPDATE = re.compile(
    rf"\s*UPDATE\s+({_TABLE})\s+SET\s+({_EQ}(?:\s*,\s*{_EQ})*)"
    rf"\s+WHERE\s+({_EQ}(?:\s+AND\s+{_EQ})*)\s*;?\s*\Z", _FLAGS)
_DELETE = re.compile(
    rf"\s*DELETE\s+FROM\s+({_TABLE})\s+WHERE\s+({_EQ}(?:\s+AND\s+{_EQ})*)\s*;?\s*\Z", _FLAGS)
_SELECT = re.compile(
    rf"\s*SELECT\s+(\*|{_IDENT}(?:\s*,\s*{_IDENT})*)\s+FROM\s+({_TABLE})"
    rf"\s+WHERE\s+({_EQ}(?:\s+AND\s+{_EQ})*)\s*;?\s*\Z", _FLAGS)
_PAIR = re.compile(rf"({_IDENT})\s*=\s*{_LIT}", re.ASCII)

#: ('int', digits) or ('str', text) per literal, in order
Literal = tuple[str, str]


def _literal(m: re.Match, first: int) -> Literal:
    digits = m.group(first)
    return ("int", digits) if digits is not None else ("str", m.group(first + 1))


def _pairs(text: str) -> tuple[list[str], list[Literal]]:
    """The ``name = literal`` pairs of a SET list or a WHERE clause the statement pattern
    matched (a quoted string may contain ',', '=' or AND: the scan skips it whole)."""
    names, literals = [], []
    for m in _PAIR.finditer(text):
        names.append(m.group(1))
        literals.append(_literal(m, 2))
    return names, literals


def literal_shape(text: str) -> tuple[str, list[Literal]] | None:
    """``(shape with ? markers, literals)`` of a plain statement, or None."""
    head = text.lstrip()[:6].upper()
    if head == "INSERT":
        m = _INSERT.match(text)
        if m is None:
            return None
        table, columns, body = m.groups()
        literals: list[Literal] = []
        pos, end = 0, len(body)
        while True:
            lm = _VALUE.match(body, pos)
            if lm is None:
                return None
            literals.append(_literal(lm, 1))
            pos = lm.end()
            if not lm.group(3):  # the last literal (the pattern anchors it at the end)
                break
            if pos >= end:
                return None
        if columns.count(",") + 1 != len(literals):
            return None
        return (f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['?'] * len(literals))})",
                literals)
    if head == "UPDATE":
        m = _UPDATE.match(text)
        if m is None:
            return None
        table, sets, where = m.groups()
        set_names, set_lits = _pairs(sets)
        where_names, where_lits = _pairs(where)
        return (f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in set_names)} "
                f"WHERE {' AND '.join(f'{n} = ?' for n in where_names)}", set_lits + where_lits)
    if head == "DELETE":
        m = _DELETE.match(text)
        if m is None:
            return None
        names, lits = _pairs(m.group(2))
        return (f"DELETE FROM {m.group(1)} WHERE {' AND '.join(f'{n} = ?' for n in names)}",
                lits)
    if head == "SELECT":
        m = _SELECT.match(text)
        if m is None:
            return None
        names, lits = _pairs(m.group(3))
        return (f"SELECT {m.group(1)} FROM {m.group(2)} "
                f"WHERE {' AND '.join(f'{n} = ?' for n in names)}", lits)
    return None
