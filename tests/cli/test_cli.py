"""The command line: `url`, `lint-url`, the TUI entry, exit codes and error hygiene.

Most tests call ``main(argv)`` in-process; the import check and the real entry points
(console script, ``python -m``) run in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from oauth_wizard.cli import main as cli
from oauth_wizard.cli import url as cli_url
from oauth_wizard.cli.main import main

APP_ID = "amzn1.sp.solution.3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
STATE = "st4te-for-tests-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run main in-process; no traceback may ever reach stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def url_json(capsys, *extra: str) -> dict:
    code, out, err = run(capsys, "url", "--app-id", APP_ID, "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def run_proc(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    """Run our own entry points (fixed arguments, no shell) with a clean environment."""
    env = dict(os.environ)
    env.pop("OAUTH_WIZARD_DEBUG", None)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT,  # noqa: S603
                          timeout=60, check=False, stdin=subprocess.DEVNULL)


# --- url ------------------------------------------------------------------------------------

def test_url_draft_de_json_is_exactly_right(capsys):
    data = url_json(capsys, "--marketplace", "DE", "--app-state", "draft", "--state", STATE)
    assert data["url"] == ("https://sellercentral.amazon.de/apps/authorize/consent"
                           f"?application_id={APP_ID}&state={STATE}&version=beta")
    assert data["beta"] is True
    assert data["region"] == "EU"
    assert data["host"] == "sellercentral.amazon.de"
    assert data["state"] == STATE


def test_url_default_state_is_random_and_in_the_url(capsys):
    first = url_json(capsys, "--marketplace", "DE", "--app-state", "draft")
    second = url_json(capsys, "--marketplace", "DE", "--app-state", "draft")
    assert first["state"] != second["state"]
    assert len(first["state"]) >= 22  # at least 128 bits in URL-safe base64
    assert parse_qs(urlsplit(first["url"]).query)["state"] == [first["state"]]


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_url_not_published_carries_beta(capsys, state):
    data = url_json(capsys, "--marketplace", "US", "--app-state", state)
    assert parse_qs(urlsplit(data["url"]).query)["version"] == ["beta"]
    assert data["beta"] is True


def test_url_published_has_no_version(capsys):
    data = url_json(capsys, "--marketplace", "DE", "--app-state", "published", "--state", STATE)
    assert data["url"] == ("https://sellercentral.amazon.de/apps/authorize/consent"
                           f"?application_id={APP_ID}&state={STATE}")
    assert data["beta"] is False
    assert "version" not in parse_qs(urlsplit(data["url"]).query)


def test_url_app_state_is_case_insensitive(capsys):
    data = url_json(capsys, "--marketplace", "DE", "--app-state", "Published")
    assert data["beta"] is False


def test_url_vendor_uses_vendor_central(capsys):
    data = url_json(capsys, "--marketplace", "DE", "--app-state", "draft", "--vendor")
    assert data["host"] == "vendorcentral.amazon.de"
    assert data["url"].startswith("https://vendorcentral.amazon.de/apps/authorize/consent?")
    assert data["kind"] == "vendor"


@pytest.mark.parametrize("code", ["UK", "GB", "gb"])
def test_url_uk_and_gb_are_the_same_marketplace(capsys, code):
    data = url_json(capsys, "--marketplace", code, "--app-state", "published")
    assert data["host"] == "sellercentral.amazon.co.uk"
    assert data["marketplace"] == "UK"
    assert data["region"] == "EU"


def test_url_region_follows_the_marketplace(capsys):
    assert url_json(capsys, "--marketplace", "JP", "--app-state", "draft")["region"] == "FE"
    assert url_json(capsys, "--marketplace", "CA", "--app-state", "draft")["region"] == "NA"


def test_url_redirect_uri_is_encoded_and_present(capsys):
    redirect = "https://app.example.com/amazon/callback?tenant=7"
    code, out, err = run(capsys, "url", "--app-id", APP_ID, "--marketplace", "DE",
                         "--app-state", "draft", "--state", STATE, "--redirect-uri", redirect,
                         "--json")
    assert code == 0
    data = json.loads(out)
    assert ("&redirect_uri=https%3A%2F%2Fapp.example.com%2Famazon%2Fcallback%3Ftenant%3D7"
            in data["url"])
    assert parse_qs(urlsplit(data["url"]).query)["redirect_uri"] == [redirect]
    assert data["redirect_uri"] == redirect
    assert "exactly" in err and "registered" in err


def test_url_localhost_redirect_warns_but_builds(capsys):
    code, out, err = run(capsys, "url", "--app-id", APP_ID, "--marketplace", "DE",
                         "--app-state", "draft", "--redirect-uri", "https://localhost:8443/cb")
    assert code == 0
    assert out.startswith("https://sellercentral.amazon.de/")
    assert "warning" in err and "localhost" in err


def test_url_human_output_is_the_url_alone_on_stdout(capsys):
    code, out, err = run(capsys, "url", "--app-id", APP_ID, "--marketplace", "FR",
                         "--app-state", "submitted", "--state", STATE)
    assert code == 0
    assert out == ("https://sellercentral.amazon.fr/apps/authorize/consent"
                   f"?application_id={APP_ID}&state={STATE}&version=beta\n")
    # the explanation goes to stderr: host, region, each parameter with why, and notes
    assert "sellercentral.amazon.fr" in err and "EU" in err
    for name in ("application_id", "state", "version"):
        assert f"{name}=" in err
    assert "not Published" in err
    assert "notes:" in err
    assert max(len(line) for line in err.splitlines()) <= 80


def test_url_strips_paste_damage_around_the_app_id(capsys):
    code, out, err = run(capsys, "url", "--app-id", f' "{APP_ID}"\n', "--marketplace", "DE",
                         "--app-state", "draft", "--json")
    assert code == 0
    assert json.loads(out)["url"].count(f"application_id={APP_ID}&") == 1
    assert "used without a line break and a quote and a space" in " ".join(err.split())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--app-id", CLIENT_ID, "--marketplace", "DE", "--app-state", "draft"],
         "This is the LWA client ID, not the app ID"),
        (["--app-id", APP_ID.removeprefix("amzn1.sp.solution."), "--marketplace", "DE",
          "--app-state", "draft"], "missing its prefix"),
        (["--app-id", APP_ID, "--marketplace", "XX", "--app-state", "draft"],
         "unknown marketplace 'XX'"),
        (["--app-id", APP_ID, "--marketplace", "DE"], "guessing wrong is how people get MD1000"),
        (["--app-id", APP_ID, "--marketplace", "DE", "--app-state", "live"], "invalid choice"),
        (["--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft",
          "--redirect-uri", "http://app.example.com/cb"], "accepts only https"),
        (["--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft",
          "--redirect-uri", "https://app.example.com/cb#top"], "MD5110"),
        (["--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft",
          "--state", "two words"], "--state must be a non-empty value without spaces"),
        (["--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft",
          "--state", ""], "--state must be a non-empty value"),
    ],
    ids=["client-id-as-app-id", "uuid-without-prefix", "unknown-marketplace",
         "missing-app-state", "bad-app-state", "http-redirect", "fragment-redirect",
         "state-with-space", "empty-state"],
)
def test_url_bad_input_exits_2_with_the_specific_message(capsys, argv, expected):
    code, out, err = run(capsys, "url", *argv)
    assert code == 2
    assert out == ""
    assert expected in " ".join(err.split())  # messages are wrapped; compare unwrapped


def test_url_unknown_marketplace_lists_the_valid_codes(capsys):
    code, _, err = run(capsys, "url", "--app-id", APP_ID, "--marketplace", "Germany",
                       "--app-state", "draft")
    assert code == 2
    flat = " ".join(err.split())
    for valid in ("DE", "UK", "US", "JP", "AE"):
        assert valid in flat


def test_url_redirect_with_two_problems_names_both(capsys):
    code, out, err = run(capsys, "url", "--app-id", APP_ID, "--marketplace", "DE",
                         "--app-state", "draft", "--redirect-uri", "http://app.example.com/#x")
    assert code == 2 and out == ""
    assert "https" in err and "fragment" in err
    assert err.count("fix:") == 2


# --- lint-url -------------------------------------------------------------------------------

CLEAN = ("https://sellercentral.amazon.de/apps/authorize/consent"
         f"?application_id={APP_ID}&state={STATE}&version=beta")
# Pasted with five mistakes: US host for a DE seller, the client id, a second '?',
# an unregistered redirect_uri, a fragment, and no version=beta for a draft app.
BROKEN = ("https://sellercentral.amazon.com/apps/authorize/consent"
          f"?application_id={CLIENT_ID}?state=abc"
          "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb#section")
BROKEN_ARGS = ["--app-state", "draft", "--marketplace", "DE",
               "--registered-redirect", "https://app.example.com/callback"]
BROKEN_IDS = ["wrong_portal_host", "client_id_as_application_id", "malformed_consent_url",
              "redirect_uri_not_registered", "redirect_uri_fragment", "beta_missing_for_draft"]


def test_lint_clean_url_exits_0(capsys):
    code, out, _ = run(capsys, "lint-url", CLEAN, "--app-state", "draft", "--marketplace", "DE")
    assert code == 0
    assert "No problems found" in out


def test_lint_broken_url_names_every_problem_and_exits_1(capsys):
    code, out, _ = run(capsys, "lint-url", BROKEN, *BROKEN_ARGS)
    assert code == 1
    for cause in BROKEN_IDS:
        assert f"[{cause}]" in out
    findings = [line for line in out.splitlines() if line[:1].isdigit() and ". [" in line]
    assert len(findings) >= len(BROKEN_IDS)
    assert out.count("fix:") == len(findings)
    assert f"{len(findings)} problems found" in out


def test_lint_human_output_fits_80_columns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = run(capsys, "lint-url", BROKEN, *BROKEN_ARGS)
    assert max(len(line) for line in out.splitlines()) <= 80


def test_lint_json_shape(capsys):
    code, out, _ = run(capsys, "lint-url", BROKEN, *BROKEN_ARGS, "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"ok", "problems", "warnings", "notes"}
    assert data["ok"] is False
    assert isinstance(data["notes"], list)
    assert {p["id"] for p in data["problems"]} == set(BROKEN_IDS)
    for p in data["problems"]:
        assert set(p) == {"id", "message", "fix"}
        assert p["message"] and p["fix"]


def test_lint_json_clean(capsys):
    code, out, _ = run(capsys, "lint-url", CLEAN, "--app-state", "draft", "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True
    assert json.loads(out)["problems"] == []


def test_lint_reads_the_url_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(BROKEN + "\n"))
    code, out, _ = run(capsys, "lint-url", "-", *BROKEN_ARGS, "--json")
    assert code == 1
    assert {p["id"] for p in json.loads(out)["problems"]} == set(BROKEN_IDS)


def test_lint_stdin_clean_url_has_no_whitespace_complaint(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(CLEAN + "\r\n"))
    code, out, _ = run(capsys, "lint-url", "-", "--app-state", "draft", "--json")
    assert code == 0, out
    assert json.loads(out)["notes"] == []


def test_lint_empty_stdin_is_an_input_error(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(capsys, "lint-url", "-")
    assert code == 2 and out == ""
    assert "stdin" in err


def test_lint_beta_on_published_app(capsys):
    code, out, _ = run(capsys, "lint-url", CLEAN, "--app-state", "published")
    assert code == 1
    assert "[beta_on_published_app]" in out


def test_lint_kind_vendor_flags_a_seller_central_host(capsys):
    code, out, _ = run(capsys, "lint-url", CLEAN, "--kind", "vendor", "--app-state", "draft")
    assert code == 1
    assert "[wrong_portal_host]" in out


def test_lint_without_app_state_says_beta_was_not_checked(capsys):
    code, out, _ = run(capsys, "lint-url", CLEAN)
    assert code == 0
    assert "notes:" in out and "version=beta was not checked" in " ".join(out.split())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--marketplace", "Atlantis"], "unknown marketplace 'Atlantis'"),
        (["--app-state", "live"], "invalid choice: 'live'"),
        (["--kind", "agency"], "invalid choice: 'agency'"),
        (["--registered-redirect", "http://app.example.com/cb"], "accepts only https"),
    ],
)
def test_lint_bad_options_exit_2(capsys, argv, expected):
    code, out, err = run(capsys, "lint-url", CLEAN, *argv)
    assert code == 2 and out == ""
    assert expected in " ".join(err.split())


def test_lint_junk_input_exits_1_not_crash(capsys):
    code, out, _ = run(capsys, "lint-url", "not a url at all \x00 ?? ##")
    assert code == 1
    assert "[malformed_consent_url]" in out


# --- global options, usage errors, the guard ------------------------------------------------

def test_config_dir_option_and_env(monkeypatch, tmp_path):
    given, from_env = str(tmp_path / "given"), str(tmp_path / "env")
    monkeypatch.delenv("OAUTH_WIZARD_CONFIG_DIR", raising=False)
    args = cli.build_parser().parse_args(["--config-dir", given, "lint-url", CLEAN])
    assert args.config_dir == given
    monkeypatch.setenv("OAUTH_WIZARD_CONFIG_DIR", from_env)
    assert cli.build_parser().parse_args(["lint-url", CLEAN]).config_dir == from_env
    args = cli.build_parser().parse_args(["--config-dir", given, "lint-url", CLEAN])
    assert args.config_dir == given  # the option wins over the environment
    monkeypatch.delenv("OAUTH_WIZARD_CONFIG_DIR")
    assert cli.build_parser().parse_args(["lint-url", CLEAN]).config_dir is None


def test_version_and_help_exit_0(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("oauth-wizard ")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in ("demo", "url", "lint-url", "profile", "authorize", "simulate", "--config-dir",
                 "--insecure-storage"):
        assert name in out


def test_unknown_command_is_a_usage_error_with_a_hint(capsys):
    code, out, err = run(capsys, "authorise")
    assert code == 2 and out == ""
    assert "invalid choice" in err and "--help" in err


def test_unexpected_exception_is_one_line_without_values(capsys, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError(f"leaked {APP_ID}")

    monkeypatch.delenv("OAUTH_WIZARD_DEBUG", raising=False)
    monkeypatch.setattr(cli_url, "build_consent_url", boom)
    code, out, err = run(capsys, "url", "--app-id", APP_ID, "--marketplace", "DE",
                         "--app-state", "draft")
    assert code == cli.EXIT_INTERNAL
    assert err == ("oauth-wizard: internal error: RuntimeError; please report it with the "
                   "command you ran\n")
    assert APP_ID not in err and out == ""


def test_debug_env_shows_the_real_exception(monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("debug me")

    monkeypatch.setenv("OAUTH_WIZARD_DEBUG", "1")
    monkeypatch.setattr(cli_url, "build_consent_url", boom)
    with pytest.raises(RuntimeError, match="debug me"):
        main(["url", "--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft"])


# --- the TUI commands -----------------------------------------------------------------------

class FakeApp:
    def __init__(self, return_code=0, interrupt=False):
        self.return_code = return_code
        self.interrupt = interrupt
        self.ran = False
        self.consent_url = None  # none shown: nothing printed at exit

    def run(self):
        self.ran = True
        if self.interrupt:
            raise KeyboardInterrupt


@pytest.fixture
def fake_app(monkeypatch):
    """Stand in for oauth_wizard.tui.launch so the CLI wiring is tested without drawing a screen."""
    made: list[tuple[dict, FakeApp]] = []
    settings = {"return_code": 0, "interrupt": False}

    def make_app(**kwargs):
        app = FakeApp(**settings)
        made.append((kwargs, app))
        return app

    module = types.ModuleType("oauth_wizard.tui.launch")
    module.make_app = make_app
    monkeypatch.setitem(sys.modules, "oauth_wizard.tui.launch", module)
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    return made, settings


def test_no_command_starts_the_wizard(capsys, fake_app):
    made, _ = fake_app
    code, _, _ = run(capsys)
    assert code == 0
    assert made[0][0].get("demo", False) is False and made[0][1].ran


def test_demo_starts_the_wizard_in_demo_mode(capsys, fake_app):
    made, settings = fake_app
    settings["return_code"] = 3
    code, _, _ = run(capsys, "demo")
    assert code == 3
    assert made[0][0] == {"demo": True}


def test_ctrl_c_in_the_wizard_exits_130(capsys, fake_app):
    _, settings = fake_app
    settings["interrupt"] = True
    code, _, err = run(capsys, "demo")
    assert code == 130
    assert err.strip() == "cancelled"


@pytest.mark.parametrize("argv", [[], ["demo"]])
def test_wizard_refuses_without_a_terminal(capsys, fake_app, monkeypatch, argv):
    made, _ = fake_app
    monkeypatch.setattr(cli, "_interactive", lambda: False)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "terminal" in err
    assert made == []


# --- subprocess: no Textual for the UI-less commands, and the real entry points -------------

@pytest.mark.parametrize(
    "argv",
    [
        ["url", "--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft", "--json"],
        ["url", "--app-id", APP_ID, "--marketplace", "DE", "--app-state", "draft"],
        ["lint-url", BROKEN, *BROKEN_ARGS],
        ["lint-url", CLEAN, "--json"],
        ["--help"],
        ["url", "--help"],
        ["--version"],
        ["authorize", "--help"],
        ["profile", "add", "--help"],
        ["simulate", "--help"],
    ],
    ids=["url-json", "url", "lint-url", "lint-url-json", "help", "url-help", "version",
         "authorize-help", "profile-add-help", "simulate-help"],
)
def test_ui_less_commands_do_not_import_textual(argv):
    code = (
        "import sys\n"
        "from oauth_wizard.cli.main import main\n"
        f"rc = main({argv!r})\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not loaded, loaded\n"
        "assert 'oauth_wizard.tui.app' not in sys.modules\n"
        "print('RC', rc, file=sys.stderr)\n"
    )
    proc = run_proc([sys.executable, "-c", code])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] in ("RC 0", "RC 1")


def _entry_points() -> list[list[str]]:
    script = Path(sys.executable).with_name("oauth-wizard")
    assert script.exists(), f"{script} missing: install the package (pip install -e .)"
    return [[str(script)], [sys.executable, "-m", "oauth_wizard"]]


@pytest.mark.parametrize("how", ["console-script", "python-m"])
def test_entry_points_exit_with_the_right_status(how):
    entry = _entry_points()[0 if how == "console-script" else 1]
    ok = run_proc([*entry, "url", "--app-id", APP_ID, "--marketplace", "DE",
                   "--app-state", "draft", "--state", STATE])
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == CLEAN + "\n"
    broken = run_proc([*entry, "lint-url", BROKEN, *BROKEN_ARGS])
    assert broken.returncode == 1
    usage = run_proc([*entry, "url", "--app-id", APP_ID, "--marketplace", "DE"])
    assert usage.returncode == 2 and "MD1000" in usage.stderr
    no_tty = run_proc(entry)
    assert no_tty.returncode == 2 and "terminal" in no_tty.stderr
    for proc in (ok, broken, usage, no_tty):
        assert "Traceback" not in proc.stderr


def test_an_ascii_only_terminal_gets_replacement_characters_not_a_crash():
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    url = ("https://sellercentral.amazon.com/apps/authorize/consent"
           "?application_id=amzn1.application-oa2-client.abc")
    done = subprocess.run([sys.executable, "-m", "oauth_wizard", "lint-url", url],  # noqa: S603
                          capture_output=True, env=env, cwd=ROOT, check=False)
    assert done.returncode == 1, done.stderr
    assert b"client_id_as_application_id" in done.stdout
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr
