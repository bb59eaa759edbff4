"""The runtime LALR driver parses exactly as Lark's own parser does.

``cassalite.grammar.runtime`` runs tables extracted from Lark's LALR analysis with its own
lexer and tree shaping (``tables_from_lark`` reads Lark internals). Over the grammar
fixtures, both must build the same parse tree (rule or alias names, kept tokens, ``None``
placeholders) and, for every prefix of a fixture cut at a token boundary, agree on whether
it parses at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from lark import Token as LarkToken
from lark import Tree
from lark.exceptions import LarkError

from cassalite import grammar
from cassalite.grammar.runtime import GrammarSyntaxError, Parser, Token

from .cql_cases import VALID


class _TreeBuilder:
    """A transformer for the runtime whose every callback builds a Lark-style Tree."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda children: Tree(name, children)


def _shape(node: Any) -> Any:
    if isinstance(node, Tree):
        return (str(node.data), [_shape(c) for c in node.children])
    if isinstance(node, (Token, LarkToken)):
        return (node.type, str(node.value))
    return node


def _parse(parser: Any, text: str) -> Any:
    try:
        return _shape(parser.parse(text))
    except (GrammarSyntaxError, LarkError):
        return "rejected"


@pytest.fixture(scope="module")
def parsers() -> tuple[Parser, Any]:
    return Parser(grammar.load_tables(), _TreeBuilder()), grammar.load_lark()


@pytest.mark.parametrize("text", VALID)
def test_same_tree_as_lark(parsers: tuple[Parser, Any], text: str) -> None:
    runtime, lark = parsers
    tree = _parse(runtime, text)
    assert tree != "rejected"
    assert tree == _parse(lark, text)


def test_prefixes_are_accepted_or_rejected_alike(parsers: tuple[Parser, Any]) -> None:
    runtime, lark = parsers
    differ = []
    for text in VALID:
        for token in runtime.tokens(text):
            prefix = text[:token.start_pos]
            if _parse(runtime, prefix) != _parse(lark, prefix):
                differ.append(prefix)
    assert differ == []
