"""TLS on the native port, as Cassandra's client_encryption_options: TLS-only or optional
(plaintext and TLS on one port), client certificates none/optional/required, TLS 1.2+.

Clients: cassandra-driver with an ``ssl_context``, the real ``cqlsh --ssl`` and the
cassalite shell's ``--ssl``; certificates are generated per test module."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import warnings

import pytest

from cassalite.server import ServerConfig, ServerThread
from cassalite.server.frame import Opcode

from .certs import make_certs
from .rawclient import RawClient

cluster_mod = pytest.importorskip("cassandra.cluster")
NoHostAvailable = cluster_mod.NoHostAvailable


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


def _server(certs, **options) -> ServerThread:
    cfg = ServerConfig(memory=True, port=0, log_level="WARNING",
                       ssl_certfile=str(certs.server_cert), ssl_keyfile=str(certs.server_key),
                       **options)
    return ServerThread(cfg)


@pytest.fixture(scope="module")
def tls_server(certs):
    with _server(certs) as t:
        yield t


def client_context(certs, cert=None, key=None, **kw) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(certs.ca))
    if cert is not None:
        ctx.load_cert_chain(str(cert), str(key))
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


def query(port: int, ssl_context=None, timeout: float = 5) -> str:
    c = cluster_mod.Cluster(["127.0.0.1"], port=port, protocol_version=4,
                            connect_timeout=timeout, ssl_context=ssl_context)
    try:
        s = c.connect()
        return s.execute("SELECT release_version FROM system.local").one()[0]
    finally:
        c.shutdown()


def test_driver_over_tls_verifies_the_server(tls_server, certs):
    ctx = client_context(certs)  # check_hostname: the certificate names 127.0.0.1
    assert query(tls_server.port, ctx) == "5.0.0"


def test_tls_only_server_refuses_a_plaintext_client(tls_server, certs):
    with pytest.raises(NoHostAvailable):
        query(tls_server.port, timeout=1)
    # on the wire: a plaintext OPTIONS gets no CQL answer, the connection is closed
    with RawClient(tls_server.port) as c:
        c.send_raw(b"\x04\x00\x00\x01\x05\x00\x00\x00\x00")
        assert c.sock.recv(1024) == b"" or pytest.fail("plaintext answered")
    assert query(tls_server.port, client_context(certs)) == "5.0.0"  # still serving


def test_tls_below_1_2_is_refused(tls_server, certs):
    ctx = client_context(certs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    ctx = client_context(certs)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() == "TLSv1.2"


def test_client_certificate_required(certs):
    with _server(certs, ssl_ca=str(certs.ca)) as t:
        assert t.server.config.client_auth == "required"
        assert query(t.port, client_context(certs, certs.client_cert,
                                            certs.client_key)) == "5.0.0"
        with pytest.raises(NoHostAvailable):
            query(t.port, client_context(certs), timeout=1)  # no certificate
        with pytest.raises(NoHostAvailable):
            query(t.port, client_context(certs, certs.rogue_cert, certs.rogue_key), timeout=1)


def test_client_certificate_optional(certs):
    with _server(certs, ssl_ca=str(certs.ca), ssl_client_auth="optional") as t:
        assert query(t.port, client_context(certs)) == "5.0.0"
        assert query(t.port, client_context(certs, certs.client_cert,
                                            certs.client_key)) == "5.0.0"
        with pytest.raises(NoHostAvailable):  # one that is sent must verify
            query(t.port, client_context(certs, certs.rogue_cert, certs.rogue_key), timeout=1)


def test_optional_tls_serves_plaintext_and_tls_on_one_port(certs):
    with _server(certs, ssl_optional=True) as t:
        assert query(t.port) == "5.0.0"
        assert query(t.port, client_context(certs)) == "5.0.0"
        with RawClient(t.port) as c:  # a plaintext client that says nothing yet
            assert c.request(Opcode.OPTIONS).opcode == Opcode.SUPPORTED


def test_config_validation(certs):
    with pytest.raises(ValueError, match="ssl_client_auth 'required' needs ssl_ca"):
        ServerConfig().updated({"ssl_certfile": str(certs.server_cert),
                                "ssl_client_auth": "required"})
    with pytest.raises(ValueError, match="ssl_optional needs ssl_certfile"):
        ServerConfig().updated({"ssl_optional": True})
    with pytest.raises(ValueError, match="Invalid ssl_client_auth 'maybe'"):
        ServerConfig().updated({"ssl_certfile": "x", "ssl_client_auth": "maybe"})


def _cqlshrc(tmp_path, certs, client: bool) -> str:
    rc = tmp_path / "cqlshrc"
    lines = ["[ssl]", f"certfile = {certs.ca}", "validate = true"]
    if client:
        lines += [f"usercert = {certs.client_cert}", f"userkey = {certs.client_key}"]
    rc.write_text("\n".join(lines) + "\n")
    return str(rc)


def _shell(cmd: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSL_")}
    env.update(HOME=str(tmp_path), PYTHONIOENCODING="utf-8")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope="module")
def mutual_server(certs):
    with _server(certs, ssl_ca=str(certs.ca)) as t:
        yield t


@pytest.mark.parametrize("shell", ["cqlsh", "cassalite"])
def test_shells_with_ssl(shell, mutual_server, certs, tmp_path):
    if shell == "cqlsh":
        exe = shutil.which("cqlsh")
        if exe is None:
            pytest.skip("cqlsh is not installed")
        base = [exe]
    else:
        base = [sys.executable, "-m", "cassalite.shell"]
    args = ["127.0.0.1", str(mutual_server.port), "--ssl", "--connect-timeout", "10",
            "-e", "SELECT release_version FROM system.local"]
    fail = [*args[:3], "--connect-timeout", "1", *args[5:]]
    good = _shell([*base, "--cqlshrc", _cqlshrc(tmp_path, certs, True), *args], tmp_path)
    assert good.returncode == 0, good.stderr
    assert "5.0.0" in good.stdout
    # without a client certificate the mutual-TLS server refuses the connection
    bad = _shell([*base, "--cqlshrc", _cqlshrc(tmp_path, certs, False), *fail], tmp_path)
    assert bad.returncode != 0
    assert "Connection error" in bad.stderr
    # and without --ssl too
    plain = _shell([*base, "--cqlshrc", _cqlshrc(tmp_path, certs, True), *fail[:2],
                    *fail[3:]], tmp_path)
    assert plain.returncode != 0
    assert "Connection error" in plain.stderr
