"""The data files shipped inside the package (``oauth_wizard/data``), read as text.

Read straight from the package directory, which is where pip puts them; ``importlib.resources``
(slower to import, noticeable in a command's start-up) is used only when the package does not
live in plain files (a zip import).
"""

from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data"


def data_text(name: str) -> str:
    """The UTF-8 text of ``oauth_wizard/data/<name>``."""
    try:
        return (_DATA / name).read_text("utf-8")
    except FileNotFoundError:
        from importlib import resources

        return resources.files("oauth_wizard").joinpath(f"data/{name}").read_text("utf-8")
