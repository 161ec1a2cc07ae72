"""Shared helpers for the doctor's tests: the output contract of reference/diagnosis.md, checked
field by field, and realistic identifiers."""

from __future__ import annotations

import json
from pathlib import Path

APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
# Copies of the shared reference this project started from, kept with the tests so a plain clone
# can run them (tests/test_reference_copies.py checks they still match when shared/ is present).
REFERENCE = Path(__file__).resolve().parent / "reference"


def consent(host: str = "sellercentral.amazon.com", **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"application_id": APP_ID, "state": "s1",
                                              **params}.items())
    return f"https://{host}/apps/authorize/consent?{query}"


def assert_contract(payload: dict, *, known_code: bool = False) -> None:
    """``payload`` is exactly the JSON contract: these keys, these types, sorted causes."""
    assert set(payload) == {"signals", "causes", "questions", "ruled_out"}
    assert all(set(r) == {"id", "by"} and "=" in r["by"] for r in payload["ruled_out"])
    assert isinstance(payload["signals"], list)
    assert all(isinstance(s, str) and s for s in payload["signals"])
    causes = payload["causes"]
    assert isinstance(causes, list) and causes, "causes is never empty"
    for cause in causes:
        assert set(cause) == {"id", "score", "title", "why", "fix", "source"}
        assert isinstance(cause["id"], str) and cause["id"]
        assert isinstance(cause["score"], float | int) and 0.0 <= cause["score"] <= 1.0
        assert isinstance(cause["title"], str) and cause["title"]
        assert isinstance(cause["why"], list) and cause["why"]
        assert all(isinstance(w, str) and w for w in cause["why"])
        assert isinstance(cause["fix"], list) and cause["fix"]
        assert all(isinstance(f, str) and f for f in cause["fix"])
        assert isinstance(cause["source"], str) and cause["source"]
    scores = [c["score"] for c in causes]
    assert scores == sorted(scores, reverse=True), "causes are sorted best first"
    assert len({c["id"] for c in causes}) == len(causes)
    for question in payload["questions"]:
        assert set(question) == {"fact", "ask", "choices"}
        assert isinstance(question["fact"], str) and question["fact"]
        assert isinstance(question["ask"], str) and question["ask"]
        assert isinstance(question["choices"], list)
        assert all(isinstance(c, str) and c for c in question["choices"])
    assert len({q["fact"] for q in payload["questions"]}) == len(payload["questions"])
    assert json.loads(json.dumps(payload)) == payload  # plain JSON, nothing exotic
