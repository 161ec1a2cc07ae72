"""The Review step's preflight: the failures Amazon is predicted to answer with, before the
browser opens, and the confirmation it takes to authorize anyway.

``preflight.preflight`` runs the doctor's rules on the app the user described; a *certain*
finding (a documented rule says Amazon refuses it) is shown in error style and blocks
Authorize / Open in browser until the user confirms in ``AuthorizeAnyway``; a *likely* one is a
warning.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from oauth_wizard.doctor.preflight import Finding, Preflight
from oauth_wizard.tui.screens.doctor_widgets import with_commands

NOTHING = "✓ Preflight: nothing predicts a refusal (the doctor's rules, before the browser opens)."


def finding_title(finding: Finding) -> Content:
    """``✗ certain · Title (cause id)``."""
    mark = "✗ certain" if finding.certain else "! likely"
    return Content.assemble((f"{mark} · ", "bold"), (finding.title, "bold"), f" ({finding.cause})")


def finding_body(finding: Finding) -> Content:
    """What was found, then the numbered fix."""
    lines = [Content(found) for found in finding.found]
    lines += [Content.assemble((f"{i}) ", "bold"), with_commands(step))
              for i, step in enumerate(finding.fix, 1)]
    return Content("\n").join(lines)


class PredictedFailures(Vertical):
    """The preflight's findings, certain ones first, each with its fix."""

    def __init__(self, result: Preflight | None, error: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.error = error

    def compose(self) -> ComposeResult:
        if self.error:
            yield Static(Content(f"Preflight could not run: {self.error}"), classes="hint")
            return
        if self.result is None:
            return
        if self.result.ok:
            yield Static(NOTHING, id="preflight-ok")
            return
        count = len(self.result.findings)
        title = f"Predicted failure{'s' if count > 1 else ''} ({count})"
        yield Static(title, classes="section", id="preflight-title")
        if self.result.certain_failure:
            yield Static("Amazon is expected to refuse this authorization. Fix what is marked "
                         "certain (Esc goes back to the steps), or choose Authorize anyway.",
                         id="preflight-blocked")
        for finding in self.result.findings:
            style = "-certain" if finding.certain else "-likely"
            with Vertical(classes=f"preflight-finding {style}"):
                yield Static(finding_title(finding))
                yield Static(finding_body(finding), classes="finding-body")


class AuthorizeAnyway(ModalScreen[bool]):
    """Are you sure? It names the failures Amazon is predicted to answer with."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Cancel", id="cancel-anyway"),
        Binding("y", "confirm", "Authorize anyway", id="confirm-anyway"),
    ]

    def __init__(self, certain: tuple[Finding, ...], *, verb: str = "Authorize anyway") -> None:
        super().__init__(classes="confirm-modal")
        self.certain = certain
        self.verb = verb

    def compose(self) -> ComposeResult:
        with Vertical(id="anyway-dialog"):
            yield Static("Amazon is expected to refuse this", id="anyway-title")
            named = "\n".join(f"· {f.title} ({f.cause}): {f.found[0] if f.found else ''}"
                              for f in self.certain)
            yield Static(Content(f"Preflight predicts:\n{named}"), id="anyway-text")
            yield Static(f"{self.verb}? The seller will most likely see Amazon's error page "
                         "instead of the consent page.", classes="hint")
            with Horizontal(id="anyway-buttons"):
                yield Button("Cancel (n)", id="anyway-cancel", compact=True, variant="primary")
                yield Button(f"{self.verb} (y)", id="anyway-confirm", compact=True,
                             variant="error")

    def on_mount(self) -> None:
        self.query_one("#anyway-cancel").focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#anyway-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#anyway-confirm")
    def _confirm_pressed(self) -> None:
        self.dismiss(True)
