"""``data/causes.compiled.json``: the knowledge base's TOML already parsed, for a fast start.

Parsing ``causes.toml`` with ``tomllib`` costs more than the rest of a ``diagnose`` run, so the
package ships the same data as JSON (milliseconds to read) stamped with the CRC-32 of the TOML it
came from. The JSON is used only while that stamp matches the TOML beside it; after an edit the
TOML is parsed as before, so a stale file can slow the doctor down but never change an answer.
Regenerate after editing the TOML (a test says so when it is stale)::

    python -m oauth_wizard.doctor.knowledge_compiled
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from oauth_wizard.core.packaged import data_text

COMPILED = "causes.compiled.json"
REGENERATE = "python -m oauth_wizard.doctor.knowledge_compiled"


def stamp(toml_text: str) -> str:
    """The stamp of one version of the TOML text."""
    return f"crc32:{zlib.crc32(toml_text.encode('utf-8')):08x}"


def compiled_data(toml_text: str) -> tuple[dict[str, Any], dict[str, list[str]]] | None:
    """The parsed data of ``toml_text`` and its patterns' needles (``text_patterns``) from the
    shipped JSON, or None when that is stale, missing or unreadable (the caller then parses
    the TOML)."""
    try:
        shipped = json.loads(data_text(COMPILED))
    except (OSError, ValueError):
        return None
    if not isinstance(shipped, dict) or shipped.get("source") != stamp(toml_text):
        return None
    data, needles = shipped.get("data"), shipped.get("needles")
    if not isinstance(data, dict) or not isinstance(needles, dict):
        return None
    return data, needles


def compile_text(toml_text: str) -> str:
    """The JSON file's text for ``toml_text`` (deterministic, so regenerating is a no-op diff)."""
    import tomllib

    from oauth_wizard.doctor.text_patterns import needles_of

    data = tomllib.loads(toml_text)
    needles = {name: list(found) for name, source in data.get("patterns", {}).items()
               if (found := needles_of(source))}
    # Key order is kept: the order of causes breaks ties in the ranking.
    return json.dumps({"source": stamp(toml_text), "data": data, "needles": needles},
                      ensure_ascii=False, indent=0) + "\n"


def main() -> int:
    """Regenerate the compiled JSON beside the packaged TOML."""
    target = Path(__file__).resolve().parent.parent / "data" / COMPILED
    target.write_text(compile_text(data_text("causes.toml")), "utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
