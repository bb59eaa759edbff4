"""Roles and permissions: Cassandra's PasswordAuthenticator, CassandraRoleManager and
CassandraAuthorizer.

- ``passwords``: bcrypt hashes as Cassandra stores them;
- ``resources``: permissions and the resources they are granted on (names, messages,
  applicable permissions, parents);
- ``store``: ``system_auth.roles`` / ``role_members`` / ``role_permissions``;
- ``authorizer``: logins and permission checks, cached per user;
- ``access``: the permissions each data or schema statement needs.

The statements themselves are in ``cql/ddl/roles.py`` and ``cql/ddl/permissions.py``.
"""

from .authorizer import Authorizer
from .store import RoleStore

__all__ = ["Authorizer", "RoleStore"]
