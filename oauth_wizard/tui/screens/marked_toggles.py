"""Radio buttons and check lists whose state reads without colour (NO_COLOR, a monochrome
terminal, a screen reader's text): the mark is drawn only when the choice is on.

Textual draws the same ``●`` or ``X`` for on and off and tells them apart by colour alone, so a
user without colour saw every option chosen. These subclasses keep Textual's look and change
only the inner character of an option that is off.
"""

from __future__ import annotations

from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Checkbox, RadioButton, RadioSet, SelectionList

OFF = " "


class MarkedRadioButton(RadioButton):
    """A radio button whose dot is drawn only when it is the choice."""

    @property
    def _button(self) -> Content:
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background,
                           background=self.background_colors[1])
        return Content.assemble((self.BUTTON_LEFT, side_style),
                                (self.BUTTON_INNER if self.value else OFF, button_style),
                                (self.BUTTON_RIGHT, side_style))


class MarkedCheckbox(Checkbox):
    """A checkbox whose X is drawn only when it is ticked."""

    _button = MarkedRadioButton._button


class ChoiceRadioSet(RadioSet):
    """A radio set whose highlight starts on the current choice (Textual's starts on the first
    button, so after going back to a step the cursor sat elsewhere than the choice)."""

    def on_mount(self) -> None:
        self.call_after_refresh(self._start_on_choice)

    def _start_on_choice(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index


class MarkedSelectionList(SelectionList[str]):
    """A check list whose ``X`` is drawn only on ticked options."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        for i, segment in enumerate(segments):
            meta = segment.style.meta if segment.style is not None else {}
            if segment.text != Checkbox.BUTTON_INNER or "option" not in meta:
                continue
            option = self.get_option_at_index(meta["option"])
            if option.value not in self.selected:
                segments[i] = segment._replace(text=OFF)
            break
        return Strip(segments, strip.cell_length)

    def summary(self) -> str:
        """"3 of 16: DE, FR, IT" (the ticked ones in list order)."""
        ticked = [str(self.get_option_at_index(i).value) for i in range(self.option_count)
                  if self.get_option_at_index(i).value in self.selected]
        shown = ", ".join(ticked) if ticked else "none"
        return f"{len(ticked)} of {self.option_count}: {shown}"
