"""The Export dialog: write one authorization's credentials in the format a library reads.

The user picks the format and the file (each format proposes its library's own file, or one in
the current directory); ``keep_session.export`` writes it with mode 0600 from a worker. An
existing file, or an existing account block of credentials.yml, is replaced only after a yes in
a ``ConfirmDialog``. What to do next (``export.notes``) is shown once the file is written. The
dialog dismisses with the path written, or None.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from oauth_wizard.keep.export import FORMATS
from oauth_wizard.keep.reports import AuthRef
from oauth_wizard.tui.screens.keep_widgets import ConfirmDialog, failure_content

if TYPE_CHECKING:
    from oauth_wizard.tui.sessions.keep import KeepSession

DESCRIPTIONS = {
    "psa-yaml": "python-amazon-sp-api: an account block in its credentials.yml (other "
                "accounts in the file are kept)",
    "psa-env": "python-amazon-sp-api: SP_API_REFRESH_TOKEN, LWA_APP_ID and LWA_CLIENT_SECRET "
               "as environment variables",
    "amz-tools": "amz-tools/amazon-sp-api (Node): its ~/.amzspapi/credentials file (client ID "
                 "and secret; the token is passed in code)",
    "spapi-config": "amzn-sp-api, the official SDK: an SPAPIConfig snippet that reads the "
                    "secrets from the environment",
    "mcp-env": "Amazon's SP-API MCP server: the environment variables it reads",
    "dotenv": "A .env file: SP_API_CLIENT_ID, SP_API_CLIENT_SECRET, SP_API_REFRESH_TOKEN, "
              "SP_API_REGION (read by the spapi-config snippet)",
}
LIBRARIES = {"psa-yaml": "python-amazon-sp-api (credentials.yml)",
             "psa-env": "python-amazon-sp-api (environment)",
             "amz-tools": "amz-tools/amazon-sp-api (Node)", "spapi-config": "amzn-sp-api (SDK)",
             "mcp-env": "SP-API MCP server", "dotenv": ".env for your own code"}
WARNING = ("The file holds the client secret and the refresh token. It is written with mode "
           "0600; keep it out of version control.")
REPLACE = {
    "exists": ("Replace {path}?", "The file already exists. Replacing it loses what it holds "
               "now.", "Replace the file"),
    "account_exists": ("Replace the account block in {path}?", "The credentials file already "
                       "has this account. Only that block is replaced; other accounts stay as "
                       "they are.", "Replace the block"),
}


class ExportDialog(ModalScreen[Path | None]):
    """Format, file, Export; then the path written and what to do next."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="export-close"),
    ]

    def __init__(self, keep: KeepSession, ref: AuthRef, *, fmt: str = "psa-yaml") -> None:
        super().__init__(classes="dialog-screen")
        self.keep = keep
        self.ref = ref
        self._format = fmt
        self._path_edited = False
        self._proposed = ""
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        ref = self.ref
        with Vertical(id="export-box", classes="dialog"):
            yield Static(Content(f"Export · profile '{ref.profile}' · {ref.region} "
                                 f"{ref.selling_partner_id}"), classes="dialog-title")
            yield Static(WARNING, classes="hint")
            sandbox = self.keep.export_sandbox()
            if sandbox is not None:
                yield Static(Content(
                    f"Demo: exports go into the demo's temporary folder {sandbox}, deleted when "
                    "the demo ends; your real library files are never touched."),
                    classes="demo-banner", id="export-demo")
            with Horizontal(classes="field-row"):
                yield Label("Format", classes="field-label")
                yield Select([(f"{f} · {LIBRARIES[f]}", f) for f in FORMATS],
                             value=self._format, allow_blank=False, id="export-format")
            yield Static(DESCRIPTIONS[self._format], classes="hint field-hint",
                         id="export-format-hint")
            with Horizontal(classes="field-row"):
                yield Label("File", classes="field-label")
                yield Input(placeholder="the file to write", id="export-path")
            yield Static(id="export-result")
            with Horizontal(classes="dialog-actions"):
                yield Button("Export", id="export-go", variant="primary", compact=True)
                yield Button("Close", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        self.propose(self._format)

    @work(exclusive=True, group="export-path", exit_on_error=False)
    async def propose(self, fmt: str) -> None:
        """Put the format's usual file in the File field, unless the user typed one."""
        path = str(await self.keep.default_export_path(fmt))
        field = self.query_one("#export-path", Input)
        if not self._path_edited or field.value == self._proposed:
            self._proposed = path
            field.value = path
            self._path_edited = False

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._format = event.value
            self.query_one("#export-format-hint", Static).update(DESCRIPTIONS[event.value])
            self.propose(event.value)

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        if event.value != self._proposed:
            self._path_edited = True

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._show(Content("✗ Say which file to write, in the File field."), error=True)
            return
        self.run_export(self._format, Path(raw).expanduser())

    def _show(self, text: Content, *, error: bool) -> None:
        result = self.query_one("#export-result", Static)
        result.update(text)
        result.set_class(error, "-error")
        result.set_class(not error, "-ok")
        result.display = True

    @work(exclusive=True, group="export", exit_on_error=False)
    async def run_export(self, fmt: str, path: Path) -> None:
        """Write; on an existing file or block, ask before writing again with force."""
        self._show(Content(f"Writing {path}…"), error=False)
        report = await self.keep.export(self.ref, fmt, path)
        if report.confirm is not None:
            title, message, yes = REPLACE[report.confirm]
            self._show(Content(f"{path} is there already: replace it?"), error=False)
            replace = await self.app.push_screen_wait(
                ConfirmDialog(title.format(path=path), message, yes=yes, danger=True))
            if not replace:
                self._show(Content(f"Nothing was written: {path} was left as it is."),
                           error=False)
                return
            report = await self.keep.export(self.ref, fmt, path, force=True)
        if report.failure is not None or report.path is None:
            assert report.failure is not None
            self._show(failure_content(report.failure), error=True)
            return
        self.written = report.path
        how = "Wrote" if report.created else "Updated"
        lines = [f"✓ {how} {report.path} ({fmt}, mode 0600).", "Next:"]
        lines += [f"· {note}" for note in report.notes]
        self._show(Content("\n".join(lines)), error=False)
        self.query_one("#export-cancel", Button).label = "Done"
        self.query_one("#export-cancel", Button).focus()

    def action_close(self) -> None:
        self.dismiss(self.written)

    @on(Button.Pressed, "#export-cancel")
    def _close(self) -> None:
        self.action_close()
