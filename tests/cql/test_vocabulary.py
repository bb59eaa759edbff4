"""cql.vocabulary is the one list of CQL's words: the grammar and the types agree with it."""

from __future__ import annotations

import re

import pytest

from cassalite import grammar
from cql import vocabulary
from cql.types.native import NATIVE_TYPES


def _grammar_keywords() -> set[str]:
    return set(re.findall(r'"([a-z_][a-z0-9_]*)"i', grammar.CQL_GRAMMAR.read_text("utf-8")))


def test_every_keyword_is_a_grammar_keyword() -> None:
    words = _grammar_keywords()
    assert vocabulary.RESERVED_KEYWORDS <= words
    assert vocabulary.UNRESERVED_KEYWORDS <= words
    assert not vocabulary.RESERVED_KEYWORDS & vocabulary.UNRESERVED_KEYWORDS


def test_native_type_names_are_the_types() -> None:
    assert set(NATIVE_TYPES) == vocabulary.NATIVE_TYPE_NAMES


@pytest.mark.parametrize(("name", "quoted"), [
    ("ks", "ks"), ("my_table1", "my_table1"), ("select", '"select"'), ("Mixed", '"Mixed"'),
    ("1abc", '"1abc"'), ('a"b', '"a""b"'), ("keys", "keys"), ("abc\n", '"abc\n"'), ("", '""'),
])
def test_quote_name(name: str, quoted: str) -> None:
    assert vocabulary.quote_name(name) == quoted
