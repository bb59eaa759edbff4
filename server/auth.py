"""PasswordAuthenticator: SASL PLAIN against the roles stored in ``system_auth.roles``.

Hashes are salted scrypt strings (``$scrypt$n=..,r=..,p=..$salt$hash``, base64). Rows
copied from a real Cassandra carry bcrypt hashes (``$2a$...``); those verify when the
optional ``bcrypt`` package is installed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os

from cassalite.server.errors import AUTH_ERROR, RequestError

log = logging.getLogger("cassalite.server")

AUTHENTICATOR = "org.apache.cassandra.auth.PasswordAuthenticator"
DEFAULT_SUPERUSER = "cassandra"
DEFAULT_PASSWORD = "cassandra"

_N, _R, _P = 2**14, 8, 1


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"$scrypt$n={_N},r={_R},p={_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    pw = password.encode("utf-8")
    if stored.startswith("$scrypt$"):
        try:
            _, _, params, salt, digest = stored.split("$")
            kv = dict(p.split("=") for p in params.split(","))
            expected = base64.b64decode(digest)
            got = hashlib.scrypt(pw, salt=base64.b64decode(salt), n=int(kv["n"]),
                                 r=int(kv["r"]), p=int(kv["p"]), dklen=len(expected),
                                 maxmem=256 * 1024 * 1024)
        except (ValueError, KeyError):
            return False
        return hmac.compare_digest(got, expected)
    if stored.startswith(("$2a$", "$2b$", "$2y$")):
        try:
            import bcrypt  # type: ignore[import-not-found]
        except ImportError:
            log.warning("Role has a bcrypt hash but the bcrypt package is not installed")
            return False
        return bool(bcrypt.checkpw(pw, stored.encode("ascii")))
    return False


def parse_plain(token: bytes | None) -> tuple[str, str]:
    """SASL PLAIN: ``authzid NUL authcid NUL password`` (authzid empty for drivers)."""
    if token is None:
        raise RequestError(AUTH_ERROR, "Authentication ID must not be null")
    parts = token.split(b"\x00")
    if len(parts) != 3:
        raise RequestError(AUTH_ERROR, "Invalid SASL PLAIN token")
    _, user, password = parts
    if not user:
        raise RequestError(AUTH_ERROR, "Authentication ID must not be null")
    if not password:
        raise RequestError(AUTH_ERROR, "Password must not be null")
    try:
        return user.decode("utf-8"), password.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(AUTH_ERROR, "Invalid UTF-8 in SASL PLAIN token") from None


class PasswordAuthenticator:
    """Checks credentials with a Session on the shared database."""

    name = AUTHENTICATOR

    def __init__(self, session):
        self.session = session

    def _role(self, name: str) -> tuple | None:
        rs = self.session.execute(
            "SELECT role, can_login, salted_hash FROM system_auth.roles WHERE role = ?",
            [name])
        rows = list(rs.current_rows)
        return tuple(rows[0]) if rows else None

    def ensure_default_superuser(self) -> None:
        """Create cassandra/cassandra (Cassandra's default) unless the role exists."""
        if self._role(DEFAULT_SUPERUSER) is None:
            self.session.execute(
                "INSERT INTO system_auth.roles (role, can_login, is_superuser, member_of, "
                "salted_hash) VALUES (?, true, true, null, ?) IF NOT EXISTS",
                [DEFAULT_SUPERUSER, hash_password(DEFAULT_PASSWORD)])
            log.info("Created the default superuser role %r", DEFAULT_SUPERUSER)

    def create_role(self, name: str, password: str, *, superuser: bool = False,
                    login: bool = True) -> None:
        self.session.execute(
            "INSERT INTO system_auth.roles (role, can_login, is_superuser, salted_hash) "
            "VALUES (?, ?, ?, ?)", [name, login, superuser, hash_password(password)])

    def authenticate(self, token: bytes | None) -> str:
        """The role name, or RequestError 0x0100 with Cassandra's message."""
        user, password = parse_plain(token)
        row = self._role(user)
        ok = verify_password(password, row[2] if row else hash_password("x", salt=b"0" * 16))
        if row is None or not ok:
            raise RequestError(
                AUTH_ERROR, f"Provided username {user} and/or password are incorrect")
        if not row[1]:
            raise RequestError(AUTH_ERROR, f"{user} is not permitted to log in")
        return user
