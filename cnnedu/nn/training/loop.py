"""The training loop: a seeded :class:`Trainer` stepped batch by batch, and :func:`train` with snapshots.

:class:`Trainer` advances a run one batch (or one epoch) at a time with the batch order of
:func:`cnnedu.nn.optim.fit`; :func:`train` runs it for a number of epochs and keeps copies of
the filters in a :class:`TrainResult`. Import these from the public face,
:mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnedu._validate import as_float_array, describe, integer, real
from cnnedu.nn.layers import Sequential
from cnnedu.nn.optim import SGD
from cnnedu.nn.training.fastcnn import FastCNN, _loss, evaluate_fast
from cnnedu.nn.training.model import build_cnn


def _check_data(x, y, name: str, func: str, channels: int | None = None):
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


class Trainer:
    """A seeded training run that advances one batch (or one epoch) per call.

    Parameters
    ----------
    x_train : ndarray, shape (N, C, H, W)
    y_train : ndarray of int, shape (N,)
    x_test, y_test : optional
        Scored after every epoch (``history["test_loss"]``, ``["test_accuracy"]``).
    init : str
        See :func:`build_cnn`.
    n_filters, kernel_size, pool : int
        See :func:`build_cnn` (image size, channels and classes come from the data).
    lr, momentum : float
        Of :class:`cnnedu.nn.optim.SGD`.
    batch_size : int
    seed : int
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
        ``"loss"``, ``"accuracy"`` (training, as the model was when it saw each batch)
        and, with test data, ``"test_loss"``, ``"test_accuracy"``.
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

    def __init__(self, x_train, y_train, x_test=None, y_test=None, *,
                 init: str = "pytorch_default", n_filters: int = 16, kernel_size: int = 3,
                 pool: int = 2, lr: float = 0.05, momentum: float = 0.9, batch_size: int = 32,
                 seed: int = 0, dtype=np.float64):
        func = "Trainer"
        x_train, y_train = _check_data(x_train, y_train, "train", func)
        if (x_test is None) != (y_test is None):
            raise ValueError(f"{func}: give both x_test and y_test, or neither")
        if x_test is not None:
            x_test, y_test = _check_data(x_test, y_test, "test", func)
            if x_test.shape[1:] != x_train.shape[1:]:
                raise ValueError(f"{func}: x_test must have images like x_train, {x_train.shape[1:]}; "
                                 f"got {x_test.shape[1:]}")
        N, C, H, W = x_train.shape
        if H != W:
            raise ValueError(f"{func}: images must be square (H == W); got {H}x{W}")
        self.lr = real(lr, "lr", func, minimum=0, strict=True)
        self.momentum = real(momentum, "momentum", func, minimum=0)
        if self.momentum >= 1:
            raise ValueError(f"{func}: momentum must be below 1; got {self.momentum!r}")
        self.batch_size = integer(batch_size, "batch_size", func, minimum=1)
        self.seed = integer(seed, "seed", func, minimum=0)
        self.init = init
        n_classes = max(2, int(y_train.max()) + 1,
                        int(y_test.max()) + 1 if y_test is not None else 0)
        self.model = build_cnn(init, n_filters=n_filters, kernel_size=kernel_size,
                               image_size=H, in_channels=C, pool=pool, n_classes=n_classes,
                               seed=self.seed, dtype=dtype)
        dt = self.model[0].params["w"].dtype
        self.x_train, self.y_train = x_train.astype(dt, copy=False), y_train
        self.x_test = None if x_test is None else x_test.astype(dt, copy=False)
        self.y_test = y_test
        self.net = FastCNN(self.model)
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
        if self.x_test is not None:
            self.history["test_loss"], self.history["test_accuracy"] = [], []

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

        Returns the loss of each batch.
        """
        n = integer(n, "n", "Trainer.step", minimum=0)
        out = []
        for _ in range(n):
            if self._order is None:
                self._order = self._order_rng.permutation(self.n_train)
                self._pos = 0
                self._epoch_loss, self._epoch_correct = 0.0, 0
            idx = self._order[self._pos:self._pos + self.batch_size]
            xb, yb = self.x_train[idx], self.y_train[idx]
            logits = self.net.forward(xb)
            loss, dlogits = _loss(logits, yb)
            self.net.backward(dlogits)
            self.optimizer.step()
            self._epoch_loss += loss * len(idx)
            self._epoch_correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))
            self._pos += len(idx)
            self.steps += 1
            self.batch_losses.append(loss)
            out.append(loss)
            if self._pos >= self.n_train:
                self._end_epoch()
        return out

    def _end_epoch(self):
        self.history["loss"].append(self._epoch_loss / self.n_train)
        self.history["accuracy"].append(self._epoch_correct / self.n_train)
        if self.x_test is not None:
            tl, ta = evaluate_fast(self.net, self.x_test, self.y_test)
            self.history["test_loss"].append(tl)
            self.history["test_accuracy"].append(ta)
        self.epoch += 1
        self._order = None

    def run_epoch(self) -> None:
        """Train until the current epoch ends (a whole epoch from its start)."""
        remaining = self.steps_per_epoch - (self.steps % self.steps_per_epoch)
        self.step(remaining)

    def evaluate(self, x=None, y=None) -> tuple[float, float]:
        """Loss and accuracy now, on the test data (or on ``(x, y)``)."""
        if x is None:
            if self.x_test is None:
                raise ValueError("Trainer.evaluate: no test data; pass x and y")
            x, y = self.x_test, self.y_test
        x, y = _check_data(x, y, "eval", "Trainer.evaluate")
        return evaluate_fast(self.net, x.astype(self.x_train.dtype, copy=False), y)


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    model : Sequential
        The trained network.
    history : dict of lists
        Per epoch: ``"loss"``, ``"accuracy"`` and, with test data, ``"test_loss"``,
        ``"test_accuracy"``.
    snapshots : dict int -> ndarray (F, C, k, k)
        The filters after that many epochs (0: the initial ones).
    step_snapshots : dict int -> ndarray
        The filters after that many batches (for the first moments of training).
    """

    model: Sequential
    history: dict
    snapshots: dict = field(default_factory=dict)
    step_snapshots: dict = field(default_factory=dict)
    trainer: Trainer | None = None

    @property
    def filters(self) -> np.ndarray:
        return self.model[0].params["w"]


def train(x_train, y_train, x_test=None, y_test=None, *, epochs: int = 15,
          snapshot_epochs=None, snapshot_steps=(), progress=None, **kwargs) -> TrainResult:
    """Train a fresh :class:`Trainer` for ``epochs`` epochs, keeping snapshots of the filters.

    Parameters
    ----------
    epochs : int
    snapshot_epochs : iterable of int, optional
        Epochs after which to copy the filters (default: every epoch, and 0).
    snapshot_steps : iterable of int
        Batch counts after which to copy the filters (within the first epochs).
    progress : object with ``update(epoch, **metrics)``, optional
        Told after every epoch (e.g. :class:`cnnedu.widgets.progress.Progress`), and closed at
        the end if it has ``close()``.
    **kwargs
        Passed to :class:`Trainer` (``init``, ``n_filters``, ``lr``, ``seed``, ...).
    """
    epochs = integer(epochs, "epochs", "train", minimum=1)
    t = Trainer(x_train, y_train, x_test, y_test, **kwargs)
    wanted = set(range(epochs + 1)) if snapshot_epochs is None else {int(e) for e in snapshot_epochs}
    steps = sorted(int(s) for s in snapshot_steps)
    snaps = {0: t.filters} if 0 in wanted else {}
    step_snaps = {0: t.filters} if 0 in steps else {}
    pending = [s for s in steps if s > 0]
    while t.epoch < epochs:
        epoch_before = t.epoch
        to_epoch_end = t.steps_per_epoch - (t.steps % t.steps_per_epoch)
        if pending and pending[0] - t.steps <= to_epoch_end:
            t.step(pending[0] - t.steps)
            step_snaps[pending.pop(0)] = t.filters
        else:
            t.run_epoch()
        if t.epoch > epoch_before:
            if t.epoch in wanted:
                snaps[t.epoch] = t.filters
            if progress is not None:
                progress.update(t.epoch, **{k: v[-1] for k, v in t.history.items()})
    if progress is not None and hasattr(progress, "close"):
        progress.close()
    return TrainResult(t.model, t.history, snaps, step_snaps, t)
