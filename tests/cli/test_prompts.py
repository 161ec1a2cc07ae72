"""Reading secrets (stdin when piped, a hidden prompt on a terminal), lines and yes/no answers."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest

from oauth_wizard.cli.prompts import PromptError, ask_yes_no, off_loop, read_line, read_secret

SECRET = "amzn1.oa2-cs.v1." + "ab" * 32


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_secret_is_read_whole_minus_one_line_break():
    assert read_secret("client secret", stdin=io.StringIO(SECRET + "\r\n")) == SECRET
    assert read_secret("client secret", stdin=io.StringIO(SECRET)) == SECRET
    # inner damage is kept for the validator to name, not silently repaired
    assert read_secret("client secret", stdin=io.StringIO(SECRET + "\nx\n")) == SECRET + "\nx"


@pytest.mark.parametrize("text", ["", "\n", "   \n"])
def test_empty_stdin_says_where_the_secret_was_expected(text):
    with pytest.raises(PromptError) as caught:
        read_secret("client secret", stdin=io.StringIO(text))
    assert "stdin is not a terminal" in caught.value.message
    assert "never taken from the command line" in caught.value.fix


def test_terminal_uses_the_hidden_prompt_on_stderr():
    seen = {}

    def ask(prompt, stream):
        seen.update(prompt=prompt, stream=stream)
        return SECRET

    err = io.StringIO()
    assert read_secret("client secret", stdin=Terminal(), stderr=err, ask=ask) == SECRET
    assert seen == {"prompt": "Client secret (input hidden): ", "stream": err}


@pytest.mark.parametrize("answer", ["", EOFError])
def test_nothing_typed_at_the_prompt_is_an_error(answer):
    def ask(prompt, stream):
        if answer is EOFError:
            raise EOFError
        return answer

    with pytest.raises(PromptError, match="No client secret was entered"):
        read_secret("client secret", stdin=Terminal(), ask=ask)


async def test_read_line_returns_lines_then_none_at_the_end():
    stream = io.StringIO("first\r\nsecond\n")
    assert await read_line(stream) == "first"
    assert await read_line(stream) == "second"
    assert await read_line(stream) is None


@pytest.mark.parametrize("typed, expected", [("y\n", True), ("YES\n", True), ("n\n", False),
                                             ("\n", False), ("", False), ("sure\n", False)])
async def test_only_an_explicit_yes_counts(typed, expected):
    err = io.StringIO()
    assert await ask_yes_no("Save it?", stdin=io.StringIO(typed), stderr=err) is expected
    assert err.getvalue() == "Save it? [y/N] "


async def test_off_loop_runs_in_a_daemon_thread_and_passes_errors_on():
    names = []
    await off_loop(lambda: names.append((threading.current_thread().daemon,
                                         threading.current_thread().name)))
    assert names == [(True, "oauth-wizard-io")]

    def boom():
        raise OSError("gone")

    with pytest.raises(OSError, match="gone"):
        await off_loop(boom)


async def test_a_blocked_read_does_not_hold_up_cancellation():
    gate = threading.Event()

    class Stuck(io.StringIO):
        def readline(self, *_):
            gate.wait(5)
            return ""

    task = asyncio.ensure_future(read_line(Stuck()))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.set()
