"""Where the catcher may listen: the registered host must reach 127.0.0.1 and the port must be
free, and when either is not so, the exact hosts line, command or alternative that fixes it.

Kept apart from ``catcher`` so the listener reads as the legs it serves; the CLI and TUI catch
these errors by type (``HostNotLocalError``, ``PortBusyError``, ...).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from collections.abc import Callable

from oauth_wizard.core.errors import WizardError

BIND_HOST = "127.0.0.1"
_HOSTS_FILES = {"win32": r"C:\Windows\System32\drivers\etc\hosts"}
DEFAULT_TIMEOUT_S = 600.0  # how long the listener waits for Amazon's redirect


class CatcherError(WizardError):
    """The catcher cannot do its job; ``str()`` says what was wrong and ``fix`` what to do."""

    kind = "catcher_error"


class CatcherConfigError(CatcherError):
    kind = "config"


class HostNotLocalError(CatcherError):
    kind = "host_not_local"


class PortBusyError(CatcherError):
    kind = "port_busy"


class PrivilegedPortError(CatcherError):
    kind = "privileged_port"


class CatchTimeout(CatcherError):
    kind = "timeout"


def _hosts_help(host: str, platform: str) -> str:
    path = _HOSTS_FILES.get(platform, "/etc/hosts")
    return (f"Add the line '127.0.0.1 {host}' to {path} (as root/Administrator), or put a tunnel "
            "or reverse proxy in front and run with --plain-http, or use --paste.")


def check_host_resolves_here(host: str, *, platform: str | None = None,
                             resolver: Callable = socket.getaddrinfo) -> tuple[str, ...]:
    """The addresses ``host`` resolves to; HostNotLocalError unless the browser reaches 127.0.0.1.

    The catcher binds 127.0.0.1 only, so a name that resolves elsewhere (or only to ::1 or
    Debian's 127.0.1.1) would never reach it.
    """
    platform = platform or sys.platform
    host = host.strip("[]").lower()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if str(literal) == BIND_HOST:
            return (BIND_HOST,)
        raise HostNotLocalError(
            f"The registered URIs use the address {host}, but the catcher listens on "
            f"{BIND_HOST} only.", "Register a host name instead, mapped with "
            "'127.0.0.1 NAME' in the hosts file, or use a tunnel with --plain-http, or --paste.")
    try:
        infos = resolver(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise HostNotLocalError(f"The registered host {host} does not resolve on this machine.",
                                _hosts_help(host, platform)) from None
    found = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    loopback = all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in found)
    if loopback and BIND_HOST in found:
        return found
    where = ", ".join(found) or "nothing"
    why = (f"the catcher listens on {BIND_HOST} only" if loopback
           else "not to this machine, so the browser would never reach the catcher")
    raise HostNotLocalError(f"The registered host {host} resolves to {where}; {why}.",
                            _hosts_help(host, platform))


def _port_finder(port: int) -> str:
    if sys.platform == "win32":
        return f"netstat -ano | findstr :{port}"
    if sys.platform == "darwin":
        return f"lsof -nP -iTCP:{port} -sTCP:LISTEN"
    return f"ss -ltnp 'sport = :{port}'"


def bind_error(exc: OSError, port: int, uri: str, overridden: bool) -> CatcherError:
    """Turn a bind failure into advice naming the port and what the registered URI needs."""
    where = f"--port {port}" if overridden else f"the registered URI {uri}"
    if exc.errno in (errno.EADDRINUSE, 10048):
        return PortBusyError(
            f"Port {port} on {BIND_HOST} is already in use by another program, and {where} "
            f"needs the catcher there.",
            f"Stop that program (find it with: {_port_finder(port)}), or point a tunnel/reverse "
            "proxy at a free port and run with --plain-http --port N, or use --paste.")
    if exc.errno in (errno.EACCES, errno.EPERM, 10013) and port < 1024:
        return PrivilegedPortError(
            f"Port {port}, required by {where}, is a privileged port that only "
            "root/Administrator may listen on.",
            "Register URIs with a port above 1023 (e.g. https://HOST:8443/…), or forward it from "
            "a reverse proxy/tunnel and run with --plain-http --port N, or on Linux allow it with "
            f"'sudo sysctl -w net.ipv4.ip_unprivileged_port_start={port}', or use --paste.")
    return CatcherError(f"Cannot listen on {BIND_HOST}:{port} ({exc.strerror or exc}).",
                        "Try --port N with a tunnel/reverse proxy, or --paste.")


def free_port() -> int:
    """A port on 127.0.0.1 that is free now, for a catcher to bind moments later (another
    program could take it meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((BIND_HOST, 0))
        return int(sock.getsockname()[1])
