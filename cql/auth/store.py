"""The role store: ``system_auth.roles``, ``role_members`` and ``role_permissions``.

Cassandra's CassandraRoleManager and CassandraAuthorizer keep roles and grants in these
tables and read them with internal CQL; so does this module, through the database's own
``prepare``/``execute`` (no session, no permission checks). Reads are served from a
snapshot of the three tables, rebuilt after any change made through the store; ``version``
counts the changes so that caches built on the snapshot (the authorizer's) know when to
drop their entries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cql import cells as rowcodec
from cql.plan.base import ExecutionContext

from .passwords import DEFAULT_PASSWORD_HASH, DEFAULT_SUPERUSER

if TYPE_CHECKING:
    from cql.database import Database


@dataclass(frozen=True, slots=True)
class RoleRecord:
    name: str
    superuser: bool
    login: bool
    member_of: frozenset[str]
    salted_hash: str | None


class RoleStore:
    def __init__(self, db: Database):
        self.db = db
        self.version = 0
        #: ids of the system_auth tables: the database reports writes to them (``changed``)
        self.table_ids: frozenset[str] = frozenset()
        self._lock = threading.RLock()
        self._roles: dict[str, RoleRecord] | None = None
        self._grants: dict[str, dict[str, frozenset[str]]] | None = None
        self._network: tuple[dict, dict, dict] | None = None

    def start(self) -> None:
        """Once the schema is loaded: know the system_auth tables, create the default
        superuser on first start."""
        ks = self.db.schema.keyspace("system_auth")
        self.table_ids = frozenset(str(t.id) for t in ks.tables.values()) if ks else frozenset()
        self.ensure_default_superuser()

    # ---- internal CQL -------------------------------------------------------------------

    def _cql(self, text: str, values: list | tuple = ()) -> list[tuple]:
        prepared = self.db.prepare(text, None)
        ctx = ExecutionContext(values=prepared.bind(list(values)))
        return self.db.execute(prepared, ctx).rows

    # ---- reads ----------------------------------------------------------------------------

    def roles(self) -> dict[str, RoleRecord]:
        roles = self._roles
        if roles is None:
            with self._lock:
                rows = self._cql("SELECT role, is_superuser, can_login, member_of, salted_hash "
                                 "FROM system_auth.roles")
                roles = {r[0]: RoleRecord(r[0], bool(r[1]), bool(r[2]), frozenset(r[3] or ()),
                                          r[4]) for r in rows}
                self._roles = roles
        return roles

    def grants(self) -> dict[str, dict[str, frozenset[str]]]:
        """role -> resource name -> permissions granted directly to that role."""
        grants = self._grants
        if grants is None:
            with self._lock:
                grants = {}
                for role, resource, perms in self._cql(
                        "SELECT role, resource, permissions FROM system_auth.role_permissions"):
                    if perms:
                        grants.setdefault(role, {})[resource] = frozenset(perms)
                self._grants = grants
        return grants

    def network(self) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]],
                               dict[str, frozenset[tuple[str, int]]]]:
        """(role -> datacenters, role -> CIDR groups, CIDR group -> (address, prefix)s):
        ``network_permissions``, ``cidr_permissions`` and ``cidr_groups``. An empty set
        (or no row) of datacenters or CIDR groups means every one."""
        network = self._network
        if network is None:
            with self._lock:
                dcs = {r: frozenset(v or ()) for r, v in self._cql(
                    "SELECT role, dcs FROM system_auth.network_permissions")}
                cidrs = {r: frozenset(v or ()) for r, v in self._cql(
                    "SELECT role, cidr_groups FROM system_auth.cidr_permissions")}
                groups = {g: frozenset(tuple(c) for c in v or ()) for g, v in self._cql(
                    "SELECT cidr_group, cidrs FROM system_auth.cidr_groups")}
                network = self._network = (dcs, cidrs, groups)
        return network

    def role(self, name: str) -> RoleRecord | None:
        return self.roles().get(name)

    def exists(self, name: str) -> bool:
        return name in self.roles()

    def roles_of(self, name: str, recursive: bool = True) -> set[str]:
        """The role itself and the roles granted to it (transitively when ``recursive``)."""
        roles = self.roles()
        record = roles.get(name)
        if record is None:
            return set()
        out = {name}
        todo = list(record.member_of)
        while todo:
            r = todo.pop()
            if r in out or r not in roles:
                continue
            out.add(r)
            if recursive:
                todo.extend(roles[r].member_of)
        return out

    def is_superuser(self, name: str) -> bool:
        roles = self.roles()
        return any(roles[r].superuser for r in self.roles_of(name))

    def changed(self) -> None:
        """Drop the snapshot: system_auth was written."""
        self._roles = None
        self._grants = None
        self._network = None
        self.version += 1

    # ---- roles -----------------------------------------------------------------------------

    def ensure_default_superuser(self) -> bool:
        """Create ``cassandra``/``cassandra`` when there are no roles at all (as Cassandra's
        CassandraRoleManager: a dropped default superuser stays dropped).

        Runs at every start, so it talks to the engine directly: the same row an
        ``INSERT INTO system_auth.roles (role, is_superuser, can_login, salted_hash)``
        writes, without loading the parser and planner (``connect()`` stays cheap)."""
        db = self.db
        table = db.schema.table("system_auth", "roles")
        if table is None:
            return False
        with self._lock:
            now = int(time.time())
            if any(view.rows for view in db.engine.scan(str(table.id), now=now)):
                return False
            db.apply([rowcodec.row_mutation(table, {
                "role": DEFAULT_SUPERUSER, "is_superuser": True, "can_login": True,
                "salted_hash": DEFAULT_PASSWORD_HASH}, db.clock.now(), now)])
            self.changed()
            return True

    def create_role(self, name: str, superuser: bool, login: bool,
                    salted_hash: str | None) -> None:
        with self._lock:
            self._cql("INSERT INTO system_auth.roles (role, is_superuser, can_login, salted_hash) "
                      "VALUES (?, ?, ?, ?)", [name, superuser, login, salted_hash])
            self.changed()

    def alter_role(self, name: str, *, superuser: bool | None = None, login: bool | None = None,
                   salted_hash: str | None = None) -> None:
        sets, values = [], []
        for column, value in (("is_superuser", superuser), ("can_login", login),
                              ("salted_hash", salted_hash)):
            if value is not None:
                sets.append(f"{column} = ?")
                values.append(value)
        if not sets:
            return
        with self._lock:
            self._cql(f"UPDATE system_auth.roles SET {', '.join(sets)} WHERE role = ?",
                      values + [name])
            self.changed()

    def drop_role(self, name: str) -> None:
        """Remove the role, its memberships both ways and every grant to or on it."""
        with self._lock:
            record = self.role(name)
            for (member,) in self._cql(
                    "SELECT member FROM system_auth.role_members WHERE role = ?", [name]):
                self._cql("UPDATE system_auth.roles SET member_of = member_of - ? WHERE role = ?",
                          [{name}, member])
            self._cql("DELETE FROM system_auth.role_members WHERE role = ?", [name])
            for parent in record.member_of if record else ():
                self._cql("DELETE FROM system_auth.role_members WHERE role = ? AND member = ?",
                          [parent, name])
            self._cql("DELETE FROM system_auth.roles WHERE role = ?", [name])
            self._cql("DELETE FROM system_auth.role_permissions WHERE role = ?", [name])
            self._cql("DELETE FROM system_auth.network_permissions WHERE role = ?", [name])
            self._cql("DELETE FROM system_auth.cidr_permissions WHERE role = ?", [name])
            self.changed()
            self.revoke_all_on(f"roles/{name}")

    def set_datacenters(self, name: str, dcs: frozenset[str]) -> None:
        """CassandraNetworkAuthorizer.setRoleDatacenters: an empty set is every one."""
        with self._lock:
            self._cql("UPDATE system_auth.network_permissions SET dcs = ? WHERE role = ?",
                      [set(dcs), name])
            self.changed()

    def set_cidr_groups(self, name: str, groups: frozenset[str]) -> None:
        """CassandraCIDRAuthorizer.setCidrGroupsForRole: an empty set is every one."""
        with self._lock:
            self._cql("UPDATE system_auth.cidr_permissions SET cidr_groups = ? WHERE role = ?",
                      [set(groups), name])
            self.changed()

    def grant_role(self, role: str, grantee: str) -> None:
        with self._lock:
            self._cql("UPDATE system_auth.roles SET member_of = member_of + ? WHERE role = ?",
                      [{role}, grantee])
            self._cql("INSERT INTO system_auth.role_members (role, member) VALUES (?, ?)",
                      [role, grantee])
            self.changed()

    def revoke_role(self, role: str, revokee: str) -> None:
        with self._lock:
            self._cql("UPDATE system_auth.roles SET member_of = member_of - ? WHERE role = ?",
                      [{role}, revokee])
            self._cql("DELETE FROM system_auth.role_members WHERE role = ? AND member = ?",
                      [role, revokee])
            self.changed()

    # ---- permissions -------------------------------------------------------------------------

    def grant(self, role: str, resource: str, permissions: set[str]) -> set[str]:
        """Add permissions; returns those the role did not hold yet."""
        with self._lock:
            held = self.grants().get(role, {}).get(resource, frozenset())
            new = set(permissions) - held
            if new:
                self._cql("UPDATE system_auth.role_permissions SET permissions = permissions + ? "
                          "WHERE role = ? AND resource = ?", [new, role, resource])
                self.changed()
            return new

    def revoke(self, role: str, resource: str, permissions: set[str]) -> set[str]:
        """Remove permissions; returns those the role held."""
        with self._lock:
            held = self.grants().get(role, {}).get(resource, frozenset())
            gone = set(permissions) & held
            if gone:
                self._cql("UPDATE system_auth.role_permissions SET permissions = permissions - ? "
                          "WHERE role = ? AND resource = ?", [gone, role, resource])
                self.changed()
            return gone

    def revoke_all_on(self, *resources: str) -> None:
        """Drop every grant on these resources (the resource itself was dropped)."""
        with self._lock:
            hits = [(role, name) for role, granted in self.grants().items()
                    for name in granted if name in resources]
            for role, name in hits:
                self._cql("DELETE FROM system_auth.role_permissions "
                          "WHERE role = ? AND resource = ?", [role, name])
            if hits:
                self.changed()

    def revoke_all_under(self, prefix: str) -> None:
        """Drop every grant on a resource named ``prefix`` or below it (``data/ks`` ...)."""
        names = {name for granted in self.grants().values() for name in granted
                 if name == prefix or name.startswith(prefix + "/")}
        if names:
            self.revoke_all_on(*names)
