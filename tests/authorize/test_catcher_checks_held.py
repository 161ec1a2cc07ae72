"""Where the catcher may listen, and the advice when it may not, on every platform the wizard
runs on (issue 14: the platform branches and the Windows error numbers were unheld)."""

from __future__ import annotations

import errno
import socket

import pytest

from oauth_wizard.authorize import catcher_checks
from oauth_wizard.authorize.catcher_checks import (
    CatcherError,
    HostNotLocalError,
    PortBusyError,
    PrivilegedPortError,
    bind_error,
    check_host_resolves_here,
)

URI = "https://dev.example.com:8443/cb"


@pytest.mark.parametrize(("platform", "command"), [
    ("win32", "netstat -ano | findstr :8443"),
    ("darwin", "lsof -nP -iTCP:8443 -sTCP:LISTEN"),
    ("linux", "ss -ltnp 'sport = :8443'"),
])
def test_a_busy_port_names_the_command_that_finds_its_owner_on_this_platform(
        monkeypatch, platform, command):
    monkeypatch.setattr(catcher_checks.sys, "platform", platform)
    err = bind_error(OSError(errno.EADDRINUSE, "in use"), 8443, URI, False)
    assert isinstance(err, PortBusyError) and command in err.fix


@pytest.mark.parametrize(("number", "port", "kind"), [
    (errno.EADDRINUSE, 8443, PortBusyError),
    (10048, 8443, PortBusyError),          # WSAEADDRINUSE
    (errno.EACCES, 443, PrivilegedPortError),
    (errno.EPERM, 1023, PrivilegedPortError),
    (10013, 443, PrivilegedPortError),     # WSAEACCES
    (errno.EACCES, 1024, CatcherError),    # not privileged: something else refused it
    (10049, 8443, CatcherError),           # WSAEADDRNOTAVAIL is not "busy"
    (10014, 443, CatcherError),
])
def test_a_bind_failure_is_told_by_its_number_and_port(number, port, kind):
    err = bind_error(OSError(number, "refused"), port, URI, False)
    assert type(err) is kind
    assert f"{port}" in str(err) and err.fix


def test_the_advice_names_the_registered_uri_or_the_port_option():
    busy = OSError(errno.EADDRINUSE, "in use")
    assert URI in str(bind_error(busy, 8443, URI, False))
    assert "--port 8443" in str(bind_error(busy, 8443, URI, True))


@pytest.mark.parametrize(("platform", "hosts"), [
    ("win32", r"C:\Windows\System32\drivers\etc\hosts"), ("linux", "/etc/hosts"),
    ("darwin", "/etc/hosts"), ("freebsd14", "/etc/hosts")])
def test_a_host_that_does_not_resolve_names_this_platforms_hosts_file(platform, hosts):
    def nowhere(*_a, **_k):
        raise socket.gaierror(-2, "Name or service not known")
    with pytest.raises(HostNotLocalError) as info:
        check_host_resolves_here("dev.example.com", platform=platform, resolver=nowhere)
    assert f"'127.0.0.1 dev.example.com' to {hosts}" in info.value.fix


def test_the_platform_defaults_to_the_one_running(monkeypatch):
    monkeypatch.setattr(catcher_checks.sys, "platform", "win32")

    def nowhere(*_a, **_k):
        raise socket.gaierror(-2, "unknown")
    with pytest.raises(HostNotLocalError) as info:
        check_host_resolves_here("dev.example.com", resolver=nowhere)
    assert r"C:\Windows\System32\drivers\etc\hosts" in info.value.fix


def test_a_bracketed_address_is_read_as_an_address_without_asking_the_resolver():
    def never(*_a, **_k):
        raise AssertionError("an address literal needs no resolver")
    with pytest.raises(HostNotLocalError) as info:
        check_host_resolves_here("[::1]", resolver=never)
    assert "address ::1" in str(info.value)
    assert check_host_resolves_here("[127.0.0.1]", resolver=never) == ("127.0.0.1",)


def test_a_name_that_resolves_to_nothing_says_so():
    with pytest.raises(HostNotLocalError) as info:
        check_host_resolves_here("dev.example.com", platform="linux", resolver=lambda *a, **k: [])
    assert "resolves to nothing" in str(info.value)


def test_a_name_resolving_elsewhere_names_this_platforms_hosts_file():
    def elsewhere(*_a, **_k):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.9", 0))]
    with pytest.raises(HostNotLocalError) as info:
        check_host_resolves_here("dev.example.com", platform="win32", resolver=elsewhere)
    assert "resolves to 203.0.113.9;" in str(info.value)
    assert r"C:\Windows\System32\drivers\etc\hosts" in info.value.fix
