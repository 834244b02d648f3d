"""The demo provider's certificate authority, for mutual TLS (RFC 8705) on loopback.

The demo makes a CA of its own (the ``cryptography`` package), signs with it a server
certificate for 127.0.0.1 / localhost / ::1, and issues client certificates; a client trusts
the CA's file explicitly (requests' ``verify=<file>``), so TLS verification stays on everywhere.
Everything is written to a directory the provider owns, keys with mode 0600, and lives a day.

https://www.rfc-editor.org/rfc/rfc8705
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DemoCA", "thumbprint", "write_key", "subject_dn"]

_DAY = datetime.timedelta(days=1)


def write_key(path: Path, key) -> Path:
    """A private key as unencrypted PKCS#8 PEM, readable by its owner only."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return path


def thumbprint(cert_pem: str | bytes) -> str:
    """RFC 8705 §3.1 ``x5t#S256``: base64url of the SHA-256 of the certificate's DER."""
    der = ssl.PEM_cert_to_DER_cert(cert_pem.decode() if isinstance(cert_pem, bytes) else cert_pem)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


def subject_dn(cert_pem: str | bytes) -> str:
    """The certificate's subject as an RFC 4514 string (what tls_client_auth registers)."""
    data = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
    return x509.load_pem_x509_certificate(data).subject.rfc4514_string()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "webhook-oauth-lab demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class DemoCA:
    """A CA made for one provider, in ``directory``: its certificate is :attr:`ca_file`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.name = _name("webhook-oauth-lab demo CA")
        self._cert = (
            x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name)
            .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - _DAY).not_valid_after(now + _DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = self.directory / "demo-ca.pem"
        self.ca_file.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def _issue(self, stem: str, common_name: str, *, server: bool, expired: bool = False,
               self_signed: bool = False) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = (now - 3 * _DAY, now - 2 * _DAY) if expired else (now - _DAY, now + _DAY)
        subject = _name(common_name)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder().subject_name(subject)
            .issuer_name(subject if self_signed else self.name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                 x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
        cert = builder.sign(key if self_signed else self._key, hashes.SHA256())
        cert_path = self.directory / f"{stem}.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert_path, write_key(self.directory / f"{stem}-key.pem", key)

    def server_certificate(self) -> tuple[Path, Path]:
        """(cert, key) files of the server's certificate for the loopback names."""
        return self._issue("demo-server", "localhost", server=True)

    def client_certificate(self, common_name: str, *, stem: str = "demo-client", expired: bool = False,
                           self_signed: bool = False) -> tuple[Path, Path]:
        """(cert, key) files of a client certificate for ``common_name``: issued by this CA, or
        ``self_signed`` (self_signed_tls_client_auth), or ``expired`` (to see the refusal)."""
        return self._issue(stem, common_name, server=False, expired=expired, self_signed=self_signed)

    def issued(self, cert_pem: str | bytes) -> bool:
        """Whether this CA signed ``cert_pem`` (the TLS layer has checked the signature already)."""
        data = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
        cert = x509.load_pem_x509_certificate(data)
        if cert.issuer != self.name:
            return False
        try:
            cert.verify_directly_issued_by(self._cert)
        except (ValueError, TypeError, Exception):  # noqa: BLE001 - InvalidSignature and kin: not ours
            return False
        return True

    def server_context(self, *, trusted: tuple[str, ...] = ()) -> ssl.SSLContext:
        """A TLS server context that requires a client certificate from this CA or ``trusted`` (PEM)."""
        cert, key = self.server_certificate()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.ca_file))
        context.load_cert_chain(str(cert), str(key))
        context.verify_mode = ssl.CERT_REQUIRED
        for pem in trusted:
            context.load_verify_locations(cadata=pem)
        self.server_files = (cert, key)
        return context
