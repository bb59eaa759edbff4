"""Runs the CQL grammar: a lexer and an LALR(1) driver over tables that Lark computed.

Lark is only needed to *build* the tables (see ``grammar.build_tables``); they ship as
plain JSON data beside the grammar (``cql_tables.json``), so a process that parses CQL neither imports Lark nor rebuilds its
per-state lexers, and each statement avoids Lark's per-reduction overheads (callback
lookup by Rule object, wrapper calls for unit rules). Tree shaping follows Lark's rules
exactly: anonymous tokens are dropped, ``[x]`` yields None when absent, ``?rule`` with one
child is inlined, and ``_rule`` / repetition helper rules are spliced into their parent.

The lexer works like Cassandra's ANTLR lexer: one longest-alternative regular expression,
keywords recognised by looking identifiers up in a table (so a keyword is always a keyword
token and the grammar accepts unreserved ones where identifiers are allowed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TABLES_FORMAT = 2


class Token:
    """A lexed token: ``type`` is the grammar's terminal name, ``value`` the source text."""

    __slots__ = ("end_pos", "start_pos", "type", "value")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class GrammarSyntaxError(Exception):
    """Base of the errors the driver raises for bad input."""


class UnexpectedToken(GrammarSyntaxError):
    """``token`` cannot follow; ``expected`` is the set of terminals that could have."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected {token.type} {token.value!r} at {token.start_pos}")
        self.token = token
        self.expected = expected


class UnexpectedCharacter(GrammarSyntaxError):
    """No terminal matches the text at ``pos``."""

    def __init__(self, text: str, pos: int) -> None:
        super().__init__(f"unexpected character {text[pos:pos + 1]!r} at {pos}")
        self.text = text
        self.pos = pos


class _Splice(list):
    """Children of a ``_rule`` / repetition rule, to be spliced into the parent's."""

    __slots__ = ()


def _splice(children: list) -> _Splice:
    return _Splice(children)


def _never(children: list) -> Any:  # pragma: no cover - guarded by the caller
    raise AssertionError("inlined rule produced several children")


def _make_callback(function: Callable, spec: tuple, expand1: bool, size: int) -> Callable:
    """Wrap ``function(children)`` with the child filtering Lark would apply."""
    include, trailing_nones = spec
    plain = trailing_nones == 0 and all(not e and not n for _, e, n in include)
    if plain:
        indices = tuple(i for i, _, _ in include)
        if indices == tuple(range(size)):
            select = None
        elif len(indices) == 1:
            (only,) = indices

            def select(children, only=only):
                return [children[only]]
        else:
            def select(children, indices=indices):
                return [children[i] for i in indices]
    else:
        def select(children, include=include, trailing=trailing_nones):
            out: list = []
            for i, expand, nones in include:
                if nones:
                    out.extend([None] * nones)
                if expand:
                    out.extend(children[i])
                else:
                    out.append(children[i])
            if trailing:
                out.extend([None] * trailing)
            return out

    if expand1:
        if select is None:
            def callback(children, f=function):
                return children[0] if len(children) == 1 else f(children)
        else:
            def callback(children, f=function, select=select):
                kept = select(children)
                return kept[0] if len(kept) == 1 else f(kept)
        return callback
    if select is None:
        return function

    def callback(children, f=function, select=select):
        return f(select(children))
    return callback


class Parser:
    """Parses text into whatever ``transformer``'s methods return (one per rule/alias)."""

    def __init__(self, tables: dict, transformer: Any, start: str = "start") -> None:
        if tables.get("format") != TABLES_FORMAT:
            raise ValueError("grammar tables have an unknown format")
        self._states: dict[int, dict[str, int]] = tables["states"]
        self._start = tables["start_states"][start]
        self._end = tables["end_states"][start]
        self.terminal_strings: dict[str, str] = tables["terminal_strings"]
        lexer = tables["lexer"]
        self._regex = re.compile(lexer["regex"], lexer["flags"])
        self._keywords: dict[str, str] = lexer["keywords"]
        self._punctuation: dict[str, str] = lexer["punctuation"]
        self._ignore = frozenset(lexer["ignore"]) | {"_END"}
        # terminals whose tokens some rule keeps; the others are never looked at
        self._kept = frozenset(tables["kept_terminals"])
        rules = []
        missing = []
        for size, origin, name, spec, expand1, unit in tables["rules"]:
            if unit:
                rules.append((size, origin, None))
                continue
            if name.startswith("_"):
                function = _splice
            else:
                function = getattr(transformer, name, None)
                if function is None:
                    if expand1 and len(spec[0]) == 1 and not spec[1] and not spec[0][0][2]:
                        function = _never  # ?rule that always has exactly one child
                    else:
                        missing.append(name)
                        continue
            rules.append((size, origin, _make_callback(function, spec, expand1, size)))
        if missing:
            raise TypeError(f"transformer lacks callbacks for: {sorted(set(missing))}")
        self._rules = rules

    # ------------------------------------------------------------------ errors
    def accepts(self, state_stack: list[int]) -> set[str]:
        """Terminals that can really follow: LALR lookaheads of reductions can be spurious,
        so the reductions are replayed to see which terminals end in a shift."""
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
            size = rules[~action][0]
            if size:
                del stack[-size:]
            stack.append(states[stack[-1]][rules[~action][1]])
            if sym == "$END" and stack[-1] == self._end:
                return True

    # ------------------------------------------------------------------ lexing
    def tokens(self, text: str) -> list[Token]:
        """All tokens of ``text`` (comments and whitespace dropped)."""
        out = []
        match = self._regex.match
        keywords, punctuation, ignore = self._keywords, self._punctuation, self._ignore
        pos, size = 0, len(text)
        while pos < size:
            m = match(text, pos)
            if m is None:
                if not text[pos:].strip(" \t\r\n"):
                    break
                raise UnexpectedCharacter(text, self._skip_space(text, pos))
            kind = m.lastgroup
            end = m.end()
            if kind not in ignore:
                value = m.group(kind)
                if kind == "IDENT":
                    kind = keywords.get(value.lower(), "IDENT")
                elif kind == "_PUNCT":
                    kind = punctuation[value]
                out.append(Token(kind, value, end - len(value), end))
            pos = end
        return out

    # ------------------------------------------------------------------ parsing
    def parse(self, text: str) -> Any:
        states, rules, end_state = self._states, self._rules, self._end
        match = self._regex.match
        keywords, punctuation, ignore = self._keywords, self._punctuation, self._ignore
        kept = self._kept
        state_stack = [self._start]
        value_stack: list = []
        push_state, push_value = state_stack.append, value_stack.append
        pos, size_text = 0, len(text)
        kind, value, start = "$END", "", 0
        while True:
            # ---- next token (the regex also eats the whitespace before it)
            if pos < size_text:
                m = match(text, pos)
                if m is None:
                    raise UnexpectedCharacter(text, self._skip_space(text, pos))
                kind = m.lastgroup
                new_pos = m.end()
                if kind in ignore:
                    pos = new_pos
                    continue
                value = m.group(kind)
                start = new_pos - len(value)
                if kind == "IDENT":
                    kind = keywords.get(value.lower(), "IDENT")
                elif kind == "_PUNCT":
                    kind = punctuation[value]
                    if kind == "MINUS" and new_pos < size_text and text[new_pos].isdigit():
                        joined = self._signed_number(text, start, new_pos, state_stack)
                        if joined is not None:
                            kind, new_pos = joined
                            value = text[start:new_pos]
                pos = new_pos
                token = Token(kind, value, start, new_pos) if kind in kept else None
            else:
                start, kind, value, token = start + len(value), "$END", "", None
            # ---- feed it: reduce as long as needed, then shift
            while True:
                action = states[state_stack[-1]].get(kind)
                if action is None:
                    raise UnexpectedToken(Token(kind, value, start, start + len(value)),
                                          self.accepts(state_stack))
                if action >= 0:
                    push_state(action)
                    push_value(token)
                    break
                size, origin, callback = rules[~action]
                if callback is None:  # unit rule: the value stays, only the state changes
                    del state_stack[-1]
                else:
                    if size:
                        children = value_stack[-size:]
                        del value_stack[-size:]
                        del state_stack[-size:]
                    else:
                        children = []
                    push_value(callback(children))
                push_state(states[state_stack[-1]][origin])
                if kind == "$END" and state_stack[-1] == end_state:
                    return value_stack[-1]

    def _signed_number(self, text: str, minus: int, pos: int,
                       state_stack: list[int]) -> tuple[str, int] | None:
        """Cassandra's lexer reads a '-' directly followed by a number as one signed INTEGER,
        FLOAT or DURATION token. Where the grammar takes both a '-' and that number (an operand
        position), '-' then the number means the same; elsewhere ('1y-2mo' after a term,
        'vector<float, -18>') the joined token is what the parser sees: (kind, end) or None.
        Cassandra's grammar has one production for such a token after a term: the counter
        update 'c = c -1' (cident INTEGER), which stays '-' then the number here."""
        m = self._regex.match(text, pos)
        kind = m.lastgroup if m is not None else None
        if kind not in ("INTEGER", "FLOAT_LIT", "DURATION_LIT"):
            return None
        takes_minus = self._shifts(list(state_stack), "MINUS")
        if takes_minus and self._shifts(list(state_stack), kind):
            return None
        if takes_minus and kind == "INTEGER" and self._after_column_assignment(text[:minus]):
            return None
        return kind, m.end()

    def _after_column_assignment(self, before: str) -> bool:
        """Whether ``before`` ends with 'name = name' (Cassandra's 'c = c -1')."""
        try:
            last = self.tokens(before)[-3:]
        except GrammarSyntaxError:
            return False
        def is_name(t: Token) -> bool:  # an identifier or an unreserved keyword
            return (t.type in ("IDENT", "QUOTED_NAME")
                    or (t.value.isalpha() and t.type not in ("TRUE", "FALSE", "NULL", "NAN",
                                                             "INFINITY")))
        return (len(last) == 3 and last[1].type == "EQUAL"
                and is_name(last[0]) and is_name(last[2]))

    @staticmethod
    def _skip_space(text: str, pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos


# ---------------------------------------------------------------------- table building


def tables_from_lark(lark: Any, start: str = "start") -> dict:
    """Extract plain-data tables from a Lark LALR parser (built with any lexer)."""
    from lark.parsers.lalr_analysis import Shift

    frontend = lark.parser
    table = frontend.parser.parser.parse_table
    lexer_conf = frontend.lexer_conf
    rule_index: dict = {}
    rules: list = []
    states: dict[int, dict[str, int]] = {}
    for state, actions in table.states.items():
        row = {}
        for symbol, (action, arg) in actions.items():
            symbol = str(symbol)
            if action is Shift:
                row[symbol] = arg
            else:
                index = rule_index.get(arg)
                if index is None:
                    index = rule_index[arg] = len(rules)
                    rules.append(_rule_entry(arg, lark.options.maybe_placeholders))
                row[symbol] = ~index
        states[state] = row
    return canonical({
        "format": TABLES_FORMAT,
        "states": states,
        "rules": rules,
        "start_states": {str(k): v for k, v in table.start_states.items()},
        "end_states": {str(k): v for k, v in table.end_states.items()},
        "lexer": _lexer_spec(lexer_conf),
        "kept_terminals": sorted({str(sym.name) for rule in rule_index for i, sym in
                                  enumerate(rule.expansion) if sym.is_term and
                                  (rule.options.keep_all_tokens or not sym.filter_out)}),
        "terminal_strings": {str(t.name): str(t.pattern.value) for t in lexer_conf.terminals
                             if t.pattern.type == "str"},
    })


def canonical(tables: dict) -> dict:
    """The same automaton with states and rules numbered independently of hash order.

    Lark numbers LALR states and meets rules in set-iteration order, which changes with
    PYTHONHASHSEED. Renumbering states breadth-first from the start states (symbols in
    sorted order) and rules by first use in that walk gives one numbering per grammar, so
    shipped tables can be compared with freshly built ones for equality.
    """
    old_states: dict[int, dict[str, int]] = tables["states"]
    old_rules: list = tables["rules"]
    order: dict[int, int] = {}
    queue: list[int] = []
    for name in sorted(tables["start_states"]):
        queue.append(tables["start_states"][name])
    head = 0
    while head < len(queue):
        state = queue[head]
        head += 1
        if state in order:
            continue
        order[state] = len(order)
        row = old_states[state]
        queue.extend(row[sym] for sym in sorted(row) if row[sym] >= 0)
    for state in sorted(old_states):  # unreachable states (none in an LALR automaton)
        if state not in order:
            order[state] = len(order)
    rule_order: dict[int, int] = {}
    states: dict[int, dict[str, int]] = {}
    for state, new in sorted(order.items(), key=lambda item: item[1]):
        row = {}
        for sym in sorted(old_states[state]):
            action = old_states[state][sym]
            if action >= 0:
                row[sym] = order[action]
            else:
                rule = rule_order.setdefault(~action, len(rule_order))
                row[sym] = ~rule
        states[new] = row
    rules = [None] * len(rule_order)
    for old, new in rule_order.items():
        rules[new] = old_rules[old]
    return {
        **tables,
        "states": states,
        "rules": rules,
        "start_states": {k: order[v] for k, v in sorted(tables["start_states"].items())},
        "end_states": {k: order[v] for k, v in sorted(tables["end_states"].items())},
    }


def tables_to_data(tables: dict) -> dict:
    """Tables as JSON-compatible data (states as a list indexed by state number)."""
    states = tables["states"]
    assert sorted(states) == list(range(len(states))), "tables are not canonical"
    return {**tables, "states": [states[i] for i in range(len(states))],
            "rules": [[size, origin, name, [[list(i) for i in spec[0]], spec[1]], expand1,
                       unit] for size, origin, name, spec, expand1, unit in tables["rules"]]}


def tables_from_data(data: dict) -> dict:
    """The inverse of :func:`tables_to_data`, validating shapes (it reads a file)."""
    if not isinstance(data, dict) or data.get("format") != TABLES_FORMAT:
        raise ValueError("grammar tables have an unknown format")
    states = {i: {str(k): int(v) for k, v in row.items()}
              for i, row in enumerate(data["states"])}
    rules = [(int(size), str(origin), str(name),
              (tuple((int(i), bool(e), int(n)) for i, e, n in spec[0]), int(spec[1])),
              bool(expand1), bool(unit))
             for size, origin, name, spec, expand1, unit in data["rules"]]
    lexer = data["lexer"]
    return {
        "format": TABLES_FORMAT,
        "states": states,
        "rules": rules,
        "start_states": {str(k): int(v) for k, v in data["start_states"].items()},
        "end_states": {str(k): int(v) for k, v in data["end_states"].items()},
        "lexer": {"regex": str(lexer["regex"]), "flags": int(lexer["flags"]),
                  "keywords": {str(k): str(v) for k, v in lexer["keywords"].items()},
                  "punctuation": {str(k): str(v) for k, v in lexer["punctuation"].items()},
                  "ignore": [str(x) for x in lexer["ignore"]]},
        "kept_terminals": [str(x) for x in data["kept_terminals"]],
        "terminal_strings": {str(k): str(v) for k, v in data["terminal_strings"].items()},
    }


def _rule_entry(rule: Any, maybe_placeholders: bool) -> tuple:
    """(size, goto symbol, callback name, filter spec, expand1, pure unit rule)."""
    options = rule.options
    expansion = rule.expansion
    size = len(expansion)
    empty = options.empty_indices if maybe_placeholders else None
    if empty:
        counts = [len(ones) for ones in "".join(str(int(b)) for b in empty).split("0")]
    else:
        counts = [0] * (size + 1)
    include = []
    nones = 0
    for i, sym in enumerate(expansion):
        nones += counts[i]
        if options.keep_all_tokens or not (sym.is_term and sym.filter_out):
            include.append((i, (not sym.is_term) and sym.name.startswith("_"), nones))
            nones = 0
    trailing = nones + counts[size]
    expand1 = bool(options.expand1 and not rule.alias)
    name = str(rule.alias or options.template_source or rule.origin.name)
    unit = (expand1 and size == 1 and not empty and len(include) == 1
            and not include[0][1])
    return (size, str(rule.origin.name), name, (tuple(include), trailing), expand1, unit)


def _lexer_spec(lexer_conf: Any) -> dict:
    keywords: dict[str, str] = {}
    punctuation: dict[str, str] = {}
    regexps = []
    for term in lexer_conf.terminals:
        pattern = term.pattern
        if pattern.type == "str":
            if pattern.value[:1].isalpha():
                keywords[str(pattern.value).lower()] = str(term.name)
            else:
                punctuation[str(pattern.value)] = str(term.name)
        else:
            regexps.append(term)
    # Lark's own precedence: priority, then longest pattern
    regexps.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value),
                                t.name))
    parts = [f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in regexps]
    if punctuation:
        ops = sorted(punctuation, key=len, reverse=True)
        parts.append("(?P<_PUNCT>" + "|".join(re.escape(o) for o in ops) + ")")
    return {
        # leading whitespace is consumed with the token; trailing whitespace (nothing left
        # to match) matches the empty _END group
        "regex": "[ \t\r\n]*(?:" + "|".join(parts) + "|(?P<_END>\\Z))",
        "flags": lexer_conf.g_regex_flags,
        "keywords": keywords,
        "punctuation": punctuation,
        "ignore": sorted(str(name) for name in lexer_conf.ignore),
    }
