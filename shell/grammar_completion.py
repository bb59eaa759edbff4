"""What may come next in a CQL statement, read off the grammar's LALR tables.

The text before the cursor is lexed and fed to the same parse tables the engine uses
(``grammar.load_tables()``, driven here by a small loop that also records which grammar
symbol covers which tokens). At the cursor:

* the **keywords** offered are exactly the keyword terminals the parser can shift next
  (LALR lookaheads of reductions are replayed, so spurious ones are dropped); an unreserved
  keyword that would only be read as an identifier (``ident: unreserved_keyword``) is not
  offered as a keyword;
* when an identifier can come next, the **kind of name** comes from the nonterminals the
  parser state expects (``table_name``, ``ks_name``, ``cident``, ``type``,
  ``function_name``, ``property``...), from the rule an identifier would be reduced into
  (for ``ks.<name>``), or from a few rules keyed on the symbols already parsed (``ALTER TABLE
  t DROP``, ``PRIMARY KEY (a, ``, ``SFUNC``).

Nothing here knows the schema: :func:`analyse` returns a :class:`Context` that
``shell.completion`` turns into candidates. Parsing is per call (no state between calls);
the tables and per-state facts are cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

KEYSPACE, TABLE, COLUMN, TYPE, UDT, FUNCTION, OPTION = (
    "keyspace", "table", "column", "type", "udt", "function", "option")

# Nonterminals that stand for a kind of name when a state expects them.
_EXPECTED_KINDS = {
    "ks_name": KEYSPACE,
    "table_name": TABLE,
    "cident": COLUMN, "wt_target": COLUMN, "sel_base": COLUMN, "pk_partition": COLUMN,
    "clustering_item": COLUMN,
    "type": TYPE, "hint_type": TYPE,
    "udt_name": UDT,
    "function_name": FUNCTION, "sel_function_name": FUNCTION,
    "property": OPTION, "table_option": OPTION, "view_option": OPTION,
}
# Rules (by alias, then origin) an identifier can be reduced into, for `qualifier.<name>`
# and identifiers that end a rule (ALTER TABLE t DROP c).
_REDUCED_KINDS = {
    "table_name": TABLE, "ks_name": KEYSPACE, "cident": COLUMN, "sel_column": COLUMN,
    "at_drop": COLUMN, "udt_name": UDT, "named_type": TYPE, "qualified_type": TYPE,
    "function_name": FUNCTION, "sel_function_name": FUNCTION,
}
_TRANSPARENT = frozenset({"ident", "qualified_name", "unreserved_keyword"})
# A keyword reduced straight into one of these is being read as an identifier.
_AS_IDENTIFIER = frozenset({"basic_keyword", "other_keyword", "native_type"})
_NAME_TERMINALS = ("IDENT", "QUOTED_NAME")
_CREATED = {"table_kw": "table_name", "MATERIALIZED": "table_name", "keyspace_kw": "ks_name",
            "TYPE": "udt_name", "FUNCTION": "function_name", "AGGREGATE": "function_name",
            "OR": "function_name"}
_LITERAL_WORDS = {"TRUE": "true", "FALSE": "false"}


@dataclass
class Context:
    """What may follow the text before the cursor (see :func:`analyse`)."""

    fresh: bool = False              # at the start of a statement
    keywords: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)      # kinds of names that may follow
    qualifier: str | None = None     # the `ks` of `ks.<cursor>`
    table: tuple[str | None, str] | None = None      # (keyspace or None, table)
    defined_columns: list[str] = field(default_factory=list)  # CREATE TABLE so far
    statement: tuple[str, ...] = ()  # leading grammar symbols, e.g. ("CREATE", "table_kw")
    creating: bool = False           # the name being typed is the object being created
    star: bool = False               # "*" may start the selector list


class _Callbacks:
    """The runtime parser wants a transformer; completion only uses its lexer."""

    def __getattr__(self, name: str) -> Any:
        return _ignore


def _ignore(children: list) -> None:
    return None


def _name(token: Any) -> str:
    if token.type == "QUOTED_NAME":
        return token.value[1:-1].replace('""', '"')
    return token.value.lower()


class Engine:
    def __init__(self, tables: dict) -> None:
        from cassalite.grammar.runtime import Parser

        self.lexer = Parser(tables, _Callbacks())
        self.states: dict[int, dict[str, int]] = tables["states"]
        self.rules = [(r[0], r[1], r[2]) for r in tables["rules"]]
        self.start = tables["start_states"]["start"]
        self.end = tables["end_states"]["start"]
        self.keyword_text = {t: _LITERAL_WORDS.get(v.upper(), v.upper())
                             for t, v in tables["terminal_strings"].items()
                             if v[:1].isalpha()}
        self._real_keyword: dict[int, bool] = {}
        self.starters = sorted(self._keywords([self.start]))

    # ------------------------------------------------------------------ driving
    def _reduce(self, st: list, syms: list, spans: list, kind: str, index: int,
                defined: list | None = None) -> bool:
        """Reduce until ``kind`` can be shifted (True) or cannot be (False)."""
        states, rules = self.states, self.rules
        while True:
            action = states[st[-1]].get(kind)
            if action is None:
                return False
            if action >= 0:
                return True
            size, origin, _ = rules[~action]
            start = spans[-size] if size else index
            if size:
                del st[-size:], syms[-size:], spans[-size:]
            if defined is not None and origin == "column_def":
                defined.append(start)
            st.append(states[st[-1]][origin])
            syms.append(origin)
            spans.append(start)
            if kind == "$END" and st[-1] == self.end:
                return True

    def parse(self, tokens: list) -> tuple[list, list, list, list] | None:
        """Feed ``tokens``; a ``;`` that ends a statement (or follows one that failed)
        starts a new one, a ``;`` inside BEGIN BATCH is grammar. Returns the parser stacks
        (states, symbols, first token of each symbol) and the first tokens of the column
        definitions seen, or None if the last statement does not parse."""
        st, syms, spans, defined = [self.start], [""], [0], []
        failed = False
        for i, tok in enumerate(tokens):
            kind = tok.type
            if kind == "SEMICOLON" and (failed or self._reduce(
                    st[:], syms[:], spans[:], "$END", i) or not self._reduce(
                    st[:], syms[:], spans[:], kind, i)):
                st, syms, spans, defined = [self.start], [""], [i + 1], []
                failed = False
                continue
            if failed:
                continue
            if not self._reduce(st, syms, spans, kind, i, defined):
                failed = True
                continue
            st.append(self.states[st[-1]][kind])
            syms.append(kind)
            spans.append(i)
        return None if failed else (st, syms, spans, defined)

    # ------------------------------------------------------------------ keywords
    def _keywords(self, st: list) -> list[str]:
        """Keyword terminals that can be shifted next and are read as keywords there."""
        states, rules = self.states, self.rules
        out = []
        for term, action in states[st[-1]].items():
            text = self.keyword_text.get(term)
            if text is None:
                continue
            if action < 0:
                stack = st[:]
                if not self._reduce(stack, [None] * len(stack), [0] * len(stack), term, 0):
                    continue
                action = states[stack[-1]][term]
            real = self._real_keyword.get(action)
            if real is None:
                real = any(a >= 0 or rules[~a][1] not in _AS_IDENTIFIER
                           for sym, a in states[action].items()
                           if sym.isupper() or sym == "$END")
                self._real_keyword[action] = real
            if real:
                out.append(text)
        return out

    # ------------------------------------------------------------------ names
    def _probe(self, st: list, term: str) -> set[str]:
        """Kinds of the rules an identifier shifted now would be reduced into."""
        states, rules = self.states, self.rules
        after = states[st[-1]][term]
        kinds: set[str] = set()
        for look, action in states[after].items():
            if action >= 0 or not (look.isupper() or look == "$END"):
                continue
            stack = st + [after]
            while action is not None and action < 0:
                size, origin, name = rules[~action]
                kind = _REDUCED_KINDS.get(name) or _REDUCED_KINDS.get(origin)
                if kind:
                    kinds.add(kind)
                    break
                if origin not in _TRANSPARENT:
                    break
                if size:
                    del stack[-size:]
                stack.append(states[stack[-1]][origin])
                action = states[stack[-1]].get(look)
        return kinds

    def _name_kinds(self, st: list, syms: list, spans: list, tokens: list,
                    ctx: Context) -> None:
        n = len(tokens)
        for term in _NAME_TERMINALS:
            st2, syms2, spans2 = st[:], syms[:], spans[:]
            if self._reduce(st2, syms2, spans2, term, n):
                break
        else:
            return
        created = _CREATED.get(syms2[2]) if len(syms2) > 2 and syms2[1] == "CREATE" else None
        ctx.creating = created is not None and created not in syms2[3:]
        if syms2[-1] == "DOT" and syms2[-2] == "ident":
            ctx.qualifier = _name(tokens[spans2[-2]])
            ctx.kinds = self._probe(st2, term)
            return
        kinds = {_EXPECTED_KINDS[s] for s in self.states[st2[-1]] if s in _EXPECTED_KINDS}
        stmt = syms2[1:3]
        if "rename" in self.states[st2[-1]] and stmt == ["ALTER", "table_kw"]:
            kinds.add(COLUMN)
        if not kinds:
            top = syms2[-1]
            if top in ("SFUNC", "FINALFUNC"):
                kinds.add(FUNCTION)
            elif stmt == ["ALTER", "table_kw"] and "DROP" in syms2[3:] or _in_primary_key(syms2):
                kinds.add(COLUMN)
            else:
                kinds = self._probe(st2, term)
        ctx.kinds = kinds


def _in_primary_key(syms: list) -> bool:
    for i in range(len(syms) - 1, 0, -1):
        if syms[i] == "RPAR":
            return False
        if syms[i] == "PRIMARY":
            return syms[i + 1:i + 3] == ["KEY", "LPAR"]
    return False


def _table_of(syms: list, spans: list, tokens: list) -> tuple[str | None, str] | None:
    for j in range(len(syms) - 1, 0, -1):
        if syms[j] == "table_name":
            end = spans[j + 1] if j + 1 < len(spans) else len(tokens)
            names = [_name(t) for t in tokens[spans[j]:end] if t.type != "DOT"]
            if any(t.type == "QMARK" for t in tokens[spans[j]:end]) or not names:
                return None
            return (names[0], names[1]) if len(names) == 2 else (None, names[-1])
    return None


@lru_cache(maxsize=1)
def engine() -> Engine | None:
    try:
        from cassalite import grammar
        return Engine(grammar.load_tables())
    except Exception:  # noqa: BLE001 - no grammar: completion falls back to heuristics
        return None


def analyse(text: str) -> Context | None:
    """What may follow ``text`` (everything before the word being typed), or None when
    it cannot be lexed or parsed."""
    eng = engine()
    if eng is None:
        return None
    from cassalite.grammar.runtime import GrammarSyntaxError

    try:
        tokens = eng.lexer.tokens(text)
    except GrammarSyntaxError:
        return None
    parsed = eng.parse(tokens)
    if parsed is None:
        return None
    st, syms, spans, defined = parsed
    if len(st) == 1:
        return Context(fresh=True, keywords=list(eng.starters))
    ctx = Context(keywords=eng._keywords(st), statement=tuple(syms[1:3]))
    ctx.star = "STAR" in eng.states[st[-1]] and syms[-1] in (
        "SELECT", "JSON", "DISTINCT", "json_kw", "distinct_kw")
    eng._name_kinds(st, syms, spans, tokens, ctx)
    if ctx.kinds & {COLUMN, OPTION, TYPE, UDT}:
        ctx.table = _table_of(syms, spans, tokens)
        ctx.defined_columns = [_name(tokens[i]) for i in defined]
    return ctx
