"""CassandraAuthorizer + PasswordAuthenticator over the role store.

``authenticate`` checks a login; ``ensure`` / ``ensure_data`` are ClientState's permission
checks with Cassandra's messages. A user's effective roles and permissions (every role
granted to it, transitively) are computed once and cached per user until the store changes
(GRANT, REVOKE, CREATE/ALTER/DROP ROLE ...), so a check is a few dictionary lookups.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from cql.errors import BadCredentials, InvalidRequest, Unauthorized

from . import network
from . import resources as res
from .passwords import DUMMY_HASH, verify_password
from .resources import Resource
from .store import RoleStore

#: Local system keyspaces: no schema change at all (ClientState.preventSystemKSSchemaModification)
LOCAL_SYSTEM_KEYSPACES = frozenset({"system", "system_schema", "system_virtual_schema",
                                    "system_views"})
REPLICATED_SYSTEM_KEYSPACES = frozenset({"system_auth", "system_traces", "system_distributed"})
VIRTUAL_KEYSPACES = frozenset({"system_virtual_schema", "system_views"})
SYSTEM_KEYSPACES = LOCAL_SYSTEM_KEYSPACES | REPLICATED_SYSTEM_KEYSPACES
AUTH_TABLES = ("roles", "role_members", "role_permissions", "network_permissions",
               "cidr_permissions", "cidr_groups")
PROTECTED_AUTH_RESOURCES = frozenset(res.table("system_auth", t) for t in AUTH_TABLES)


def _readable(resource: Resource) -> bool:
    """Tables every logged-in user may read (drivers and cqlsh need them)."""
    ks = resource.keyspace
    if resource.kind != "table":
        return False
    if ks == "system":
        return resource.name in ("local", "peers", "peers_v2", "size_estimates",
                                 "table_estimates")
    return ks in ("system_schema", "system_traces") or ks in VIRTUAL_KEYSPACES


@dataclass
class _UserState:
    version: int
    roles: frozenset[str]
    superuser: bool
    #: resource name -> permissions held through any of the roles
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)


class Authorizer:
    def __init__(self, store: RoleStore):
        self.store = store
        self._users: dict[str, _UserState] = {}
        self._lock = threading.Lock()

    # ---- authentication ------------------------------------------------------------------

    def authenticate(self, user: str, password: str, address: str | None = None) -> str:
        """The role name, or BadCredentials with Cassandra's messages; Unauthorized when the
        role may not log in from this datacenter or (``address``, the client's) network."""
        record = self.store.role(user)
        ok = verify_password(password, record.salted_hash if record else DUMMY_HASH)
        if record is None or not ok:
            raise BadCredentials(f"Provided username {user} and/or password are incorrect")
        if not record.login:
            raise BadCredentials(f"{user} is not permitted to log in")
        network.check_login(self.store, user, address)
        return user

    # ---- the user's roles and permissions, cached ------------------------------------------

    def _state(self, user: str) -> _UserState:
        version = self.store.version
        state = self._users.get(user)
        if state is not None and state.version == version:
            return state
        store = self.store
        roles = frozenset(store.roles_of(user))
        all_roles = store.roles()
        superuser = any(all_roles[r].superuser for r in roles)
        perms: dict[str, set[str]] = {}
        grants = store.grants()
        for r in roles:
            for name, granted in grants.get(r, {}).items():
                perms.setdefault(name, set()).update(granted)
        state = _UserState(version, roles, superuser,
                           {k: frozenset(v) for k, v in perms.items()})
        with self._lock:
            if len(self._users) > 4096:
                self._users.clear()
            self._users[user] = state
        return state

    def roles(self, user: str) -> frozenset[str]:
        return self._state(user).roles

    def is_superuser(self, user: str) -> bool:
        return self._state(user).superuser

    def permissions_on(self, user: str, resource: Resource) -> frozenset[str]:
        """What ``user`` holds on exactly this resource (a superuser: everything applicable)."""
        state = self._state(user)
        if state.superuser:
            return resource.applicable
        return state.permissions.get(resource.resource_name, frozenset())

    def has(self, user: str, permission: str, resource: Resource) -> bool:
        state = self._state(user)
        if state.superuser:
            return any(permission in r.applicable for r in resource.chain())
        held = state.permissions
        chain = resource.chain()
        if resource.is_data and resource.keyspace in SYSTEM_KEYSPACES:
            chain = chain[:-1]  # ALL KEYSPACES covers the non-system keyspaces only
        for r in chain:
            perms = held.get(r.resource_name)
            if perms is not None and permission in perms:
                return True
        return False

    # ---- ClientState's checks ----------------------------------------------------------------

    def ensure(self, user: str, permission: str, resource: Resource) -> None:
        if not self.has(user, permission, resource):
            raise Unauthorized(f"User {user} has no {permission} permission on {resource} "
                               "or any of its parents")

    def ensure_data(self, user: str, permission: str, resource: Resource) -> None:
        """A permission on a keyspace, its tables or one table, with the system keyspaces'
        rules: no schema changes in local system keyspaces, auth tables protected, the
        tables drivers need always readable."""
        ks = resource.keyspace
        if ks is None:
            raise InvalidRequest("You have not set a keyspace for this session")
        if permission in ("CREATE", "ALTER", "DROP"):
            if ks in LOCAL_SYSTEM_KEYSPACES:
                raise Unauthorized(f"{ks} keyspace is not user-modifiable.")
            if ks in REPLICATED_SYSTEM_KEYSPACES and not (
                    permission == "ALTER" and resource.kind == "keyspace"):
                raise Unauthorized(f"Cannot {permission} {resource}")
        if permission == "SELECT" and _readable(resource):
            return
        if resource in PROTECTED_AUTH_RESOURCES and permission in ("CREATE", "ALTER", "DROP"):
            raise Unauthorized(f"{resource} schema is protected")
        self.ensure(user, permission, resource)

    # ---- schema changes ------------------------------------------------------------------------

    def schema_changed(self, change, user: str | None) -> None:
        """Grants follow the schema: a dropped keyspace or table takes its grants with it
        (so a new one of the same name starts clean), and a logged-in user who creates a
        keyspace or table gets every permission on it (Cassandra's grantPermissionsToCreator)."""
        target, ks = change.target, change.keyspace
        if change.change_type == "DROPPED":
            if target == "KEYSPACE":
                self.store.revoke_all_under(f"data/{ks}")
                self.store.revoke_all_under(f"functions/{ks}")
            elif target == "TABLE":
                self.store.revoke_all_on(f"data/{ks}/{change.name}")
        elif change.change_type == "CREATED" and user is not None:
            if target == "KEYSPACE":
                created = [res.keyspace(ks), Resource("keyspace_functions", ks)]
            elif target == "TABLE":
                created = [res.table(ks, change.name)]
            else:
                return
            for resource in created:
                self.store.grant(user, resource.resource_name, set(resource.applicable))
