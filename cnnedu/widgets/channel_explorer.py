"""The live channel explorer: one of the 20 filters on a colour photograph, channel by channel.

Pick a filter of :func:`cnnedu.topics.channels.filter_bank`; see, for each input channel (R, G,
B), the channel, the filter's slice for it and that slice's response; then the sum of the
three responses, the sum plus the bias, and the activated feature map. The bias (a text
box, starting at the filter's own bias) and the activation can be changed.

Everything shown is computed by :func:`cnnedu.topics.channels.decompose`; this module only wires
the controls to it. Responses and their sum share one colour scale (diverging, centred on
0) so their sizes compare; its limit is the 99th percentile of their sizes, so a few
strong edge pixels do not leave the panels faint. The activated map has its own scale
(its caption says so and gives the limit), which follows the bias. A bad bias (text, NaN, empty) keeps the last good one and says
so; the widget keeps working.

>>> ex = ChannelExplorer()
>>> ex.filter.value = 6
>>> ex.decomposition.slices.shape, ex.decomposition.activated.shape
((3, 3, 3), (126, 126))
>>> ex.bias.value = "abc"
>>> ex.message.text
"bias: 'abc' is not a number. Still using the last good bias 0."
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from cnnedu.topics import channels
from cnnedu.data import load_color_image
from cnnedu.viz.render import symmetric_limit
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["ChannelExplorer", "ACTIVATIONS", "CHANNEL_NAMES", "slice_caption",
           "response_limit"]

ACTIVATIONS = ("relu", "identity", "leaky_relu", "sigmoid", "tanh")
CHANNEL_NAMES = ("red", "green", "blue")
BIAS_LIMIT = 100.0


def _num(v: float) -> str:
    """``+0.12``; a value that rounds to zero is ``0`` (never ``-0.00``)."""
    v = round(float(v), 2)
    return "0" if v == 0 else f"{v:+.2f}"


def slice_caption(s: np.ndarray) -> str:
    """A short caption for a kernel slice: its range, or that it is all zero.

    >>> slice_caption(np.zeros((3, 3)))
    'all 0: this channel is ignored'
    >>> slice_caption(np.array([[-0.171, 0.0], [0.08, 0.0]]))
    'weights -0.17 .. +0.08'
    """
    if not np.any(np.abs(s) >= 0.005):
        return "all 0: this channel is ignored"
    if _num(s.min()) == _num(s.max()):
        return f"every weight {_num(s.min())}"
    return f"weights {_num(s.min())} .. {_num(s.max())}"


def response_limit(responses: np.ndarray, total: np.ndarray) -> float:
    """The shared colour limit of the responses and their sum: the 99th percentile of
    their absolute values (a few extreme edge pixels would otherwise wash every panel out
    to white); values beyond it are drawn at full colour."""
    a = np.abs(np.concatenate([responses.ravel(), total.ravel()]))
    lim = float(np.percentile(a, 99)) if a.size else 0.0
    return lim if lim > 0 else symmetric_limit(a)


class ChannelExplorer(LiveWidget):
    """Pick one of the 20 filters and see its forward pass channel by channel.

    Parameters
    ----------
    image : str
        A colour photograph of :mod:`cnnedu.data` (``"astronaut"`` or ``"chelsea"``).
    size : int
        Its size in pixels (a divisor of 256).
    filter_index : int
        The filter shown first (0..19).
    panel_size : int
        Width of each map, in pixels.
    """

    summary = ("live channel explorer: pick one of 20 filters; its three channel slices, "
               "their responses, the sum, the bias and the activated feature map")

    def __init__(self, image: str = "astronaut", size: int = 128, filter_index: int = 0,
                 activation: str = "relu", panel_size: int = 150):
        self.bank = channels.filter_bank()
        self.x = load_color_image(image, size=size)[None]        # (1, 3, H, W)
        if not 0 <= filter_index < len(self.bank.names):
            raise ValueError(f"ChannelExplorer: filter_index must be in 0..19; got "
                             f"{filter_index!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"ChannelExplorer: activation must be one of {ACTIVATIONS}; got "
                             f"{activation!r}")
        self._syncing = False
        self.bias_value = float(self.bank.b[filter_index])
        self.decomposition = None

        self.filter = W.Dropdown(
            options=[(f"{i}: {name}", i) for i, name in enumerate(self.bank.names)],
            value=filter_index, description="filter", layout=W.Layout(width="280px"))
        self.filter.add_class("cnnedu-filter")
        self.bias = W.Text(value=f"{self.bias_value:.4g}", description="bias b[f]",
                           continuous_update=False, layout=W.Layout(width="180px"))
        self.bias.add_class("cnnedu-bias")
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=activation,
                                     description="activation", layout=W.Layout(width="220px"))
        self.activation.add_class("cnnedu-activation")

        small = max(90, panel_size * 3 // 4)
        self.input_panels = [ImagePanel(f"input: {c} channel", size=panel_size)
                             for c in CHANNEL_NAMES]
        self.slice_panels = [ImagePanel(f"slice w[f, {i}] ({c})", size=small)
                             for i, c in enumerate(CHANNEL_NAMES)]
        self.response_panels = [ImagePanel(f"response of the {c} slice", size=panel_size)
                                for c in CHANNEL_NAMES]
        self.sum_panel = ImagePanel("sum of the 3 responses", size=panel_size)
        self.pre_panel = ImagePanel("sum + bias", size=panel_size)
        self.out_panel = ImagePanel("activated: the feature map", size=panel_size)
        for i, p in enumerate(self.input_panels):
            p.widget.add_class(f"cnnedu-panel-input-{i}")
        for i, p in enumerate(self.slice_panels):
            p.widget.add_class(f"cnnedu-panel-slice-{i}")
        for i, p in enumerate(self.response_panels):
            p.widget.add_class(f"cnnedu-panel-response-{i}")
        self.sum_panel.widget.add_class("cnnedu-panel-sum")
        self.pre_panel.widget.add_class("cnnedu-panel-pre")
        self.out_panel.widget.add_class("cnnedu-panel-activated")
        # encode the maps at their own size (no enlargement: 4x fewer bytes to compress);
        # the browser scales them to ``panel_size`` pixels
        for p in (*self.input_panels, *self.response_panels, self.sum_panel, self.pre_panel,
                  self.out_panel):
            p.size = 0
        for p in self.slice_panels:
            p.size = 60       # a 3x3 slice drawn at 60 px (20 px per weight), shown larger
        self._shown_filter = None
        for i, p in enumerate(self.input_panels):
            p.show(self.x[0, i], vmin=0.0, vmax=1.0,
                   caption=f"x[0, {i}], shape {self.x.shape[2:]}")
        self.message = MessageLine()

        rows = [W.HBox([self.input_panels[i].widget, self.slice_panels[i].widget,
                        self.response_panels[i].widget], layout=W.Layout(align_items="center"))
                for i in range(3)]
        plus = W.HTML("<b>sum over channels, add the bias, activate:</b>")
        last = W.HBox([self.sum_panel.widget, self.pre_panel.widget, self.out_panel.widget])
        self.widget = W.VBox([W.HBox([self.filter, self.bias, self.activation]), *rows, plus,
                              last, self.message.widget])
        self.widget.add_class("cnnedu-channel-explorer")
        self.filter.observe(self._on_filter, names="value")
        self.bias.observe(self._on_control, names="value")
        self.activation.observe(self._on_control, names="value")
        self.update()

    def _on_filter(self, change) -> None:
        # a new filter brings its own bias; write it without a second update
        self.bias_value = float(self.bank.b[self.filter.value])
        self._syncing = True
        try:
            self.bias.value = f"{self.bias_value:.4g}"
        finally:
            self._syncing = False
        self.update()

    def _on_control(self, change) -> None:
        if not self._syncing:
            self.update()

    def _show_filter_panels(self, d) -> None:
        wlim = symmetric_limit(d.slices)
        for i, p in enumerate(self.slice_panels):
            p.show(d.slices[i], signed=True, vmax=wlim, caption=slice_caption(d.slices[i]))
        rlim = response_limit(d.responses, d.total)
        for i, p in enumerate(self.response_panels):
            r = d.responses[i]
            p.show(r, signed=True, vmax=rlim, caption=f"range {_num(r.min())} .. "
                                                      f"{_num(r.max())}")
        self.sum_panel.show(d.total, signed=True, vmax=rlim,
                            caption=f"range {_num(d.total.min())} .. {_num(d.total.max())}; "
                                    f"colours ±{rlim:.2g}")

    @safe_update
    def update(self) -> None:
        """Recompute and redraw from the controls (a message instead of any error)."""
        value, problem = parse_number(self.bias.value, minimum=-BIAS_LIMIT, maximum=BIAS_LIMIT)
        if not problem:
            self.bias_value = value
        f = self.filter.value
        d = channels.decompose(self.x, self.bank.w, self.bank.b, f, bias=self.bias_value,
                               activation=self.activation.value)
        self.decomposition = d
        if self._shown_filter != f:   # the slices and responses change only with the filter
            self._show_filter_panels(d)
            self._shown_filter = f
        rlim = response_limit(d.responses, d.total)   # the sum's scale: the bias shift shows
        self.pre_panel.show(d.pre, signed=True, vmax=rlim,
                            caption=f"+ b = {d.bias:+.3g} everywhere (shape {d.pre.shape})")
        active = float((d.activated > 0).mean())
        olim = response_limit(d.activated[None], d.activated)   # its own scale: say so
        self.out_panel.show(d.activated, signed=True, vmax=olim,
                            caption=f"{d.activation}: {100 * active:.0f}% > 0; "
                                    f"own scale ±{olim:.2g}")
        name = self.bank.names[f]
        if problem:
            self.message.error(f"bias: {problem}. Still using the last good bias "
                               f"{self.bias_value:.4g}.")
        else:
            self.message.info(f"filter {f} ({name}): w[{f}] has shape {d.slices.shape}, "
                              f"b[{f}] = {d.bias:.4g}; feature map shape {d.activated.shape}")
