"""PasswordAuthenticator: SASL PLAIN against the roles stored in ``system_auth.roles``.

The roles, their bcrypt hashes and the permission checks live in the ``cql`` layer
(``cql/auth/``), shared with embedded sessions opened with credentials; this module only
speaks SASL PLAIN and maps a failed login to the protocol's error.
"""

from __future__ import annotations

import logging

from cassalite.server.errors import RequestError
from cql.auth.passwords import (  # noqa: F401 - re-exported for callers of the old API
    BCRYPT_ROUNDS,
    DEFAULT_PASSWORD,
    DEFAULT_SUPERUSER,
    hash_password,
    verify_password,
)
from cql.errors import BadCredentials, ErrorCode

log = logging.getLogger("cassalite.server")

AUTHENTICATOR = "org.apache.cassandra.auth.PasswordAuthenticator"


def parse_plain(token: bytes | None) -> tuple[str, str]:
    """SASL PLAIN: ``authzid NUL authcid NUL password`` (authzid empty for drivers)."""
    if token is None:
        raise RequestError(ErrorCode.BAD_CREDENTIALS, "Authentication ID must not be null")
    parts = token.split(b"\x00")
    if len(parts) != 3:
        raise RequestError(ErrorCode.BAD_CREDENTIALS, "Invalid SASL PLAIN token")
    _, user, password = parts
    if not user:
        raise RequestError(ErrorCode.BAD_CREDENTIALS, "Authentication ID must not be null")
    if not password:
        raise RequestError(ErrorCode.BAD_CREDENTIALS, "Password must not be null")
    try:
        return user.decode("utf-8"), password.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(ErrorCode.BAD_CREDENTIALS, "Invalid UTF-8 in SASL PLAIN token") from None


class PasswordAuthenticator:
    """Checks credentials against the shared database's role store."""

    name = AUTHENTICATOR

    def __init__(self, session):
        self.session = session
        self.auth = session.database.auth

    def ensure_default_superuser(self) -> None:
        """cassandra/cassandra exists unless other roles do (the database creates it on
        first start, as Cassandra's CassandraRoleManager)."""
        if self.auth.store.ensure_default_superuser():
            log.info("Created the default superuser role %r", DEFAULT_SUPERUSER)
        # Read the roles now (this loads the CQL parser): the first login would otherwise
        # pay for it, holding up every other login meanwhile.
        self.auth.store.roles()
        self.auth.store.network()

    def create_role(self, name: str, password: str, *, superuser: bool = False,
                    login: bool = True) -> None:
        self.auth.store.create_role(name, superuser, login, hash_password(password))

    def authenticate(self, token: bytes | None, address: str | None = None) -> str:
        """The role name, or RequestError 0x0100 with Cassandra's message (Unauthorized when
        the role may not log in from ``address``, the client's IP)."""
        user, password = parse_plain(token)
        try:
            return self.auth.authenticate(user, password, address)
        except BadCredentials as exc:
            raise RequestError(ErrorCode.BAD_CREDENTIALS, str(exc)) from None
