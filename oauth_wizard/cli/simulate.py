"""``simulate``: the local Amazon on 127.0.0.1, for developers testing their own Login URI page
or driving ``oauth-wizard authorize`` without an Amazon account, until Ctrl-C or SIGTERM.

``--json`` prints one ready line for scripts, with the simulator's own fake client secrets and
self-authorization refresh tokens in full (that output exists to be consumed by a program);
the readable summary masks them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shlex
import signal
import sys
from collections.abc import Iterator
from typing import TextIO

from oauth_wizard.amazon.endpoints import LWA_ENV, PORTAL_ENV, SPAPI_ENV
from oauth_wizard.authorize.catcher_checks import free_port
from oauth_wizard.cli.common import EXIT_OK, PROG, UsageError
from oauth_wizard.core.masking import mask
from oauth_wizard.simulator.demo_registry import demo_registry
from oauth_wizard.simulator.registry import Registry, RegistryError, load_registry
from oauth_wizard.simulator.server import Simulator, SimulatorError

DEMO_PROFILE = "sim-demo"
NOTICE_QUEUE = "oauth-wizard-sim-notifications"
LOGIN_PATH, CALLBACK_PATH = "/sp-api/login", "/sp-api/callback"


def _registry(args: argparse.Namespace) -> tuple[Registry, int | None]:
    if args.registry is None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        return demo_registry(base + LOGIN_PATH, base + CALLBACK_PATH), port
    try:
        return load_registry(args.registry), None
    except RegistryError as exc:
        pairs = [(f"--registry: {exc.source}: {p}", "") for p in exc.problems]
        pairs[-1] = (pairs[-1][0], "Fix the registry file; its format is in docs/authorize.md "
                     "(oauth-wizard simulate), or leave --registry out for the demo registry.")
        raise UsageError(*pairs[0], more=pairs[1:]) from None


def cmd_simulate(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number.",
                         "Use 1 to 65535, or 0 for any free port.")
    registry, catcher_port = _registry(args)
    try:
        return asyncio.run(_serve(args, registry, catcher_port))
    except KeyboardInterrupt:  # where signal handlers cannot be installed (Windows)
        print(f"{PROG}: simulator stopped", file=sys.stderr)
        return EXIT_OK


async def _serve(args: argparse.Namespace, registry: Registry, catcher_port: int | None) -> int:
    sim = Simulator(registry, auto_approve=args.auto_approve)
    aws = _local_aws(sim) if args.aws else None
    try:
        await sim.start(port=args.port or 0)
    except SimulatorError as exc:
        if aws is not None:
            aws.stop()
        raise UsageError(f"The simulator {exc}.") from None
    try:
        with _stop_signals() as stopped:  # before the ready line: a script may stop us at once
            if args.json:
                print(json.dumps(sim.ready_info()), flush=True)
            else:
                summary(sim, catcher_port, sys.stdout)
            await stopped.wait()
    finally:
        await sim.stop()
        if aws is not None:
            aws.stop()
    print(f"{PROG}: simulator stopped", file=sys.stderr)
    return EXIT_OK


def _local_aws(sim: Simulator):
    """moto's server on 127.0.0.1 with one queue, where the simulator sends its
    notifications (new client secrets, expiry warnings)."""
    from oauth_wizard.simulator.local_aws import LocalAws

    aws = LocalAws()
    try:
        aws.start()
    except SimulatorError as exc:
        raise UsageError(f"The simulator {exc}.", "Or leave --aws out.") from None
    url = aws.create_queue(NOTICE_QUEUE)
    sim.deliver_notifications(aws.sender(url))
    sim.local_aws = {"endpoint": aws.endpoint, "queue_url": url, **aws.settings}
    return aws


@contextlib.contextmanager
def _stop_signals() -> Iterator[asyncio.Event]:
    """An event set by Ctrl-C or SIGTERM; both end the simulator cleanly with exit code 0."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread, or Windows: KeyboardInterrupt ends it instead
    try:
        yield stop
    finally:
        for sig in installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)


def summary(sim: Simulator, catcher_port: int | None, out: TextIO) -> None:
    """What is running, how to point the wizard at it, and what the registry holds (masked)."""
    info = sim.ready_info()
    w = out.write
    w(f"{PROG} simulate: the local Amazon (a simulator, not Amazon) is listening on "
      f"{sim.portal_url}\n\n")
    w("Point oauth-wizard at it (in the shell where you run it):\n")
    w(f"  export {PORTAL_ENV}={sim.portal_url}\n")
    w(f"  export {LWA_ENV}={sim.lwa_url}\n")
    w(f"  export {SPAPI_ENV}={sim.spapi_url}\n")
    for app in info["apps"]:
        w(f"\nApp: {app['name']} ({app['app_state']} {app['kind']} app"
          f"{', hybrid' if app['hybrid'] else ''})\n")
        rows = [("app ID", app["app_id"]), ("client ID", app["client_id"]),
                ("client secret", f"{mask(app['client_secret'])} (full value: simulate --json)"),
                ("Login URI", app["login_uri"] or "(none)"),
                ("Redirect URIs", ", ".join(app["redirect_uris"]) or "(none)"),
                ("marketplaces", ", ".join(app["marketplaces"]))]
        if app["mws_developer_ids"]:
            rows.append(("MWS developer IDs", ", ".join(
                f"{r}={d}" for r, d in app["mws_developer_ids"].items())))
        if app.get("self_auth_refresh_token"):
            rows.append(("self-auth token", f"{mask(app['self_auth_refresh_token'])} for "
                         f"{app['self_auth_selling_partner_id']} ({app['self_auth_region']})"))
        for label, value in rows:
            w(f"  {label:<18}{value}\n")
    if info.get("aws"):
        aws = info["aws"]
        w(f"\nAmazon's notifications go to a local SQS queue (moto, --aws): {aws['queue_url']}\n"
          "Point boto3 and the AWS CLI at it (moto accepts these fake keys):\n")
        w("  export " + " ".join(f"{k}={aws[k]}" for k in (
            "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
          + "\n")
        w(f"  then: {PROG} rotate-secret NAME --queue-url {aws['queue_url']}\n")
    w("\nSellers:\n")
    for seller in info["sellers"]:
        users = ", ".join(f"{u['name']} ({'primary' if u['primary'] else 'secondary'})"
                          for u in seller["users"])
        w(f"  {seller['selling_partner_id']}: {', '.join(seller['marketplaces'])}; "
          f"users {users}\n")
    approve = ("--auto-approve: the first primary user of the region approves at once"
               if sim.auto_approve else "the consent page asks which user approves (or add "
               "sim_user=NAME to the consent URL)")
    w(f"\nConsent: {approve}.\n")
    if catcher_port is not None:
        app = info["apps"][0]
        printer = ("from oauth_wizard.simulator.demo_registry import DEMO_CLIENT_SECRET as s; "
                   "print(s)")
        w("\nTry it, in a shell with the exports above (profile add reads the demo app's fake "
          "client secret from stdin):\n")
        w(f"  {shlex.quote(sys.executable)} -c {shlex.quote(printer)} |\n"
          f"    {PROG} profile add {DEMO_PROFILE} --app-id {app['app_id']} --client-id "
          f"{app['client_id']} --app-state {app['app_state']} --marketplace US --login-uri "
          f"{app['login_uri']} --redirect-uri {app['redirect_uris'][0]}\n")
        w(f"  {PROG} authorize {DEMO_PROFILE}\n")
        w(f"The demo app's URIs use port {catcher_port}, where authorize's catcher will "
          "listen.\n")
    w("\nStop with Ctrl-C.\n")
    out.flush()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``oauth-wizard simulate``."""
    parser.description = (
        "Run the local Amazon: Seller/Vendor Central consent, both legs, the LWA "
        "token endpoint and getMarketplaceParticipations, on 127.0.0.1, until Ctrl-C.")
    parser.set_defaults(handler=cmd_simulate)
    parser.add_argument("--port", type=int, metavar="N",
                        help="listen on port N (default: any free)")
    parser.add_argument("--registry", metavar="FILE",
                        help="the apps and sellers (JSON; default: the built-in demo registry)")
    parser.add_argument("--auto-approve", action="store_true",
                        help="approve consent as the first primary user, without a page")
    parser.add_argument("--aws", action="store_true",
                        help="also run a local SQS and Secrets Manager (moto's server on "
                        "127.0.0.1) and send Amazon's notifications to a queue there")
    parser.add_argument("--json", action="store_true",
                        help="print one ready line of JSON for scripts (with the fake secrets)")
