"""Permissions and the resources they are granted on, as Cassandra names and prints them.

A resource is identified by its *name* (what ``system_auth.role_permissions.resource``
stores: ``data``, ``data/ks``, ``data/ks/*``, ``data/ks/t``, ``roles``, ``roles/r``,
``functions``, ``functions/ks``, ``mbean``...) and printed as Cassandra prints it in messages
and in LIST PERMISSIONS (``<all keyspaces>``, ``<table ks.t>``, ``<role r>``...). Each kind
has its applicable permissions and its parent; a permission held on any resource of the
chain (the resource, its parent, ... the root) applies.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Cassandra's Permission enum, in its order (LIST PERMISSIONS sorts by it).
PERMISSIONS = ("CREATE", "ALTER", "DROP", "SELECT", "MODIFY", "AUTHORIZE", "DESCRIBE",
               "EXECUTE", "UNMASK", "SELECT_MASKED")
PERMISSION_ORDER = {p: i for i, p in enumerate(PERMISSIONS)}
ALL = frozenset(PERMISSIONS)

_KEYSPACE_LEVEL = frozenset({"CREATE", "ALTER", "DROP", "SELECT", "MODIFY", "AUTHORIZE",
                             "UNMASK", "SELECT_MASKED"})
_TABLE_LEVEL = _KEYSPACE_LEVEL - {"CREATE"}
_ROLES_ROOT = frozenset({"CREATE", "ALTER", "DROP", "AUTHORIZE", "DESCRIBE"})
_ROLE_LEVEL = frozenset({"ALTER", "DROP", "AUTHORIZE", "DESCRIBE"})
_FUNCTIONS_ROOT = frozenset({"CREATE", "ALTER", "DROP", "AUTHORIZE", "EXECUTE"})
_FUNCTION_LEVEL = frozenset({"ALTER", "DROP", "AUTHORIZE", "EXECUTE"})
_MBEANS = frozenset({"AUTHORIZE", "DESCRIBE", "EXECUTE", "MODIFY", "SELECT"})

#: Permissions that may not be granted on a (non-virtual) system keyspace or its tables.
INVALID_FOR_SYSTEM_KEYSPACES = ALL - {"SELECT", "DESCRIBE"}


@dataclass(frozen=True, slots=True)
class Resource:
    """``kind``: data, keyspace, all_tables, table, roles, role, functions,
    keyspace_functions, function, mbeans, mbean."""

    kind: str
    keyspace: str | None = None
    name: str | None = None  # table, role, function signature or mbean pattern

    # ---- identity ---------------------------------------------------------------------

    @property
    def resource_name(self) -> str:
        kind, ks, name = self.kind, self.keyspace, self.name
        return {
            "data": "data",
            "keyspace": f"data/{ks}",
            "all_tables": f"data/{ks}/*",
            "table": f"data/{ks}/{name}",
            "roles": "roles",
            "role": f"roles/{name}",
            "functions": "functions",
            "keyspace_functions": f"functions/{ks}",
            "function": f"functions/{ks}/{name}",
            "mbeans": "mbean",
            "mbean": f"mbean/{name}",
        }[kind]

    def __str__(self) -> str:
        kind, ks, name = self.kind, self.keyspace, self.name
        return {
            "data": "<all keyspaces>",
            "keyspace": f"<keyspace {ks}>",
            "all_tables": f"<all tables in {ks}>",
            "table": f"<table {ks}.{name}>",
            "roles": "<all roles>",
            "role": f"<role {name}>",
            "functions": "<all functions>",
            "keyspace_functions": f"<all functions in {ks}>",
            "function": f"<function {ks}.{name}>",
            "mbeans": "<all mbeans>",
            "mbean": f"<mbean {name}>",
        }[kind]

    @property
    def type_name(self) -> str:
        """Cassandra's resource class name, for messages."""
        if self.kind in ("data", "keyspace", "all_tables", "table"):
            return "DataResource"
        if self.kind in ("roles", "role"):
            return "RoleResource"
        if self.kind in ("functions", "keyspace_functions", "function"):
            return "FunctionResource"
        return "JMXResource"

    # ---- hierarchy ----------------------------------------------------------------------

    def parent(self) -> Resource | None:
        kind, ks = self.kind, self.keyspace
        if kind == "keyspace":
            return DATA
        if kind == "all_tables":
            return Resource("keyspace", ks)
        if kind == "table":
            return Resource("all_tables", ks)
        if kind == "role":
            return ROLES
        if kind == "keyspace_functions":
            return FUNCTIONS
        if kind == "function":
            return Resource("keyspace_functions", ks)
        if kind == "mbean":
            return MBEANS
        return None

    def chain(self) -> list[Resource]:
        """This resource, then its parents up to the root."""
        out: list[Resource] = []
        r: Resource | None = self
        while r is not None:
            out.append(r)
            r = r.parent()
        return out

    @property
    def applicable(self) -> frozenset[str]:
        return _APPLICABLE[self.kind]

    @property
    def is_data(self) -> bool:
        return self.kind in ("data", "keyspace", "all_tables", "table")


_APPLICABLE = {
    "data": _KEYSPACE_LEVEL, "keyspace": _KEYSPACE_LEVEL, "all_tables": _KEYSPACE_LEVEL,
    "table": _TABLE_LEVEL, "roles": _ROLES_ROOT, "role": _ROLE_LEVEL,
    "functions": _FUNCTIONS_ROOT, "keyspace_functions": _FUNCTIONS_ROOT,
    "function": _FUNCTION_LEVEL, "mbeans": _MBEANS, "mbean": _MBEANS,
}

DATA = Resource("data")
ROLES = Resource("roles")
FUNCTIONS = Resource("functions")
MBEANS = Resource("mbeans")


def keyspace(ks: str) -> Resource:
    return Resource("keyspace", ks)


def all_tables(ks: str) -> Resource:
    return Resource("all_tables", ks)


def table(ks: str, name: str) -> Resource:
    return Resource("table", ks, name)


def role(name: str) -> Resource:
    return Resource("role", name=name)


def from_name(name: str) -> Resource | None:
    """The resource a stored name stands for (None for a name this version cannot read)."""
    head, _, rest = name.partition("/")
    if head == "data":
        if not rest:
            return DATA
        ks, _, tbl = rest.partition("/")
        if not tbl:
            return keyspace(ks)
        return all_tables(ks) if tbl == "*" else table(ks, tbl)
    if head == "roles":
        return role(rest) if rest else ROLES
    if head == "functions":
        if not rest:
            return FUNCTIONS
        ks, _, fn = rest.partition("/")
        return Resource("function", ks, fn) if fn else Resource("keyspace_functions", ks)
    if head == "mbean":
        return Resource("mbean", name=rest) if rest else MBEANS
    return None
