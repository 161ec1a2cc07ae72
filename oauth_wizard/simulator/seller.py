"""A stand-in seller for the simulator: opens a consent URL signed in as one of the registry's
users and follows the browser's redirects through the Login leg, the simulated confirm and the
Redirect leg, as a browser would, so the demo and tests can run the whole flow with no browser.

The code reaches whoever listens on the Redirect URI (the catcher), never this module; what comes
back here is only where the browser ended and why.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urljoin, urlsplit

from oauth_wizard.core.errors import WizardError

if TYPE_CHECKING:
    import httpx

MAX_HOPS = 8  # consent → Login leg → confirm → Redirect leg, with room to spare
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_REASON = re.compile(r"Why the simulator answered this:</strong>(.*?)</p>", re.S)
_BOX = re.compile(r"<div class=\"box err\">(.*?)</div>", re.S)
_HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)


class ApprovalStopped(WizardError):
    """A page on the way did not answer, so the stand-in seller could not go on."""


@dataclass(frozen=True)
class Approval:
    """What happened when the stand-in seller approved: where the browser ended and why."""

    ok: bool
    message: str
    hops: tuple[str, ...]  # scheme://host/path of each page visited, never a query
    error_code: str | None = None


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


async def approve(consent_url: str, user: str) -> Approval:
    """Open ``consent_url`` as ``user`` and follow the redirects to their end."""
    import httpx

    url = consent_url + ("&" if "?" in consent_url else "?") + urlencode({"sim_user": user})
    hops: list[str] = []
    # trust_env=False: a proxy from the environment must not see loopback traffic
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                 timeout=httpx.Timeout(10.0)) as http:
        for _ in range(MAX_HOPS):
            parts = urlsplit(url)
            hops.append(f"{parts.scheme}://{parts.netloc}{parts.path}")
            try:
                response = await http.get(url)
            except httpx.HTTPError as exc:
                raise ApprovalStopped(
                    f"Nothing answered at {parts.scheme}://{parts.netloc} "
                    f"({type(exc).__name__}), so the approval stopped there.",
                    "The wizard must be listening for the redirect: use the paste-back field "
                    "with a real browser instead, or try again.") from None
            if not response.is_redirect:
                return _outcome(response, user, tuple(hops))
            url = urljoin(url, response.headers["location"])
    return Approval(False, "The browser was redirected too many times; the approval stopped.",
                    tuple(hops))


def _outcome(response: httpx.Response, user: str, hops: tuple[str, ...]) -> Approval:
    code = response.headers.get("X-Sim-Error-Code")
    if code:
        found = _REASON.search(response.text)
        reason = f" {_text(found.group(1))}" if found else ""
        box = _BOX.search(response.text)
        if box and "Error Code" not in box.group(1):  # a page Amazon shows without a code
            heading = _HEADING.search(response.text)
            said = f"{_text(heading.group(1)) + ': ' if heading else ''}{_text(box.group(1))}"
            return Approval(False, f"The simulated Seller Central showed \u201c{said}\u201d "
                            f"(the simulator's code {code}).{reason}", hops, code)
        return Approval(False, f"The simulated Seller Central refused with Error Code: "
                        f"{code}.{reason}", hops, code)
    title = _TITLE.search(response.text)
    where = _text(title.group(1)) if title else f"HTTP {response.status_code}"
    if response.status_code >= 400:
        return Approval(False, f"The browser ended on an error page: {where}.", hops)
    return Approval(True, f"Approved as {user}: the browser went through the Login leg and the "
                    f"Redirect leg back to the wizard ({where}).", hops)
