"""``simulate``: the ready line for scripts, the readable summary (secrets masked), a registry
file, clean stops on SIGTERM and Ctrl-C, and clear errors for a busy port or a bad registry.
The running cases are real subprocesses; the failing ones run ``main`` in-process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cli_kit import run_sync

from oauth_wizard.simulator.demo_registry import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]


def start(*argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
        [sys.executable, "-m", "oauth_wizard", "simulate", *argv], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[int, str, str]:
    try:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err
    return proc.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_json_ready_line_then_a_clean_stop(sig):
    proc = start("--json", "--auto-approve")
    try:
        ready = json.loads(proc.stdout.readline())
    except BaseException:
        stop(proc, signal.SIGKILL)
        raise
    assert {"portal_url", "lwa_url", "spapi_url", "apps"} <= set(ready)
    assert ready["portal_url"].startswith("http://127.0.0.1:")
    app = ready["apps"][0]
    assert app["client_id"] == DEMO_CLIENT_ID and app["client_secret"] == DEMO_CLIENT_SECRET
    assert app["login_uri"].endswith("/sp-api/login")
    assert app["redirect_uris"][0].endswith("/sp-api/callback")
    token = app["self_auth_refresh_token"]
    assert token.startswith("Atzr|")
    # the simulator is really serving: the self-authorization token refreshes
    answer = httpx.post(ready["lwa_url"], data={
        "grant_type": "refresh_token", "refresh_token": token,
        "client_id": app["client_id"], "client_secret": app["client_secret"]}, timeout=5)
    assert answer.status_code == 200 and answer.json()["access_token"].startswith("Atza|")
    code, _, err = stop(proc, sig)
    assert code == 0 and "simulator stopped" in err


def test_readable_summary_masks_the_secrets():
    proc = start()
    lines: list[str] = []
    try:
        while not lines or lines[-1] != "Stop with Ctrl-C.":
            line = proc.stdout.readline()
            assert line, "the summary ended early"
            lines.append(line.rstrip("\n"))
    finally:
        code, rest, _ = stop(proc)
    text = "\n".join(lines) + rest
    assert code == 0
    port = text.split("listening on http://127.0.0.1:", 1)[1].split()[0]
    base = f"http://127.0.0.1:{port}"
    for line in (f"export OAUTH_WIZARD_PORTAL_URL={base}",
                 f"export OAUTH_WIZARD_LWA_URL={base}/auth/o2/token",
                 f"export OAUTH_WIZARD_SPAPI_URL={base}/spapi"):
        assert line in text
    assert DEMO_CLIENT_SECRET not in text
    assert "Atzr|" in text and "(ends " in text  # the self-auth token, masked
    assert "profile add sim-demo" in text and "A1SIMPATSTORE" in text


def test_a_registry_file_is_served(tmp_path):
    registry = {
        "apps": [{"app_id": "amzn1.sp.solution.00000000-0000-4000-8000-000000000042",
                  "client_id": "amzn1.application-oa2-client." + "4" * 32,
                  "client_secret": "amzn1.oa2-cs.v1." + "4" * 64, "app_state": "published",
                  "login_uri": "https://dev.example.test/login",
                  "redirect_uris": ["https://dev.example.test/cb"], "marketplaces": ["DE"]}],
        "sellers": [{"selling_partner_id": "A9SELLER", "marketplaces": ["DE"],
                     "users": [{"name": "Kim", "primary": True}]}]}
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(registry))
    proc = start("--json", "--registry", str(path))
    try:
        ready = json.loads(proc.stdout.readline())
    finally:
        code, _, _ = stop(proc)
    assert code == 0
    assert [a["app_id"] for a in ready["apps"]] == [registry["apps"][0]["app_id"]]
    assert ready["sellers"][0]["selling_partner_id"] == "A9SELLER"


def test_a_bad_registry_names_the_field(monkeypatch, tmp_path):
    path = tmp_path / "registry.json"
    path.write_text(json.dumps({"apps": [{"app_id": "nope"}], "sellers": []}))
    code, out, err = run_sync(monkeypatch, "simulate", "--registry", str(path))
    assert code == 2 and out == ""
    assert "apps[0]" in err and str(path) in err
    path.write_text("{not json")
    code, _, err = run_sync(monkeypatch, "simulate", "--registry", str(path))
    assert code == 2 and "not valid JSON" in err


def test_a_busy_port_is_a_clear_usage_error(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run_sync(monkeypatch, "simulate", "--port", str(port), "--json")
    assert code == 2 and out == ""
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def test_simulate_aws_delivers_a_rotation_to_its_local_queue(tmp_path):
    """`simulate --aws` end to end, as a developer would run it in two terminals: the demo
    app's secret is rotated through the simulator and read from moto's queue by a second
    process, which proves and stores it."""
    proc = start("--json", "--auto-approve", "--aws")
    try:
        ready = json.loads(proc.stdout.readline())
        aws, app = ready["aws"], ready["apps"][0]
        assert aws["endpoint"].startswith("http://127.0.0.1:")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OAUTH_WIZARD_CONFIG_DIR": str(tmp_path),
               "OAUTH_WIZARD_PORTAL_URL": ready["portal_url"],
               "OAUTH_WIZARD_LWA_URL": ready["lwa_url"],
               "OAUTH_WIZARD_SPAPI_URL": ready["spapi_url"],
               **{k: v for k, v in aws.items() if k.startswith("AWS_")}}

        def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
                [sys.executable, "-m", "oauth_wizard", *argv], input=stdin, env=env,
                capture_output=True, text=True, timeout=90, cwd=ROOT)
        added = run("profile", "add", "demo", "--app-id", app["app_id"], "--client-id",
                    app["client_id"], "--app-state", app["app_state"], "--marketplace", "US",
                    "--login-uri", app["login_uri"], "--redirect-uri", app["redirect_uris"][0],
                    "--insecure-storage", stdin=app["client_secret"])
        assert added.returncode == 0, added.stderr
        rotated = run("rotate-secret", "demo", "--yes", "--queue-url", aws["queue_url"],
                      "--wait", "60", "--json")
        assert rotated.returncode == 0, rotated.stderr
        result = json.loads(rotated.stdout)
        assert result["ok"] and result["steps"][-1]["step"] == "delete the queue message"
        assert app["client_secret"] not in rotated.stdout + rotated.stderr
    finally:
        code, _, err = stop(proc)
    assert code == 0 and "simulator stopped" in err
