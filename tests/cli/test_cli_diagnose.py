"""``oauth-wizard diagnose``: TEXT, ``-`` and piped stdin (bytes in any encoding, huge input),
the paste prompt on a terminal, facts (bad ones exit 2, unknown ones kept), ``--profile``,
``--json`` (always the contract), ``--support-case`` (never a secret) and 80 columns."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from doctor_kit import APP_ID, CLIENT_ID, assert_contract
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauth_wizard.cli.main import main
from oauth_wizard.core.profile import AppProfile
from oauth_wizard.core.records import ProfileRecord
from oauth_wizard.keep.store import ProfileStore

ROOT = Path(__file__).resolve().parents[2]
DONE_WHEN = ["diagnose", "Error Code: MD5100", "--fact", "marketplace=BR", "--fact",
             "app_marketplaces=US,CA,MX", "--json"]
LWA_BODY = '{"error_description":"The request has an invalid grant parameter : code",' \
           '"error":"invalid_grant"}'


class Stdin(io.TextIOWrapper):
    """A stdin with real bytes underneath; ``tty`` makes it claim to be a terminal."""

    def __init__(self, data: bytes = b"", tty: bool = False) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("COLUMNS", "80")

    def run(*argv: str, stdin: bytes | None = b"", tty: bool = False) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", Stdin(stdin or b"", tty))
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err
    return run


def test_done_when_marketplace_not_in_app_first_with_its_fix(cli):
    code, out, err = cli(*DONE_WHEN)
    assert code == 0, err
    payload = json.loads(out)
    assert_contract(payload, known_code=True)
    top = payload["causes"][0]
    assert top["id"] == "marketplace_not_in_app"
    assert any("Pricing" in step for step in top["fix"])
    assert "MD5100" in payload["signals"]


def test_json_is_exactly_the_engines_contract(cli):
    from oauth_wizard.doctor.diagnosis import diagnose

    code, out, _ = cli(*DONE_WHEN)
    expected = diagnose("Error Code: MD5100", ["marketplace=BR", "app_marketplaces=US,CA,MX"])
    assert code == 0 and json.loads(out) == json.loads(json.dumps(expected.as_json()))


def test_facts_move_the_ranking(cli):
    _, out, _ = cli("diagnose", "Error Code: MD5100", "--json")
    bare = json.loads(out)
    assert bare["causes"][0]["id"] != "marketplace_not_in_app"
    assert bare["questions"], "an ambiguous MD5100 comes with a question"


@pytest.mark.parametrize("argv", [["-"], []])
def test_piped_stdin_is_read_with_dash_or_without_text(cli, argv):
    code, out, _ = cli("diagnose", *argv, "--json", stdin=LWA_BODY.encode())
    assert code == 0
    assert json.loads(out)["causes"][0]["id"] == "auth_code_expired_or_reused"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_stdin_bytes_in_odd_encodings(cli, encoding):
    text = "Seller Central \u2013 Caf\xe9 M\xfcller: Error Code: SPDC8143"
    code, out, _ = cli("diagnose", "--json", stdin=text.encode(encoding))
    assert code == 0
    payload = json.loads(out)
    assert_contract(payload)
    assert payload["causes"][0]["id"] == "not_primary_user"


def test_binary_junk_and_nul_bytes_still_get_an_answer(cli):
    code, out, _ = cli("diagnose", "--json", stdin=bytes(range(256)) * 64)
    assert code == 0
    assert_contract(json.loads(out))


def test_huge_stdin_is_bounded_and_the_tail_is_read(cli):
    log = b"INFO all fine\n" * 400_000 + b"ERROR Error Code: MD9010\n"  # ~5.6 MB
    code, out, err = cli("diagnose", "--json", stdin=log)
    assert code == 0
    assert json.loads(out)["causes"][0]["id"] == "hybrid_region_dev_id_missing"
    assert "first and last" in err


def test_on_a_terminal_without_text_it_asks_for_a_paste(cli):
    code, out, err = cli("diagnose", "--json", stdin=b"Error Code: MD9100\n", tty=True)
    assert code == 0 and "Paste what Amazon said, then Ctrl-D" in err
    assert json.loads(out)["causes"][0]["id"] == "oauth_uris_missing"


def test_on_a_terminal_facts_alone_are_diagnosed_without_asking(cli):
    code, out, err = cli("diagnose", "--fact", "login_uri_set=no", "--fact", "via=consent",
                         "--json", stdin=b"must not be read", tty=True)
    assert code == 0 and "Paste" not in err
    payload = json.loads(out)
    assert payload["signals"] == []
    assert payload["causes"][0]["id"] == "oauth_uris_missing"


def test_bad_facts_exit_2_naming_each_key_and_the_allowed_values(cli):
    code, out, err = cli("diagnose", "MD5100", "--fact", "app_state=live", "--fact",
                         "region=ASIA", "--fact", "marketplace=ZZ", "--fact", "nonsense")
    assert code == 2 and out == ""
    flat = " ".join(err.split())
    assert "app_state" in flat and "draft, submitted, published" in flat
    assert "region" in flat and "NA, EU, FE" in flat
    assert "marketplace" in flat and "'nonsense'" in flat and "KEY=VALUE" in flat


def test_bad_facts_are_refused_before_stdin_is_read(cli):
    code, _, err = cli("diagnose", "--fact", "hybrid=maybe", stdin=b"x", tty=True)
    assert code == 2 and "Paste" not in err and "yes or no" in err


def test_unknown_facts_are_kept_and_shown(cli):
    code, out, _ = cli("diagnose", "Error Code: MD1000", "--fact", "favourite_colour=teal")
    assert code == 0 and "favourite_colour=teal" in out


def make_profile(cfg: Path, **changes) -> None:
    app = AppProfile(name="shop", app_id=APP_ID, client_id=CLIENT_ID, app_state="draft",
                     marketplaces=("US", "CA"), login_uri="https://dev.example.com/login",
                     redirect_uris=("https://dev.example.com/cb",)).with_(**changes)
    ProfileStore(cfg).put(ProfileRecord(app))


def test_profile_contributes_its_facts(cli, tmp_path):
    make_profile(tmp_path / "cfg", hybrid=True, dev_ids=(("NA", "123456789012"),))
    argv = ["diagnose", "Error Code: MD5100", "--fact", "marketplace=DE", "--json"]
    _, without, _ = cli(*argv)
    code, with_profile, err = cli(*argv, "--profile", "shop")
    assert code == 0, err
    causes = [c["id"] for c in json.loads(with_profile)["causes"]]
    assert causes[0] in ("marketplace_not_in_app", "hybrid_region_dev_id_missing")
    assert {"marketplace_not_in_app", "hybrid_region_dev_id_missing"} <= set(causes[:3])
    assert json.loads(without) != json.loads(with_profile)
    code, out, _ = cli("diagnose", "Error Code: MD5100", "--profile", "shop")
    assert code == 0 and "app_marketplaces=US,CA" in out  # shown among the facts


def test_a_fact_wins_over_the_profile(cli, tmp_path):
    make_profile(tmp_path / "cfg")
    code, out, _ = cli("diagnose", "Error Code: MD5100", "--profile", "shop", "--fact",
                       "app_marketplaces=DE", "--fact", "marketplace=US", "--json")
    assert code == 0 and json.loads(out)["causes"][0]["id"] == "marketplace_not_in_app"


def test_unknown_profile_exits_2_listing_the_profiles(cli, tmp_path):
    make_profile(tmp_path / "cfg")
    code, out, err = cli("diagnose", "MD5100", "--profile", "nope")
    assert code == 2 and out == ""
    assert "no profile 'nope'" in err and "shop" in err


def test_human_output_fits_80_columns_and_shows_the_fix(cli):
    code, out, _ = cli(*DONE_WHEN[:-1])
    assert code == 0
    for line in out.splitlines():
        assert len(line) <= 80, line
    assert "1. The seller's marketplace is not among the app's marketplaces" in out
    assert "Fix:" in out and "1) In Seller Central" in out


def test_support_case_output_never_holds_a_planted_secret(cli):
    secret = "amzn1.oa2-cs.v1." + "5e" * 32
    refresh = "Atzr|IwEBI" + "q" * 60
    pasted = (f"POST https://api.amazon.com/auth/o2/token client_secret={secret}&refresh_token="
              f"{refresh}\nHTTP/1.1 400 Bad Request\nx-amzn-RequestId: 7f1c2b3a-1111-2222-3333-"
              f"444455556666\nDate: Mon, 02 Jun 2025 10:00:00 GMT\n{LWA_BODY}")
    code, out, err = cli("diagnose", "--support-case", "--fact", f"app_id={APP_ID}",
                         stdin=pasted.encode())
    assert code == 0
    assert secret not in out + err and refresh not in out + err and "5e5e5e" not in out
    assert APP_ID in out and "7f1c2b3a-1111-2222-3333-444455556666" in out
    assert "Mon, 02 Jun 2025 10:00:00 GMT" in out


def test_json_and_support_case_do_not_mix(cli):
    code, out, err = cli("diagnose", "MD5100", "--json", "--support-case")
    assert code == 2 and out == "" and "not allowed" in err


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000) | st.text(max_size=3000).map(lambda t: t.encode(
    "utf-8", "surrogatepass")))
def test_json_always_matches_the_contract(cli, data):
    code, out, _ = cli("diagnose", "-", "--json", stdin=data)
    assert code == 0
    assert_contract(json.loads(out))


def test_diagnose_loads_only_what_its_answer_needs():
    """Start-up (issue 12): no Textual, no event loop, no logging, no package metadata, no
    consent-URL linter when the text holds no URL, no dataclasses (core.frozen instead), no
    TOML parser (the compiled JSON), no HTML entities or dates when the text needs none."""
    heavy = ["textual", "asyncio", "logging", "importlib.metadata", "httpx", "keyring",
             "oauth_wizard.consent.lint", "oauth_wizard.doctor.support_case", "dataclasses",
             "tomllib", "html", "datetime"]
    code = ("import sys; from oauth_wizard.cli.main import main; "
            "rc = main(['diagnose', 'Error Code: MD5100', '--json']); "
            f"loaded = [m for m in {heavy!r} if m in sys.modules]; "
            "assert not loaded, f'loaded {loaded}'; sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code],  # noqa: S603 - our own interpreter
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signals"][0] == "MD5100"


def test_real_stdin_bytes_through_the_console_entry():
    data = "Error Code: MD1000 \u2014 application_id=amzn1.application-oa2-client.x".encode(
        "utf-16")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "oauth_wizard", "diagnose", "--json"],
                          input=data, capture_output=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert "MD1000" in payload["signals"]


def test_explain_failure_prints_only_for_a_cause_the_doctor_knows():
    from oauth_wizard.cli.explain import explain_failure

    out = io.StringIO()
    assert not explain_failure("Port busy", "no_such_cause", {}, stream=out)
    assert not explain_failure("Port busy", None, {}, stream=out)
    assert out.getvalue() == ""
    facts = {"marketplace": "DE", "app_marketplaces": "US", "app_state": "draft"}
    assert explain_failure("Amazon showed Error Code: MD5100", "marketplace_not_in_app", facts,
                           stream=out, more="oauth-wizard diagnose ...")
    text = out.getvalue()
    assert text.startswith("  Doctor: The seller's marketplace is not among")
    assert "Fix:" in text and "More: oauth-wizard diagnose ..." in text


def test_a_stdout_that_cannot_show_unicode_still_gets_the_answer():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"}
    for extra in ([], ["--json"]):
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "oauth_wizard", "diagnose",
             "We\u2019re sorry, but we encountered an error. Error Code: MD1000", *extra],
            capture_output=True, timeout=60, env=env, check=False)
        assert done.returncode == 0, done.stderr
        done.stdout.decode("ascii")
        assert b"beta_missing_for_draft" in done.stdout
