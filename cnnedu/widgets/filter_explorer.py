"""The live filter explorer: edit a 3x3 or 5x5 kernel, see what it finds in a photograph.

Controls: a preset, the kernel size, the image, a bias and an activation, and the kernel's
cells (type a number, then Enter or Tab). Panels: the input, the kernel as the filter sees
it (red positive, blue negative, centred on 0), the raw response image ⋆ kernel, and the
response after the bias and the activation (both diverging, centred on 0).

Everything shown is computed by :mod:`cnnedu.topics.filter_response` (plain, tested functions); this
module only wires the controls to them. A bad entry (text, NaN, an empty box, a number
beyond the limits) keeps the last good kernel or bias and says which cell and what was
typed; the widget keeps working.

>>> w = FilterExplorer(preset="sobel_y", image="shapes")
>>> w.message.text.startswith("Sobel y")
True
>>> w.cells[0].value = "abc"
>>> w.message.text
"kernel[0, 0] = 'abc': not a number. Still showing the last good kernel."
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from cnnedu.topics import filter_response as explorer
from cnnedu.topics import kernels
from cnnedu.viz import panels
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["FilterExplorer"]

CUSTOM = "custom"
MAX_SIZE = max(kernels.SIZES)


class FilterExplorer(LiveWidget):
    """Edit a filter and watch its response (see the module docstring).

    Parameters
    ----------
    preset : str
        A name of :func:`cnnedu.topics.kernels.names` to start from.
    size : {3, 5}
    image : str
        One of :data:`cnnedu.topics.filter_response.IMAGE_NAMES`.
    bias : float
    activation : str
        One of :data:`cnnedu.topics.filter_response.ACTIVATIONS`.
    panel_size : int
        Width of each picture, in pixels.
    """

    summary = ("live filter explorer: edit a 3x3 or 5x5 kernel, pick a preset, an image, "
               "a bias and an activation")

    def __init__(self, preset: str = "sobel_x", size: int = 3, image: str = "camera",
                 bias: float = 0.0, activation: str = "identity", panel_size: int = 220):
        if preset not in kernels.names():
            raise ValueError(f"FilterExplorer: preset must be one of {kernels.names()}; got "
                             f"{preset!r}")
        if size not in kernels.SIZES:
            raise ValueError(f"FilterExplorer: size must be 3 or 5; got {size!r}")
        if image not in explorer.IMAGE_NAMES:
            raise ValueError(f"FilterExplorer: image must be one of {explorer.IMAGE_NAMES}; "
                             f"got {image!r}")
        if activation not in explorer.ACTIVATIONS:
            raise ValueError(f"FilterExplorer: activation must be one of "
                             f"{explorer.ACTIVATIONS}; got {activation!r}")
        self._syncing = False
        self._input_png = {}
        self.kernel = kernels.get(preset, size)       # the last good kernel
        self.bias_value = float(bias)                  # the last good bias
        self.result = None                             # the last FilterResponse shown

        options = [(kernels.title(n), n) for n in kernels.names()] + [("custom", CUSTOM)]
        self.preset = W.Dropdown(options=options, value=preset, description="preset",
                                 layout=W.Layout(width="220px"))
        self.preset.add_class("cnnedu-preset")
        self.size = W.ToggleButtons(options=[("3x3", 3), ("5x5", 5)], value=size,
                                    description="size", style={"button_width": "48px"})
        self.size.add_class("cnnedu-size")
        self.image_name = W.Dropdown(options=list(explorer.IMAGE_NAMES), value=image,
                                     description="image", layout=W.Layout(width="200px"))
        self.image_name.add_class("cnnedu-image")
        self.bias = W.Text(value=f"{bias:g}", description="bias", continuous_update=False,
                           layout=W.Layout(width="160px"))
        self.bias.add_class("cnnedu-bias")
        self.activation = W.Dropdown(options=list(explorer.ACTIVATIONS), value=activation,
                                     description="activation", layout=W.Layout(width="220px"))
        self.activation.add_class("cnnedu-activation")

        self.cells = []
        for i in range(MAX_SIZE * MAX_SIZE):
            t = W.Text(continuous_update=False, layout=W.Layout(width="54px"))
            t.add_class("cnnedu-kernel-cell")
            t.add_class(f"cnnedu-kernel-cell-{i // MAX_SIZE}-{i % MAX_SIZE}")
            self.cells.append(t)
        self.grid = W.GridBox(layout=W.Layout(grid_gap="2px"))
        self.grid.add_class("cnnedu-kernel-grid")
        grid_box = W.VBox([W.HTML("<b>kernel values</b> (type, then Enter)"), self.grid],
                          layout=W.Layout(align_items="center", margin="0 6px"))

        self.input_panel = ImagePanel("input image", size=panel_size)
        self.kernel_panel = ImagePanel("kernel (as the filter sees it)", size=150)
        self.raw_panel = ImagePanel("raw response", size=panel_size)
        self.out_panel = ImagePanel("after bias and activation", size=panel_size)
        for p, name in ((self.input_panel, "input"), (self.kernel_panel, "kernel"),
                        (self.raw_panel, "raw"), (self.out_panel, "activated")):
            p.widget.add_class(f"cnnedu-panel-{name}")
            # the caption (range and colour scale) wraps under its picture instead of
            # widening the panel
            p.caption.layout = W.Layout(max_width=f"{max(panel_size, 150)}px")
        self.message = MessageLine()

        left = W.VBox([grid_box, self.kernel_panel.widget],
                      layout=W.Layout(align_items="center"))
        self.widget = W.VBox([
            W.HBox([self.preset, self.size, self.image_name]),
            W.HBox([self.bias, self.activation]),
            W.HBox([left, self.input_panel.widget, self.raw_panel.widget,
                    self.out_panel.widget]),
            self.message.widget,
        ])
        self.widget.add_class("cnnedu-filter-explorer")

        self._show_grid(size)
        self._fill_cells(self.kernel)
        for t in self.cells:
            t.observe(self._on_cell, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.size.observe(self._on_size, names="value")
        for c in (self.image_name, self.bias, self.activation):
            c.observe(self._on_control, names="value")
        self.update()

    def panels(self) -> list[tuple[str, bytes]]:
        """The panels for the still picture; each signed panel's title says its colour
        scale (the live captions under the panels are not in the picture)."""
        found = []
        for title, png in super().panels():
            if title.startswith("kernel") and self.result is not None:
                title = f"kernel, colours ±{explorer.colour_limit(self.kernel):.2g}"
            elif title == "raw response" and self.result is not None:
                title = f"raw response, ±{explorer.colour_limit(self.result.raw):.2g}"
            elif self.result is not None and title.endswith(")") and "response" in title:
                title = f"{title}, ±{explorer.colour_limit(self.result.activated):.2g}"
            found.append((title, png))
        return found

    # ------------------------------------------------------------------ wiring helpers

    def _show_grid(self, k: int) -> None:
        self.grid.children = [self.cells[i * MAX_SIZE + j] for i in range(k) for j in range(k)]
        self.grid.layout.grid_template_columns = f"repeat({k}, 56px)"

    def _fill_cells(self, kernel: np.ndarray) -> None:
        """Write a kernel into the cells without triggering one update per cell."""
        self._syncing = True
        try:
            k = kernel.shape[0]
            for i, row in enumerate(explorer.kernel_texts(kernel)):
                for j, text in enumerate(row):
                    self.cells[i * MAX_SIZE + j].value = text
            for i in range(MAX_SIZE):
                for j in range(MAX_SIZE):
                    if i >= k or j >= k:
                        self.cells[i * MAX_SIZE + j].value = "0"
        finally:
            self._syncing = False

    def texts(self) -> list[list[str]]:
        """What is typed in the visible cells, row by row."""
        k = self.size.value
        return [[self.cells[i * MAX_SIZE + j].value for j in range(k)] for i in range(k)]

    def _set_preset_quietly(self, name: str) -> None:
        self._syncing = True
        try:
            self.preset.value = name
        finally:
            self._syncing = False

    def _on_cell(self, change) -> None:
        if not self._syncing:
            self.update()

    @safe_update
    def _on_preset(self, change) -> None:
        if self._syncing or change["new"] == CUSTOM:
            return
        self.kernel = kernels.get(change["new"], self.size.value)
        self._fill_cells(self.kernel)
        self.update()

    @safe_update
    def _on_size(self, change) -> None:
        k = change["new"]
        name = self.preset.value
        self.kernel = (kernels.get(name, k) if name != CUSTOM
                       else explorer.resize_kernel(self.kernel, k))
        self._show_grid(k)
        self._fill_cells(self.kernel)
        self.update()

    def _on_control(self, change) -> None:
        self.update()

    def _input_picture(self, name: str) -> bytes:
        if name not in self._input_png:
            self._input_png[name] = panels.map_png(explorer.load_image(name), vmin=0.0,
                                                     vmax=1.0)
        return self._input_png[name]

    # ------------------------------------------------------------------ the update

    @safe_update
    def update(self) -> None:
        """Read every control, compute with :func:`cnnedu.topics.filter_response.filter_response`, draw."""
        problems = []
        texts = self.texts()
        if (self.kernel.shape[0] == len(texts)
                and texts == explorer.kernel_texts(self.kernel)):
            kernel, bad = self.kernel, []   # unchanged: keep exact values (1/9, not 0.1111)
        else:
            kernel, bad = explorer.parse_kernel(texts)
        if kernel is None:
            problems.append("; ".join(bad) + ". Still showing the last good kernel.")
            if self.kernel.shape[0] != self.size.value:
                self.kernel = explorer.resize_kernel(self.kernel, self.size.value)
        else:
            self.kernel = kernel
            match = kernels.matching(kernel)
            self._set_preset_quietly(match if match else CUSTOM)
        bias, why = parse_number(self.bias.value, minimum=-explorer.BIAS_LIMIT,
                                 maximum=explorer.BIAS_LIMIT)
        if bias is None:
            problems.append(f"bias: {why}. Still using bias {self.bias_value:g}.")
        else:
            self.bias_value = bias
        act = self.activation.value
        image = explorer.load_image(self.image_name.value)
        res = explorer.filter_response(image, self.kernel, self.bias_value, act)
        self.result = res

        self.input_panel.image.value = self._input_picture(self.image_name.value)
        self.input_panel.caption.value = f"{self.image_name.value}, 256x256, grey 0..1"
        self.kernel_panel.image.value = panels.kernel_png(self.kernel,
                                                         150 // self.size.value)
        self.kernel_panel.caption.value = (f"sum of weights {self.kernel.sum():.4g}; "
                                           f"{explorer.scale_caption(self.kernel)}")
        self.raw_panel.image.value = panels.map_png(res.raw, signed=True)
        self.raw_panel.caption.value = (f"{explorer.map_caption(res.raw)}; "
                                        f"{explorer.scale_caption(res.raw)}")
        self.out_panel.set_title(explorer.activation_label(act, self.bias_value))
        self.out_panel.image.value = panels.map_png(res.activated, signed=True)
        self.out_panel.caption.value = (f"{explorer.map_caption(res.activated, act)}; "
                                        f"{explorer.scale_caption(res.activated)}")

        name = self.preset.value
        about = (f"{kernels.title(name)}: {kernels.describe(name)}." if name != CUSTOM
                 else "custom kernel: the response is large where the image looks like it.")
        problems += res.notes
        if problems:
            self.message.error(" ".join(problems))
        else:
            self.message.info(about + " Red: positive, blue: negative, white: 0; each"
                              " panel's colours rescale to its own largest |value|"
                              " (under it).")
