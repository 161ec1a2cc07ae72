"""``authorize --start`` and ``--complete``: one attempt as two commands, for scripts and
remote machines; the attempt waits in the config dir in between (``attempts``)."""

from __future__ import annotations

import json
import sys
import time

from oauth_wizard.authorize import pending as attempts
from oauth_wizard.authorize.flow import TokenNotSaved
from oauth_wizard.authorize.legs import LoginLeg
from oauth_wizard.cli.authorize_run import Run, iso, open_flow
from oauth_wizard.cli.common import EXIT_OK, CommandError, UsageError, next_command, note
from oauth_wizard.cli.progress import print_authorized
from oauth_wizard.cli.prompts import is_terminal, read_line
from oauth_wizard.core.errors import FlowError
from oauth_wizard.core.events import Exchanging


async def start(run: Run) -> int:
    async with open_flow(run) as flow:
        ready = flow.start()
    assert flow.pending is not None
    attempt = attempts.Attempt(run.name, flow.pending, run.market.code, run.market.region,
                               ready.consent.url, time.time())
    try:
        path = attempts.save(run.config_dir, attempt)
    except attempts.AttemptError as exc:
        raise CommandError(exc.message, exc.fix) from None
    expires = iso(ready.expires_at)
    if run.args.json:
        print(json.dumps({"consent_url": ready.consent.url, "state": flow.pending.state,
                          "expires_at": expires}), flush=True)
    else:
        print(ready.consent.url, flush=True)
    complete = next_command(run.args, f"authorize {run.name} --complete -")
    run.progress.line(f"Attempt saved in {path}, valid until {expires}. Open the consent URL, "
                      f"approve, then paste the address you land on into: {complete}")
    return EXIT_OK


async def _read_complete_url(arg: str) -> str:
    if arg != "-":
        return arg
    if is_terminal(sys.stdin):
        print("Paste the address-bar URL, then press Enter:", file=sys.stderr, flush=True)
    while (line := await read_line()) is not None:
        if line.strip():
            return line
    raise UsageError("--complete - reads the URL from stdin, but nothing was read.",
                     "Pipe the address in, or paste it at the prompt in a terminal.")


async def complete(run: Run, attempt: attempts.Attempt) -> int:
    if attempt.expired(time.time()):
        attempts.delete(run.config_dir, run.name)
        raise CommandError(f"The authorization started for profile '{run.name}' expired at "
                           f"{iso(attempt.pending.expires_at or 0)}; Amazon's redirect for it "
                           "is no longer accepted.", "Start a new one: "
                           + next_command(run.args, f"authorize {run.name} --start --json"),
                           cause="state_expired")
    text = await _read_complete_url(run.args.complete)

    def on_event(event) -> None:
        if isinstance(event, Exchanging):  # the state is spent: this attempt cannot be reused
            attempts.delete(run.config_dir, run.name)
        run.progress.event(event)

    async with open_flow(run, attempt.pending, on_event) as flow:
        try:
            result = await flow.paste(text)
        except TokenNotSaved:
            raise
        except FlowError:
            if attempt.pending.used:
                attempts.delete(run.config_dir, run.name)
                note("this attempt is used up; start a new one with --start.")
            else:
                note(f"the started attempt is kept (valid until "
                     f"{iso(attempt.pending.expires_at or 0)}): run --complete again with the "
                     "right address.")
            raise
    if isinstance(result, LoginLeg):
        print(result.next_url, flush=True)
        again = next_command(run.args, f"authorize {run.name} --complete -")
        run.progress.line(f"Then give the address you land on after that to: {again}")
        return EXIT_OK
    attempts.delete(run.config_dir, run.name)
    print_authorized(result)
    return EXIT_OK

