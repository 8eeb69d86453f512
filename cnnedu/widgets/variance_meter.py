"""The variance meter: pick an initializer, an activation, a depth and a width; see the
per-layer std of the activations and gradients, and their histograms at one layer.

The widget only wires controls to :func:`cnnedu.topics.depth.depth_profile` (the computation)
and :mod:`cnnedu.viz.figures.init` (RGB drawing, no matplotlib per update).

A profile is computed once per setting of the controls that change the stack (initializer,
activation, depth, width, seed, and the std for the normal start) and kept with every
layer's arrays (``keep_all``): the "histogram at" slider only picks a layer from it, and
returning to one of the last few settings reuses its profile. The std box is disabled
while the chosen initializer sets its own spread; the message says which std it uses
and that the box keeps its value for the normal start.

Cost: a change of the stack reruns it forward and backward, which grows as
``depth * width**2 * size**2``. Two savings keep the largest stack (50 layers of 32
channels) near the 30 ms budget of an update, and the message says both:

- the stack runs in float32 (half the work of the matrix products; the stds agree with
  float64 to far more digits than shown). float32 ends near 3e38 and 1e-38, so a start
  that explodes or vanishes stops earlier than in float64 (at most 50 layers: a std of 1
  with ReLU overflows near layer 49; a std below 1e-30 stops the run);
- up to :data:`FULL_SIZE_WIDTH` channels the photograph is 32x32 (the notebook's depth
  study, same numbers); wider stacks run on 16x16 (a quarter of the work). The std of a
  layer is then measured over a quarter as many values, and a 3x3 "same" conv sees more
  border on a 16x16 map.

>>> m = VarianceMeter()
>>> m.profile.depth, m.message.text.startswith("he_normal")
(20, True)
>>> m.init.value = "glorot_uniform"
>>> bool(m.profile.forward_std[-1] < 0.1)
True
"""
from __future__ import annotations

import math
from collections import OrderedDict

import ipywidgets as W
import numpy as np

from cnnedu.nn import init as _init
from cnnedu.topics.depth import ACTIVATIONS, depth_profile
from cnnedu.viz.figures.init import COLORS, histogram_rgb, std_plot_rgb
from cnnedu.viz.render import png_to_array, to_png
from cnnedu.viz.snapshot import tile_pngs
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["VarianceMeter", "METER_INITS", "CACHE_SIZE", "FULL_SIZE_WIDTH", "map_size"]

#: How many computed profiles the meter keeps (each up to about 7 MB, float32: 50 layers of
#: 16 channels on 32x32).
CACHE_SIZE = 4

#: The widest stack that runs on the full 32x32 photograph; wider ones use 16x16.
FULL_SIZE_WIDTH = 16


def map_size(width: int, size: int = 32) -> int:
    """Side of the photograph for a stack of ``width`` channels: ``size`` up to
    :data:`FULL_SIZE_WIDTH` channels, ``size // 2`` beyond (the work per layer grows as
    ``width**2 * size**2``).

    >>> map_size(8), map_size(16), map_size(17), map_size(32)
    (32, 32, 16, 16)
    """
    return size if width <= FULL_SIZE_WIDTH else max(size // 2, 8)

# what the dropdown offers: label -> (cnnedu.nn.init name, uses the std box)
METER_INITS = {
    "he_normal": ("he_normal", False),
    "he_uniform": ("he_uniform", False),
    "glorot_normal": ("glorot_normal", False),
    "glorot_uniform": ("glorot_uniform", False),
    "lecun_normal": ("lecun_normal", False),
    "pytorch_default": ("pytorch_default", False),
    "keras_default": ("keras_default", False),
    "orthogonal": ("orthogonal", False),
    "dirac": ("dirac", False),
    "normal (std from the box)": ("normal", True),
}


class VarianceMeter(LiveWidget):
    """Live per-layer std of activations (forward) and gradients (backward) of a conv stack.

    Parameters
    ----------
    init : str
        A key of :data:`METER_INITS`.
    activation : str
        One of :data:`cnnedu.topics.depth.ACTIVATIONS`.
    depth, width : int
        Number of layers and of channels (3x3 kernels, stride 1, "same" padding).
    size : int
        Side of the photograph fed to stacks of up to :data:`FULL_SIZE_WIDTH` channels;
        wider stacks get ``size // 2`` (:func:`map_size`).
    """

    summary = ("the variance meter: choose the initializer, activation, depth and width; "
               "see the per-layer std of activations and gradients")

    def __init__(self, init: str = "he_normal", activation: str = "relu", depth: int = 20,
                 width: int = 8, size: int = 32, std: str = "0.01"):
        self.size = size
        self.message = MessageLine()
        self.init = W.Dropdown(options=list(METER_INITS), value=init, description="init")
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=activation,
                                     description="activation")
        self.depth = W.IntSlider(value=depth, min=1, max=50, description="depth",
                                 continuous_update=False)
        self.width = W.IntSlider(value=width, min=1, max=32, description="width",
                                 continuous_update=False)
        self.layer = W.IntSlider(value=depth, min=1, max=depth, description="histogram at",
                                 continuous_update=False)
        self.std = W.Text(value=std, description="std", placeholder="e.g. 0.01",
                          continuous_update=False)
        self.seed = W.IntSlider(value=0, min=0, max=9, description="seed",
                                continuous_update=False)
        for control, css in ((self.init, "init"), (self.activation, "activation"),
                             (self.depth, "depth"), (self.width, "width"),
                             (self.layer, "layer"), (self.std, "std"), (self.seed, "seed")):
            control.add_class(f"cnnedu-meter-{css}")
            control.style.description_width = "90px"
        self.plot = ImagePanel("std per layer (log scale)", size=520,
                               caption="the y scale refits to the curves; decades labelled")
        self.plot.image.layout = W.Layout(width="520px", height="300px")
        self.plot.widget.add_class("cnnedu-meter-plot")
        self.hist_act = ImagePanel("activations at the chosen layer", size=260,
                                   caption="x: this layer's own range")
        self.hist_act.image.layout = W.Layout(width="260px", height="140px")
        self.hist_grad = ImagePanel("gradients at the chosen layer", size=260,
                                    caption="x: this layer's own range")
        self.hist_grad.image.layout = W.Layout(width="260px", height="140px")
        self.hist_act.widget.add_class("cnnedu-meter-hist")
        self.hist_grad.widget.add_class("cnnedu-meter-hist")
        controls = W.VBox([self.init, self.activation, self.std, self.depth, self.width,
                           self.layer, self.seed])
        self.widget = W.VBox([
            W.HBox([controls, self.plot.widget]),
            W.HBox([self.hist_act.widget, self.hist_grad.widget]),
            self.message.widget,
        ])
        self.widget.add_class("cnnedu-variance-meter")
        self.profile = None
        self._cache: OrderedDict = OrderedDict()
        self.computed = 0          # profiles computed so far (the tests count them)
        for control in (self.init, self.activation, self.depth, self.width, self.layer,
                        self.std, self.seed):
            control.observe(self.update, names="value")
        self.update()

    def _std_option(self):
        value, problem = parse_number(self.std.value, minimum=1e-6, maximum=100)
        if problem:
            return None, f"std: {problem}; type a positive number such as 0.01 or 1"
        return value, ""

    def still_png(self) -> bytes:
        """The saved still picture at the widget's own sizes: the plot, and the two
        histograms side by side under it (tiling every panel at one height shrank the
        plot's numbers to about 5 px)."""
        plot, act, grad = (png_to_array(p.image.value)[..., :3]
                           for p in (self.plot, self.hist_act, self.hist_grad))
        card = np.concatenate([plot, np.concatenate([act, grad], axis=1)], axis=0)
        title = "std per layer (log scale); activations and gradients at the chosen layer"
        return tile_pngs([(title, to_png(card))], height=card.shape[0], max_width=card.shape[1])

    @property
    def map_size(self) -> int:
        """Side of the photograph the current stack runs on (:func:`map_size`)."""
        return map_size(self.width.value, self.size)

    def _stack_profile(self, name: str, options):
        """The profile of the current stack, computed at most once per setting."""
        key = (name, self.activation.value, self.depth.value, self.width.value,
               self.seed.value, None if options is None else options["std"])
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        p = depth_profile(name, self.activation.value, depth=self.depth.value,
                          channels=self.width.value, size=self.map_size, seed=self.seed.value,
                          init_options=options, keep_all=True, dtype="float32")
        self.computed += 1
        self._cache[key] = p
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return p

    def _own_std_note(self, name: str) -> str:
        """What the std box means for an initializer that ignores it."""
        shape = (self.width.value, self.width.value, 3, 3)
        kept = self.std.value.strip() or "(empty)"
        if name == "dirac":
            own = "dirac draws nothing (a 1 at the centre of filter f's channel f)"
        else:
            d = _init.describe(name, shape)
            own = f"{name} sets its own std, {d.std:.3g} = {d.formula} for this layer"
        return (f"the std box is off: {own}; the box keeps {kept} for "
                "'normal (std from the box)'")

    @safe_update
    def update(self, change=None) -> None:
        # keep the histogram slider inside the stack
        if self.layer.max != self.depth.value:
            self.layer.unobserve(self.update, names="value")
            self.layer.max = self.depth.value
            self.layer.value = min(self.layer.value, self.depth.value)
            self.layer.observe(self.update, names="value")
        name, uses_std = METER_INITS[self.init.value]
        self.std.disabled = not uses_std
        options = None
        if uses_std:
            std, problem = self._std_option()
            if problem:
                self.message.error(problem)
                return
            options = {"std": std}
        p = self._stack_profile(name, options)
        self.profile = p
        layer = self.layer.value
        title = f"{self.init.value}, {self.activation.value}"
        self.plot.show(std_plot_rgb([(p.forward_std, "forward"), (p.backward_std, "backward")],
                                    mark_layer=layer, title=title))
        fan_in, fan_out = _init.fans((self.width.value, self.width.value, 3, 3))
        if p.overflow_layer is not None or p.underflow_layer is not None:
            over = p.overflow_layer is not None
            what = "overflowed" if over else "vanished"
            self.hist_act.show(histogram_rgb([], title=f"layer {layer}: {what}"))
            self.hist_grad.show(histogram_rgb([], title=f"layer {layer}: {what}"))
            where = p.overflow_layer if over else p.underflow_layer
            # the forward pass ran to the top when every activation std is known
            which = ("the gradient, going down," if np.all(np.isfinite(p.forward_std))
                     else "the activations")
            if over:         # what this start does, not a mistake: info, not a problem
                self.message.info(f"exploding: {which} overflowed float32's range (3e38) at "
                                  f"layer {where}, so the run stopped there; lower the std or "
                                  "the depth to see the whole stack")
            else:
                self.message.info(f"vanishing: {which} fell below a std of 1e-30 at layer "
                                  f"{where} (float32 ends near 1e-38), so the run stopped "
                                  "there; raise the std or lower the depth to see the whole "
                                  "stack")
            return
        h, g = p.layer_arrays(layer)
        self.hist_act.show(histogram_rgb(h, color=COLORS["forward"],
                                         title=f"layer {layer}: std {p.forward_std[layer - 1]:.3g}"))
        self.hist_grad.show(histogram_rgb(g, color=COLORS["backward"],
                                          title=f"layer {layer}: std {p.backward_std[layer - 1]:.3g}"))
        last, first = p.forward_std[-1], p.backward_std[0]
        verdict = _word(last)
        n = self.map_size
        text = (f"{name} (fan_in {fan_in}, fan_out {fan_out}, float32 on a {n}x{n} photograph"
                + ("" if n == self.size else f": widths above {FULL_SIZE_WIDTH} use "
                   f"{n}x{n} to stay fast") + "): activation std "
                f"{p.forward_std[0]:.3g} at layer 1, {last:.3g} at layer "
                f"{p.depth} ({verdict}); gradient std {first:.3g} at layer 1")
        if not uses_std:
            text += f". Note: {self._own_std_note(name)}"
        self.message.info(text)


def _word(v: float) -> str:
    if not math.isfinite(v):
        return "overflowed"
    if v < 1e-2:
        return "vanishing"
    if v > 1e2:
        return "exploding"
    return "kept within 100x of 1"
