"""The consent URL: how a correct one is built (url.py) and why a given one is wrong (lint.py)."""
