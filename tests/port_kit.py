"""A loopback port for a test's catcher, picked below the kernel's ephemeral range.

``free_port()`` asks the kernel for a free port, which comes from the ephemeral range; between
that answer and the catcher's bind, the test's own HTTP clients can take the same port for an
outgoing connection (seen once in a full run). Outgoing connections never use ports below the
ephemeral range (Linux starts it at 32768), so a port picked there stays free.
"""

from __future__ import annotations

import random
import socket

LOW, HIGH = 20000, 32000


def quiet_port() -> int:
    """A port on 127.0.0.1 that is free now and that no outgoing connection will take."""
    pick = random.SystemRandom()  # not the seeded module generator: tests keep their sequences
    for _ in range(200):
        port = pick.randrange(LOW, HIGH)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port between {LOW} and {HIGH}")
