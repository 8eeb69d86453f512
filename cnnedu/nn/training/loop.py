"""The training loop: :func:`train` (``cnnedu.nn.optim.fit`` with snapshots) and a
:class:`Trainer` that steps the same run one batch at a time.

Both train the :class:`~cnnedu.nn.layers.Sequential` of :func:`build_cnn` through its own
layers (``model.forward``, ``softmax_cross_entropy``, ``model.backward``,
:class:`~cnnedu.nn.optim.SGD`): :func:`train` *is* :func:`cnnedu.nn.optim.fit`, and
:class:`Trainer` takes the same batches in the same order, so after the same number of
batches both hold the same weights (a test compares them). Import these from the public
face, :mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnedu._validate import as_float_array, describe, integer, real
from cnnedu.nn.layers import Sequential
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.optim import SGD, evaluate, fit
from cnnedu.nn.training.model import build_cnn, seed_rng


def _check_data(x, y, name: str, func: str):
    x = as_float_array(x, f"x_{name}", func)
    if x.ndim != 4:
        raise ValueError(f"{func}: x_{name} must have shape (N, C, H, W); got {describe(x)}")
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(x):
        raise ValueError(f"{func}: y_{name} must be integer labels of shape ({len(x)},); "
                         f"got {describe(y)}")
    if len(x) == 0:
        raise ValueError(f"{func}: x_{name} must hold at least one image; got {describe(x)}")
    return x, y.astype(np.int64, copy=False)


def _check_run(func, x_train, y_train, x_val, y_val, lr, momentum, batch_size, seed):
    """Validate what :class:`Trainer` and :func:`train` share; return it cleaned."""
    x_train, y_train = _check_data(x_train, y_train, "train", func)
    if (x_val is None) != (y_val is None):
        raise ValueError(f"{func}: give both x_val and y_val, or neither")
    if x_val is not None:
        x_val, y_val = _check_data(x_val, y_val, "val", func)
        if x_val.shape[1:] != x_train.shape[1:]:
            raise ValueError(f"{func}: x_val must have images like x_train, "
                             f"{x_train.shape[1:]}; got {x_val.shape[1:]}")
    H, W = x_train.shape[2:]
    if H != W:
        raise ValueError(f"{func}: images must be square (H == W); got {H}x{W}")
    lr = real(lr, "lr", func, minimum=0, strict=True)
    momentum = real(momentum, "momentum", func, minimum=0)
    if momentum >= 1:
        raise ValueError(f"{func}: momentum must be below 1; got {momentum!r}")
    batch_size = integer(batch_size, "batch_size", func, minimum=1)
    seed = integer(seed, "seed", func, minimum=0)
    n_classes = max(2, int(y_train.max()) + 1, int(y_val.max()) + 1 if y_val is not None else 0)
    return x_train, y_train, x_val, y_val, lr, momentum, batch_size, seed, n_classes


class Trainer:
    """A seeded training run that advances one batch (or one epoch) per call.

    Parameters
    ----------
    x_train : ndarray, shape (N, C, H, W)
    y_train : ndarray of int, shape (N,)
    x_val, y_val : optional
        Scored after every epoch (``history["val_loss"]``, ``["val_accuracy"]``): the
        data for choices made while watching (the test set is kept for the end).
    init : str
        See :func:`build_cnn`.
    n_filters, kernel_size, pool : int
        See :func:`build_cnn` (image size, channels and classes come from the data).
    lr, momentum : float
        Of :class:`cnnedu.nn.optim.SGD`.
    batch_size : int
    seed : int >= 0
        Draws the initial weights (``build_cnn(seed=seed)``) and, from a separate
        generator ``default_rng(seed)``, one permutation of the samples per epoch: the
        batch order of ``cnnedu.nn.optim.fit(..., seed=seed)``.
    dtype : float64 or float32

    Attributes
    ----------
    model : Sequential
        The network; its arrays are the ones trained.
    steps, epoch : int
        Batches and whole epochs done.
    history : dict of lists, one entry per finished epoch
        ``"loss"``, ``"accuracy"`` (training, a running average over the epoch: each
        batch is scored by the model as it was when it saw that batch) and, with
        validation data, ``"val_loss"``, ``"val_accuracy"``.
    batch_losses : list of float
        The loss of every batch, in order.

    >>> from cnnedu.data.synthetic import make_bars
    >>> x, y = make_bars(64, size=12, seed=0)
    >>> t = Trainer(x, y, n_filters=4, pool=3, batch_size=16, seed=0)
    >>> _ = t.step(3); (t.steps, t.epoch)
    (3, 0)
    >>> _ = t.step(1); (t.steps, t.epoch, len(t.history["loss"]))
    (4, 1, 1)
    """

    def __init__(self, x_train, y_train, x_val=None, y_val=None, *,
                 init: str = "pytorch_default", n_filters: int = 16, kernel_size: int = 3,
                 pool: int = 2, lr: float = 0.05, momentum: float = 0.9, batch_size: int = 32,
                 seed: int = 0, dtype=np.float64):
        (x_train, y_train, x_val, y_val, self.lr, self.momentum, self.batch_size, self.seed,
         n_classes) = _check_run("Trainer", x_train, y_train, x_val, y_val, lr, momentum,
                                 batch_size, seed)
        self.init = init
        C, H = x_train.shape[1:3]
        self.model = build_cnn(init, n_filters=n_filters, kernel_size=kernel_size,
                               image_size=H, in_channels=C, pool=pool, n_classes=n_classes,
                               seed=self.seed, dtype=dtype)
        dt = self.model[0].params["w"].dtype
        self.x_train, self.y_train = x_train.astype(dt, copy=False), y_train
        self.x_val = None if x_val is None else x_val.astype(dt, copy=False)
        self.y_val = y_val
        self.optimizer = SGD(self.model, lr=self.lr, momentum=self.momentum)
        self._order_rng = np.random.default_rng(self.seed)
        self._order = None
        self._pos = 0
        self._epoch_loss = 0.0
        self._epoch_correct = 0
        self.steps = 0
        self.epoch = 0
        self.batch_losses: list[float] = []
        self.history: dict[str, list] = {"loss": [], "accuracy": []}
        if self.x_val is not None:
            self.history["val_loss"], self.history["val_accuracy"] = [], []

    @property
    def n_train(self) -> int:
        return len(self.x_train)

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n_train // self.batch_size)

    @property
    def filters(self) -> np.ndarray:
        """A copy of the conv weights, ``(F, C, k, k)``."""
        return self.model[0].params["w"].copy()

    def step(self, n: int = 1) -> list[float]:
        """Train on the next ``n`` batches; an epoch ends (and is scored) after its last batch.

        Each batch is one step of :func:`cnnedu.nn.optim.train_epoch`: forward, loss,
        backward, ``SGD.step``. Returns the loss of each batch.
        """
        n = integer(n, "n", "Trainer.step", minimum=0)
        out = []
        model = self.model
        for _ in range(n):
            if self._order is None:
                self._order = self._order_rng.permutation(self.n_train)
                self._pos = 0
                self._epoch_loss, self._epoch_correct = 0.0, 0
            idx = self._order[self._pos:self._pos + self.batch_size]
            xb, yb = self.x_train[idx], self.y_train[idx]
            logits = model.forward(xb)
            loss, dlogits = softmax_cross_entropy(logits, yb)
            model.backward(dlogits)
            self.optimizer.step()
            self._epoch_loss += loss * len(idx)
            self._epoch_correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))
            self._pos += len(idx)
            self.steps += 1
            self.batch_losses.append(float(loss))
            out.append(float(loss))
            if self._pos >= self.n_train:
                self._end_epoch()
        return out

    def _end_epoch(self):
        self.history["loss"].append(self._epoch_loss / self.n_train)
        self.history["accuracy"].append(self._epoch_correct / self.n_train)
        if self.x_val is not None:
            vl, va = evaluate(self.model, self.x_val, self.y_val)
            self.history["val_loss"].append(vl)
            self.history["val_accuracy"].append(va)
        self.epoch += 1
        self._order = None

    def run_epoch(self) -> None:
        """Train until the current epoch ends (a whole epoch from its start)."""
        remaining = self.steps_per_epoch - (self.steps % self.steps_per_epoch)
        self.step(remaining)

    def evaluate(self, x=None, y=None) -> tuple[float, float]:
        """Loss and accuracy now, on the validation data (or on ``(x, y)``)."""
        if x is None:
            if self.x_val is None:
                raise ValueError("Trainer.evaluate: no validation data; pass x and y")
            x, y = self.x_val, self.y_val
        x, y = _check_data(x, y, "eval", "Trainer.evaluate")
        return evaluate(self.model, x.astype(self.x_train.dtype, copy=False), y)


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    model : Sequential
        The trained network.
    history : dict of lists
        Per epoch: ``"loss"``, ``"accuracy"`` (running averages over the epoch, see
        :class:`Trainer`), with validation data ``"val_loss"``, ``"val_accuracy"``, and with
        ``score_train=True`` ``"train_accuracy"``: the whole training set scored at the
        end of the epoch.
    snapshots : dict int -> ndarray (F, C, k, k)
        The filters after that many epochs (0: the initial ones).
    step_snapshots : dict int -> ndarray
        The filters after that many batches (for the first moments of training).
    steps_per_epoch : int
    """

    model: Sequential
    history: dict
    snapshots: dict = field(default_factory=dict)
    step_snapshots: dict = field(default_factory=dict)
    steps_per_epoch: int = 0

    @property
    def filters(self) -> np.ndarray:
        return self.model[0].params["w"]


def train(x_train, y_train, x_val=None, y_val=None, *, epochs: int = 15,
          init: str = "pytorch_default", n_filters: int = 16, kernel_size: int = 3,
          pool: int = 2, lr: float = 0.05, momentum: float = 0.9, batch_size: int = 32,
          seed: int = 0, dtype=np.float64, model=None, snapshot_epochs=None,
          snapshot_steps=(), score_train: bool = False, progress=None) -> TrainResult:
    """Build :func:`build_cnn`'s network and train it with :func:`cnnedu.nn.optim.fit`.

    Parameters
    ----------
    x_train, y_train, x_val, y_val, init, n_filters, kernel_size, pool, lr, momentum,
    batch_size, seed, dtype
        As in :class:`Trainer` (the same run, batch for batch).
    epochs : int
    model : Sequential, optional
        Train this network instead of building one (e.g. one whose conv layer is the
        learner's, :func:`cnnedu.nn.training.with_own_conv`); ``init``, ``n_filters``,
        ``kernel_size``, ``pool`` and ``dtype`` are then ignored.
    snapshot_epochs : iterable of int, optional
        Epochs after which to copy the filters (default: every epoch, and 0).
    snapshot_steps : iterable of int
        Batch counts after which to copy the filters.
    score_train : bool
        Also score the whole training set after every epoch (``history["train_accuracy"]``).
    progress : object with ``update(epoch, **metrics)``, optional
        Told after every epoch (e.g. :class:`cnnedu.widgets.progress.Progress`), and closed
        at the end if it has ``close()``.

    >>> from cnnedu.data.synthetic import make_bars
    >>> x, y = make_bars(64, size=12, seed=0)
    >>> run = train(x, y, epochs=2, n_filters=4, pool=3, batch_size=16, seed=0)
    >>> len(run.history["loss"]), sorted(run.snapshots)
    (2, [0, 1, 2])
    """
    func = "train"
    (x_train, y_train, x_val, y_val, lr, momentum, batch_size, seed,
     n_classes) = _check_run(func, x_train, y_train, x_val, y_val, lr, momentum, batch_size,
                             seed)
    epochs = integer(epochs, "epochs", func, minimum=1)
    if model is None:
        C, H = x_train.shape[1:3]
        model = build_cnn(init, n_filters=n_filters, kernel_size=kernel_size, image_size=H,
                          in_channels=C, pool=pool, n_classes=n_classes, seed=seed,
                          dtype=dtype)
    elif not isinstance(model, Sequential):
        raise TypeError(f"{func}: model must be a Sequential (build_cnn); got {describe(model)}")
    dt = model[0].params["w"].dtype
    x_train = x_train.astype(dt, copy=False)
    validation = None if x_val is None else (x_val.astype(dt, copy=False), y_val)
    wanted = set(range(epochs + 1)) if snapshot_epochs is None else {int(e) for e in snapshot_epochs}
    steps_wanted = {int(s) for s in snapshot_steps}
    conv_w = model[0].params["w"]
    snaps = {0: conv_w.copy()} if 0 in wanted else {}
    step_snaps = {0: conv_w.copy()} if 0 in steps_wanted else {}
    done = [0]

    def on_step(epoch, step, loss):
        done[0] += 1
        if done[0] in steps_wanted:
            step_snaps[done[0]] = model[0].params["w"].copy()

    def on_epoch(epoch, history):
        if score_train:
            history.setdefault("train_accuracy", []).append(
                evaluate(model, x_train, y_train)[1])
        if epoch + 1 in wanted:
            snaps[epoch + 1] = model[0].params["w"].copy()
        if progress is not None:
            progress.update(epoch + 1, **{k: v[-1] for k, v in history.items()})

    history = fit(model, x_train, y_train, epochs=epochs, batch_size=batch_size,
                  optimizer=SGD(model, lr=lr, momentum=momentum), seed=seed_rng(seed, func),
                  validation=validation, on_step=on_step, on_epoch=on_epoch)
    if progress is not None and hasattr(progress, "close"):
        progress.close()
    return TrainResult(model, history, snaps, step_snaps, -(-len(x_train) // batch_size))
