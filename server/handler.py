"""CQL requests (QUERY, PREPARE, EXECUTE, BATCH) against a connection's Session.

Everything here is synchronous and runs on the server's worker threads: decoding bound
values, executing, and encoding the RESULT body, so the event loop only moves frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cql
from cassalite.server import results
from cassalite.server.messages import Batch, Execute, Prepare, Query, QueryParams, Value
from cassalite.server.prepared import PreparedCache
from cassalite.server.wire import UNSET
from cql.session import PreparedStatement, ResultSet, Session


@dataclass(slots=True)
class Response:
    opcode: int
    body: bytes
    warnings: list[str] = field(default_factory=list)
    schema_change: Any = None  # cql SchemaChange to broadcast as an EVENT
    trace_id: Any = None  # uuid of the request's trace (sets the TRACING flag)


def bind_values(statement: PreparedStatement, values: list[Value],
                names: list[str] | None = None, types: list | None = None) -> list[Any]:
    """Wire values -> Python values in marker order (null -> None, unset -> UNSET_VALUE);
    ``types``: the statement's bind types when the caller has them at hand."""
    if types is None:
        types = statement.bind_types
    if names is not None:
        by_name = dict(zip(names, values))
        ordered: list[Value] = []
        for marker in statement._prepared.markers:
            name = marker.name or marker.receiver
            if name in by_name:
                ordered.append(by_name[name])
            elif name.lower() in by_name:
                ordered.append(by_name[name.lower()])
            else:
                raise cql.InvalidRequest(f"Missing value for bind marker {name}")
        values = ordered
    if len(values) != len(types):
        raise cql.InvalidRequest(
            f"There were {len(types)} markers(?) in CQL but {len(values)} bound variables")
    unset, unset_value = UNSET, cql.UNSET_VALUE
    return [None if raw is None else unset_value if raw is unset else ctype.deserialize(raw)
            for ctype, raw in zip(types, values)]


def result_response(rs: ResultSet, session: Session, skip_metadata: bool = False) -> Response:
    response = _result_response(rs, session, skip_metadata)
    if rs.trace is not None:
        response.trace_id = rs.trace.trace_id
    return response


def _result_response(rs: ResultSet, session: Session, skip_metadata: bool) -> Response:
    kind = rs.response_kind
    if kind == "rows":
        opcode, body = results.rows(rs.keyspace, rs.table, rs.column_names, rs.column_types,
                                    rs.current_rows, rs.paging_state, skip_metadata)
        return Response(opcode, body, rs.warnings)
    if kind == "set_keyspace":
        return Response(*results.set_keyspace(session.keyspace or rs.keyspace or ""),
                        rs.warnings)
    if kind == "schema_change" and rs.schema_change is not None:
        return Response(*results.schema_change(rs.schema_change), rs.warnings,
                        rs.schema_change)
    return Response(*results.void(), rs.warnings)


def _execute(session: Session, statement: str | PreparedStatement, values: list | None,
             p: QueryParams, trace: bool) -> ResultSet:
    return session.execute(statement, values, fetch_size=p.page_size,
                           paging_state=p.paging_state, timestamp=p.timestamp, trace=trace)


def query(session: Session, msg: Query) -> Response:
    p = msg.params
    if p.values:
        statement = session.prepare(msg.query)
        rs = _execute(session, statement, bind_values(statement, p.values, p.names), p, msg.trace)
    else:
        rs = _execute(session, msg.query, None, p, msg.trace)
    return result_response(rs, session)


def prepare(session: Session, cache: PreparedCache, msg: Prepare) -> Response:
    qid, statement = cache.prepare(session, msg.query)
    return Response(*results.prepared(qid, statement))


def execute(session: Session, cache: PreparedCache, msg: Execute) -> Response:
    statement, types = cache.lookup(session, msg.query_id)
    p = msg.params
    rs = _execute(session, statement, bind_values(statement, p.values, p.names, types), p,
                  msg.trace)
    return result_response(rs, session, p.skip_metadata)


def batch(session: Session, cache: PreparedCache, msg: Batch) -> Response:
    items = []
    for st in msg.statements:
        if st.query_id is not None:
            statement = cache.get(session, st.query_id)
        else:
            statement = session.prepare(st.query or "")
        items.append((statement, bind_values(statement, st.values)))
    rs = session.execute_batch(items, msg.kind, timestamp=msg.timestamp, trace=msg.trace)
    return result_response(rs, session)
