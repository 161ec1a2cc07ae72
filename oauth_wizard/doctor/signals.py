"""Turn whatever a user pastes into the doctor's signals.

People paste Seller Central error pages, LWA JSON bodies, SP-API ``{"errors": [...]}`` bodies
(also inside log lines, exception reprs and Python dict reprs), HTTP status lines, stack traces,
URLs and free text, in any encoding. Input is bounded first (head and tail of a huge paste are
kept, since errors sit at the end of logs) and every regex here uses bounded repetition, so
junk, binary and 10 MB pastes stay fast. Nothing here raises on bad input.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from oauth_wizard.core.frozen import Fresh, record
from oauth_wizard.core.masking import scrub
from oauth_wizard.doctor import inferred, statuses
from oauth_wizard.doctor.knowledge import KnowledgeBase
from oauth_wizard.doctor.text_patterns import folded_for_needles

if TYPE_CHECKING:
    from oauth_wizard.consent.lint import LintResult

MAX_BYTES = 256 * 1024
MAX_CHARS = 64 * 1024
MAX_URLS = 30
LWA_ERRORS = ("invalid_grant", "invalid_client", "unsupported_grant_type", "invalid_request",
              "invalid_scope", "unauthorized_client", "server_error", "temporarily_unavailable",
              "access_denied")
_I = re.IGNORECASE
CODE_RE = re.compile(r"(?<![A-Za-z0-9])(MD|SPDC|SPSA)[ \-_#:]?(\d{2,4})(?![0-9A-Za-z])", _I)
LIMIT_RE = re.compile(r"consent[_ ]limit[_ ]reached", _I)
LWA_RE = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(LWA_ERRORS) + r")(?![A-Za-z0-9])", _I)
GRANT_DESC_RE = re.compile(r"invalid grant parameter\s{0,3}:\s{0,3}(code|refresh_token)\b", _I)
GRANT_TYPE_RE = re.compile(
    r"grant_type\W{1,6}(authorization_code|refresh_token|client_credentials)\b", _I)
_Q = r"\\{0,3}[\"']"
CODE_KEY_RE = re.compile(r"(?<![\w.])\\{0,3}[\"']?code\\{0,3}[\"']?\s{0,3}[:=]\s{0,3}" + _Q
                         + r"([A-Z][A-Za-z]{2,60})\\{0,3}[\"']")
DETAILS_RE = re.compile(r"(?<![\w.])\\{0,3}[\"']?details\\{0,3}[\"']?\s{0,3}[:=]\s{0,3}(?:"
                        + _Q + r"([^\"'\\]{0,500})|(null|None|undefined)|\[\s{0,3}\])")
MESSAGE_KEY_RE = re.compile(r"(?<![\w.])\\{0,3}[\"']?(?:message|details)\\{0,3}[\"']?\s{0,3}[:=]")
ERROR_TYPE_RE = re.compile(r"x-amzn-errortype\W{1,4}([A-Za-z]{3,60})", _I)
# SP-API codes that are never English words, so a report naming one bare still names the code.
BARE_CODE_RE = re.compile(r"(?<![A-Za-z0-9_])(InvalidInput|QuotaExceeded|InternalFailure|NotFound|"
                          r"MissingAuthenticationToken|RequestEntityTooLarge)(?![A-Za-z0-9_])")
AWS_CODE_RE = re.compile(r"An error occurred \(([A-Za-z]{3,60})\) when calling|"
                         r"<Code>([A-Za-z]{3,60})</Code>")
CLASS_RE = re.compile(r"(?<![A-Za-z0-9_])([A-Z][A-Za-z0-9]{3,80})(?![A-Za-z0-9_])")
ENDPOINT_RE = re.compile(r"(sandbox\.)?sellingpartnerapi-(na|eu|fe)\.amazon\.com", _I)
REGION_ENDPOINT_RE = re.compile(r"\b(NA|EU|FE)(?:\s*/\s*(NA|EU|FE))?\s+endpoints?\b")
LWA_HOST_RE = re.compile(r"(?<![\w.-])api\.amazon\.(?:com|co\.uk|co\.jp)(?![\w.-])", _I)
URL_RE = re.compile(
    r"https?://[^\s\"'<>\\`]{1,4096}|(?<![\w./-])(?:www\.)?(?:sellercentral|vendorcentral)"
    r"[\w.-]{0,40}\.[a-z.]{2,16}/apps/authorize/consent\?[^\s\"'<>\\`]{0,4096}", _I)
# A consent-URL value a reporter blanked out, and the stand-ins that pass the linter's checks.
REDACTED_RE = re.compile(r"(?:amzn1\.(?:sp\.solution|sellerapps\.app)\.?)?(?:\.{2,}|…|[x*#]{3,}|"
                         r"<[^<>]{0,60}>|\{[^{}]{0,60}\}|\[[^\[\]]{0,60}\]|"
                         r"(?:your|my)[_-]?[a-z_]{0,30}|redacted|removed|hidden)", _I)
BLANKED_TAIL_RE = re.compile(r"=(?:\.{2,}|…)$")
REDACTED_PARAM_RE = re.compile(r"([?&])(application_id|state|redirect_uri)=([^&#\s]{0,4096})")
STAND_INS = {"application_id": "amzn1.sp.solution.00000000-0000-4000-8000-000000000000",
             "state": "k3Jd9vQ2xT7pL5mR8nB4wZ6c"}
CAUSE_HINT_RE = re.compile(r"\bcause(?:_id)?\s{0,2}[=:]\s{0,2}[\"']?([a-z][a-z_]{2,60})")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]{0,20}[A-Za-z]")
CONTROL_RE = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
TAG_RE = re.compile(r"<[^<>]{0,2000}>")
TOKEN_PARAMS = {"grant_type", "client_id", "client_secret", "refresh_token", "code"}
SENSITIVE_NAMES = (  # names of keys whose values are removed
    r"client_?secret|refresh_?token|access_?token|spapi_oauth_code|mws_auth_token|"
    r"x-amz-access-token|x-amz-security-token|aws_secret_access_key|aws_session_token|"
    r"secret_?(?:access_?)?key|session_?token|security_?token|password|passwd|"
    r"SP_API_REFRESH_TOKEN|LWA_CLIENT_SECRET|SELLING_PARTNER_APP_CLIENT_SECRET|"
    r"SP_API_CLIENT_SECRET|newClientSecret")
SECRET_PAIR_RE = re.compile(r"((?<![A-Za-z0-9])(?:" + SENSITIVE_NAMES + r")\\{0,3}[\"']?\s{0,3}[:=]"
                            r"\s{0,3}\\{0,3}[\"']?)([^\s\"'&,;{}<>\\]{4,4096})", _I)
SECRET_SHAPE_RES = (
    re.compile(r"([?&]code=)([^&\s\"'#]{4,4096})"),
    re.compile(r"(authorization[\"']?\s{0,2}[:=]\s{0,3}[\"']?(?:bearer\s|aws4-hmac-sha256\s)?)"
               r"([^\n\"']{4,2000})", _I),
    re.compile(r"()\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
    re.compile(r"()(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])"),
    re.compile(r"()(?<![A-Za-z0-9/+])(?!/)(?=[A-Za-z0-9/+]{0,39}[0-9])(?=[A-Za-z0-9/+]{0,39}[A-Z])"
               r"(?=[A-Za-z0-9/+]{0,39}[a-z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
)
REMOVED = "[removed]"


@record(frozen=False)
class Extracted:
    """Signals in the order found, what each matched, and facts the text itself shows."""

    text: str = ""
    signals: list[str] = Fresh(list)
    said: dict[str, str] = Fresh(dict)
    inferred: dict[str, str] = Fresh(dict)
    notes: list[str] = Fresh(list)
    lint: LintResult | None = None

    def add(self, signal: str, said: str = "") -> None:
        if signal not in self.said:
            self.signals.append(signal)
            self.said[signal] = scrub_secrets(said[:300])[:160]


def scrub_secrets(text: str) -> str:
    """``text`` without anything that is or looks like a credential: token and secret values
    after their key names, authorization codes, Authorization headers, AWS keys, LWA tokens."""
    text = SECRET_PAIR_RE.sub(lambda m: m.group(1) + REMOVED, text)
    for regex in SECRET_SHAPE_RES:
        text = regex.sub(lambda m: m.group(1) + REMOVED, text)
    return scrub(text, ())


def decode(data: str | bytes | bytearray | memoryview | None) -> tuple[str, list[str]]:
    """Text from whatever was pasted, bounded in size, with notes on what was done to it."""
    notes: list[str] = []
    if data is None:
        return "", notes
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > MAX_BYTES:
            half = MAX_BYTES // 4 * 2
            raw = raw[:half] + raw[-half:]
            notes.append(f"The input was {len(data):,} bytes; only its first and last "
                         f"{half // 1024} KiB were read.")
        text = _decode_bytes(raw)
    else:
        text = str(data)
    if len(text) > MAX_CHARS:
        half = MAX_CHARS // 2
        notes.append(f"The text was {len(text):,} characters; only its first and last "
                     f"{half // 1024}K were read.")
        text = text[:half] + "\n" + text[-half:]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    text = ANSI_RE.sub("", text).replace("\x00", "")
    return CONTROL_RE.sub(" ", text), notes


def _decode_bytes(raw: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw.decode(codec, "replace")
    head = raw[:4096]
    if len(head) >= 4:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if odd > len(head) // 4 and even < odd // 4:
            return raw.decode("utf-16-le", "replace")
        if even > len(head) // 4 and odd < even // 4:
            return raw.decode("utf-16-be", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def extract(data: str | bytes | None, kb: KnowledgeBase, facts: dict[str, str],
            kind: str | None = None) -> Extracted:
    """Every signal in ``data``; ``facts`` give the consent-URL linter its context."""
    text, notes = decode(data)
    out = Extracted(text=text, notes=notes)
    if "&" in text:
        import html  # only a text with entities needs it

        text = html.unescape(text)
    page = re.search(r"<html|<body|<!doctype", text[:20000], _I)
    if page:
        text = TAG_RE.sub(" ", text)
    _codes(text, out)
    if page and not out.signals:  # an API's HTML answer, not a pasted Seller Central page
        out.add("details:html", "an HTML page")
    _lwa(text, out)
    _spapi(text, out)
    _http(text, out)
    _exceptions(text, kb, out)
    words = inferred.from_words(text, facts)
    _urls(text, {**words, **facts}, kind, out)  # the linter sees an app state said in words
    if "region" in out.inferred:  # a pasted portal host decides the grant's region
        words.pop("marketplace", None)
    for key, value in words.items():  # a pasted URL decides first
        out.inferred.setdefault(key, value)
    folded = folded_for_needles(text)
    for name, pattern in kb.patterns:
        match = pattern.search(text, folded)
        if match:
            out.add(f"text:{name}", match.group(0))
    for match in CAUSE_HINT_RE.finditer(text):
        if match.group(1) in kb.causes:
            out.add(f"cause:{match.group(1)}", match.group(0))
    return out


def _codes(text: str, out: Extracted) -> None:
    for match in CODE_RE.finditer(text):
        family, digits = match.group(1).upper(), match.group(2)
        if (family == "MD" and len(digits) != 4) or (family == "SPSA" and len(digits) != 4):
            continue
        out.add(f"{family}{digits}", match.group(0))
        out.add(f"family:{family}", match.group(0))
    match = LIMIT_RE.search(text)
    if match:
        out.add("CONSENT_LIMIT_REACHED", match.group(0))


def _lwa(text: str, out: Extracted) -> None:
    for match in LWA_RE.finditer(text):
        out.add(f"lwa:{match.group(1).lower()}", match.group(0))
    match = GRANT_DESC_RE.search(text)
    if match:
        out.add(f"lwa:grant={match.group(1).lower()}", match.group(0))
    match = GRANT_TYPE_RE.search(text)
    if match and ("lwa:invalid_grant" in out.said or "client_credentials" in match.group(1)):
        grant = {"authorization_code": "code"}.get(match.group(1).lower(), match.group(1).lower())
        out.add(f"lwa:grant={grant}", match.group(0))


def _spapi(text: str, out: Extracted) -> None:
    for match in CODE_KEY_RE.finditer(text):
        code = match.group(1)
        if code.lower() in LWA_ERRORS:
            continue
        start = text.rfind("{", max(0, match.start() - 800), match.start())
        end = text.find("}", match.end(), match.end() + 1500)
        window = text[start if start >= 0 else max(0, match.start() - 300):
                      end if end >= 0 else match.end() + 600]
        if not MESSAGE_KEY_RE.search(window):
            continue
        out.add(f"spapi:{code}", match.group(0))
        if code != "Unauthorized":
            continue  # details tell Unauthorized's causes apart (§5.2); elsewhere they do not
        details = DETAILS_RE.search(window)
        if details and details.group(1) and details.group(1).strip():
            out.add("details:present", details.group(0))
        else:
            out.add("details:empty", details.group(0) if details else "no details")
    for match in ERROR_TYPE_RE.finditer(text):
        out.add(f"spapi:{match.group(1).removesuffix('Exception')}", match.group(0))
    for match in BARE_CODE_RE.finditer(text):
        out.add(f"spapi:{match.group(1)}", match.group(0))
    for match in AWS_CODE_RE.finditer(text):
        out.add(f"aws:{match.group(1) or match.group(2)}", match.group(0))


def _http(text: str, out: Extracted) -> None:
    for status, said in statuses.stated(text):
        out.add(f"http:{status}", said)


def _exceptions(text: str, kb: KnowledgeBase, out: Extracted) -> None:
    for match in CLASS_RE.finditer(text):
        name = match.group(1)
        if name in kb.exceptions:
            out.add(f"exc:{name}", name)
            for implied in kb.exceptions[name]:
                out.add(implied, f"implied by {name}")


def _urls(text: str, facts: dict[str, str], kind: str | None, out: Extracted) -> None:
    for match in ENDPOINT_RE.finditer(text):
        out.add(f"endpoint:{match.group(2).upper()}", match.group(0))
        if match.group(1):
            out.add("endpoint:sandbox", match.group(0))
    for match in REGION_ENDPOINT_RE.finditer(text):  # "NA/FE endpoints" in words
        for region in filter(None, match.groups()):
            out.add(f"endpoint:{region.upper()}", match.group(0))
    if LWA_HOST_RE.search(text):
        out.add("host:lwa", "api.amazon.com")
    consent = facts.get("consent_url")
    from oauth_wizard.core import marketplaces  # lazy: only a text holding URLs needs the hosts

    for count, match in enumerate(URL_RE.finditer(text)):
        if count >= MAX_URLS:
            break
        url = match.group(0)
        if url.endswith("=") and text[match.end():match.end() + 1] == "<":
            url += "..."  # "application_id=<app id>": a placeholder the URL cannot hold
        if not BLANKED_TAIL_RE.search(url):  # "…&state=..." keeps its dots: they are the value
            url = url.rstrip(").,;]}>")
        try:
            parts = urlsplit(url if "://" in url else "https://" + url)
            host = (parts.hostname or "").lower()
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
        except ValueError:
            continue
        _one_url(url, host, parts.path, params, out)
        if (consent is None and parts.path.startswith(marketplaces.consent_path())
                and marketplaces.identify_portal_host(host)):
            consent = url
    if "endpoint:sandbox" in out.said:
        out.inferred["sandbox"] = "true"
    elif any(s.startswith("endpoint:") for s in out.signals):
        out.inferred["sandbox"] = "false"
    elif inferred.says_sandbox_call(text):
        out.inferred["sandbox"] = "true"  # "sandbox call returns ...", no host pasted
    if consent:
        _lint(consent, facts, kind, out)


def _one_url(url: str, host: str, path: str, params: dict[str, str], out: Extracted) -> None:
    if host.startswith(("sellingpartnerapi", "sandbox.sellingpartnerapi")):
        if path.startswith("/auth/o2/token"):
            out.add("url:token_on_spapi_host", url[:120])
        if "/authorization/v1/authorizationcode" in path.lower():
            out.add("url:authorization_api", path)
        if "/listings/" in path:
            out.add("url:listings", path)
    elif host.startswith("api.amazon.") and path.startswith("/auth/o2/token"):
        out.add("host:lwa", host)
        if TOKEN_PARAMS & set(params):
            out.add("url:token_query", "token parameters in the query string")
    if "amazon_callback_uri" in params:
        out.add("url:login_leg", "a Login-leg URL (amazon_callback_uri)")
    if "spapi_oauth_code" in params:
        out.add("url:redirect_leg", "a Redirect-leg URL (spapi_oauth_code)")
    error = params.get("error", "")
    if error and re.fullmatch(r"[a-z_]{2,40}", error):
        out.add(f"url:redirect_error={error}", f"error={error}")
        if error in LWA_ERRORS:
            out.add(f"lwa:{error}", f"error={error}")


def _unredacted(url: str) -> tuple[str, list[str]]:
    """``url`` with values a reporter blanked out ("...", "XXX", "<app id>") replaced by valid
    stand-ins (a blanked redirect_uri is dropped), and the names of those parameters: a report
    hides its values, and hiding them is not the fault that made Amazon refuse."""
    hidden: list[str] = []

    def stand_in(match: re.Match[str]) -> str:
        name, value = match.group(2), unquote(match.group(3))
        if not REDACTED_RE.fullmatch(value.strip()):
            return match.group(0)
        hidden.append(name)
        if name == "redirect_uri":  # dropped; a leading "?" stays for the next parameter
            return match.group(1) if match.group(1) == "?" else ""
        return f"{match.group(1)}{name}={STAND_INS[name]}"

    return REDACTED_PARAM_RE.sub(stand_in, url), hidden


def _lint(url: str, facts: dict[str, str], kind: str | None, out: Extracted) -> None:
    from oauth_wizard.consent.lint import lint_consent_url  # lazy: only for a consent URL
    from oauth_wizard.core import marketplaces

    url, hidden = _unredacted(url)
    if hidden:
        out.notes.append(f"Blanked-out values ({', '.join(hidden)}) were not checked.")
    registered = [u for u in facts.get("registered_redirect_uris", "").split(",") if u]
    result = lint_consent_url(url, app_state=facts.get("app_state"),
                              marketplace=facts.get("marketplace"), kind=kind,
                              registered_redirects=tuple(registered))
    out.lint = result
    out.add("url:consent", "a consent URL")
    for finding in result.problems:
        out.add(f"lint:{finding.id}", finding.message)
    if result.ok and not hidden:  # a URL with blanked-out values was not wholly checked
        out.add("lint:ok", "the consent URL passes every check")
    out.notes.extend(result.notes[:3])
    try:
        parts = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        portal = marketplaces.identify_portal_host(parts.hostname or "")
    except ValueError:
        return
    if "application_id" in params or "version" in params:
        out.inferred["beta_in_url"] = "true" if params.get("version") == "beta" else "false"
    if portal:
        out.inferred["region"] = portal.region
    if params.get("application_id") and "application_id" not in hidden:
        out.inferred["app_id"] = params["application_id"][:200]
    if params.get("redirect_uri"):
        out.inferred["redirect_uri"] = params["redirect_uri"][:2000]
