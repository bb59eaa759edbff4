"""Test certificates made on the fly: a CA, a server certificate for 127.0.0.1/localhost,
a client certificate from the same CA, and a client certificate from another CA.

Uses the ``cryptography`` package when it is installed, else the ``openssl`` command.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Certs:
    ca: Path  # CA certificate (PEM) that signed server and client
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    rogue_cert: Path  # a client certificate signed by another CA
    rogue_key: Path


def make_certs(directory: Path) -> Certs:
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import cryptography  # noqa: F401
    except ImportError:
        if shutil.which("openssl") is None:
            import pytest
            pytest.skip("neither the cryptography package nor openssl is available")
        return _with_openssl(directory)
    return _with_cryptography(directory)


def _with_cryptography(d: Path) -> Certs:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def key():
        return ec.generate_private_key(ec.SECP256R1())

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def cert(subject_key, subject: str, issuer_key, issuer: str, *, ca: bool = False,
             san: bool = False) -> x509.Certificate:
        b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
             .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(minutes=5))
             .not_valid_after(now + datetime.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            b = b.add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
        return b.sign(issuer_key, hashes.SHA256())

    def write(path: Path, obj) -> Path:
        if isinstance(obj, x509.Certificate):
            path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
        else:
            path.write_bytes(obj.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return path

    ca_key, other_ca_key = key(), key()
    server_key, client_key, rogue_key = key(), key(), key()
    return Certs(
        ca=write(d / "ca.pem", cert(ca_key, "cassalite test CA", ca_key, "cassalite test CA",
                                    ca=True)),
        server_cert=write(d / "server.pem", cert(server_key, "127.0.0.1", ca_key,
                                                 "cassalite test CA", san=True)),
        server_key=write(d / "server.key", server_key),
        client_cert=write(d / "client.pem", cert(client_key, "alice", ca_key,
                                                 "cassalite test CA")),
        client_key=write(d / "client.key", client_key),
        rogue_cert=write(d / "rogue.pem", cert(rogue_key, "mallory", other_ca_key,
                                               "someone else's CA")),
        rogue_key=write(d / "rogue.key", rogue_key),
    )


def _with_openssl(d: Path) -> Certs:  # pragma: no cover - used without cryptography
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    (d / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for ca in ("ca", "other"):
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "1", "-subj",
            f"/CN={ca} test CA")
    for leaf, ca, cn in (("server", "ca", "127.0.0.1"), ("client", "ca", "alice"),
                         ("rogue", "other", "mallory")):
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{leaf}.key", "-out", f"{leaf}.csr", "-subj", f"/CN={cn}")
        extra = ["-extfile", "san.cnf"] if leaf == "server" else []
        run("x509", "-req", "-in", f"{leaf}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{leaf}.pem", "-days", "1", *extra)
    return Certs(d / "ca.pem", d / "server.pem", d / "server.key", d / "client.pem",
                 d / "client.key", d / "rogue.pem", d / "rogue.key")
