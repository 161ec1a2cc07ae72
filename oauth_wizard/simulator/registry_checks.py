"""Reading a registry file's untrusted JSON: each field checked, every problem collected with
its path (``apps[0].redirect_uris[1]: must be http or https``), so one run names them all."""

from __future__ import annotations

from oauth_wizard.core import marketplaces
from oauth_wizard.core.uris import check_uri


class FieldChecker:
    """Collects ``path: problem`` lines while reading untrusted JSON."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, value: object, path: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object (got {type(value).__name__})")
            return {}
        for key in sorted(set(value) - allowed):
            self.fail(f"{path}.{key}" if path else key,
                      f"unknown field; allowed: {', '.join(sorted(allowed))}")
        for key in sorted(required - set(value)):
            self.fail(f"{path}.{key}" if path else key, "missing")
        return value

    def string(self, value: object, path: str, *, empty_ok: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, f"must be a string (got {type(value).__name__})")
            return ""
        if value != value.strip():
            self.fail(path, f"has spaces or line breaks around it (got {value!r})")
        elif not value and not empty_ok:
            self.fail(path, "must not be empty")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false (got {value!r})")
            return False
        return value

    def instant(self, value: object, path: str) -> float | None:
        """An ISO 8601 date-time with its offset (``2026-06-01T00:00:00Z``), as epoch seconds."""
        if value is None:
            return None
        from datetime import datetime

        try:
            at = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            self.fail(path, f"must be an ISO 8601 date-time with its offset, like "
                            f"2026-06-01T00:00:00Z (got {value!r})")
            return None
        return at.timestamp()

    def items(self, value: object, path: str, *, empty_ok: bool = False) -> list:
        if not isinstance(value, list):
            self.fail(path, f"must be a list (got {type(value).__name__})")
            return []
        if not value and not empty_ok:
            self.fail(path, "must not be empty")
        return value

    def checked(self, result, path: str) -> str:
        """Report the first blocking problem of a validation.py check."""
        for p in result.problems:
            if p.blocking:
                self.fail(path, f"{p.message} {p.fix}".strip())
                break
        return result.value

    def uri(self, value: object, path: str, label: str) -> str:
        raw = self.string(value, path, empty_ok=True)
        if not raw:
            return ""  # an app without URIs is allowed: it models MD9100
        scheme = raw.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            self.fail(path, f"must be http or https (got {raw!r})")
            return raw
        # http, loopback hosts and fragments are accepted on purpose (module docstring; a
        # registered '#' URI lets the simulator answer MD5110), so the check sees the URI with
        # https and without its fragment; what it still finds (damage, no host) is an error.
        probe = ("https" + raw[4:] if scheme == "http" else raw).split("#", 1)[0]
        for p in check_uri(probe, path, label).problems:
            if p.blocking:
                self.fail(path, f"{p.message} (got {raw!r})")
                break
        return raw

    def market_codes(self, value: object, path: str) -> tuple[str, ...]:
        codes: list[str] = []
        for i, raw in enumerate(self.items(value, path)):
            code = self.string(raw, f"{path}[{i}]")
            try:
                found = marketplaces.lookup(code).code if code else ""
            except marketplaces.UnknownMarketplaceError as exc:
                self.fail(f"{path}[{i}]", str(exc))
                continue
            if found and found not in codes:
                codes.append(found)
        return tuple(codes)
