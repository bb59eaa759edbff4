"""Trunk's COMMENT ON / SECURITY LABEL [FOR provider] ON KEYSPACE|TABLE|COLUMN|TYPE|FIELD.

The text is schema metadata: a keyspace's, column's, type's or field's own ``comment`` /
``security_label``, and for a table its ``comment`` option (COMMENT ON TABLE sets the same
``comment`` as ``WITH comment = ...``) or its ``security_label``. ``IS NULL`` removes it.
The checks and messages are trunk's SchemaDescriptionStatement's; the lengths are its
guardrails' defaults (``max_comment_length``, ``max_security_label_length``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Result
from cql.syntax import ast

from .common import (
    SchemaPlan,
    check_user_modifiable,
    existing_keyspace,
    keyspace_of,
    persist_table,
    schema_result,
)

if TYPE_CHECKING:
    from cql.database import Database

MAX_LENGTH = {"comment": 128, "security label": 48}
_ATTRIBUTE = {"comment": "comment", "security label": "security_label"}


def check_description(what: str, text: str | None) -> None:
    """The IS operand's checks: NULL removes; '' and over-long texts are refused."""
    if text is None:
        return
    if not text:
        raise InvalidRequest(f"Cannot set {what} to empty string")
    limit = MAX_LENGTH[what]
    if len(text) > limit:
        raise InvalidRequest(
            f"{what} length ({len(text)}) exceeds maximum allowed length ({limit})")


class SchemaDescriptionPlan(SchemaPlan):
    statement: ast.SchemaDescription

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        if st.target == "KEYSPACE":
            ks_name = st.name.name
        else:
            ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        check_description(st.what, st.text)
        ks = existing_keyspace(db, ks_name)
        text = st.text or ""
        attribute = _ATTRIBUTE[st.what]
        if st.target == "KEYSPACE":
            setattr(ks, attribute, text)
            db.store.save_keyspace(ks)
            result = schema_result("UPDATED", "KEYSPACE", ks.name)
        elif st.target in ("TABLE", "COLUMN"):
            table = ks.tables.get(st.name.name)
            if table is None:
                raise InvalidRequest(f"Table '{ks.name}.{st.name.name}' doesn't exist")
            if table.is_view:
                raise InvalidRequest(
                    f"Cannot set {st.what} on non-regular table '{ks.name}.{table.name}'")
            if st.target == "COLUMN":
                column = table.columns.get(st.member or "")
                if column is None:
                    raise InvalidRequest(f"Column '{st.member}' doesn't exist in table "
                                         f"'{ks.name}.{table.name}'")
                setattr(column, attribute, text)
            elif st.what == "comment":
                table.options["comment"] = text
            else:
                table.security_label = text
            persist_table(db, table)
            result = schema_result("UPDATED", "TABLE", ks.name, table.name)
        else:
            ut = ks.types.get(st.name.name)
            if ut is None:
                raise InvalidRequest(f"Type '{ks.name}.{st.name.name}' doesn't exist")
            if st.target == "TYPE":
                setattr(ut, attribute, text)
            else:
                if st.member not in ut.field_names:
                    raise InvalidRequest(f"Field '{st.member}' doesn't exist in type "
                                         f"'{ks.name}.{ut.name}'")
                fields = ut.field_comments if st.what == "comment" else ut.field_security_labels
                if text:
                    fields[st.member] = text
                else:
                    fields.pop(st.member, None)
            db.store.save_type(ut)
            result = schema_result("UPDATED", "TYPE", ks.name, ut.name)
        if st.provider is not None:
            result.warnings.append(f"Provider functionality not implemented. Provider "
                                   f"'{st.provider}' will not be loaded or invoked.")
        return result
