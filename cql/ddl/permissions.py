"""GRANT / REVOKE permissions and LIST PERMISSIONS, over CassandraAuthorizer's
``system_auth.role_permissions``.

A statement's resource is resolved when it runs (``ON TABLE t`` takes the session's
keyspace then, and must exist then), as Cassandra's ``maybeCorrectResource``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.auth import resources as res
from cql.auth.authorizer import (
    LOCAL_SYSTEM_KEYSPACES,
    REPLICATED_SYSTEM_KEYSPACES,
    VIRTUAL_KEYSPACES,
)
from cql.auth.resources import PERMISSION_ORDER, Resource
from cql.errors import InvalidRequest, Unauthorized
from cql.plan.base import NO_KEYSPACE, ExecutionContext, Plan, Result
from cql.syntax import ast, unparse
from cql.types import TEXT

if TYPE_CHECKING:
    from cql.database import Database

SYSTEM_GRANT_MESSAGE = ("Granting permissions on system keyspaces is strictly limited, "
                        "this operation is not permitted")
FUNCTION_KEYSPACE_MESSAGE = ("In this context function name must be explictly qualified by "
                             "a keyspace")
_NON_VIRTUAL_SYSTEM = (LOCAL_SYSTEM_KEYSPACES | REPLICATED_SYSTEM_KEYSPACES) - VIRTUAL_KEYSPACES


def resolve(resource: ast.Resource, keyspace: str | None) -> Resource:
    """The resource a statement names; ``keyspace`` completes ``ON TABLE t``."""
    kind = resource.kind
    if kind == "ALL KEYSPACES":
        return res.DATA
    if kind == "KEYSPACE":
        return res.keyspace(resource.keyspace)  # type: ignore[arg-type]
    if kind == "ALL TABLES":
        return res.all_tables(resource.keyspace)  # type: ignore[arg-type]
    if kind == "TABLE":
        ks = resource.keyspace or keyspace
        if ks is None:
            raise InvalidRequest(NO_KEYSPACE)
        return res.table(ks, resource.name)  # type: ignore[arg-type]
    if kind == "ALL ROLES":
        return res.ROLES
    if kind == "ROLE":
        return res.role(resource.name)  # type: ignore[arg-type]
    if kind == "ALL FUNCTIONS":
        if resource.keyspace is None:
            return res.FUNCTIONS
        return Resource("keyspace_functions", resource.keyspace)
    if kind == "FUNCTION":
        ks = resource.keyspace  # FunctionResource.functionFromCql: never the session's
        if ks is None:
            raise InvalidRequest(FUNCTION_KEYSPACE_MESSAGE)
        args = ", ".join(unparse.type_expr(t) for t in resource.arg_types)
        return Resource("function", ks, f"{resource.name}({args})")
    if kind == "ALL MBEANS":
        return res.MBEANS
    return Resource("mbean", name=resource.name)


def exists(db: Database, resource: Resource) -> bool:
    kind, ks = resource.kind, resource.keyspace
    if kind in ("data", "roles", "functions", "mbeans"):
        return True
    if kind in ("keyspace", "all_tables", "keyspace_functions"):
        return ks in VIRTUAL_KEYSPACES or db.schema.keyspace(ks) is not None  # type: ignore
    if kind == "table":
        return db.schema.table(ks, resource.name) is not None  # type: ignore[arg-type]
    if kind == "role":
        return db.auth.store.exists(resource.name)  # type: ignore[arg-type]
    return False  # no user-defined functions, no JMX MBeans


def _requested(permissions: tuple[str, ...], resource: Resource) -> frozenset[str]:
    """The statement's permissions on ``resource``: ALL is whatever applies to it; naming one
    that does not apply is an error."""
    if permissions == ("ALL",):
        return resource.applicable
    unsupported = [p for p in permissions if p not in resource.applicable]
    if unsupported:
        raise InvalidRequest(f"Resource type {resource.type_name} does not support the requested "
                             f"permissions: {','.join(unsupported)}")
    return frozenset(permissions)


def _ordered(permissions) -> str:
    return ", ".join(sorted(permissions, key=PERMISSION_ORDER.__getitem__))


class PermissionsPlan(Plan):
    """GRANT permissions ON resource TO role / REVOKE ... FROM role."""

    def __init__(self, statement: ast.GrantPermissions | ast.RevokePermissions,
                 keyspace: str | None = None):
        self.grant = isinstance(statement, ast.GrantPermissions)
        self.permissions = statement.permissions
        self.resource = statement.resource
        self.role = statement.grantee if self.grant else statement.revokee

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = db.auth, ctx.user
        resource = resolve(self.resource, ctx.keyspace)
        permissions = _requested(self.permissions, resource)
        if user is not None:
            auth.ensure(user, "AUTHORIZE", resource)
            for p in sorted(permissions, key=PERMISSION_ORDER.__getitem__):
                auth.ensure(user, p, resource)
        if not auth.store.exists(self.role):
            raise InvalidRequest(f"Role {self.role} doesn't exist")
        if resource.kind == "function" and resource.keyspace == "system":
            raise InvalidRequest("Altering permissions on builtin functions is not supported")
        if not exists(db, resource):
            raise InvalidRequest(f"Resource {resource} doesn't exist")
        if self.grant and resource.is_data and resource.keyspace in _NON_VIRTUAL_SYSTEM \
                and permissions & res.INVALID_FOR_SYSTEM_KEYSPACES:
            raise Unauthorized(SYSTEM_GRANT_MESSAGE)
        store = auth.store
        result = Result()
        if self.grant:
            changed = store.grant(self.role, resource.resource_name, set(permissions))
            missed = permissions - changed
            if missed and self.permissions != ("ALL",):
                result.warnings.append(f"Role '{self.role}' was already granted "
                                       f"{_ordered(missed)} on {resource}")
        else:
            changed = store.revoke(self.role, resource.resource_name, set(permissions))
            missed = permissions - changed
            if missed and self.permissions != ("ALL",):
                result.warnings.append(f"Role '{self.role}' was not granted "
                                       f"{_ordered(missed)} on {resource}")
        return result


class ListPermissionsPlan(Plan):
    """LIST permissions [ON resource] [OF role] [NORECURSIVE]: one row per permission held
    directly by a role (the grantee and the roles granted to it), sorted by role, resource
    name and permission."""

    def __init__(self, statement: ast.ListPermissions, keyspace: str | None = None):
        self.result_names = ["role", "username", "resource", "permission"]
        self.result_types = [TEXT, TEXT, TEXT, TEXT]
        self.permissions = statement.permissions
        self.resource = statement.resource
        self.of = statement.of
        self.recursive = statement.recursive

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = db.auth, ctx.user
        store = auth.store
        resource = None
        if self.resource is not None:
            resource = resolve(self.resource, ctx.keyspace)
            if not exists(db, resource):
                raise InvalidRequest(f"{resource} doesn't exist")
        of = self.of
        if user is not None and not auth.is_superuser(user) and of not in auth.roles(user) \
                and not (of is not None and auth.has(user, "DESCRIBE", res.role(of))):
            raise Unauthorized(f"You are not authorized to view "
                               f"{'everyone' if of is None else of}'s permissions")
        if of is not None and not store.exists(of):
            raise InvalidRequest(f"{res.role(of)} doesn't exist")
        wanted = res.ALL if self.permissions == ("ALL",) else frozenset(self.permissions)
        if resource is None:
            names = None
        elif self.recursive:
            names = {r.resource_name for r in resource.chain()}
        else:
            names = {resource.resource_name}
        grants = store.grants()
        roles = sorted(grants) if of is None else sorted(store.roles_of(of))
        details = []
        for role in roles:
            for name, perms in grants.get(role, {}).items():
                if names is not None and name not in names:
                    continue
                target = res.from_name(name)
                if target is None:
                    continue
                for p in perms & wanted:
                    details.append((role, name, PERMISSION_ORDER.get(p, 99), str(target), p))
        details.sort()
        rows = [(role, role, shown, p) for role, _, _, shown, p in details]
        if not rows:
            return Result()
        return Result("rows", list(self.result_names), list(self.result_types), rows)
