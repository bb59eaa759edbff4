"""Password hashes in system_auth.roles are Cassandra's: bcrypt ``$2a$10$``."""

from __future__ import annotations

import base64
import hashlib

import pytest

from cassalite.server import ServerConfig, ServerThread, wire
from cassalite.server.auth import hash_password, verify_password
from cassalite.server.frame import Opcode

from .rawclient import RawClient

#: bcrypt (cost 4) of 'super_secret_thing', as Cassandra's tests hash it
CASSANDRA_HASH = "$2a$04$PoiUnv/9OZ5nYjlN087uIe5KLMV6yJfDkgKAAHO0pRVTEvB3UQU/i"


def test_new_hashes_are_cassandras_bcrypt():
    stored = hash_password("s3cret")
    assert stored.startswith("$2a$10$") and len(stored) == 60
    assert verify_password("s3cret", stored)
    assert not verify_password("s3creT", stored)
    assert hash_password("s3cret") != stored  # salted


def test_hashes_written_by_cassandra_verify():
    assert verify_password("super_secret_thing", CASSANDRA_HASH)
    assert not verify_password("much_safer_password", CASSANDRA_HASH)


def test_long_passwords_compare_on_72_bytes_like_jbcrypt():
    stored = hash_password("x" * 100, rounds=4)
    assert verify_password("x" * 72 + "different tail", stored)


def test_legacy_scrypt_rows_still_verify():
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"old", salt=salt, n=2**14, r=8, p=1, dklen=32)
    stored = (f"$scrypt$n=16384,r=8,p=1${base64.b64encode(salt).decode()}$"
              f"{base64.b64encode(digest).decode()}")
    assert verify_password("old", stored)
    assert not verify_password("new", stored)


@pytest.mark.parametrize("stored", [None, "", "plain", "$2a$10$short", "$scrypt$bad"])
def test_malformed_hashes_never_verify(stored):
    assert not verify_password("anything", stored)


def test_login_with_a_role_row_copied_from_cassandra():
    with ServerThread(ServerConfig(memory=True, port=0, auth=True,
                                   auth_failure_delay_seconds=0)) as t:
        stored = t.server.authenticator.session.execute(
            "SELECT salted_hash FROM system_auth.roles WHERE role = 'cassandra'").one()[0]
        assert stored.startswith("$2a$10$")
        t.server.authenticator.session.execute(
            "INSERT INTO system_auth.roles (role, can_login, is_superuser, salted_hash) "
            "VALUES ('copied', true, false, ?)", [CASSANDRA_HASH])
        with RawClient(t.port) as c:
            assert c.startup().opcode == Opcode.AUTHENTICATE
            reply = c.request(Opcode.AUTH_RESPONSE,
                              wire.bytes_(b"\x00copied\x00super_secret_thing"))
            assert reply.opcode == Opcode.AUTH_SUCCESS
