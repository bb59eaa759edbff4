"""Built-in CQL functions and Cassandra's overload resolution (the planner's function registry).

One module per family, as Cassandra's ``cql3/functions/*Fcts``: ``time`` (time, timeuuid
and uuid functions), ``blob``, ``cast``, ``operators`` (arithmetic operators), ``aggregates``,
``math``, ``collection``, ``masking``, ``vector``, ``json``, ``format`` (format_bytes,
format_time) and ``length`` (length, octet_length); under them ``javanum``
(Java number semantics), ``arguments`` (argument descriptions and assignability), ``base``
(function objects), ``factories`` and ``registry`` (the name -> overloads registry, filled
on first use, and ``resolve``).

Everything works on the canonical Python values of `cql.types` (None is null). The planner asks
`resolve(name, args, receiver)` for a `Function`, then calls `execute` (scalars) or
`new_state`/`add`/`result` (aggregates). Names follow Cassandra 5.0: every snake_case name plus
the pre-5.0 lower-case alias (`to_date` and `todate`); `dateof`/`unixtimestampof` are gone.

Arguments given to `resolve` describe what the planner knows about each call argument:

* a `CQLType` — a column, a nested function call, a type hint or a cast: the type is known;
* a `LiteralArg(kind, text)` — a constant (`string`, `integer`, `float`, `boolean`, `uuid`,
  `hex`, `duration`), `null`, a bind marker (`marker`), or a collection/tuple literal
  (`list`, `set`, `map`, `tuple`, `udt`, with `elements` when the planner knows them);
* `None` — same as a bind marker.

Resolution follows Cassandra's FunctionResolver: a single candidate is checked argument by
argument ("Type error: ..."); several candidates are filtered by the receiver type, an exact
match wins, a single weakly-assignable one is taken, several are ambiguous. Functions whose
overload set is open-ended (min, max, to_json, collection, masking and vector functions) are
built on demand by factories, as in Cassandra 5.0.

Special names: `count(*)`/`count(1)` is `resolve('count_rows', [])` (column name `count`);
arithmetic operators are `arithmetic(op, left, right)` and `negate(arg)`; `CAST(x AS t)` is
`cast_function(from_type, to_type)`. `token()` is built per table (`token_function`, or
`resolve('token', ..., partition_key=...)`).
"""

from .arguments import LiteralArg
from .base import AggregateFunction, Function
from .cast import cast_function
from .operators import arithmetic, concat, count_rows, literal_type, negate
from .registry import column_name, function_exists, is_aggregate_name, resolve, token_function
from .time import max_timeuuid, min_timeuuid, now_timeuuid, timeuuid_ms

__all__ = [
    "AggregateFunction",
    "Function",
    "LiteralArg",
    "arithmetic",
    "cast_function",
    "column_name",
    "concat",
    "count_rows",
    "function_exists",
    "is_aggregate_name",
    "literal_type",
    "max_timeuuid",
    "min_timeuuid",
    "negate",
    "now_timeuuid",
    "resolve",
    "timeuuid_ms",
    "token_function",
]
