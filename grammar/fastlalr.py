"""A lean LALR(1) driver over the tables and callbacks of a Lark LALR parser.

Lark's own driver looks each reduction's callback up by Rule object (hashing and comparing
rules on every reduce) and calls a wrapper even for unit rules (``?rule: other``). For CQL,
whose expression grammar has several precedence levels, that was most of the parse time.
This driver turns the tables into plain dicts of ints once, keeps unit rules as pure
stack operations, and lexes inline with the same regular expression as CqlLexer. It
raises Lark's UnexpectedToken / UnexpectedCharacters, so error handling is unchanged.
"""

from __future__ import annotations

from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from lark.lexer import Token
from lark.parsers.lalr_analysis import Shift

from grammar.lexer import CqlLexer

_new_token = Token._future_new


class FastLALR:
    """Parses text with the grammar, lexer and inline transformer of ``lark``."""

    def __init__(self, lark: Lark, start: str = "start") -> None:
        frontend = lark.parser
        lexer = frontend.lexer
        if not isinstance(lexer, CqlLexer):
            raise TypeError("FastLALR needs a Lark parser built with lexer=CqlLexer")
        inner = frontend.parser.parser
        table = inner.parse_table
        callbacks = inner.callbacks
        rule_index: dict = {}
        rules: list = []
        states: dict[int, dict[str, int]] = {}
        for state, actions in table.states.items():
            row = {}
            for symbol, (action, arg) in actions.items():
                if action is Shift:
                    row[symbol] = arg
                else:
                    index = rule_index.get(arg)
                    if index is None:
                        index = rule_index[arg] = len(rules)
                        rules.append(_rule_entry(arg, callbacks[arg]))
                    row[symbol] = ~index
            states[state] = row
        self._states = states
        self._rules = rules
        self._start = table.start_states[start]
        self._end = table.end_states[start]
        self._regex = lexer.regex
        self._keywords = lexer.keywords
        self._punctuation = lexer.punctuation
        self._ignore = lexer.ignore
        self._terminals_by_name = lexer.terminals_by_name

    def accepts(self, state_stack: list[int]) -> set[str]:
        """Terminals that can really follow (LALR tables can hold spurious lookaheads in
        reduce actions; this replays the reductions to see which ones end in a shift)."""
        states = self._states
        return {sym for sym in states[state_stack[-1]]
                if (sym.isupper() or sym == "$END") and self._shifts(list(state_stack), sym)}

    def _shifts(self, stack: list[int], sym: str) -> bool:
        states, rules = self._states, self._rules
        while True:
            action = states[stack[-1]].get(sym)
            if action is None:
                return False
            if action >= 0:
                return True
            size, origin, _ = rules[~action]
            if size:
                del stack[-size:]
            stack.append(states[stack[-1]][origin])
            if sym == "$END" and stack[-1] == self._end:
                return True

    def parse(self, text: str) -> Any:
        states, rules = self._states, self._rules
        match = self._regex.match
        keywords, punctuation, ignore = self._keywords, self._punctuation, self._ignore
        state_stack = [self._start]
        value_stack: list = []
        push_state, push_value = state_stack.append, value_stack.append
        pos, size_text = 0, len(text)
        token = None
        while True:
            # ---- next token
            if pos < size_text:
                m = match(text, pos)
                if m is None:
                    line = text.count("\n", 0, pos) + 1
                    column = pos - text.rfind("\n", 0, pos)
                    raise UnexpectedCharacters(text, pos, line, column,
                                               terminals_by_name=self._terminals_by_name)
                kind = m.lastgroup
                new_pos = m.end()
                if kind in ignore:
                    pos = new_pos
                    continue
                value = m.group()
                if kind == "IDENT":
                    kind = keywords.get(value.lower(), "IDENT")
                elif kind == "_PUNCT":
                    kind = punctuation[value]
                token = _new_token(kind, value, pos, None, None, None, None, new_pos)
                pos = new_pos
                is_end = False
            else:
                end_pos = token.end_pos if token is not None else 0
                token = _new_token("$END", "", end_pos, None, None, None, None, end_pos)
                kind = "$END"
                is_end = True
            # ---- feed it
            while True:
                state = state_stack[-1]
                action = states[state].get(kind)
                if action is None:
                    raise UnexpectedToken(token, self.accepts(state_stack),
                                          terminals_by_name=self._terminals_by_name)
                if action >= 0:
                    push_state(action)
                    push_value(token)
                    break
                size, origin, callback = rules[~action]
                if callback is None:  # unit rule: the value stays, only the state changes
                    del state_stack[-1]
                    push_state(states[state_stack[-1]][origin])
                else:
                    if size:
                        children = value_stack[-size:]
                        del value_stack[-size:]
                        del state_stack[-size:]
                    else:
                        children = []
                    push_value(callback(children))
                    push_state(states[state_stack[-1]][origin])
                if is_end and state_stack[-1] == self._end:
                    return value_stack[-1]


def _rule_entry(rule: Any, callback: Any) -> tuple[int, str, Any]:
    """(size, goto symbol, callback), callback None for pass-through unit rules."""
    size = len(rule.expansion)
    if size == 1 and rule.options.expand1 and not rule.alias and not rule.options.empty_indices:
        symbol = rule.expansion[0]
        if not (symbol.is_term and symbol.filter_out):
            return (1, rule.origin.name, None)
    return (size, rule.origin.name, callback)
