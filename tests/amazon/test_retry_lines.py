"""A retry is reported once, in the tool's words: never a second line from Python's logging."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from oauth_wizard.amazon.retry import retry_after_seconds, retry_words


def test_retry_words_say_an_answer_or_a_failure():
    assert retry_words("LWA", 1, 1, "HTTP 503") == (
        "LWA answered HTTP 503; trying again in 1 s (attempt 2)")
    assert retry_words("SP-API", 2, 4, "no answer within 15 s") == (
        "SP-API failed (no answer within 15 s); trying again in 4 s (attempt 3)")


def test_retry_after_in_both_forms():
    now = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
    assert retry_after_seconds("7", now) == 7
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:50 GMT", now) == 30
    assert retry_after_seconds("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds("soon", now) is None and retry_after_seconds("", now) is None


def test_a_retry_prints_one_line_and_the_package_loggers_print_nothing():
    script = textwrap.dedent('''
        import asyncio, logging, sys
        import httpx
        from oauth_wizard.amazon.lwa import LwaClient

        OK = {"access_token": "Atza|" + "a" * 40, "token_type": "bearer", "expires_in": 3600}
        answers = iter([httpx.Response(503, json={"error": "server_error"}),
                        httpx.Response(200, json=OK)])

        async def nap(_s):
            return None

        async def main():
            transport = httpx.MockTransport(lambda request: next(answers))
            async with httpx.AsyncClient(transport=transport) as http:
                lwa = LwaClient(http, "https://lwa.test/auth/o2/token", sleep=nap,
                                on_retry=lambda a, d, o: print("retry", o, file=sys.stderr))
                await lwa.refresh("Atzr|" + "r" * 40, "amzn1.application-oa2-client." + "c" * 32,
                                  "amzn1.oa2-cs.v1." + "s" * 64)
            # what any module of the package logs at warning or error stays off the terminal
            logging.getLogger("oauth_wizard.simulator.server").error("simulator: boom")
            logging.getLogger("oauth_wizard.amazon.lwa").warning("stray")

        asyncio.run(main())
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["retry HTTP 503"] and done.stdout == ""
