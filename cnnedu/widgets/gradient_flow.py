"""The gradient-flow explorer: which cells an output touched, and which outputs an input
reached (notebook 05).

Choose a mode, a cell (row and column sliders) and the geometry (input size, kernel size,
stride, padding, dilation). The pictures come from
:func:`cnnedu.viz.figures.backprop.gradflow_pictures`; this class only wires the controls.

>>> w = GradientFlowExplorer()
>>> w.set(mode="input", row=2, col=3)
>>> w.message.text
'dX[2,3] = dY[1,2]*W[1,1] + dY[1,3]*W[1,0] + dY[2,2]*W[0,1] + dY[2,3]*W[0,0]'
"""
from __future__ import annotations

import ipywidgets as W

from cnnedu.viz.figures.backprop import gradflow_pictures
from cnnedu.topics.gradflow import geometry
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, safe_update

__all__ = ["GradientFlowExplorer"]

MODES = {"an output cell: what did it read?": "output",
         "an input cell: which outputs did it reach?": "input"}


class GradientFlowExplorer(LiveWidget):
    """Pick an output cell to see its window and weights, or an input cell to see every
    output (and weight) its gradient comes from."""

    summary = "gradient-flow explorer: which inputs and weights each output touched"

    def __init__(self, in_size: int = 6, kernel: int = 2, stride: int = 1, padding: int = 0,
                 dilation: int = 1, cell: int = 26):
        self.cell = cell
        style = {"description_width": "initial"}
        lay = W.Layout(width="260px")
        self.mode = W.Dropdown(options=list(MODES), value=list(MODES)[1],
                               description="choose", style=style,
                               layout=W.Layout(width="400px", max_width="100%"))
        self.row = W.IntSlider(value=2, min=0, max=in_size - 1, description="row",
                               style=style, layout=lay, continuous_update=True)
        self.col = W.IntSlider(value=3, min=0, max=in_size - 1, description="column",
                               style=style, layout=lay, continuous_update=True)
        self.in_size = W.IntSlider(value=in_size, min=3, max=9, description="input size",
                                   style=style, layout=lay)
        self.kernel = W.IntSlider(value=kernel, min=1, max=5, description="kernel size",
                                  style=style, layout=lay)
        self.stride = W.IntSlider(value=stride, min=1, max=3, description="stride",
                                  style=style, layout=lay)
        self.padding = W.IntSlider(value=padding, min=0, max=2, description="padding",
                                   style=style, layout=lay)
        self.dilation = W.IntSlider(value=dilation, min=1, max=3, description="dilation",
                                    style=style, layout=lay)
        for ctl, cls in ((self.mode, "mode"), (self.row, "row"), (self.col, "col"),
                         (self.in_size, "size"), (self.kernel, "kernel"),
                         (self.stride, "stride"), (self.padding, "padding"),
                         (self.dilation, "dilation")):
            ctl.add_class(f"cnnedu-gf-{cls}")
        self.p_in = ImagePanel("input x", size=260)
        self.p_k = ImagePanel("kernel w", size=150)
        self.p_out = ImagePanel("output y", size=220)
        for p, cls in ((self.p_in, "input"), (self.p_k, "kernel"), (self.p_out, "output")):
            p.widget.add_class(f"cnnedu-gf-{cls}")
        self.message = MessageLine()
        self.message.widget.layout = W.Layout(width="auto", max_width="100%")  # wraps
        controls = W.HBox([W.VBox([self.mode, self.row, self.col]),
                           W.VBox([self.in_size, self.kernel, self.stride]),
                           W.VBox([self.padding, self.dilation])])
        self.widget = W.VBox([controls, W.HBox([self.p_in.widget, self.p_k.widget,
                                                self.p_out.widget]), self.message.widget])
        self.widget.add_class("cnnedu-gradient-flow")
        self._busy = False
        for ctl in (self.mode, self.row, self.col, self.in_size, self.kernel, self.stride,
                    self.padding, self.dilation):
            ctl.observe(self.update, names="value")
        self.update()

    def set(self, **values) -> None:
        """Set several controls at once (mode as "output"/"input"), then update once."""
        self._busy = True
        try:
            if "mode" in values:
                m = values.pop("mode")
                self.mode.value = next((k for k, v in MODES.items() if v == m), m)
            for name, v in values.items():
                getattr(self, name).value = v
        finally:
            self._busy = False
        self.update()

    @safe_update
    def update(self, change=None) -> None:
        if self._busy:
            return
        mode = MODES[self.mode.value]
        n, k = self.in_size.value, self.kernel.value
        s, p, d = self.stride.value, self.padding.value, self.dilation.value
        try:
            g = geometry((n, n), (k, k), stride=s, padding=p, dilation=d)
        except ValueError:
            span = d * (k - 1) + 1
            self.message.error(f"the dilated kernel spans {span} cells but the padded input "
                               f"has only {n + 2 * p}: make the kernel or the dilation "
                               "smaller, or the input or the padding larger.")
            return
        limit = g.out_hw if mode == "output" else g.in_hw
        self._busy = True
        try:  # keep the cell sliders inside the current grid
            self.row.max, self.col.max = limit[0] - 1, limit[1] - 1
        finally:
            self._busy = False
        r, c = min(self.row.value, limit[0] - 1), min(self.col.value, limit[1] - 1)
        pics = gradflow_pictures(mode, r, c, (n, n), (k, k), stride=s, padding=p,
                                 dilation=d, cell=self.cell)
        self.p_in.show(pics["input"])
        self.p_k.show(pics["kernel"])
        self.p_out.show(pics["output"])
        self.p_out.set_title(f"output y ({g.out_hw[0]}x{g.out_hw[1]})")
        self.p_in.set_title("input x (grey: padding)" if p else "input x")
        self.message.info(pics["text"])
