"""PasswordAuthenticator: SASL PLAIN against the roles stored in ``system_auth.roles``.

Passwords are stored as Cassandra stores them: bcrypt hashes (``$2a$10$...``, the
``bcrypt`` package), so ``system_auth.roles`` rows move between cassalite and Cassandra
unchanged. Rows written by cassalite 0.1 hold salted scrypt strings
(``$scrypt$n=..,r=..,p=..$salt$hash``); those still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import bcrypt

from cassalite.server.errors import RequestError
from cql.errors import ErrorCode

log = logging.getLogger("cassalite.server")

AUTHENTICATOR = "org.apache.cassandra.auth.PasswordAuthenticator"
DEFAULT_SUPERUSER = "cassandra"
DEFAULT_PASSWORD = "cassandra"

#: Cassandra's default (auth_bcrypt_gensalt_log2_rounds)
BCRYPT_ROUNDS = 10
#: bcrypt reads at most 72 bytes of a password; jBCrypt (Cassandra) ignores the rest
_BCRYPT_MAX = 72


def hash_password(password: str, *, rounds: int = BCRYPT_ROUNDS) -> str:
    salt = bcrypt.gensalt(rounds=rounds, prefix=b"2a")
    return bcrypt.hashpw(password.encode("utf-8")[:_BCRYPT_MAX], salt).decode("ascii")


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    pw = password.encode("utf-8")
    if stored.startswith(("$2a$", "$2b$", "$2y$")):
        try:
            return bool(bcrypt.checkpw(pw[:_BCRYPT_MAX], stored.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            return False
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
    return False


#: checked against when a role does not exist, so that a missing role costs the same time
_DUMMY_HASH = hash_password("cassalite-no-such-role", rounds=BCRYPT_ROUNDS)


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
        ok = verify_password(password, row[2] if row else _DUMMY_HASH)
        if row is None or not ok:
            raise RequestError(
                ErrorCode.BAD_CREDENTIALS, f"Provided username {user} and/or password are incorrect")
        if not row[1]:
            raise RequestError(ErrorCode.BAD_CREDENTIALS, f"{user} is not permitted to log in")
        return user
