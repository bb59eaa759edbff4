"""CQL text -> AST (:mod:`cql.syntax.ast`), through the LALR grammar ``cql.lark``.

The transformer runs inline while the LALR driver parses (no intermediate tree), and
``parse`` caches results by text, so repeated non-prepared statements cost a dictionary
lookup. Errors are :class:`~cql.errors.SyntaxException` with Cassandra's (ANTLR's) shape
(:mod:`cql.syntax.errors`).
"""

from __future__ import annotations

from functools import lru_cache

from cassalite.grammar import GrammarSyntaxError
from cql.errors import InvalidRequest, SyntaxException

from . import ast
from .errors import _convert_unexpected, _display, _error_at
from .transformer import _ActionError, _parser, _state, _TokenError


def _parse_uncached(text: str) -> ast.Statement:
    markers: list = []
    _state.markers = markers
    try:
        stmt = _parser().parse(text)
    except GrammarSyntaxError as exc:
        raise _convert_unexpected(text, exc) from None
    except _TokenError as exc:
        tok = exc.token
        reason = exc.reason or f"no viable alternative at input '{_display(tok.value)}'"
        raise _error_at(text, tok.start_pos, tok.end_pos, reason) from None
    except _ActionError as exc:
        raise SyntaxException(f"Failed parsing statement: [{text}] reason: {exc.java_class} "
                              f"{exc.message}") from None
    except (SyntaxException, InvalidRequest):
        raise
    except RecursionError:
        raise SyntaxException("line 1:0 statement too deeply nested") from None
    except Exception as exc:  # a bug in a callback: still report a CQL error
        raise SyntaxException(f"line 1:0 could not parse statement: {exc!r}") from exc
    if markers:
        if len(markers) > 65535:
            raise InvalidRequest(f"Too many markers(?). {len(markers)} markers exceed the "
                                 "allowed maximum of 65535")
        object.__setattr__(stmt, "bind_names", tuple(markers))
    return stmt


_CACHEABLE_LENGTH = 4096  # longer texts (big literals) are parsed without caching


def parse(text: str) -> ast.Statement:
    """Parse exactly one CQL statement (an optional trailing ``;`` is allowed).

    Results are cached by text (LRU) and shared: AST nodes are immutable.
    """
    if not isinstance(text, str):
        raise SyntaxException("line 0:-1 no viable alternative at input '<EOF>'")
    if len(text) > _CACHEABLE_LENGTH:
        return _parse_uncached(text)
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> ast.Statement:
    return _parse_uncached(text)


parse.cache_clear = _parse_cached.cache_clear  # type: ignore[attr-defined]
parse.cache_info = _parse_cached.cache_info  # type: ignore[attr-defined]
