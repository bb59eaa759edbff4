"""Password hashes as Cassandra's PasswordAuthenticator stores them.

bcrypt (``$2a$10$...``, the ``bcrypt`` package), so ``system_auth.roles`` rows move between
cassalite and Cassandra unchanged. Rows written by cassalite 0.1 hold salted scrypt strings
(``$scrypt$n=..,r=..,p=..$salt$hash``); those still verify. ``bcrypt`` is imported where a
hash is made or checked, not with ``import cql``: a database without authentication never
needs it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

#: Cassandra's default (auth_bcrypt_gensalt_log2_rounds)
BCRYPT_ROUNDS = 10
#: bcrypt reads at most 72 bytes of a password; jBCrypt (Cassandra) ignores the rest
_BCRYPT_MAX = 72
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")

DEFAULT_SUPERUSER = "cassandra"
DEFAULT_PASSWORD = "cassandra"
#: bcrypt of DEFAULT_PASSWORD, computed once: the default password is public, and hashing it
#: at every start of every database would cost ~50 ms each.
DEFAULT_PASSWORD_HASH = "$2a$10$Ar3.NZxRQTIh9hHMS/xoWuTuDLsOg0zrg3tCPFl5M3P.tQ/M7wsNK"


def hash_password(password: str, *, rounds: int = BCRYPT_ROUNDS) -> str:
    import bcrypt

    salt = bcrypt.gensalt(rounds=rounds, prefix=b"2a")
    return bcrypt.hashpw(password.encode("utf-8")[:_BCRYPT_MAX], salt).decode("ascii")


def is_valid_hash(stored: str) -> bool:
    """Whether ``stored`` is a bcrypt hash jBCrypt accepts (CREATE ROLE ... HASHED PASSWORD)."""
    if not stored.startswith(_BCRYPT_PREFIXES):
        return False
    import bcrypt

    try:
        bcrypt.checkpw(b"dummy", stored.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    pw = password.encode("utf-8")
    if stored.startswith(_BCRYPT_PREFIXES):
        import bcrypt

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
DUMMY_HASH = "$2a$10$Ar3.NZxRQTIh9hHMS/xoWuTuDLsOg0zrg3tCPFl5M3P.tQ/M7wsNK"
