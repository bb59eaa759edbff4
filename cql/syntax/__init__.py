"""TEXT -> AST: the CQL statement AST (``ast``), the grammar callbacks that build it
(``transformer``), Cassandra-shaped syntax errors (``errors``), ``parse`` with its cache
(``parser``) and scripts of several statements (``scripts``).

This layer knows the grammar (``cassalite.grammar``), never the schema or storage.
"""

from .parser import parse
from .scripts import ScriptStatement, StatementSource, parse_statements, split_statements

__all__ = ["ScriptStatement", "StatementSource", "parse", "parse_statements", "split_statements"]
