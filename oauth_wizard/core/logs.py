"""The package's loggers, silent unless the user asks for debug output.

A logger from here has the package's ``NullHandler`` behind it, so Python's last-resort handler
never prints a stray line (or a traceback) beside the tool's own words. Only the modules that
log import this, so commands that never log (``url``, ``diagnose``) do not pay for ``logging``.
"""

from __future__ import annotations

import logging

_PACKAGE = "oauth_wizard"


def package_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with the package's ``NullHandler`` in place."""
    package = logging.getLogger(_PACKAGE)
    if not any(isinstance(h, logging.NullHandler) for h in package.handlers):
        package.addHandler(logging.NullHandler())
    return logging.getLogger(name)
