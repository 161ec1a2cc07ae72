"""The doctor inside ``authorize``: preflight before anything listens or opens (a certain
failure refuses without --force, proceeds with it; likely ones warn and continue), and every
failure with a cause printed with the doctor's top cause and fix, exit codes unchanged.
Runs against the in-process simulator over real loopback sockets, as tests/test_cli_authorize.py.
"""

from __future__ import annotations

import json

import pytest
from cli_kit import (
    SELLER,
    SERVICE,
    Cli,
    add_profile,
    arun,
    assert_nothing_listens,
    browse,
    next_hop,
    run_sync,
)

from oauth_wizard.authorize import browser
from oauth_wizard.authorize.flow import AuthorizeFlow
from oauth_wizard.doctor.knowledge import load

REFRESH_KEY = f"profile:shop:refresh:NA:{SELLER}"


@pytest.fixture
def cfg(monkeypatch, tmp_path):
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("OAUTH_WIZARD_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return tmp_path / "cfg"


@pytest.fixture
def watch(monkeypatch):
    """Records whether a consent URL was built, a listener started or a browser opened."""
    calls: list[str] = []
    real_start, real_catch = AuthorizeFlow.start, AuthorizeFlow.catch

    def start(self):
        calls.append("consent url")
        return real_start(self)

    async def catch(self, **kwargs):
        calls.append("listen")
        return await real_catch(self, **kwargs)

    monkeypatch.setattr(AuthorizeFlow, "start", start)
    monkeypatch.setattr(AuthorizeFlow, "catch", catch)
    monkeypatch.setattr(browser, "open_url", lambda url: calls.append("browser") or True)
    return calls


def flat(text: str) -> str:
    return " ".join(text.split())


# --- preflight -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [[], ["--no-browser"], ["--paste"], ["--start", "--json"]])
async def test_a_certain_failure_refuses_before_anything_is_opened(
        monkeypatch, sim, port, keyring_backend, cfg, watch, mode):
    add_profile(monkeypatch, port, "--hybrid", "--dev-id", "EU=123456789012")
    code, out, err = run_sync(monkeypatch, "authorize", "shop", *mode)
    assert code == 1 and out == ""
    assert watch == []  # no consent URL, no listener, no browser
    assert_nothing_listens(port)
    assert not (cfg / "pending" / "shop.json").exists()
    text = flat(err)
    assert "[certain] Hybrid app without the MWS developer ID" in text
    assert "no MWS developer ID for NA" in text and "Fix: 1)" in text
    assert "nothing was opened" in text and "--force" in text
    assert keyring_backend.data.get((SERVICE, REFRESH_KEY)) is None


async def test_force_starts_anyway_and_the_attempt_can_succeed(
        monkeypatch, sim, port, keyring_backend, cfg):
    # The profile says hybrid without an NA developer ID; the registered app is not hybrid,
    # so Amazon (the simulator) accepts it: --force lets the user overrule a wrong profile.
    add_profile(monkeypatch, port, "--hybrid", "--dev-id", "EU=123456789012")
    cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser", "--force",
                                 "--timeout", "20")
    url = await cli.out.next_line()
    page = await browse(url)
    assert page.status_code == 200
    assert await cli.wait() == 0
    err = flat(cli.err.getvalue())
    assert "[certain]" in err and "hybrid_region_dev_id_missing" in err
    assert "--force: starting although" in err
    assert err.index("[certain]") < err.index("Listening on")  # told before it listened
    assert keyring_backend.data[(SERVICE, REFRESH_KEY)].startswith("Atzr|")


async def test_force_lets_a_marketplace_outside_the_profile_through_with_a_warning(
        monkeypatch, sim, port, cfg):
    add_profile(monkeypatch, port)
    code, out, err = await arun(monkeypatch, "authorize", "shop", "--start", "--json",
                                "--marketplace", "DE", "--force")
    assert code == 0, err
    assert "sellercentral.amazon.de" in json.loads(out)["consent_url"]
    text = flat(err)
    assert "[certain] The seller's marketplace is not among the app's marketplaces" in text
    assert "MD5100" in text and "--force" in text
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--start", "--marketplace", "DE")
    assert code == 2 and "--force" in flat(err)  # without it: still the usage error


async def test_likely_findings_warn_and_continue(monkeypatch, sim, port, keyring_backend, cfg):
    add_profile(monkeypatch, port, "--edits-pending", state="published")
    cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser", "--timeout", "20")
    page = await browse(await cli.out.next_line())
    assert page.status_code == 200
    assert await cli.wait() == 0
    err = flat(cli.err.getvalue())
    assert "[likely] Edits to the published app are not approved yet" in err
    assert "[certain]" not in err and "--force" not in err


async def test_a_clean_profile_prints_no_preflight(monkeypatch, sim, port, cfg):
    add_profile(monkeypatch, port)
    code, out, err = await arun(monkeypatch, "authorize", "shop", "--start")
    assert code == 0, err
    assert "Preflight" not in err


# --- failures through the doctor -------------------------------------------------------------

async def test_an_expired_code_prints_the_doctors_fix(monkeypatch, sim, port, keyring_backend,
                                                     cfg):
    add_profile(monkeypatch, port)
    _, out, _ = await arun(monkeypatch, "authorize", "shop", "--start", "--json")
    login_leg = await next_hop(json.loads(out)["consent_url"])
    _, next_url, _ = await arun(monkeypatch, "authorize", "shop", "--complete", login_leg)
    redirect_leg = await next_hop(next_url.strip())
    sim.advance(301)  # the code expires 5 minutes after issue
    code, _, err = await arun(monkeypatch, "authorize", "shop", "--complete", redirect_leg)
    assert code == 1  # unchanged by the doctor
    text = flat(err)
    assert "invalid_grant" in text and "(cause: auth_code_expired_or_reused)" in text
    assert "Doctor: Authorization code expired or already used (auth_code_expired_or_reused" \
        in text
    assert "Fix: 1)" in text
    assert "More: oauth-wizard diagnose --profile shop --fact cause=auth_code_expired_or_reused" \
        " --fact marketplace=US" in text
    assert text.index("error:") < text.index("Doctor:")
    for line in err.splitlines():
        assert len(line) <= 80 or len(line.split()) == 1, line


async def test_a_forged_redirect_goes_through_the_doctor(monkeypatch, sim, port, cfg):
    add_profile(monkeypatch, port)
    assert (await arun(monkeypatch, "authorize", "shop", "--start"))[0] == 0
    code, _, err = run_sync(monkeypatch, "authorize", "shop", "--complete",
                            f"http://127.0.0.1:{port}/cb?state=forged&selling_partner_id=A1"
                            "&spapi_oauth_code=x")
    assert code == 1
    text = flat(err)
    title = load().causes["state_mismatch"].title
    assert "(cause: state_mismatch)" in text
    assert f"Doctor: {title} (state_mismatch, " in text


async def test_a_failure_without_a_cause_keeps_its_plain_message(
        monkeypatch, sim, port, keyring_backend):
    add_profile(monkeypatch, port)
    cli = Cli(monkeypatch).start("authorize", "shop", "--no-browser", "--timeout", "0.5")
    assert await cli.wait() == 1
    err = cli.err.getvalue()
    assert "No redirect from Amazon arrived within 0.5 s" in err
    assert "(cause:" not in err and "Doctor:" not in err


async def test_the_diagnose_hint_runs_and_agrees(monkeypatch, sim, port, cfg):
    add_profile(monkeypatch, port)
    code, out, err = run_sync(monkeypatch, "diagnose", "--profile", "shop", "--fact",
                              "cause=auth_code_expired_or_reused", "--fact", "marketplace=US",
                              "--json")
    assert code == 0, err
    assert json.loads(out)["causes"][0]["id"] == "auth_code_expired_or_reused"
