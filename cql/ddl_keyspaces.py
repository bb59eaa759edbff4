"""USE and CREATE / ALTER / DROP KEYSPACE."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .ddl_common import (
    ReadPlan,
    SchemaPlan,
    check_keyspace_name,
    check_user_modifiable,
    drop_table_storage,
    schema_result,
    void_result,
)
from .ddl_options import keyspace_options, replication_params, replication_warnings
from .errors import AlreadyExists, InvalidRequest
from .executor import ExecutionContext, Result
from .schema import KeyspaceMetadata

if TYPE_CHECKING:
    from .executor import Executor


class UsePlan(ReadPlan):
    """USE ks: only checks the keyspace exists (ClientState.setKeyspace)."""

    statement: ast.Use

    def execute(self, db: Executor, ctx: ExecutionContext) -> Result:
        name = self.statement.keyspace
        if db.schema.keyspace(name) is None:
            raise InvalidRequest(f"Keyspace '{name}' does not exist")
        return Result(kind="set_keyspace", new_keyspace=name, keyspace=name)


class CreateKeyspacePlan(SchemaPlan):
    statement: ast.CreateKeyspace

    def execute(self, db: Executor, ctx: ExecutionContext) -> Result:
        st = self.statement
        check_user_modifiable(st.name, allow_replicated_system=True)
        check_keyspace_name(st.name)
        props = keyspace_options(st.options)
        if "replication" not in props:
            raise InvalidRequest("Missing mandatory option 'replication'")
        if db.schema.keyspace(st.name) is not None:
            if st.if_not_exists:
                return void_result()
            raise AlreadyExists(st.name)
        replication = replication_params(st.name, props["replication"])
        ks = KeyspaceMetadata(st.name, replication, props.get("durable_writes", True))
        db.schema.keyspaces[ks.name] = ks
        db.store.save_keyspace(ks)
        result = schema_result("CREATED", "KEYSPACE", ks.name)
        result.warnings.extend(replication_warnings(ks.name, replication))
        return result


class AlterKeyspacePlan(SchemaPlan):
    statement: ast.AlterKeyspace

    def execute(self, db: Executor, ctx: ExecutionContext) -> Result:
        st = self.statement
        check_user_modifiable(st.name, allow_replicated_system=True)
        check_keyspace_name(st.name)
        props = keyspace_options(st.options)
        ks = db.schema.keyspace(st.name)
        if ks is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Keyspace '{st.name}' doesn't exist")
        replication = ks.replication
        if props.get("replication"):
            replication = replication_params(st.name, props["replication"], ks.replication)
        ks.replication = replication
        ks.durable_writes = props.get("durable_writes", ks.durable_writes)
        db.store.save_keyspace(ks)
        result = schema_result("UPDATED", "KEYSPACE", ks.name)
        if "replication" in props:
            result.warnings.extend(replication_warnings(ks.name, replication))
        return result


class DropKeyspacePlan(SchemaPlan):
    statement: ast.DropKeyspace

    def execute(self, db: Executor, ctx: ExecutionContext) -> Result:
        st = self.statement
        check_user_modifiable(st.name)
        check_keyspace_name(st.name)
        ks = db.schema.keyspace(st.name)
        if ks is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Keyspace '{st.name}' doesn't exist")
        for table in list(ks.tables.values()):
            drop_table_storage(db, table)
        db.store.drop_keyspace(ks.name)
        del db.schema.keyspaces[ks.name]
        return schema_result("DROPPED", "KEYSPACE", ks.name)


def plan_keyspace_statement(statement: ast.Statement, keyspace: str | None):
    """The plan for a keyspace-level statement, or None."""
    plans = {
        ast.Use: UsePlan,
        ast.CreateKeyspace: CreateKeyspacePlan,
        ast.AlterKeyspace: AlterKeyspacePlan,
        ast.DropKeyspace: DropKeyspacePlan,
    }
    cls = plans.get(type(statement))
    return cls(statement, keyspace) if cls is not None else None
