"""Secrets no profile names, in the plain-text file: ``status`` reports them and
``status --remove-orphans`` deletes them (and nothing else)."""

from __future__ import annotations

import json

from cli_kit import APP, CLIENT_ID, CLIENT_SECRET, run_sync

from oauth_wizard.core.records import client_secret_key, refresh_token_key

ORPHAN = refresh_token_key("gone", "NA", "A1GONE")


def add(monkeypatch) -> None:
    code, _, err = run_sync(
        monkeypatch, "--insecure-storage", "profile", "add", "shop", "--app-id", APP["draft"],
        "--client-id", CLIENT_ID["draft"], "--app-state", "draft", "--marketplace", "US",
        "--login-uri", "https://spapi-dev.example.com/login",
        "--redirect-uri", "https://spapi-dev.example.com/cb", stdin=CLIENT_SECRET["draft"])
    assert code == 0, err


def test_status_reports_orphans_and_remove_orphans_deletes_only_them(monkeypatch, cfg):
    add(monkeypatch)
    path = cfg / "insecure-secrets.json"
    doc = json.loads(path.read_text())
    doc["secrets"][ORPHAN] = "Atzr|" + "o" * 40  # left by an older version's interrupted run
    path.write_text(json.dumps(doc))
    code, out, _ = run_sync(monkeypatch, "status", "--json")
    problems = {p["id"]: p for p in json.loads(out)["problems"]}
    assert problems["orphan_secrets"]["command"] == "oauth-wizard status --remove-orphans"
    assert "1 secret(s) no profile uses" in problems["orphan_secrets"]["message"]
    assert "Atzr|" not in out
    code, out, err = run_sync(monkeypatch, "status", "--remove-orphans")
    assert code == 0 and "Removed 1 secret(s)" in out, err
    kept = json.loads(path.read_text())["secrets"]
    assert kept == {client_secret_key("shop"): CLIENT_SECRET["draft"]}
    code, out, _ = run_sync(monkeypatch, "status", "--json")
    assert "orphan_secrets" not in out
    code, out, _ = run_sync(monkeypatch, "status", "--remove-orphans")
    assert code == 0 and "No secret without a profile" in out
    code, _, err = run_sync(monkeypatch, "status", "shop", "--remove-orphans")
    assert code == 2 and "so it takes no NAME" in " ".join(err.split())
