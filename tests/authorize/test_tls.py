"""Certificates for the catcher: generated, kept, reused, regenerated, or the user's own."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import ipaddress
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from oauth_wizard.authorize import tls
from oauth_wizard.authorize.tls import TlsError

T0 = 1_800_000_000.0  # a fixed "now" (2027-01-15)
DAY = 86_400.0


def clock_at(t: float):
    return lambda: t


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def make_cert(tmp: Path, names: list[str], *, days: int = 30, password: bytes | None = None,
              start: float = T0) -> tuple[Path, Path]:
    """A certificate for arbitrary SAN names (e.g. a wildcard), as another tool would make it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.fromtimestamp(start, dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
            .sign(key, hashes.SHA256()))
    enc = (serialization.BestAvailableEncryption(password) if password
           else serialization.NoEncryption())
    tmp.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = tmp / "c.pem", tmp / "k.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, enc))
    return cert_path, key_path


def test_generated_certificate_is_for_the_host_with_safe_file_modes(tmp_path):
    directory = tmp_path / "config" / "tls"
    made = tls.ensure_cert(directory, "SPAPI-dev.Example.com", clock=clock_at(T0))
    assert made.generated and not made.user_provided and made.host == "spapi-dev.example.com"
    assert mode(directory) == 0o700 and mode(made.key_path) == 0o600
    assert mode(made.cert_path) == 0o644
    cert = load(made.cert_path)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["spapi-dev.example.com"]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = cert.not_valid_after_utc - dt.datetime.fromtimestamp(T0, dt.UTC)
    assert dt.timedelta(days=89) < lifetime <= dt.timedelta(days=90)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert made.fingerprint.replace(":", "") == hashlib.sha256(der).hexdigest().upper()
    key = serialization.load_pem_private_key(made.key_path.read_bytes(), None)
    assert key.public_key() == cert.public_key()


def test_ip_host_gets_an_ip_address_san(tmp_path):
    made = tls.ensure_cert(tmp_path, "127.0.0.1", clock=clock_at(T0))
    san = load(made.cert_path).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert san.value.get_values_for_type(x509.DNSName) == []


def test_valid_certificate_is_reused_and_replaced_near_expiry(tmp_path):
    first = tls.ensure_cert(tmp_path, "dev.example.com", clock=clock_at(T0))
    again = tls.ensure_cert(tmp_path, "dev.example.com", clock=clock_at(T0 + 30 * DAY))
    assert not again.generated and again.fingerprint == first.fingerprint
    late = tls.ensure_cert(tmp_path, "dev.example.com", clock=clock_at(T0 + 89.5 * DAY))
    assert late.generated and late.fingerprint != first.fingerprint
    assert late.not_after > first.not_after


def test_each_host_keeps_its_own_certificate(tmp_path):
    a = tls.ensure_cert(tmp_path, "a.example.com", clock=clock_at(T0))
    b = tls.ensure_cert(tmp_path, "b.example.com", clock=clock_at(T0))
    assert a.cert_path != b.cert_path
    assert not tls.ensure_cert(tmp_path, "a.example.com", clock=clock_at(T0)).generated


def test_damaged_or_mismatched_files_are_regenerated(tmp_path):
    first = tls.ensure_cert(tmp_path, "dev.example.com", clock=clock_at(T0))
    first.cert_path.write_text("garbage")
    second = tls.ensure_cert(tmp_path, "dev.example.com", clock=clock_at(T0))
    assert second.generated
    other = tls.ensure_cert(tmp_path / "other", "dev.example.com", clock=clock_at(T0))
    second.key_path.write_bytes(other.key_path.read_bytes())
    assert tls.ensure_cert(tmp_path, "dev.example.com", clock=clock_at(T0)).generated


@pytest.mark.parametrize("host", ["", "bad host", "../etc", ".example.com"])
def test_not_a_host_name_is_refused(tmp_path, host):
    with pytest.raises(TlsError, match="not a host name"):
        tls.ensure_cert(tmp_path, host)


async def test_ssl_context_serves_a_certificate_a_strict_client_verifies(tmp_path):
    made = tls.ensure_cert(tmp_path, "localhost")

    async def answer(reader, writer):
        writer.write(b"hello")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=made.ssl_context())
    port = server.sockets[0].getsockname()[1]
    client = ssl.create_default_context(cafile=str(made.cert_path))
    client.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client,
                                                       server_hostname="localhost")
        assert await reader.read() == b"hello"
        writer.close()
        with pytest.raises(ssl.SSLCertVerificationError):
            await asyncio.open_connection("127.0.0.1", port, ssl=client,
                                          server_hostname="other.example.com")
    finally:
        server.close()
        await server.wait_closed()


# User-provided --cert/--key -------------------------------------------------------------------

def test_user_certificate_for_the_host_is_accepted(tmp_path):
    cert, key = make_cert(tmp_path, ["*.example.test", "example.test"])
    loaded = tls.load_user_cert(cert, key, "dev.example.test", clock=clock_at(T0))
    assert loaded.user_provided and not loaded.generated
    assert loaded.fingerprint == tls.fingerprint(load(cert))
    assert isinstance(loaded.ssl_context(), ssl.SSLContext)


def test_user_chain_file_is_accepted_with_the_leaf_first(tmp_path):
    cert, key = make_cert(tmp_path / "leaf", ["dev.example.test"])
    extra, _ = make_cert(tmp_path / "ca", ["ca.example.test"])
    cert.write_bytes(cert.read_bytes() + extra.read_bytes())
    assert tls.load_user_cert(cert, key, "dev.example.test", clock=clock_at(T0)).user_provided


def test_missing_files_are_named(tmp_path):
    cert, key = make_cert(tmp_path, ["dev.example.test"])
    with pytest.raises(TlsError, match=r"certificate file .*nope\.pem does not exist.*--cert"):
        tls.load_user_cert(tmp_path / "nope.pem", key, "dev.example.test")
    with pytest.raises(TlsError, match=r"key file .*nokey\.pem does not exist.*--key"):
        tls.load_user_cert(cert, tmp_path / "nokey.pem", "dev.example.test")


def test_non_pem_files_are_explained(tmp_path):
    cert, key = make_cert(tmp_path, ["dev.example.test"])
    der = tmp_path / "c.der"
    der.write_bytes(load(cert).public_bytes(serialization.Encoding.DER))
    with pytest.raises(TlsError, match="not a PEM certificate.*openssl x509 -inform der"):
        tls.load_user_cert(der, key, "dev.example.test")
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
    with pytest.raises(TlsError, match="readable PEM certificate"):
        tls.load_user_cert(broken, key, "dev.example.test")
    with pytest.raises(TlsError, match="not a PEM private key"):
        tls.load_user_cert(cert, cert, "dev.example.test")


def test_password_protected_key_is_explained(tmp_path):
    cert, key = make_cert(tmp_path, ["dev.example.test"], password=b"pw")
    with pytest.raises(TlsError, match="protected by a password.*openssl pkey"):
        tls.load_user_cert(cert, key, "dev.example.test", clock=clock_at(T0))


def test_key_of_another_certificate_is_refused(tmp_path):
    cert, _ = make_cert(tmp_path / "a", ["dev.example.test"])
    _, other_key = make_cert(tmp_path / "b", ["dev.example.test"])
    with pytest.raises(TlsError, match="does not belong to the certificate"):
        tls.load_user_cert(cert, other_key, "dev.example.test", clock=clock_at(T0))


@pytest.mark.parametrize("host", ["other.test", "a.b.example.test", "example.test.evil"])
def test_certificate_that_does_not_cover_the_host_is_refused(tmp_path, host):
    cert, key = make_cert(tmp_path, ["*.example.test"])
    with pytest.raises(TlsError, match=rf"is for \*\.example\.test, not for {host}.*mkcert"):
        tls.load_user_cert(cert, key, host, clock=clock_at(T0))


def test_expired_user_certificate_is_refused(tmp_path):
    cert, key = make_cert(tmp_path, ["dev.example.test"], days=1)
    with pytest.raises(TlsError, match="expired"):
        tls.load_user_cert(cert, key, "dev.example.test", clock=clock_at(T0 + 2 * DAY))


# Trust instructions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("platform", "first", "command"), [
    ("linux", "linux", 'certutil -d sql:$HOME/.pki/nssdb -A -t "P,,"'),
    ("darwin", "darwin", "security add-trusted-cert -r trustRoot"),
    ("win32", "win32", "certutil -user -addstore Root"),
])
def test_trust_instructions_put_this_platform_first(tmp_path, platform, first, command):
    made = tls.ensure_cert(tmp_path, "dev.example.com")
    steps = tls.trust_instructions(made, platform)
    assert steps[0].platform == first
    assert command in steps[0].commands[0] and str(made.cert_path) in steps[0].commands[0]
    titles = " ".join(s.title for s in steps)
    assert "Firefox" in titles and "mkcert" in titles
    mkcert = next(s for s in steps if "mkcert" in s.title)
    assert "mkcert dev.example.com" in mkcert.commands
