"""The filter-learning player: gradient descent recovers a hidden kernel (notebook 05).

Step takes one gradient step, Run takes a bounded batch of steps per click, redrawing after
each one (an animation: every frame is one update, and the click ends after RUN_STEPS
frames, so the kernel is never blocked for long), Reset goes back to the seeded random
start. The computation is
:class:`cnnedu.topics.recover.KernelLearner`; the loss curve is drawn by
:func:`cnnedu.viz.figures.backprop.curve_rgb`.

>>> p = FilterLearningPlayer()
>>> p.run_steps(); p.learner.steps
20
>>> p.lr_box.value = "abc"
>>> p.message.text
"learning rate: 'abc' is not a number; still using 0.1"
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W

from cnnedu.viz.figures.backprop import curve_rgb
from cnnedu.topics.recover import HIDDEN_KERNELS, KernelLearner
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["FilterLearningPlayer"]

RUN_STEPS = 20
MAX_STEPS = 2000
#: the loss plot's fixed vertical scale (log): a run that diverges climbs to the top
LOSS_RANGE = (1e-9, 1e3)
#: the step axis starts at 0..X_STEP and grows by X_STEP when a run passes its end
X_STEP = 100


def _exp(v: float) -> int:
    """The power of ten of ``v`` (1e-10 -> -10)."""
    return int(round(np.log10(v)))


class FilterLearningPlayer(LiveWidget):
    """Watch a 3x3 kernel converge to a hidden one, step by step."""

    summary = "filter-learning player: gradient descent recovers a hidden kernel"

    def __init__(self, hidden: str = "sobel_x", lr: float = 0.1, seed: int = 0):
        style = {"description_width": "initial"}
        self.hidden = W.Dropdown(options=list(HIDDEN_KERNELS), value=hidden,
                                 description="hidden kernel", style=style)
        self.lr_box = W.Text(value=str(lr), description="learning rate", style=style,
                             continuous_update=False, layout=W.Layout(width="200px"))
        self.b_step = W.Button(description="Step", icon="step-forward")
        self.b_run = W.Button(description=f"Run {RUN_STEPS} steps", icon="play")
        self.b_reset = W.Button(description="Reset", icon="undo")
        for ctl, cls in ((self.hidden, "hidden"), (self.lr_box, "lr"), (self.b_step, "step"),
                         (self.b_run, "run"), (self.b_reset, "reset")):
            ctl.add_class(f"cnnedu-fl-{cls}")
        self.p_w = ImagePanel("current kernel", size=150)
        self.p_h = ImagePanel("hidden kernel", size=150)
        self.p_e = ImagePanel("current - hidden", size=150)
        self.p_loss = ImagePanel("loss (fixed log scale) against step", size=260)
        self.p_loss.image.layout.height = "160px"   # the curve is 260x160: no blank band
        for p, cls in ((self.p_w, "current"), (self.p_h, "target"), (self.p_e, "error"),
                       (self.p_loss, "loss")):
            p.widget.add_class(f"cnnedu-fl-{cls}")
        self.message = MessageLine()
        self.status = W.HTML("")
        self.status.add_class("cnnedu-fl-status")
        self.seed = seed
        self.learner = KernelLearner(hidden, lr=lr, seed=seed)
        self.widget = W.VBox([
            W.HBox([self.hidden, self.lr_box, self.b_step, self.b_run, self.b_reset]),
            W.HBox([self.p_w.widget, self.p_h.widget, self.p_e.widget, self.p_loss.widget]),
            self.status, self.message.widget])
        self.widget.add_class("cnnedu-filter-learning")
        self.b_step.on_click(lambda _: self.step())
        self.b_run.on_click(lambda _: self.run_steps())
        self.b_reset.on_click(lambda _: self.reset())
        self.hidden.observe(self.change_hidden, names="value")
        self.lr_box.observe(self.change_lr, names="value")
        self.draw()

    @safe_update
    def step(self, n: int = 1) -> None:
        if self.learner.steps + n > MAX_STEPS:
            self.message.error(f"{MAX_STEPS} steps is the limit of this player: press Reset.")
            return
        self.learner.step(n)
        self.message.clear()
        self.draw()

    def run_steps(self) -> None:
        """RUN_STEPS single steps, each redrawn (the browser shows them as they come)."""
        for _ in range(RUN_STEPS):
            if self.learner.diverged or self.learner.steps >= MAX_STEPS:
                self.step(1)  # shows the message
                return
            self.step(1)

    @safe_update
    def reset(self) -> None:
        self.learner.reset()
        self.message.clear()
        self.draw()

    @safe_update
    def change_hidden(self, change=None) -> None:
        self.learner = KernelLearner(self.hidden.value, lr=self.learner.lr, seed=self.seed)
        self.message.clear()
        self.draw()

    @safe_update
    def change_lr(self, change=None) -> None:
        v, problem = parse_number(self.lr_box.value, minimum=1e-6, maximum=10)
        if problem:
            self.message.error(f"learning rate: {problem}; still using {self.learner.lr:g}")
            return
        self.learner.set_lr(v)
        self.message.info(f"learning rate set to {v:g} (applies from the next step)")

    @safe_update
    def draw(self) -> None:
        lrn = self.learner
        lim = float(np.max(np.abs(lrn.hidden))) or 1.0
        self.p_w.show(lrn.w, signed=True, vmax=lim)
        self.p_h.show(lrn.hidden, signed=True, vmax=lim)
        self.p_e.show(lrn.w - lrn.hidden, signed=True, vmax=lim)
        x_max = X_STEP * max(1, -(-lrn.steps // X_STEP))     # 100, 200, ...: grows, said below
        self.p_loss.show(curve_rgb(lrn.losses, marker=lrn.steps, axes=True,
                                   y_range=LOSS_RANGE, x_max=x_max),
                         caption=f"loss fixed from 1e{_exp(LOSS_RANGE[0])} to 1e{_exp(LOSS_RANGE[1])}; "
                                 f"steps 0 to {x_max} (grows by {X_STEP})")
        self.p_w.set_title(f"current kernel, step {lrn.steps}")
        self.status.value = (f"step {lrn.steps}: loss {lrn.losses[-1]:.3g}, "
                             f"max |current - hidden| = {lrn.max_error():.3g}")
        loss = lrn.losses[-1]
        if lrn.diverged or loss > 10 * lrn.losses[0]:
            self.message.error(f"the loss blew up (learning rate {lrn.lr:g} is too large for "
                               "this problem): type a smaller one and press Reset.")
        elif lrn.steps and loss > lrn.losses[-2] and loss > LOSS_RANGE[0]:  # not rounding noise
            self.message.error(f"the loss went up at the last step ({lrn.losses[-2]:.3g} -> "
                               f"{loss:.3g}): the run is diverging, learning rate {lrn.lr:g} "
                               "is too large. Type a smaller one and press Reset.")
        elif loss < LOSS_RANGE[0]:
            self.message.info(f"the loss is below 1e{_exp(LOSS_RANGE[0])}: drawn on the bottom edge "
                              "of the plot (the kernel has been found).")
