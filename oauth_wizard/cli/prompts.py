"""Reading secrets, pasted URLs and answers from the user, never from argv and never echoed.

A secret comes from stdin when stdin is not a terminal (``pass show x | oauth-wizard ...``),
else from a masked prompt (getpass), because argv is visible to every local user in the process
list. Lines are read in a daemon thread so the event loop keeps serving the catcher and Ctrl-C
is never held up by a blocked read.
"""

from __future__ import annotations

import getpass
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from oauth_wizard.cli.common import is_terminal
from oauth_wizard.core.errors import WizardError

__all__ = ["PromptError", "ask_yes_no", "is_terminal", "off_loop", "read_line", "read_secret"]

T = TypeVar("T")


class PromptError(WizardError):
    """Nothing usable was entered; ``message`` says what, ``fix`` how to give it."""

    fix_in_str = False


def read_secret(what: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None,
                ask: Callable[..., str] = getpass.getpass) -> str:
    """The secret called ``what`` ("client secret"): all of stdin when it is not a terminal
    (one trailing line break dropped), else a masked prompt on the terminal."""
    stdin = sys.stdin if stdin is None else stdin
    stderr = sys.stderr if stderr is None else stderr
    if not is_terminal(stdin):
        text = stdin.read() if stdin is not None else ""
        if not text.strip():
            raise PromptError(
                f"No {what} was given: stdin is not a terminal, so the {what} is read from it, "
                "and it was empty.",
                f"Pipe it in (for example: pass show my-app | oauth-wizard ...), or run the "
                f"command in a terminal to type it at a hidden prompt. The {what} is never "
                "taken from the command line.")
        return text.removesuffix("\n").removesuffix("\r")
    try:
        value = ask(f"{what[:1].upper()}{what[1:]} (input hidden): ", stream=stderr)
    except EOFError:
        value = ""
    if not value.strip():
        raise PromptError(f"No {what} was entered.", f"Run the command again and paste the "
                          f"{what} at the prompt.")
    return value


async def ask_yes_no(question: str, *, stdin: TextIO | None = None,
                     stderr: TextIO | None = None) -> bool:
    """``question [y/N]`` on stderr; only an explicit yes counts (end of input is a no)."""
    stderr = sys.stderr if stderr is None else stderr
    print(f"{question} [y/N] ", end="", file=stderr, flush=True)
    answer = await read_line(stdin)
    return (answer or "").strip().lower() in ("y", "yes")


async def off_loop(fn: Callable[[], T]) -> T:
    """``fn()`` in a daemon thread: unlike ``asyncio.to_thread``, a call that never returns (a
    read nobody answers) cannot hold up the end of ``asyncio.run`` or the process."""
    import asyncio  # lazy: commands that only ask is_terminal() do not load the event loop

    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()

    def deliver(ok: bool, value: Any) -> None:
        if not done.done():
            done.set_result(value) if ok else done.set_exception(value)

    def work() -> None:
        try:
            value, ok = fn(), True
        except Exception as exc:  # delivered to the awaiting task
            value, ok = exc, False
        try:
            loop.call_soon_threadsafe(deliver, ok, value)
        except RuntimeError:
            pass  # the loop is gone: the command ended while this call waited

    threading.Thread(target=work, name="oauth-wizard-io", daemon=True).start()
    return await done


async def read_line(stream: TextIO | None = None) -> str | None:
    """One line of ``stream`` without its line break, or None at the end of input."""
    stream = sys.stdin if stream is None else stream
    if stream is None:
        return None
    line = await off_loop(stream.readline)
    if not line:
        return None
    return line.rstrip("\r\n")
