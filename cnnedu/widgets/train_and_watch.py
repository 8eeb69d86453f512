"""Train and watch: the digits CNN trains live; its filters, loss and accuracy redraw as it goes.

**Start** runs training in the background: an asyncio task on the kernel's event loop
trains :data:`STEPS_PER_TICK` batches, redraws, then awaits ``asyncio.sleep`` so the
kernel stays free (Pause can be clicked, other cells run). **Pause** stops after the
current tick; **Reset** goes back to the seeded start. The learning rate and the
initializer are set before a run: changing them resets the network. The computation is
:class:`cnnedu.nn.training.Trainer`; the widget only wires it to the controls.

>>> w = TrainAndWatch(max_epochs=1)
>>> w.tick(); w.trainer.steps
5
>>> w.lr_box.value = "abc"
>>> w.message.text
"learning rate: 'abc' is not a number; still using 0.05"
"""
from __future__ import annotations

import asyncio

import ipywidgets as W
import numpy as np

from cnnedu.data import load_digits, train_test_split
from cnnedu.viz.figures.backprop import curve_rgb
from cnnedu.viz.figures.training import filter_mosaic
from cnnedu.nn.training import INIT_LABELS, INITIALIZERS, Trainer
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["TrainAndWatch", "STEPS_PER_TICK"]

STEPS_PER_TICK = 5      # batches per redraw (about 5-10 ms of training)
TICK_PAUSE_S = 0.03     # the kernel is free between ticks for this long
LR_RANGE = (1e-4, 2.0)


class TrainAndWatch(LiveWidget):
    """Start / Pause / Reset training of the digits CNN, drawn live."""

    summary = "train and watch: the digits CNN trains live (filters, loss, accuracy)"

    def __init__(self, init: str = "pytorch_default", lr: float = 0.05, *, seed: int = 0,
                 max_epochs: int = 15, n_filters: int = 16):
        x, y = load_digits()
        self._data = train_test_split(x, y, 0.2, seed=0)
        self.seed, self.max_epochs, self.n_filters = seed, max_epochs, n_filters
        style = {"description_width": "initial"}
        self.init_dd = W.Dropdown(options=[(INIT_LABELS[n], n) for n in INITIALIZERS],
                                  value=init, description="initializer", style=style)
        self.lr_box = W.Text(value=str(lr), description="learning rate", style=style,
                             continuous_update=False, layout=W.Layout(width="190px"))
        self.b_start = W.Button(description="Start", icon="play", button_style="success")
        self.b_pause = W.Button(description="Pause", icon="pause")
        self.b_reset = W.Button(description="Reset", icon="undo")
        for ctl, cls in ((self.init_dd, "init"), (self.lr_box, "lr"), (self.b_start, "start"),
                         (self.b_pause, "pause"), (self.b_reset, "reset")):
            ctl.add_class(f"cnnedu-tw-{cls}")
        self.p_filters = ImagePanel("the 16 filters", size=330)
        self.p_loss = ImagePanel("batch loss (log scale) vs batch", size=260)
        self.p_acc = ImagePanel("test accuracy vs epoch", size=260)
        for p, cls in ((self.p_filters, "filters"), (self.p_loss, "loss"), (self.p_acc, "acc")):
            p.widget.add_class(f"cnnedu-tw-{cls}")
        self.status = W.HTML("")
        self.status.add_class("cnnedu-tw-status")
        self.message = MessageLine()
        self.lr = float(lr)
        self.running = False
        self._task = None
        self.widget = W.VBox([
            W.HBox([self.init_dd, self.lr_box, self.b_start, self.b_pause, self.b_reset]),
            W.HBox([self.p_filters.widget, self.p_loss.widget, self.p_acc.widget]),
            self.status, self.message.widget])
        self.widget.add_class("cnnedu-train-watch")
        self.b_start.on_click(lambda _: self.start())
        self.b_pause.on_click(lambda _: self.pause())
        self.b_reset.on_click(lambda _: self.reset())
        self.init_dd.observe(self.change_init, names="value")
        self.lr_box.observe(self.change_lr, names="value")
        self.trainer = None
        self.reset()

    # ---------------------------------------------------------------- training
    def _new_trainer(self) -> Trainer:
        x_tr, x_te, y_tr, y_te = self._data
        return Trainer(x_tr, y_tr, x_te, y_te, init=self.init_dd.value, lr=self.lr,
                       n_filters=self.n_filters, seed=self.seed)

    @property
    def finished(self) -> bool:
        return self.trainer is not None and self.trainer.epoch >= self.max_epochs

    @safe_update
    def tick(self) -> None:
        """Train one bounded chunk of batches (never past ``max_epochs``) and redraw."""
        t = self.trainer
        if self.finished:
            self.running = False
            self.message.info(f"{self.max_epochs} epochs done: press Reset to train again.")
            return
        left = self.max_epochs * t.steps_per_epoch - t.steps
        t.step(min(STEPS_PER_TICK, left))
        if not np.isfinite(t.batch_losses[-1]):
            self.running = False
            self.draw()
            self.message.error(f"the loss is no longer a number (learning rate {self.lr:g} is "
                               "too large): type a smaller one, it resets the network.")
            return
        self.draw()

    async def _run(self) -> None:
        try:
            while self.running and not self.finished:
                self.tick()
                await asyncio.sleep(TICK_PAUSE_S)
            if self.finished:
                self.tick()  # shows the "done" message
        finally:
            self.running = False
            self._set_buttons()

    @safe_update
    def start(self) -> None:
        if self.running:
            return
        if self.finished:
            self.message.info(f"{self.max_epochs} epochs done: press Reset to train again.")
            return
        self.running = True
        self.message.clear()
        self._set_buttons()
        loop = asyncio.get_event_loop()
        self._task = loop.create_task(self._run())

    @safe_update
    def pause(self) -> None:
        self.running = False
        self._set_buttons()
        if self.trainer is not None:
            self.message.info(f"paused after {self.trainer.steps} batches: Start continues.")

    @safe_update
    def reset(self) -> None:
        self.running = False
        self.trainer = self._new_trainer()
        self._set_buttons()
        self.draw()

    def _set_buttons(self) -> None:
        self.b_start.disabled = self.running
        self.b_pause.disabled = not self.running
        self.init_dd.disabled = self.running
        self.lr_box.disabled = self.running

    # ---------------------------------------------------------------- controls
    @safe_update
    def change_init(self, change=None) -> None:
        self.reset()
        self.message.info(f"initializer: {INIT_LABELS[self.init_dd.value]} (network reset)")

    @safe_update
    def change_lr(self, change=None) -> None:
        v, problem = parse_number(self.lr_box.value, minimum=LR_RANGE[0], maximum=LR_RANGE[1])
        if problem:
            self.message.error(f"learning rate: {problem}; still using {self.lr:g}")
            return
        self.lr = v
        self.reset()
        self.message.info(f"learning rate set to {v:g} (network reset)")

    # ---------------------------------------------------------------- drawing
    @safe_update
    def draw(self) -> None:
        t = self.trainer
        mosaic = filter_mosaic(t.model[0].params["w"], ncols=8)
        self.p_filters.show(np.nan_to_num(mosaic, nan=0.0), signed=True)
        self.p_filters.set_title(f"the {t.model[0].out_channels} filters after "
                                 f"{t.steps} batches")
        self.p_loss.show(curve_rgb(t.batch_losses if t.batch_losses else [np.nan]))
        acc = t.history["test_accuracy"]
        self.p_acc.show(curve_rgb(acc if acc else [np.nan], log=False))
        self.p_acc.set_title("test accuracy vs epoch" + (f" (now {acc[-1]:.1%})" if acc else ""))
        loss = f"{t.batch_losses[-1]:.3f}" if t.batch_losses else "-"
        self.status.value = (f"epoch {t.epoch}/{self.max_epochs}, batch {t.steps}: "
                             f"batch loss {loss}"
                             + (f", test accuracy {acc[-1]:.1%}" if acc else ""))
