"""USE and CREATE / ALTER / DROP KEYSPACE."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import AlreadyExists, InvalidRequest
from cql.plan.base import ExecutionContext, Result
from cql.schema.metadata import KeyspaceMetadata
from cql.schema.options import keyspace_options, replication_params, replication_warnings
from cql.syntax import ast

from .common import (
    ReadPlan,
    SchemaPlan,
    check_keyspace_name,
    check_user_modifiable,
    drop_table_storage,
    schema_result,
    void_result,
)

if TYPE_CHECKING:
    from cql.database import Database


class UsePlan(ReadPlan):
    """USE ks: only checks the keyspace exists (ClientState.setKeyspace)."""

    statement: ast.Use

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        name = self.statement.keyspace
        if db.schema.keyspace(name) is None:
            raise InvalidRequest(f"Keyspace '{name}' does not exist")
        return Result(kind="set_keyspace", new_keyspace=name, keyspace=name)


class CreateKeyspacePlan(SchemaPlan):
    statement: ast.CreateKeyspace

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
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

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
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

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
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


