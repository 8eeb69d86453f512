"""The activation explorer: a feature map before and after an activation, and whether two
conv layers are one.

Controls: the activation, the input image, the filter, the bias (slider), the filter's
scale (typed), a fixed colour scale (on by default) and a toggle that puts a ReLU between
two conv layers. Panels: the input, the map before the activation (conv + bias), the map
after, the histogram of both (log heights, so the tails show beside the spike at 0; the
numbers of its value axis under it, its range that of both maps), and
the single kernel equal to (or closest to) the two layers.

With the colour scale fixed (-4 to 4 for every setting), a larger filter scale shows as
stronger colours. Without it each map is coloured by its own largest value, and for ReLU
with bias 0 a filter scale ``s > 0`` then changes nothing in the pictures:
``relu(s z) = s relu(z)`` is the same picture, only brighter numbers (the captions say so).

Every number comes from plain tested functions: :func:`cnnedu.topics.nonlinear.map_through`,
:func:`cnnedu.viz.histogram.histogram_rgb`, :func:`cnnedu.topics.collapse.two_layer_summary`.

>>> w = ActivationExplorer()
>>> w.activation.value = "sigmoid"
>>> "sigmoid" in w.message.text
True
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W

from cnnedu import data as _data
from cnnedu.topics.collapse import two_layer_summary
from cnnedu.viz.histogram import axis_labels_html, histogram_rgb
from cnnedu.topics.nonlinear import SOBEL_X, map_through
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["ActivationExplorer", "FILTERS", "SECOND_KERNEL"]

FILTERS = {
    "Sobel x (vertical edges)": SOBEL_X,
    "Sobel y (horizontal edges)": SOBEL_X.T.copy(),
    "Laplacian (spots)": np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
    "blur (3x3 mean)": np.full((3, 3), 1.0 / 9.0),
}

SECOND_KERNEL = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0
"""The second conv layer of the collapse panel: a small smoothing kernel, bias 0."""

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "identity")

FIXED_LIMIT = 4.0
"""The colour scale of the before and after maps when it is fixed: -4 to 4."""


class ActivationExplorer(LiveWidget):
    """Pick the activation, bias, image and filter; see what the activation does to the map."""

    summary = ("an activation applied to every element of a feature map: before, after, "
               "histogram, fraction zeroed or saturated, and the two-layer collapse")

    def __init__(self, *, size: int = 128, panel: int = 190):
        self._size = size
        self._images = {}
        self._shown_image = None
        style = {"description_width": "initial"}
        self.activation = W.Dropdown(options=ACTIVATIONS, value="relu", description="activation",
                                     style=style)
        self.image = W.Dropdown(options=_data.list_images(), value="camera", description="image",
                                style=style)
        self.filter = W.Dropdown(options=list(FILTERS), value="Sobel x (vertical edges)",
                                 description="filter", style=style)
        self.bias = W.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.1, description="bias",
                                  continuous_update=True, style=style)
        self.scale = W.Text(value="1", description="filter scale", style=style,
                            layout=W.Layout(width="170px"), continuous_update=False)
        self.fixed = W.Checkbox(value=True, description=f"fixed colour scale (±{FIXED_LIMIT:g})",
                                indent=False, layout=W.Layout(width="190px"))
        self.relu_between = W.ToggleButton(value=False,
                                           description="ReLU between conv 1 and conv 2",
                                           layout=W.Layout(width="260px"))
        for c, cls in ((self.activation, "cnnedu-activation"), (self.image, "cnnedu-image"),
                       (self.filter, "cnnedu-filter"), (self.bias, "cnnedu-bias"),
                       (self.scale, "cnnedu-scale"), (self.relu_between, "cnnedu-toggle"),
                       (self.fixed, "cnnedu-fixed")):
            c.add_class(cls)
        # maps are sent at their own size (no upscaling: PNG encoding is most of an
        # update) and enlarged by the browser to the panel's size
        self.input_panel = ImagePanel("input image", size)
        self.before_panel = ImagePanel("before: conv + bias", size - 2)
        self.after_panel = ImagePanel("after: f(conv + bias)", size - 2)
        for p in (self.input_panel, self.before_panel, self.after_panel):
            p.image.layout = W.Layout(width=f"{panel}px", height=f"{panel}px",
                                      object_fit="contain")
        self.hist_panel = ImagePanel("histogram: before (grey), after (orange); log heights",
                                     panel)
        self.kernel_panel = ImagePanel("one equivalent kernel?", panel)
        for p, cls in ((self.input_panel, "cnnedu-input"), (self.before_panel, "cnnedu-before"),
                       (self.after_panel, "cnnedu-after"), (self.hist_panel, "cnnedu-hist"),
                       (self.kernel_panel, "cnnedu-kernel")):
            p.widget.add_class(cls)
        # height auto: the bars keep their 1:3 shape and the axis numbers sit right under them
        self.hist_panel.image.layout = W.Layout(width=f"{2 * panel}px", height="auto",
                                                max_width="100%", object_fit="contain")
        # the value axis's numbers under the bars (the picture itself has no text)
        self._hist_width = 2 * panel
        self.hist_axis = W.HTML("")
        self.hist_axis.add_class("cnnedu-hist-axis")
        self.hist_panel.widget.children = (self.hist_panel.title, self.hist_panel.image,
                                           self.hist_axis, self.hist_panel.caption)
        self.message = MessageLine()
        self.collapse = W.HTML("")
        self.collapse.add_class("cnnedu-collapse")
        for c in (self.activation, self.image, self.filter, self.bias, self.relu_between,
                  self.fixed):
            c.observe(self.update, names="value")
        self.scale.observe(self.update, names="value")
        self.widget = W.VBox([
            W.HBox([self.activation, self.image, self.filter]),
            W.HBox([self.bias, self.scale, self.fixed, self.relu_between]),
            W.HBox([self.input_panel.widget, self.before_panel.widget, self.after_panel.widget]),
            W.HBox([self.hist_panel.widget, self.kernel_panel.widget]),
            self.message.widget, self.collapse,
        ])
        self.widget.add_class("cnnedu-activation-explorer")
        self.update()

    def _load(self, name: str, size: int | None = None) -> np.ndarray:
        key = (name, size or self._size)
        if key not in self._images:
            self._images[key] = _data.load_grey_image(name, size=key[1])
        return self._images[key]

    @safe_update
    def update(self, change=None) -> None:
        scale, problem = parse_number(self.scale.value, minimum=-100.0, maximum=100.0)
        if problem:
            self.message.error(f"filter scale: {problem}; type a number such as 1 or 2.5")
            return
        image = self._load(self.image.value)
        kernel = FILTERS[self.filter.value]
        name = self.activation.value
        r = map_through(image, kernel, self.bias.value, name, scale=scale)
        if self._shown_image != self.image.value:
            self.input_panel.show(image)
            self._shown_image = self.image.value
        fixed = FIXED_LIMIT if self.fixed.value else None
        colours = (f"colours ±{FIXED_LIMIT:g} (fixed)" if fixed
                   else "colours rescale to this map: ± its largest |value|")
        for panel, m in ((self.before_panel, r.pre), (self.after_panel, r.post)):
            panel.show(m, signed=True, vmax=fixed,
                       caption=f"range {m.min():.2f} to {m.max():.2f}; {colours}")
        lo = float(min(r.pre.min(), r.post.min()))
        hi = float(max(r.pre.max(), r.post.max()))
        self.hist_panel.show(histogram_rgb([r.pre, r.post], value_range=(lo, hi),
                                           size=(110, 330), log=True),
                             caption="value axis: the range of both maps; bar heights: "
                                     "log(1 + count), tallest bar at the top")
        self.hist_axis.value = axis_labels_html(lo, hi, self._hist_width)
        between = "relu" if self.relu_between.value else "identity"
        s = two_layer_summary(self._load(self.image.value, 64), scale * kernel, self.bias.value, SECOND_KERNEL, 0.0, between)
        self.kernel_panel.set_title("the collapsed kernel" if s.exact
                                    else "the best single kernel (least squares)")
        self.kernel_panel.show(s.kernel, signed=True,
                               caption=f"{s.kernel.shape[0]}x{s.kernel.shape[1]}, bias {s.bias:.3f}; "
                                       "colours ± its largest |value|")
        self.collapse.value = ("<b>conv 1 (the filter and bias above) then conv 2 (3x3 smoothing), on the "
                               f"64x64 image:</b> {s.text()}")
        same = ("; relu(s z) = s relu(z), so with each map on its own colour scale a filter "
                "scale s > 0 gives the same pictures" if not fixed and name == "relu"
                and abs(self.bias.value) < 1e-9 else "")
        self.message.info(f"{name} with bias {self.bias.value:.1f} and filter scale {scale:g}: "
                          f"zeroes {100 * r.zeroed:.1f}% of the map, saturates "
                          f"{100 * r.saturated:.1f}% (derivative below 1% of its largest)"
                          + same)
