"""The authorize flow against the local Amazon over real loopback sockets: draft and published,
seller and vendor, hybrid, TLS, paste-back, what is stored where, the events in order, and that
no code, secret or token leaks into events, logs or exceptions.

The seller's browser is a scripted httpx client following the redirects from the consent URL
(``sim_user=`` picks the signed-in user) through the Login leg, the simulator's confirm step and
the Redirect leg to the catcher.
"""

from __future__ import annotations

import logging
import ssl
import stat
import traceback
from urllib.parse import urlsplit

import pytest
from flow_kit import (
    APPS,
    NA_DEV_ID,
    PAT,
    SELLER,
    VAL,
    VENDOR,
    NotFromTheBrowser,
    World,
    profile_for,
    query_of,
    secret_of,
    world,
)

from oauth_wizard.authorize import tls
from oauth_wizard.authorize.flow import TokenNotSaved
from oauth_wizard.authorize.legs import LoginLeg, RedirectLeg
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import (
    CodeReceived,
    ConsentReady,
    Exchanging,
    FlowFailed,
    Listening,
    LoginLegReceived,
    Notice,
    SentBackToAmazon,
    Stored,
)
from oauth_wizard.core.masking import mask, mask_code
from oauth_wizard.core.records import ProfileRecord, refresh_token_key
from oauth_wizard.keep.secrets import MemorySecretStore, SecretStoreError
from oauth_wizard.keep.store import ProfileStore


class RecordingStore(MemorySecretStore):
    """A memory store that remembers every write, so a test sees exactly what was stored."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, str]] = []

    async def set(self, key: str, value: str) -> None:
        self.writes.append((key, value))
        await super().set(key, value)


class RefusingStore(MemorySecretStore):
    """A secret store whose writes fail, like a locked keyring."""

    async def set(self, key: str, value: str) -> None:
        raise SecretStoreError("locked", "The keyring is locked and was not unlocked, so the "
                               "refresh token was not saved.",
                               ("Unlock the keyring, then try again.",
                                "Or rerun with --insecure-storage."))


@pytest.fixture
async def w():
    async with world() as running:
        yield running


def kinds(events: list) -> list[type]:
    return [type(e) for e in events]


def issued_refresh_token(w: World) -> str:
    """The one refresh token the consent flow got (the simulator also mints one
    self-authorization token per app when it starts)."""
    tokens = ["Atzr|" + raw for raw in w.minted.by_kind["refresh_token"]]
    (token,) = [t for t in tokens if not w.sim.grant_for(t).self_auth]
    return token


def profile_store(tmp_path, key: str, uri: str) -> ProfileStore:
    store = ProfileStore(tmp_path / "config")
    store.put(ProfileRecord(profile_for(key, uri), secret_storage="keyring"))
    return store


# --- the whole flow ------------------------------------------------------------------------------

async def test_draft_seller_app_goes_from_consent_url_to_a_stored_refresh_token(w, tmp_path):
    secrets, store = RecordingStore(), profile_store(tmp_path, "draft", w.uri)
    flow = w.flow("draft", secrets=secrets, profiles=store)
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert caught.error is None

    assert kinds(w.events) == [ConsentReady, Listening, LoginLegReceived, SentBackToAmazon,
                               CodeReceived, Exchanging, Stored]
    ready, listening, login, sent, code, exchanging, stored = w.events
    assert ready.consent.url.startswith(w.endpoints.portal_base + "/sellercentral.amazon.com/")
    assert (listening.port, listening.redirect_uri) == (w.port, w.uri)
    assert (login.selling_partner_id, login.region, login.beta) == (SELLER, "NA", True)
    assert sent.callback_host == urlsplit(w.endpoints.portal_base).netloc
    (minted_code,) = w.minted.by_kind["code"]
    assert code.masked_code == mask_code(minted_code) and code.selling_partner_id == SELLER
    assert exchanging.deadline - exchanging.received_at == 300

    # The browser went consent -> Login leg -> Amazon's confirm -> Redirect leg, in that order.
    page = caught.page
    consent, login_leg, confirm, redirect_leg = page.hops
    assert query_of(login_leg)["version"] == "beta" and login_leg.startswith(w.uri + "?")
    assert query_of(confirm)["state"] == flow.pending.state
    assert query_of(confirm)["version"] == "beta" and "redirect_uri" not in query_of(confirm)
    assert query_of(redirect_leg)["spapi_oauth_code"] == minted_code
    assert page.response.status_code == 200 and "Authorized" in page.response.text
    assert minted_code not in page.response.text

    token = issued_refresh_token(w)
    key = refresh_token_key("shop", "NA", SELLER)
    assert secrets.writes == [(key, token)]
    grant = w.sim.grant_for(token)
    assert (grant.client_id, grant.selling_partner_id, grant.region) == (
        APPS["draft"]["client_id"], SELLER, "NA")
    assert caught.result.masked_token == mask(token) == stored.masked_token
    assert caught.result.storage == secrets.describe() and not caught.result.mws_auth_token

    (auth,) = store.get("shop").authorizations
    assert auth == caught.result.authorization == stored.authorization
    assert (auth.region, auth.selling_partner_id, auth.how, auth.storage, auth.marketplaces) == (
        "NA", SELLER, "oauth", "memory", ("US",))
    text = store.path.read_text()
    assert SELLER in text
    for secret in (token, minted_code, secret_of("draft")):
        assert secret not in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("key", "market", "user", "host", "region", "partner", "beta"), [
    ("published", "DE", PAT, "sellercentral.amazon.de", "EU", SELLER, False),
    ("published", "UK", PAT, "sellercentral.amazon.co.uk", "EU", SELLER, False),
    ("draft", "CA", PAT, "sellercentral.amazon.ca", "NA", SELLER, True),
    ("vendor", "US", VAL, "vendorcentral.amazon.com", "NA", VENDOR, True),
])
async def test_published_draft_seller_and_vendor_apps(w, key, market, user, host, region,
                                                      partner, beta):
    secrets = RecordingStore()
    flow = w.flow(key, marketplace=market, secrets=secrets)
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=user)))
    assert caught.error is None, caught.error

    consent, login_leg, confirm, redirect_leg = caught.page.hops
    assert urlsplit(consent).path.startswith(f"/{host}/apps/authorize/consent")
    callback = query_of(login_leg)["amazon_callback_uri"]
    assert urlsplit(callback).path.startswith(f"/{host}/apps/authorize/confirm/")
    for address in (consent, login_leg, confirm):  # version=beta exactly on draft flows
        assert (query_of(address).get("version") == "beta") is beta
    assert "version" not in query_of(redirect_leg)

    token = issued_refresh_token(w)
    assert secrets.writes == [(refresh_token_key("shop", region, partner), token)]
    grant = w.sim.grant_for(token)
    assert (grant.region, grant.selling_partner_id, grant.kind) == (region, partner,
                                                                    APPS[key]["kind"])
    assert caught.result.authorization.region == region
    assert caught.result.authorization.marketplaces == (market,)


async def test_auto_approve_signs_in_as_the_first_primary_user():
    async with world(auto_approve=True) as w:
        secrets = RecordingStore()
        flow = w.flow("published", secrets=secrets)
        caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow)))
        assert caught.error is None
        assert "sim_user" not in query_of(caught.page.hops[0])
        assert secrets.writes == [(refresh_token_key("shop", "NA", SELLER),
                                   issued_refresh_token(w))]


async def test_hybrid_app_gets_its_token_and_the_mws_auth_token_is_only_mentioned(w, tmp_path):
    secrets, store = RecordingStore(), profile_store(tmp_path, "hybrid", w.uri)
    flow = w.flow("hybrid", secrets=secrets, profiles=store)
    assert flow.setup.profile.dev_ids == (("NA", NA_DEV_ID),)
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert caught.error is None and caught.result.mws_auth_token

    (mws,) = w.minted.by_kind["mws_auth_token"]
    assert query_of(caught.page.hops[-1])["mws_auth_token"] == "amzn.mws." + mws
    code_event = next(e for e in w.events if isinstance(e, CodeReceived))
    assert code_event.has_mws_auth_token
    assert kinds(w.events)[-2:] == [Stored, Notice]
    assert "mws_auth_token" in w.events[-1].message
    assert [k for k, _ in secrets.writes] == [refresh_token_key("shop", "NA", SELLER)]
    assert all(mws not in value for _, value in secrets.writes)
    assert mws not in store.path.read_text()


async def test_a_chosen_redirect_uri_travels_through_both_legs(w):
    flow = w.flow("draft", redirect_uri=w.uri)
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert caught.error is None
    consent, _login, confirm, redirect_leg = caught.page.hops
    assert query_of(consent)["redirect_uri"] == w.uri
    assert query_of(confirm)["redirect_uri"] == w.uri
    assert redirect_leg.startswith(w.uri + "?")


async def test_https_catcher_with_the_generated_certificate_for_localhost(tmp_path):
    cert = tls.ensure_cert(tmp_path / "tls", "localhost")
    trust = ssl.create_default_context(cafile=str(cert.cert_path))  # verified, not ignored
    async with world(scheme="https", host="localhost", verify=trust) as w:
        secrets = RecordingStore()
        flow = w.flow("draft", secrets=secrets)
        caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)),
                               ssl_context=cert.ssl_context())
        assert caught.error is None, caught.error
        assert caught.page.hops[1].startswith(f"https://localhost:{w.port}/cb?")
        assert w.events[1].local_url == f"https://127.0.0.1:{w.port}/cb"
        assert "Authorized" in caught.page.response.text
        assert secrets.writes[0][1] == issued_refresh_token(w)


# --- paste-back ----------------------------------------------------------------------------------

async def test_paste_mode_login_leg_then_redirect_leg(w, tmp_path):
    secrets, store = RecordingStore(), profile_store(tmp_path, "draft", w.uri)
    flow = w.flow("draft", secrets=secrets, profiles=store)
    first = await w.browser.open(w.consent_url(flow, sim_user=PAT), stop_before=w.uri)
    login_url = first.url
    assert "amazon_callback_uri" in query_of(login_url)

    leg = await flow.paste(login_url)
    assert isinstance(leg, LoginLeg) and leg.beta and leg.selling_partner_id == SELLER
    assert query_of(leg.next_url)["state"] == flow.pending.state
    second = await w.browser.open(leg.next_url, stop_before=w.uri)
    redirect_url = second.url
    assert "spapi_oauth_code" in query_of(redirect_url)

    result = await flow.paste(redirect_url)
    assert result.authorization.selling_partner_id == SELLER
    assert secrets.writes == [(refresh_token_key("shop", "NA", SELLER), issued_refresh_token(w))]
    assert kinds(w.events) == [ConsentReady, Notice, Exchanging, Stored]
    assert store.get("shop").authorizations == (result.authorization,)
    with pytest.raises(FlowError) as again:  # the same address pasted twice: single use
        await flow.paste(redirect_url)
    assert "only once" in again.value.message
    assert len(secrets.writes) == 1


# --- the token cannot be saved -------------------------------------------------------------------

async def test_token_not_saved_keeps_the_token_on_the_exception_only(w, tmp_path):
    store = profile_store(tmp_path, "draft", w.uri)
    flow = w.flow("draft", secrets=RefusingStore(), profiles=store)
    caught = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    error = caught.error
    assert isinstance(error, TokenNotSaved) and error.cause == "secret_store"
    token = issued_refresh_token(w)
    assert error.token.refresh_token == token and w.sim.grant_for(token) is not None
    assert error.authorization.selling_partner_id == SELLER
    assert "could not be saved" in error.message and "--insecure-storage" in error.fix
    shown = [str(error), repr(error), *map(str, error.args),
             "".join(traceback.format_exception(error))]
    for text in shown:
        assert token not in text and token[5:] not in text
    assert kinds(w.events)[-1] is FlowFailed and Stored not in kinds(w.events)
    assert w.events[-1].cause == "secret_store"
    assert store.get("shop").authorizations == ()  # nothing recorded for a token not kept


# --- nothing secret anywhere ---------------------------------------------------------------------

def _exception_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    for attr in ("message", "fix"):
        texts.append(str(getattr(error, attr, "")))
    return texts


async def test_no_code_secret_or_token_in_events_logs_or_errors(w, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(NotFromTheBrowser())  # its address bar holds codes, as any does
    texts: list[str] = []
    # 1. a hybrid flow that succeeds (code, refresh and access token, mws_auth_token minted)
    flow = w.flow("hybrid", profiles=profile_store(tmp_path, "hybrid", w.uri))
    ok = await w.catch(flow, lambda: w.browser.open(w.consent_url(flow, sim_user=PAT)))
    assert ok.error is None
    # 2. the code replayed to LWA, 3. a wrong client secret, 4. a token that cannot be saved
    (code,) = w.minted.by_kind["code"]
    with pytest.raises(FlowError) as reused:
        await w.flow("hybrid").finish(RedirectLeg(code, SELLER))
    texts += _exception_texts(reused.value)
    wrong = w.flow("draft", secret="amzn1.oa2-cs.v1." + "0bad" * 16)
    bad = await w.catch(wrong, lambda: w.browser.open(w.consent_url(wrong, sim_user=PAT)))
    assert isinstance(bad.error, FlowError)
    texts += _exception_texts(bad.error)
    refusing = w.flow("draft", secrets=RefusingStore())
    lost = await w.catch(refusing, lambda: w.browser.open(w.consent_url(refusing,
                                                                         sim_user=PAT)))
    assert isinstance(lost.error, TokenNotSaved)
    texts += _exception_texts(lost.error)

    texts += [e.message for e in w.events] + [repr(e) for e in w.events]
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
    assert any("POST" in t for t in texts), "the LWA client's requests should be logged"

    planted = [*w.minted.secrets(), secret_of("hybrid"), secret_of("draft"),
               "amzn1.oa2-cs.v1." + "0bad" * 16]
    assert len(w.minted.by_kind["code"]) == 3 and w.minted.by_kind["access_token"]
    for secret in planted:
        for text in texts:
            assert secret not in text, f"{mask(secret)} leaked into: {text[:200]}"
            assert secret[-8:] not in text, f"the end of {mask(secret)} leaked into: {text[:200]}"

