"""The live shape calculator: input size, kernel, stride, padding, dilation -> output size.

Controls: sliders for the input size ``H`` (a square ``H x H`` input), the kernel size
``k``, the stride, the padding (a number of zeros on each side, or the modes "valid",
"same", "full") and the dilation; text boxes for the number of input channels ``C`` and of
filters ``F``. It draws the windows on the padded input (:func:`cnnedu.viz.windows.draw_windows`)
and writes the output size with the formula, the shapes and the parameter count
(:func:`cnnedu.topics.shapes.layer_summary`).

Impossible settings (a kernel longer than the padded input, "same" with a stride) and bad
entries (text, NaN, an empty box, a fraction, 0) give a message; the widget keeps working.

>>> calc = ShapeCalculator()
>>> calc.result_lines[1]
'H_out = (7 + 2*1 - 1*(3 - 1) - 1) // 2 + 1 = 6 // 2 + 1 = 3 + 1 = 4'
>>> calc.kernel.value = 9; calc.padding.value = 0
>>> calc.message.text.startswith("output_size: the kernel")
True
"""
from __future__ import annotations

import html

import ipywidgets as W

from cnnedu.topics import shapes
from cnnedu.viz import windows
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["ShapeCalculator", "PADDING_CHOICES", "wrap_line"]

#: The padding dropdown: a number of zeros on each side (the slider), or a mode.
PADDING_CHOICES = ("number", "valid", "same", "full")
MAX_CHANNELS = 100_000
CAPTION = ("grey: padding; yellow: taps of the first window; coloured: windows of the "
           "first output row; black: the last window; pink: never reached")
NO_WINDOW_CAPTION = "no window fits: no cell is reached (all pink), so there is no output"
#: Result lines longer than this are broken before an " = " (never inside an expression).
LINE_CHARS = 46


def wrap_line(line: str, width: int = LINE_CHARS) -> list[str]:
    """Break ``line`` before its `` = `` signs so each piece is at most ``width`` characters
    where possible; the pieces after the first are indented under the first ``=``.

    >>> wrap_line("H_out = (7 + 2*1 - 1*(3 - 1) - 1) // 2 + 1 = 6 // 2 + 1 = 3 + 1 = 4", 30)
    ['H_out = (7 + 2*1 - 1*(3 - 1) - 1) // 2 + 1', '      = 6 // 2 + 1 = 3 + 1 = 4']
    """
    if len(line) <= width or " = " not in line:
        return [line]
    head, *rest = line.split(" = ")
    pad = " " * len(head) + " = "
    lines = [head + " = " + rest[0]]
    for piece in rest[1:]:
        if len(lines[-1]) + 3 + len(piece) <= width:
            lines[-1] += " = " + piece
        else:
            lines.append(pad + piece)
    return lines


def _pieces(line: str) -> list[str]:
    """How a result line is shown: formulas broken before an ``=``, the shapes line before
    its arrow; other lines whole."""
    if line.startswith(("H_out", "W_out", "parameters")):
        return wrap_line(line)
    if len(line) > LINE_CHARS:
        for sep, lead in (("  ->  ", "  -> "), (", b (F,)", "  b (F,)")):
            if sep in line:
                left, right = line.split(sep, 1)
                return [left, lead + right]
    return [line]


class ShapeCalculator(LiveWidget):
    """Sliders for a conv layer's settings; the windows drawn, the output size and parameters.

    Parameters
    ----------
    size, kernel, stride, padding, dilation : int
        Starting values.
    in_channels, out_channels : int
        ``C`` and ``F`` for the shapes and the parameter count.
    """

    summary = ("live shape calculator: input size, kernel, stride, padding and dilation "
               "sliders; windows drawn, output size and parameter count")

    def __init__(self, size: int = 7, kernel: int = 3, stride: int = 2, padding: int = 1,
                 dilation: int = 1, in_channels: int = 3, out_channels: int = 20):
        def slider(name, value, lo, hi):
            s = W.IntSlider(value=value, min=lo, max=hi, description=name,
                            continuous_update=True, layout=W.Layout(width="320px"))
            s.add_class(f"cnnedu-{name.split()[0]}")
            return s

        self.size = slider("size H", size, 1, 24)
        self.kernel = slider("kernel k", kernel, 1, 9)
        self.stride = slider("stride s", stride, 1, 5)
        self.padding = slider("padding p", padding, 0, 6)
        self.dilation = slider("dilation d", dilation, 1, 4)
        self.mode = W.Dropdown(options=list(PADDING_CHOICES), value="number",
                               description="padding", layout=W.Layout(width="220px"))
        self.mode.add_class("cnnedu-padding-mode")
        self.in_channels = W.Text(value=str(in_channels), description="C (in)",
                                  continuous_update=False, layout=W.Layout(width="160px"))
        self.in_channels.add_class("cnnedu-in-channels")
        self.out_channels = W.Text(value=str(out_channels), description="F (filters)",
                                   continuous_update=False, layout=W.Layout(width="160px"))
        self.out_channels.add_class("cnnedu-out-channels")

        self.panel = ImagePanel("the padded input and its windows", size=380,
                                caption=CAPTION)
        self.panel.widget.add_class("cnnedu-panel-windows")
        self.result = W.HTML("")
        self.result.add_class("cnnedu-result")
        self.message = MessageLine()
        self.result_lines: list[str] = []
        self.channels = (in_channels, out_channels)   # the last good (C, F)

        controls = W.VBox([self.size, self.kernel, self.stride, self.mode, self.padding,
                           self.dilation, W.HBox([self.in_channels, self.out_channels]),
                           self.result], layout=W.Layout(width="520px"))
        self.widget = W.VBox([W.HBox([controls, self.panel.widget]), self.message.widget])
        self.widget.add_class("cnnedu-shape-calculator")
        for c in (self.size, self.kernel, self.stride, self.padding, self.dilation, self.mode,
                  self.in_channels, self.out_channels):
            c.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def panels(self) -> list[tuple[str, bytes]]:
        """The still picture's panel: the windows redrawn with whole cells that fit the
        still's 200-pixel height (so no grid line is lost when it is scaled)."""
        from cnnedu.viz.render import to_png
        settings = dict(padding=self.padding_value(), dilation=self.dilation.value)
        try:
            windows.draw_windows(self.size.value, self.kernel.value, cell=2,
                                 stride=self.stride.value, **settings)

            def draw(cell):
                return windows.draw_windows(self.size.value, self.kernel.value, cell=cell,
                                            stride=self.stride.value, **settings)
        except ValueError:
            def draw(cell):
                return windows.draw_no_window(self.size.value, self.kernel.value, cell=cell,
                                              **settings)
            title = "no window fits"
        else:
            out = shapes.output_size(self.size.value, self.kernel.value,
                                     stride=self.stride.value, **settings)
            title = f"windows: H_out = {out}"   # short: the still's title fits 200 px
        P = (draw(2).shape[0] - 1) // 2
        return [(title, to_png(draw(max(2, 199 // P))))]

    def _parse_count(self, box: W.Text, name: str):
        value, problem = parse_number(box.value, minimum=1, maximum=MAX_CHANNELS)
        if problem:
            return None, f"{name}: {problem}"
        if value != int(value):
            return None, f"{name}: {box.value.strip()!r} is not a whole number of channels"
        return int(value), ""

    def padding_value(self):
        """The padding to use: the slider's number, or the chosen mode."""
        return self.padding.value if self.mode.value == "number" else self.mode.value

    @safe_update
    def update(self) -> None:
        """Recompute and redraw from the controls (a message instead of any error)."""
        self.padding.disabled = self.mode.value != "number"
        problems = []
        counts = []
        for box, name in ((self.in_channels, "C (in)"), (self.out_channels, "F (filters)")):
            value, problem = self._parse_count(box, name)
            counts.append(value)
            if problem:
                problems.append(problem)
        if not problems:
            self.channels = tuple(counts)
        settings = dict(stride=self.stride.value, padding=self.padding_value(),
                        dilation=self.dilation.value)
        try:
            lines = shapes.layer_summary(self.size.value, self.kernel.value,
                                         in_channels=self.channels[0],
                                         out_channels=self.channels[1], **settings)
            picture = windows.draw_windows(self.size.value, self.kernel.value, **settings)
        except ValueError as exc:
            self.result_lines = []
            self.result.value = "<i>no output for these settings</i>"
            self.panel.show(windows.draw_no_window(self.size.value, self.kernel.value,
                                                   padding=settings["padding"],
                                                   dilation=settings["dilation"]),
                            caption=NO_WINDOW_CAPTION)
            self.message.error(str(exc))
            return
        self.result_lines = lines
        self.panel.show(picture, caption=CAPTION)
        shown = [piece for line in lines for piece in _pieces(line)]
        self.result.value = ("<div style='font-family:monospace;font-size:12px;"
                             "line-height:1.35;white-space:pre;overflow-x:auto'>"
                             + "<br>".join(html.escape(line) for line in shown) + "</div>")
        if problems:
            self.message.error("; ".join(problems) + f". Using the last good C, F = "
                               f"{self.channels[0]}, {self.channels[1]}.")
        else:
            out = lines[2].split("=")[-1].strip()
            self.message.info(f"output {out}")
