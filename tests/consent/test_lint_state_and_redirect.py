"""What a careful reviewer says about consent URLs as public code builds them: guessable
states, localhost and empty redirect_uri, and the extra parameters of generic OAuth2 clients."""

from __future__ import annotations

import base64
import json
import secrets

import pytest

from oauth_wizard.consent.state import new_state, state_weakness
from oauth_wizard.consent.url import lint_consent_url

APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
BASE = f"https://sellercentral.amazon.com/apps/authorize/consent?application_id={APP_ID}"


def lint(query: str):
    return lint_consent_url(f"{BASE}&{query}", app_state="published", marketplace="US")


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("state", "why"), [
    ("42", "only digits"), ("123456", "only digits"), ("stateexample", "word"),
    ("default", "word"), ("demo", "word"), ("test123", "word"), ("2026-12-07", "date"),
    ("20261207T101500Z", "date"), ("17|na", "characters long"), ("store-DE-7", "characters"),
    (b64(json.dumps({"user": 42, "tenant": "acme", "nonce": 7})), "base64 of readable JSON"),
    (b64("tenant=acme-store|user=42|return=/dashboard"), "base64 of readable text"),
    ("", "empty"), ("aaaaaaaaaaaaaaaaaaaaaaaa", "different characters"),
    ("seller_4711:DE:2026-12-07", "structured"),
])
def test_a_guessable_state_is_a_warning_with_how_to_make_one(state, why):
    result = lint(f"state={state}")
    assert result.ok, "a guessable state is a warning, not a problem Amazon refuses"
    (warning,) = [w for w in result.warnings if w.id == "state_mismatch"]
    assert why in warning.message and "random and used once" in warning.message
    assert "secrets.token_urlsafe(32)" in warning.fix
    assert result.as_json()["warnings"][0]["id"] == "state_mismatch"


@pytest.mark.parametrize("state", [new_state() for _ in range(20)]
                         + [secrets.token_hex(16), secrets.token_urlsafe(16)])
def test_random_states_pass(state):
    assert state_weakness(state) is None
    assert not lint(f"state={state}").warnings


@pytest.mark.parametrize("uri", ["https://localhost:8443/cb", "http://localhost:3000/callback",
                                 "https://127.0.0.1/cb"])
def test_a_localhost_redirect_says_what_registration_does_with_the_doubt(uri):
    result = lint(f"state={new_state()}&redirect_uri={uri}")
    (warning,) = [w for w in result.warnings if w.id == "uri_not_https_or_localhost"]
    assert "refuses http://" in warning.message and "uncertain" in warning.message
    assert "hosts-file" in warning.fix


def test_an_empty_redirect_uri_is_called_empty():
    result = lint(f"state={new_state()}&redirect_uri=")
    (problem,) = result.problems
    assert problem.id == "redirect_uri_not_registered"
    assert problem.message.startswith("redirect_uri is empty")
    assert "not https" not in problem.message


def test_generic_oauth2_extras_beside_a_right_application_id_are_only_a_note():
    result = lint(f"state={new_state()}&client_id=amzn1.application-oa2-client.{'0' * 32}"
                  "&response_type=code&scope=sellingpartnerapi")
    assert result.ok and not result.problems
    assert any("generic OAuth2 client adds" in n and "harmless" in n for n in result.notes)


def test_client_id_without_application_id_is_still_md1000():
    url = ("https://sellercentral.amazon.com/apps/authorize/consent?client_id=amzn1.application-"
           f"oa2-client.{'0' * 32}&state={new_state()}")
    result = lint_consent_url(url, app_state="published", marketplace="US")
    assert "client_id_as_application_id" in result.ids()
