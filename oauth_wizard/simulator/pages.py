"""HTML of the local Amazon's pages: Seller Central-style error pages, the consent page and
simulator notices.

Every page carries a banner saying it is the simulator, so nobody mistakes it for Amazon, and
every value is HTML-escaped (query parameters reach these pages unchanged). The error page copies
the wording Seller Central shows (spapi-authorization.md §5.1 [issue docs#2021]) and then, set
apart, explains in the simulator's own words which rule fired and where that rule comes from.
"""

from __future__ import annotations

from html import escape

BANNER = ("oauth-wizard local Amazon: a simulator of Seller/Vendor Central, not an Amazon page. "
          "Nothing here talks to Amazon.")

_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#0f1111;background:#fff}
.banner{background:#232f3e;color:#fff;padding:8px 16px;font-size:13px}
main{max-width:640px;margin:32px auto;padding:0 16px}
h1{font-size:24px;font-weight:400}
.box{border:1px solid #d5d9d9;border-radius:8px;padding:16px 20px;margin:16px 0}
.err{border-color:#cc0c39}
.sim{background:#f7fafa;font-size:14px}
.meta{color:#565959;font-size:13px}
button{background:#ffd814;border:1px solid #fcd200;border-radius:8px;padding:8px 24px;
font-size:15px;cursor:pointer}
select{font-size:15px;padding:4px}
code{background:#f0f2f2;padding:1px 4px}
"""


def _page(title: str, body: str, request_id: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"referrer\" content=\"no-referrer\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<div class=\"banner\" role=\"note\">{escape(BANNER)}</div><main>{body}"
        f"<p class=\"meta\">Request ID: <span id=\"request-id\">{escape(request_id)}</span></p>"
        "</main></body></html>\n"
    )


def error_page(*, code: str, app_id: str, request_id: str, reason: str, source: str,
               uncertain: str = "", shown: tuple[str, str] | None = None) -> str:
    """The page Seller Central shows for an MD/SPDC code, plus the simulator's explanation.

    ``code`` is shown exactly as Amazon shows it ("Error Code: MD1000"); ``reason`` says which
    rule fired, ``source`` cites it, ``uncertain`` (if any) says what the sources do not settle.
    ``shown`` (heading, message) replaces the error box for the pages Amazon shows without a
    code ("Invalid Access", the MWS authorization form); the code is then only in the header.
    """
    doubt = (f"<p><strong>Uncertain:</strong> {escape(uncertain)}</p>" if uncertain else "")
    heading, said = shown or ("Something went wrong", "")
    amazon = (f"<p>{escape(said)}</p>" if shown else
              "<p>We are sorry but we encountered an error while processing your request.</p>"
              f"<p>App ID: <span id=\"app-id\">{escape(app_id or '(none)')}</span></p>"
              f"<p>Error Code: <span id=\"error-code\">{escape(code)}</span></p>")
    body = (
        f"<h1>{escape(heading)}</h1>"
        f"<div class=\"box err\">{amazon}</div>"
        "<div class=\"box sim\"><p><strong>Why the simulator answered this:</strong> "
        f"{escape(reason)}</p><p class=\"meta\">Source: {escape(source)}</p>{doubt}</div>"
    )
    return _page(heading if shown else f"Error {code}", body, request_id)


def notice_page(*, title: str, message: str, request_id: str) -> str:
    """A simulator-only refusal: a request the simulator cannot model (no Amazon page to copy)."""
    body = (f"<h1>{escape(title)}</h1><div class=\"box sim\"><p>{escape(message)}</p></div>")
    return _page(title, body, request_id)


def consent_page(*, app_name: str, app_id: str, host: str, region: str, kind: str, beta: bool,
                 users: list[tuple[str, str]], params: list[tuple[str, str]], request_id: str,
                 note: str = "") -> str:
    """The consent page: pick the signed-in user, then Approve.

    The form submits to the same URL with the original query parameters plus ``sim_user``, so a
    script can do the same with ``?…&sim_user=NAME``. ``users`` are (name, label) pairs.
    """
    portal = "Seller Central" if kind == "seller" else "Vendor Central"
    hidden = "".join(f"<input type=\"hidden\" name=\"{escape(k)}\" value=\"{escape(v)}\">"
                     for k, v in params if k != "sim_user")
    options = "".join(f"<option value=\"{escape(name)}\">{escape(label)}</option>"
                      for name, label in users)
    draft = ("<p>This is a <strong>test authorization of the draft version</strong> of the app "
             "(<code>version=beta</code>).</p>" if beta else "")
    extra = f"<p class=\"meta\">{escape(note)}</p>" if note else ""
    if users:
        form = (
            "<form method=\"get\" id=\"consent\">"
            f"{hidden}<p><label for=\"sim_user\">Signed in as </label>"
            f"<select name=\"sim_user\" id=\"sim_user\">{options}</select></p>"
            "<p><button type=\"submit\" id=\"approve\">Approve</button></p></form>"
        )
    else:
        form = ("<p>No user of any registered seller can sign in here: no seller in the "
                f"registry sells in the {escape(region)} region.</p>")
    body = (
        f"<h1>Authorize {escape(app_name)}</h1>"
        f"<div class=\"box\"><p><strong>{escape(app_name)}</strong> asks for access to your "
        f"{escape(portal)} data in the <strong>{escape(region)}</strong> region "
        f"({escape(host)}). The authorization covers every marketplace of the region.</p>"
        f"<p class=\"meta\">App ID: {escape(app_id)}</p>{draft}{form}</div>{extra}"
    )
    return _page(f"Authorize {app_name}", body, request_id)
