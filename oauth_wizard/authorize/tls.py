"""A certificate for the catcher's HTTPS listener: generated per host, or the user's own.

Amazon accepts only https Login/Redirect URIs (spapi-authorization.md §4), so the local catcher
must serve TLS for the registered host name. We generate one **self-signed** certificate per
host rather than a local CA: trusting it vouches for exactly that one host and that one key, so
there is no CA key on disk that could mint certificates for other sites if it leaked. The price
is re-trusting after regeneration (every ~90 days, or for a new host); the fingerprint shown
lets the user tell which certificate they trusted. mkcert remains the alternative for those who
already run a local CA.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import re
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 90
RENEW_BEFORE = dt.timedelta(days=1)  # a certificate this close to expiry is regenerated
_HOST_RE = re.compile(r"[A-Za-z0-9.\-_:]+")


class TlsError(ValueError):
    """A certificate or key that cannot be used; ``str()`` says what and how to fix it."""


@dataclass(frozen=True)
class ServerCert:
    """The certificate and key files the catcher serves, and what the user needs to know."""

    cert_path: Path
    key_path: Path
    host: str
    fingerprint: str  # SHA-256, colon-separated hex, as browsers show it
    not_after: dt.datetime
    generated: bool  # made by this call (the browser must trust it anew)
    user_provided: bool = False

    def ssl_context(self) -> ssl.SSLContext:
        return server_ssl_context(self.cert_path, self.key_path)


@dataclass(frozen=True)
class TrustStep:
    """How to make one browser or OS trust the certificate."""

    platform: str  # "linux", "darwin", "win32" or "any"
    title: str
    commands: tuple[str, ...]
    note: str = ""


def _now(clock: Callable[[], float]) -> dt.datetime:
    return dt.datetime.fromtimestamp(clock(), dt.UTC)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def cert_hosts(cert: x509.Certificate) -> tuple[str, ...]:
    """The DNS names and IP addresses a certificate's subjectAltName lists."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
    names += [str(a) for a in san.get_values_for_type(x509.IPAddress)]
    return tuple(names)


def covers(cert: x509.Certificate, host: str) -> bool:
    """Whether a browser would accept ``cert`` for ``host`` (SAN only; one-label wildcards)."""
    host = host.lower().rstrip(".")
    ip = _ip(host)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    if ip is not None:
        return ip in san.get_values_for_type(x509.IPAddress)
    for name in san.get_values_for_type(x509.DNSName):
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def _file_names(directory: Path, host: str) -> tuple[Path, Path]:
    safe = host.lower().replace(":", "_")
    return directory / f"{safe}.cert.pem", directory / f"{safe}.key.pem"


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically, with ``mode`` from the first byte (no window where a key is readable)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _generate(host: str, now: dt.datetime, days: int) -> tuple[bytes, bytes, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "oauth-wizard (local)")])
    ip = _ip(host)
    alt: x509.GeneralName = x509.IPAddress(ip) if ip else x509.DNSName(host)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem, cert


def _reusable(cert_path: Path, key_path: Path, host: str, now: dt.datetime) -> ServerCert | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if key.public_key() != cert.public_key() or not covers(cert, host):
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE <= now or cert.not_valid_before_utc > now:
        return None
    return ServerCert(cert_path, key_path, host, fingerprint(cert), cert.not_valid_after_utc,
                      generated=False)


def ensure_cert(directory: Path | str, host: str, *, clock: Callable[[], float] = time.time,
                days: int = VALID_DAYS) -> ServerCert:
    """The certificate for ``host`` in ``directory``: reused while valid, else generated.

    The directory is created 0700, the key written 0600 and the certificate 0644.
    """
    if not host or not _HOST_RE.fullmatch(host) or host.startswith("."):
        raise TlsError(f"Cannot make a certificate for the host {host!r}: it is not a host name. "
                       "Check the host of the registered Login/Redirect URI.")
    host = host.lower().rstrip(".")
    directory = Path(directory)
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        os.chmod(directory, 0o700)  # mkdir's mode is reduced by the umask
    cert_path, key_path = _file_names(directory, host)
    now = _now(clock)
    found = _reusable(cert_path, key_path, host, now)
    if found:
        return found
    cert_pem, key_pem, cert = _generate(host, now, days)
    _write(key_path, key_pem, 0o600)
    _write(cert_path, cert_pem, 0o644)
    return ServerCert(cert_path, key_path, host, fingerprint(cert), cert.not_valid_after_utc,
                      generated=True)


def _read(path: Path, what: str, flag: str) -> bytes:
    if not path.is_file():
        raise TlsError(f"The {what} file {path} does not exist. Check the path given to {flag}.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TlsError(f"The {what} file {path} cannot be read ({exc.strerror}). "
                       "Check its permissions.") from None


def load_user_cert(cert_path: Path | str, key_path: Path | str, host: str, *,
                   clock: Callable[[], float] = time.time) -> ServerCert:
    """Check a user-provided ``--cert``/``--key`` pair (e.g. from mkcert) for ``host``."""
    cert_path, key_path = Path(cert_path), Path(key_path)
    cert_data = _read(cert_path, "certificate", "--cert")
    key_data = _read(key_path, "key", "--key")
    if b"-----BEGIN" not in cert_data:
        raise TlsError(f"{cert_path} is not a PEM certificate (no '-----BEGIN CERTIFICATE-----'). "
                       f"If it is DER, convert it: openssl x509 -inform der -in {cert_path} "
                       "-out cert.pem")
    try:
        chain = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise TlsError(f"{cert_path} does not contain a readable PEM certificate. "
                       "Pass the certificate file (mkcert: HOST.pem) to --cert.") from None
    if b"PRIVATE KEY-----" not in key_data:
        raise TlsError(f"{key_path} is not a PEM private key. Pass the key file "
                       "(mkcert: HOST-key.pem) to --key.")
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise TlsError(f"The key in {key_path} is protected by a password. Write an unencrypted "
                       f"copy readable only by you: openssl pkey -in {key_path} -out key.pem "
                       "(then chmod 600 key.pem).") from None
    except ValueError:
        raise TlsError(f"{key_path} does not contain a readable PEM private key. Pass the key "
                       "file (mkcert: HOST-key.pem) to --key.") from None
    leaf = chain[0]
    if key.public_key() != leaf.public_key():
        raise TlsError(f"The key in {key_path} does not belong to the certificate in {cert_path}. "
                       "Pass the key that was created together with this certificate.")
    if not covers(leaf, host):
        listed = ", ".join(cert_hosts(leaf)) or "no subjectAltName names"
        raise TlsError(f"The certificate {cert_path} is for {listed}, not for {host}, so browsers "
                       f"would refuse it. Make one for {host} (e.g. mkcert {host}).")
    now = _now(clock)
    if leaf.not_valid_after_utc <= now:
        raise TlsError(f"The certificate {cert_path} expired on "
                       f"{leaf.not_valid_after_utc:%Y-%m-%d}. Make a new one.")
    if leaf.not_valid_before_utc > now:
        raise TlsError(f"The certificate {cert_path} is valid only from "
                       f"{leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC. Check the clock.")
    return ServerCert(cert_path, key_path, host.lower(), fingerprint(leaf),
                      leaf.not_valid_after_utc, generated=False, user_provided=True)


def server_ssl_context(cert_path: Path | str, key_path: Path | str) -> ssl.SSLContext:
    """A TLS 1.2+ server context serving the certificate (and any chain in its file)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert_path), str(key_path))
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"TLS could not load {cert_path} with {key_path} ({exc}). "
                       "Check that both files are PEM and belong together.") from None
    return context


def trust_instructions(cert: ServerCert, platform: str | None = None) -> tuple[TrustStep, ...]:
    """How to trust the certificate, this machine's platform first, then the others."""
    path, host = cert.cert_path, cert.host
    nick = f"oauth-wizard {host}"
    steps = [
        TrustStep("linux", "Chromium / Chrome on Linux (NSS database)", (
            f'certutil -d sql:$HOME/.pki/nssdb -A -t "P,," -n "{nick}" -i "{path}"',),
            'certutil is in libnss3-tools (Debian/Ubuntu) or nss-tools (Fedora). "P,," trusts '
            f'this one server certificate, nothing else. Undo: certutil -d sql:$HOME/.pki/nssdb '
            f'-D -n "{nick}".'),
        TrustStep("any", "Firefox (any system)", (
            f'certutil -d sql:"<Firefox profile folder>" -A -t "P,," -n "{nick}" -i "{path}"',),
            f"Or, when Firefox warns on https://{host}/ during the authorization, compare the "
            "fingerprint and choose Advanced → Accept the Risk and Continue; Firefox keeps that "
            "exception for this certificate. (Its Authorities import refuses it: it is no CA.)"),
        TrustStep("darwin", "macOS (Safari, Chrome)", (
            f'security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db '
            f'"{path}"',),
            f'macOS asks for your password. Undo: security remove-trusted-cert "{path}".'),
        TrustStep("win32", "Windows (Edge, Chrome)", (f'certutil -user -addstore Root "{path}"',),
                  "Windows asks you to confirm. Undo: certmgr.msc → Trusted Root Certification "
                  f"Authorities → Certificates → {host} → Delete."),
        TrustStep("any", "Alternative: mkcert (a local CA you manage)", (
            "mkcert -install", f"mkcert {host}",
            f"oauth-wizard authorize NAME --cert {host}.pem --key {host}-key.pem"),
            "mkcert's CA can sign for any site; keep its key (mkcert -CAROOT) private."),
    ]
    here = platform or sys.platform
    here = "linux" if here.startswith("linux") else here
    order = {here: 0, "any": 1}
    return tuple(sorted(steps, key=lambda s: order.get(s.platform, 2)))
