"""Where a role may log in from: ``ACCESS TO DATACENTERS`` and ``ACCESS FROM CIDRS``.

Cassandra's CassandraNetworkAuthorizer (``system_auth.network_permissions``) and
CassandraCIDRAuthorizer in enforce mode (``system_auth.cidr_permissions``, groups defined in
``system_auth.cidr_groups``). This node is the only one, in ``datacenter1``: it is the only
datacenter a role may be given, and a login is checked against the role's datacenters and,
when the client's address is known (the server), against its CIDR groups.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cql.errors import InvalidRequest, Unauthorized
from cql.schema.options import DATACENTER

if TYPE_CHECKING:
    from .store import RoleStore


def _java_set(items: Iterable[str]) -> str:
    return "[" + ", ".join(items) + "]"


def as_set(value: object) -> frozenset[str]:
    """A parsed clause (``'ALL'`` or names) as stored: the empty set stands for every one."""
    return frozenset() if value == "ALL" else frozenset(value)  # type: ignore[arg-type]


def validate_datacenters(value: object) -> None:
    """DCPermissions.validate: every name is a datacenter of the cluster."""
    if value is None or value == "ALL":
        return
    names = list(dict.fromkeys(value))  # type: ignore[call-overload]
    if any(dc != DATACENTER for dc in names):
        raise InvalidRequest(f"Invalid value(s) for DATACENTERS '{_java_set(names)}',"
                             "All values must be valid datacenters")


def validate_cidr_groups(store: RoleStore, value: object) -> None:
    """CIDRPermissions.validate: every group is defined in ``system_auth.cidr_groups``."""
    if value is None or value == "ALL":
        return
    names = list(dict.fromkeys(value))  # type: ignore[call-overload]
    available = store.network()[2]
    if any(name not in available for name in names):
        raise InvalidRequest(f"Invalid CIDR group(s): {_java_set(names)}. Available CIDR "
                             f"Groups are: {_java_set(sorted(available))}")


def datacenters_shown(store: RoleStore, name: str) -> str:
    """The role's datacenters as LIST ROLES / LIST USERS show them: ``n/a`` for a role that
    cannot log in, ``ALL`` for a superuser or an unrestricted role."""
    record = store.role(name)
    if record is None or not record.login:
        return "n/a"
    if store.is_superuser(name):
        return "ALL"
    dcs = store.network()[0].get(name)
    return ", ".join(sorted(dcs)) if dcs else "ALL"


def cidr_groups_of(store: RoleStore, address: str) -> set[str]:
    """The groups of the longest CIDR containing ``address`` (CIDRs that are not valid
    networks, such as a /33 for IPv4, are ignored)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return set()
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    best, out = -1, set()
    for group, cidrs in store.network()[2].items():
        for addr, prefix in cidrs:
            try:
                net = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
            except (TypeError, ValueError):
                continue
            if net.version != ip.version or ip not in net:
                continue
            if net.prefixlen > best:
                best, out = net.prefixlen, {group}
            elif net.prefixlen == best:
                out.add(group)
    return out


def check_login(store: RoleStore, name: str, address: str | None) -> None:
    """ClientState.validateLogin: the role may use this datacenter and, when ``address`` is
    given, connect from it. Superusers are never restricted."""
    if store.is_superuser(name):
        return
    dcs, cidrs, _ = store.network()
    allowed = dcs.get(name)
    if allowed and DATACENTER not in allowed:
        raise Unauthorized(f"You do not have access to this datacenter ({DATACENTER})")
    groups = cidrs.get(name)
    if address is not None and groups and not groups & cidr_groups_of(store, address):
        raise Unauthorized(f"You do not have access from this IP {address}")
