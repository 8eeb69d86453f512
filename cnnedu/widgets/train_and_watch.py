"""Train and watch: the digits CNN trains live; its filters, loss and accuracy redraw as it goes.

**Start** runs training in the background: an asyncio task on the kernel's event loop
calls :meth:`TrainAndWatch.tick` (a few batches, then a redraw) and then awaits a pause,
so the kernel stays free (Pause can be clicked, other cells run). **Step** trains one
tick by hand. The **pace** sets how many batches a tick trains and how long the pause
is. **Pause** stops after the current tick; **Reset** goes back to the seeded start.
The learning rate and the initializer are set before a run: changing them resets the
network. Accuracy is scored after every epoch on a validation split of the training
digits (the test digits are never shown here). At most one training loop ever runs:
Start while a loop is alive (Pause then Start within its pause) keeps that loop.

The buttons' handlers may run on another thread than the training loop: JupyterLab 4.6
sends widget messages to a kernel subshell by default (its "Kernel Comms over subshells"
setting), and ipykernel 7 runs a subshell on its own thread. So every method that reads
or changes the training state holds one re-entrant lock: a Pause clicked in the middle of
a tick waits for that tick to end, and its message counts the batches the status shows.

The computation is :class:`cnnedu.nn.training.Trainer`; the widget only wires it to the
controls. The pause between ticks is ``await self.sleep(seconds)``: tests give the widget
a sleep they control and step the loop explicitly.

>>> w = TrainAndWatch(max_epochs=1)
>>> w.tick(); w.trainer.steps
5
>>> w.lr_box.value = "abc"
>>> w.message.text
"learning rate: 'abc' is not a number; still using 0.05"
"""
from __future__ import annotations

import asyncio
import functools
import math
import threading

import ipywidgets as W
import numpy as np

from cnnedu.data import load_digits, train_test_split
from cnnedu.viz.figures.training import filter_mosaic, live_curve_rgb
from cnnedu.nn.training import INIT_LABELS, INITIALIZERS, Trainer
from cnnedu.widgets._base import ImagePanel, LiveWidget, MessageLine, parse_number, safe_update

__all__ = ["TrainAndWatch", "STEPS_PER_TICK", "PACES", "plural"]

#: pace name -> (batches per tick, seconds of pause between ticks)
PACES = {
    "slow (1 batch per redraw)": (1, 0.25),
    "medium (5 batches per redraw)": (5, 0.05),
    "fast (6 batches per redraw)": (6, 0.01),
}
DEFAULT_PACE = "medium (5 batches per redraw)"
STEPS_PER_TICK = PACES[DEFAULT_PACE][0]
LR_RANGE = (1e-4, 2.0)
LOSS_RANGE = (0.01, 10.0)     # the loss panel's fixed log axis
FILTER_PX = 12                # screen pixels per filter weight


def plural(n: int, word: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``, ``"3 batches"``."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} " + {"batch": "batches"}.get(word, word + "s")


def _locked(method):
    """Run a method holding the widget's lock (see the module docstring)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


def _axis_panel(panel: ImagePanel, y_labels, x_labels, width: int):
    """Put tick numbers beside (y: evenly spaced from top to bottom, one per grid line and
    one at each end) and below (x: left, right) a panel's image."""
    y = [W.HTML(t, layout=W.Layout(height="auto")) for t in y_labels]
    ybox = W.VBox(y, layout=W.Layout(justify_content="space-between", height=f"{panel.size_h}px",
                                     align_items="flex-end", margin="0 4px 0 0"))
    x = [W.HTML(t) for t in x_labels]
    xbox = W.HBox(x, layout=W.Layout(justify_content="space-between", width=f"{width}px"))
    body = W.VBox([W.HBox([ybox, panel.image]), W.HBox([W.HTML("", layout=W.Layout(width="44px")),
                                                        xbox])])
    box = W.VBox([panel.title, body, panel.caption], layout=W.Layout(align_items="center",
                                                                     margin="0 6px"))
    box.add_class("cnnedu-panel")
    return box, y, x


class TrainAndWatch(LiveWidget):
    """Start / Step / Pause / Reset training of the digits CNN, drawn live."""

    summary = "train and watch: the digits CNN trains live (filters, loss, accuracy)"

    def __init__(self, init: str = "pytorch_default", lr: float = 0.05, *, seed: int = 0,
                 max_epochs: int = 15, n_filters: int = 16, sleep=None):
        x, y = load_digits()
        x_tr, _, y_tr, _ = train_test_split(x, y, 0.2, seed=0)      # the test part: never here
        self._data = train_test_split(x_tr, y_tr, 0.2, seed=0)     # train / validation
        self.seed, self.max_epochs, self.n_filters = seed, max_epochs, n_filters
        self.sleep = asyncio.sleep if sleep is None else sleep
        style = {"description_width": "initial"}
        self.init_dd = W.Dropdown(options=[(INIT_LABELS[n], n) for n in INITIALIZERS],
                                  value=init, description="initializer", style=style)
        self.lr_box = W.Text(value=str(lr), description="learning rate", style=style,
                             continuous_update=False, layout=W.Layout(width="190px"))
        self.pace_dd = W.Dropdown(options=list(PACES), value=DEFAULT_PACE, description="pace",
                                  style=style, layout=W.Layout(width="300px"))
        self.b_start = W.Button(description="Start", icon="play", button_style="success")
        self.b_step = W.Button(description="Step", icon="step-forward")
        self.b_pause = W.Button(description="Pause", icon="pause")
        self.b_reset = W.Button(description="Reset", icon="undo")
        for ctl, cls in ((self.init_dd, "init"), (self.lr_box, "lr"), (self.pace_dd, "pace"),
                         (self.b_start, "start"), (self.b_step, "step"),
                         (self.b_pause, "pause"), (self.b_reset, "reset")):
            ctl.add_class(f"cnnedu-tw-{cls}")
        rows = -(-n_filters // 8)
        mosaic_h, mosaic_w = rows * 4 - 1, min(8, n_filters) * 4 - 1
        self.p_filters = ImagePanel(f"the {n_filters} filters", size=mosaic_w * FILTER_PX)
        self.p_filters.image.layout = W.Layout(width=f"{mosaic_w * FILTER_PX}px",
                                               height=f"{mosaic_h * FILTER_PX}px")
        self.p_filters.widget.add_class("cnnedu-tw-filters")
        self.p_loss = ImagePanel("batch loss (log scale) vs batch", size=300)
        self.p_acc = ImagePanel("validation accuracy vs epoch", size=300)
        boxes = {}
        for p, cls, ylab, xlab in (
                (self.p_loss, "loss", ("10", "1", "0.1", "0.01"), ("0", "batch ...")),
                (self.p_acc, "acc", ("100%", "75%", "50%", "25%", "0%"),
                 ("0", f"epoch {max_epochs}"))):
            p.size_h = 170
            p.image.layout = W.Layout(width="300px", height="170px")
            boxes[cls], _, xl = _axis_panel(p, ylab, xlab, 300)
            boxes[cls].add_class(f"cnnedu-tw-{cls}")
            if cls == "loss":
                self._loss_x_max_label = xl[1]
        self.status = W.HTML("")
        self.status.add_class("cnnedu-tw-status")
        self.warning = W.HTML("")
        self.warning.add_class("cnnedu-tw-warning")
        self.message = MessageLine()
        self.lr = float(lr)
        self._lock = threading.RLock()
        self.running = False
        self._task = None
        self.widget = W.VBox([
            W.HBox([self.init_dd, self.lr_box, self.pace_dd]),
            W.HBox([self.b_start, self.b_step, self.b_pause, self.b_reset]),
            self.p_filters.widget,
            W.HBox([boxes["loss"], boxes["acc"]]),
            self.status, self.warning, self.message.widget])
        self.widget.add_class("cnnedu-train-watch")
        self.b_start.on_click(lambda _: self.start())
        self.b_step.on_click(lambda _: self.tick())
        self.b_pause.on_click(lambda _: self.pause())
        self.b_reset.on_click(lambda _: self.reset())
        self.init_dd.observe(self.change_init, names="value")
        self.lr_box.observe(self.change_lr, names="value")
        self.trainer = None
        self.reset()

    # ---------------------------------------------------------------- training
    def _new_trainer(self) -> Trainer:
        x_tr, x_val, y_tr, y_val = self._data
        return Trainer(x_tr, y_tr, x_val, y_val, init=self.init_dd.value, lr=self.lr,
                       n_filters=self.n_filters, seed=self.seed)

    @property
    def pace(self) -> tuple[int, float]:
        """(batches per tick, seconds of pause between ticks)."""
        return PACES[self.pace_dd.value]

    @property
    def finished(self) -> bool:
        return self.trainer is not None and self.trainer.epoch >= self.max_epochs

    @property
    def loop_alive(self) -> bool:
        return self._task is not None and not self._task.done()

    def _done_text(self) -> str:
        return f"{plural(self.max_epochs, 'epoch')} done: press Reset to train again."

    @safe_update
    @_locked
    def tick(self) -> None:
        """Train one bounded chunk of batches (never past ``max_epochs``) and redraw."""
        t = self.trainer
        if self.finished:
            self.running = False
            self._set_buttons()
            self.message.info(self._done_text())
            return
        left = self.max_epochs * t.steps_per_epoch - t.steps
        t.step(min(self.pace[0], left))
        if not np.isfinite(t.batch_losses[-1]):
            self.running = False
            self._set_buttons()
            self.draw()
            self.message.error(f"the loss is no longer a number (learning rate {self.lr:g} is "
                               "too large): type a smaller one, it resets the network.")
            return
        self.draw()
        if self.finished:
            self.running = False
            self._set_buttons()
            self.message.info(self._done_text())

    async def _run(self) -> None:
        try:
            while True:
                with self._lock:               # Pause on another thread waits for the tick
                    if not self.running or self.finished:
                        break
                    self.tick()
                    if not self.running:
                        break
                    seconds = self.pace[1]
                await self.sleep(seconds)
        finally:
            with self._lock:
                self.running = False
                self._set_buttons()
                self.widget.add_class("cnnedu-tw-stopped")  # the loop has ended (tests wait on it)

    @safe_update
    @_locked
    def start(self) -> None:
        if self.finished:
            self.message.info(self._done_text())
            return
        self.running = True
        self.message.clear()
        self._set_buttons()
        self.widget.remove_class("cnnedu-tw-stopped")
        if self.loop_alive:      # Pause then Start within one pause: the same loop goes on
            return
        self._task = asyncio.get_event_loop().create_task(self._run())

    @safe_update
    @_locked
    def pause(self) -> None:
        self.running = False
        self._set_buttons()
        if self.trainer is not None:
            self.message.info(f"paused after {plural(self.trainer.steps, 'batch')}: "
                              "Start continues.")

    @safe_update
    @_locked
    def reset(self) -> None:
        self.running = False
        self.trainer = self._new_trainer()
        self._set_buttons()
        self.draw()

    def _set_buttons(self) -> None:
        self.b_start.disabled = self.running
        self.b_step.disabled = self.running
        self.b_pause.disabled = not self.running
        self.init_dd.disabled = self.running
        self.lr_box.disabled = self.running

    # ---------------------------------------------------------------- controls
    @safe_update
    @_locked
    def change_init(self, change=None) -> None:
        self.reset()
        self.message.info(f"initializer: {INIT_LABELS[self.init_dd.value]} (network reset)")

    @safe_update
    @_locked
    def change_lr(self, change=None) -> None:
        v, problem = parse_number(self.lr_box.value, minimum=LR_RANGE[0], maximum=LR_RANGE[1])
        if problem:
            self.message.error(f"learning rate: {problem}; still using {self.lr:g}")
            return
        self.lr = v
        self.reset()
        self.message.info(f"learning rate set to {v:g} (network reset)")

    # ---------------------------------------------------------------- drawing
    def panels(self) -> list[tuple[str, bytes]]:
        """The pictures for the still image; the plots' titles name their fixed scales
        (the live view writes them beside the axes)."""
        n_batches = self.max_epochs * self.trainer.steps_per_epoch
        titles = (None, f"loss 0.01 to 10 (log) vs batch 0 to {n_batches}",
                  f"val. accuracy 0 to 100% vs epoch 0 to {self.max_epochs}")
        return [(t if new is None else new, png)
                for (t, png), new in zip(super().panels(), titles)]

    def divergence_warning(self) -> str:
        """A warning when training is going wrong, else ``""``.

        The loss of the last 10 batches above 1.5 times the first batch's loss (it was
        about ln 10 = 2.3 at the start), or after 30 batches still not below it (at
        learning rate 0.05 it has halved by then; at 1.5 it stays at chance), or the validation accuracy still at chance (below
        20% for 10 classes) after an epoch: the learning rate is too large.
        """
        t = self.trainer
        losses = np.asarray(t.batch_losses, dtype=np.float64)
        if losses.size >= 20 and np.all(np.isfinite(losses)) and (
                losses[-10:].mean() > 1.5 * losses[0]):
            return (f"the loss is above where it started ({losses[-10:].mean():.3g} against "
                    f"{losses[0]:.3g}): the learning rate {self.lr:g} is probably too large.")
        if losses.size >= 30 and np.all(np.isfinite(losses)) and (
                losses[-10:].mean() >= losses[0]):
            return (f"after {plural(losses.size, 'batch')} the loss is no lower than where it "
                    f"started ({losses[-10:].mean():.3g} against {losses[0]:.3g}): the learning "
                    f"rate {self.lr:g} is probably too large.")
        acc = t.history.get("val_accuracy", [])
        if acc and acc[-1] < 0.2:
            return (f"validation accuracy {acc[-1]:.1%} after {plural(t.epoch, 'epoch')}: "
                    f"chance level is 10%, the network is not learning (learning rate "
                    f"{self.lr:g} too large?).")
        return ""

    @safe_update
    @_locked
    def draw(self) -> None:
        t = self.trainer
        mosaic = filter_mosaic(t.model[0].params["w"], ncols=8)
        self.p_filters.show(np.nan_to_num(mosaic, nan=0.0), signed=True)
        lim = float(np.nanmax(np.abs(mosaic))) if np.isfinite(mosaic).any() else 0.0
        self.p_filters.set_title(f"the {t.model[0].out_channels} filters after "
                                 f"{plural(t.steps, 'batch')} (red > 0 > blue; the colour "
                                 f"scale follows the largest |weight|, now {lim:.2f})")
        n_batches = self.max_epochs * t.steps_per_epoch
        self.p_loss.show(live_curve_rgb(t.batch_losses, x_max=n_batches, lo=LOSS_RANGE[0],
                                        hi=LOSS_RANGE[1], log=True, grid=(0.1, 1.0)))   # a label per line
        self._loss_x_max_label.value = f"batch {n_batches}"
        acc = t.history["val_accuracy"]
        self.p_acc.show(live_curve_rgb(acc, x_max=self.max_epochs, lo=0.0, hi=1.0,
                                       grid=(0.25, 0.5, 0.75)))
        self.p_acc.set_title("validation accuracy vs epoch"
                             + (f" (now {acc[-1]:.1%})" if acc else ""))
        loss = f"{t.batch_losses[-1]:.3f}" if t.batch_losses else "-"
        if t.batch_losses and not math.isfinite(t.batch_losses[-1]):
            loss = "not a number"
        self.status.value = (f"epoch {t.epoch}/{self.max_epochs}, batch {t.steps} "
                             f"({t.steps_per_epoch} batches per epoch): batch loss {loss}"
                             + (f", validation accuracy {acc[-1]:.1%}" if acc else ""))
        warn = self.divergence_warning()
        # the label in the theme's error colour, the text in its font colour: JupyterLab's
        # warn colours read below 4.5:1 on the light theme's white (#e65100: 3.8:1)
        self.warning.value = ("<b style='color:var(--jp-error-color1, #b00020)'>Warning:</b> "
                              f"<span style='color:var(--jp-ui-font-color1)'>{warn}</span>"
                              if warn else "")
