"""CREATE/ALTER/DROP ROLE and USER, GRANT/REVOKE role, LIST ROLES/USERS/SUPERUSERS.

Cassandra's role statements over CassandraRoleManager. Each plan first checks access (only
when the session logged in: ``ctx.user``; trusted embedded sessions act as Cassandra's
internal client state), then validates, then changes ``system_auth`` through the role store,
in that order, as Cassandra's ``authorize`` / ``validate`` / ``execute``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.auth import network
from cql.auth import resources as res
from cql.auth.passwords import hash_password, is_valid_hash
from cql.errors import InvalidRequest, Unauthorized
from cql.plan.base import ExecutionContext, Plan, Result
from cql.syntax import ast
from cql.types import BOOLEAN, TEXT, MapType

if TYPE_CHECKING:
    from cql.auth.authorizer import Authorizer
    from cql.database import Database

ROLE_MANAGER = "org.apache.cassandra.auth.CassandraRoleManager"
HASH_MESSAGE = "Invalid hashed password value. Please use jBcrypt."


def _options(statement) -> ast.RoleOptions:
    """CREATE/ALTER USER as the role options they stand for (a user can log in)."""
    if isinstance(statement, ast.CreateUser):
        return ast.RoleOptions(password=statement.password,
                               hashed_password=statement.hashed_password,
                               login=True, superuser=statement.superuser)
    if isinstance(statement, ast.AlterUser):
        return ast.RoleOptions(password=statement.password,
                               hashed_password=statement.hashed_password,
                               superuser=statement.superuser)
    return statement.options


def _validate_options(options: ast.RoleOptions) -> None:
    if options.options is not None:
        raise InvalidRequest(f"{ROLE_MANAGER} doesn't support OPTIONS")
    if options.hashed_password is not None and not is_valid_hash(options.hashed_password):
        raise InvalidRequest(HASH_MESSAGE)


def _validate_access(auth: Authorizer, options: ast.RoleOptions) -> None:
    """ACCESS TO DATACENTERS names this node's datacenter, ACCESS FROM CIDRS defined groups."""
    network.validate_datacenters(options.datacenters)
    network.validate_cidr_groups(auth.store, options.cidrs)


def _set_access(auth: Authorizer, name: str, options: ast.RoleOptions, creating: bool) -> None:
    """Store the role's datacenters (CREATE always does: every one unless restricted) and
    CIDR groups (when given)."""
    if options.datacenters is not None or creating:
        auth.store.set_datacenters(name, network.as_set(options.datacenters or "ALL"))
    if options.cidrs is not None:
        auth.store.set_cidr_groups(name, network.as_set(options.cidrs))


def _salted_hash(options: ast.RoleOptions) -> str | None:
    if options.password is not None:
        return hash_password(options.password)
    return options.hashed_password


def _set_options(options: ast.RoleOptions) -> list[str]:
    """The option names given, as Cassandra's IRoleManager.Option names them."""
    names = []
    for attr, name in (("password", "PASSWORD"), ("hashed_password", "HASHED_PASSWORD"),
                       ("login", "LOGIN"), ("superuser", "SUPERUSER"), ("options", "OPTIONS")):
        if getattr(options, attr) is not None:
            names.append(name)
    return names


def _check_permission(auth: Authorizer, user: str, permission: str,
                      resource: res.Resource) -> None:
    """AuthenticationStatement.checkPermission: a refusal without naming the resource."""
    if not auth.has(user, permission, resource):
        raise Unauthorized(f"User {user} does not have sufficient privileges to perform the "
                           "requested operation")


def _auth(db: Database) -> Authorizer:
    return db.auth


class CreateRolePlan(Plan):
    def __init__(self, statement: ast.CreateRole | ast.CreateUser, keyspace: str | None = None):
        self.name = statement.name
        self.options = _options(statement)
        self.if_not_exists = statement.if_not_exists

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = _auth(db), ctx.user
        if user is not None:
            _check_permission(auth, user, "CREATE", res.ROLES)
            if self.options.superuser and not auth.is_superuser(user):
                raise Unauthorized("Only superusers can create a role with superuser status")
        _validate_options(self.options)
        if not self.name:
            raise InvalidRequest("Role name can't be an empty string")
        _validate_access(auth, self.options)
        store = auth.store
        with store._lock:
            if store.exists(self.name):
                if self.if_not_exists:
                    return Result()
                raise InvalidRequest(f"{self.name} already exists")
            store.create_role(self.name, bool(self.options.superuser), bool(self.options.login),
                              _salted_hash(self.options))
            _set_access(auth, self.name, self.options, creating=True)
        if user is not None:  # the creator may alter, drop and grant the new role
            role = res.role(self.name)
            store.grant(user, role.resource_name, set(role.applicable))
        return Result()


class AlterRolePlan(Plan):
    def __init__(self, statement: ast.AlterRole | ast.AlterUser, keyspace: str | None = None):
        self.name = statement.name
        self.options = _options(statement)
        self.if_exists = statement.if_exists

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = _auth(db), ctx.user
        opts = self.options
        if user is not None:
            changes_super = opts.superuser is not None
            if changes_super and self.name in auth.roles(user):
                raise Unauthorized("You aren't allowed to alter your own superuser status or "
                                   "that of a role granted to you")
            superuser = auth.is_superuser(user)
            if changes_super and not superuser:
                raise Unauthorized("Only superusers are allowed to alter superuser status")
            if opts.datacenters is not None and not superuser:
                raise Unauthorized("Only superusers are allowed to alter access to datacenters.")
            if opts.cidrs is not None and not superuser:  # stricter than Cassandra: see docs
                raise Unauthorized("Only superusers are allowed to alter access from CIDRs.")
            if not superuser:
                if user == self.name:
                    for option in _set_options(opts):
                        if option not in ("PASSWORD", "HASHED_PASSWORD"):
                            raise Unauthorized(f"You aren't allowed to alter {option}")
                else:
                    _check_permission(auth, user, "ALTER", res.role(self.name))
        _validate_options(opts)
        if not _set_options(opts) and opts.datacenters is None and opts.cidrs is None:
            raise InvalidRequest("ALTER [ROLE|USER] can't be empty")
        _validate_access(auth, opts)
        store = auth.store
        if not store.exists(self.name):
            if self.if_exists:
                return Result()
            raise InvalidRequest(f"Role {self.name} doesn't exist")
        store.alter_role(self.name, superuser=opts.superuser, login=opts.login,
                         salted_hash=_salted_hash(opts))
        _set_access(auth, self.name, opts, creating=False)
        return Result()


class DropRolePlan(Plan):
    def __init__(self, statement: ast.DropRole | ast.DropUser, keyspace: str | None = None):
        self.name = statement.name
        self.if_exists = statement.if_exists

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = _auth(db), ctx.user
        store = auth.store
        if user is not None:
            _check_permission(auth, user, "DROP", res.role(self.name))
            if store.exists(self.name) and store.is_superuser(self.name) \
                    and not auth.is_superuser(user):
                raise Unauthorized("Only superusers can drop a role with superuser status")
        if not store.exists(self.name):
            if self.if_exists:
                return Result()
            raise InvalidRequest(f"{self.name} doesn't exist")
        if user == self.name:
            raise InvalidRequest("Cannot DROP primary role for current login")
        store.drop_role(self.name)
        return Result()


class RoleGrantPlan(Plan):
    """GRANT role TO grantee / REVOKE role FROM revokee."""

    def __init__(self, statement: ast.GrantRole | ast.RevokeRole, keyspace: str | None = None):
        self.grant = isinstance(statement, ast.GrantRole)
        self.role = statement.role
        self.grantee = statement.grantee if self.grant else statement.revokee

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = _auth(db), ctx.user
        store = auth.store
        if user is not None:
            _check_permission(auth, user, "AUTHORIZE", res.role(self.role))
        for name in (self.role, self.grantee):
            if not store.exists(name):
                raise InvalidRequest(f"{name} doesn't exist")
        role, grantee = self.role, self.grantee
        with store._lock:
            if self.grant:
                if role in store.roles_of(grantee):
                    raise InvalidRequest(f"{grantee} is a member of {role}")
                if grantee in store.roles_of(role):
                    raise InvalidRequest(f"{role} is a member of {grantee}")
                store.grant_role(role, grantee)
            else:
                if role not in store.roles_of(grantee, recursive=False):
                    raise InvalidRequest(f"{grantee} is not a member of {role}")
                store.revoke_role(role, grantee)
        return Result()


_OPTIONS_TYPE = MapType(TEXT, TEXT, True)


class ListRolesPlan(Plan):
    """LIST ROLES [OF role] [NORECURSIVE] and LIST USERS."""

    def __init__(self, statement: ast.ListRoles | ast.ListUsers, keyspace: str | None = None):
        self.users = isinstance(statement, ast.ListUsers)
        self.of = None if self.users else statement.of
        self.recursive = False if self.users else statement.recursive
        if self.users:
            self.result_names = ["name", "super", "datacenters"]
            self.result_types = [TEXT, BOOLEAN, TEXT]
        else:
            self.result_names = ["role", "super", "login", "options", "datacenters"]
            self.result_types = [TEXT, BOOLEAN, BOOLEAN, _OPTIONS_TYPE, TEXT]

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = _auth(db), ctx.user
        store = auth.store
        of = self.of
        if user is not None and "DESCRIBE" not in auth.permissions_on(user, res.ROLES):
            if of is None:
                of = user
            elif of not in auth.roles(user):
                raise Unauthorized(f"You are not authorized to view roles granted to {of}")
        if of is not None and not store.exists(of):
            raise InvalidRequest(f"{res.role(of)} doesn't exist")
        names = sorted(store.roles() if of is None else store.roles_of(of, self.recursive))
        rows = []
        for name in names:
            record = store.role(name)
            if record is None:
                continue
            superuser = record.superuser  # the role's own status (CassandraRoleManager.isSuper)
            dcs = network.datacenters_shown(store, name)
            if self.users:
                if record.login:
                    rows.append((name, superuser, dcs))
            else:
                rows.append((name, superuser, record.login, {}, dcs))
        return _rows(self, rows)


class ListSuperUsersPlan(Plan):
    """LIST SUPERUSERS (Cassandra 5.1): every role with superuser status, inherited too."""

    def __init__(self, statement: ast.Statement | None = None, keyspace: str | None = None):
        self.result_names = ["role"]
        self.result_types = [TEXT]

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        auth, user = _auth(db), ctx.user
        if user is not None and "DESCRIBE" not in auth.permissions_on(user, res.ROLES):
            raise Unauthorized("You are not authorized to view superuser details")
        store = auth.store
        return _rows(self, [(name,) for name in sorted(store.roles())
                            if store.is_superuser(name)])


def _rows(plan: Plan, rows: list[tuple]) -> Result:
    """Rows, or no result at all when there are none (Cassandra's ResultMessage.Void)."""
    if not rows:
        return Result()
    return Result("rows", list(plan.result_names), list(plan.result_types), rows)
