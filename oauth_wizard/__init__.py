"""oauth-wizard: authorize an Amazon SP-API app, keep its credentials alive, explain refusals.

The package's loggers get a handler that drops their records unless the user asks for debug
output, so Python's last-resort handler never prints a stray line (or a traceback) into the
terminal beside the tool's own words.
"""

import logging

logging.getLogger("oauth_wizard").addHandler(logging.NullHandler())
