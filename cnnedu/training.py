r"""Training a small CNN end to end, fast enough to watch: build, train, snapshot, inspect.

The network is the smallest one that shows every idea of the series at work::

    Conv2D(C, F, k, padding=k // 2) -> ReLU -> MaxPool2D(pool) -> Flatten -> Dense(D, K)

built from :mod:`cnnedu.layers` by :func:`build_cnn` and trained by softmax cross-entropy
and SGD with momentum (:class:`cnnedu.optim.SGD`, PyTorch's update rule).

:class:`FastCNN` computes the same forward and backward passes as the layers, on the same
parameter arrays, in one lean function each: channels-last im2col, one GEMM per layer, no
input gradient for the first layer (nothing needs it), no re-validation per batch. It is
what makes 15 epochs on the digits take a fraction of a second (``benchmarks/
bench_training.py`` compares it with PyTorch CPU); the tests check it against the layers.

:class:`Trainer` steps a run one batch, or one epoch, at a time (the widget drives it),
with the same seeded batch order as :func:`cnnedu.optim.fit`; :func:`train` runs it for a
number of epochs and keeps snapshots of the filters. :func:`gradient_chain` follows the
gradient of one batch from the loss back to the filters' weights and biases.

>>> from cnnedu.data import load_digits, train_test_split
>>> x, y = load_digits()
>>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, 0.2, seed=0)
>>> run = train(x_tr, y_tr, x_te, y_te, epochs=2, seed=0)
>>> len(run.history["loss"]), run.history["test_accuracy"][-1] > 0.8
(2, True)
>>> sorted(run.snapshots)
[0, 1, 2]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import init as _init
from ._validate import as_float_array, check_choice, describe, integer, real
from .layers import Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential
from .optim import SGD

__all__ = [
    "INITIALIZERS", "INIT_LABELS", "CONSTANT_VALUE", "build_cnn", "FastCNN", "Trainer",
    "TrainResult", "train", "evaluate_fast", "gradient_chain", "GradientLevel",
    "filter_spread", "count_parameters", "feature_maps",
]

#: The initializers compared in notebook 06, in display order.
INITIALIZERS = ("constant", "glorot_uniform", "he_normal", "pytorch_default")
INIT_LABELS = {
    "constant": "constant (every weight 0.05)",
    "glorot_uniform": "Glorot uniform",
    "he_normal": "He normal",
    "pytorch_default": "PyTorch default",
}
#: The value of every weight under ``init="constant"`` (biases start at 0).
CONSTANT_VALUE = 0.05


def _constant(shape, rng=None):
    return _init.constant(shape, value=CONSTANT_VALUE)


def build_cnn(init: str = "pytorch_default", *, n_filters: int = 16, kernel_size: int = 3,
              image_size: int = 8, in_channels: int = 1, pool: int = 2, n_classes: int = 10,
              seed=0, dtype=np.float64) -> Sequential:
    """The small CNN: conv (``padding = k // 2``, so maps keep their size) -> ReLU -> max pool -> dense.

    Parameters
    ----------
    init : str
        ``"constant"`` (every weight :data:`CONSTANT_VALUE`, biases 0) or any name of
        :data:`cnnedu.init.NAMES` (``"glorot_uniform"``, ``"he_normal"``,
        ``"pytorch_default"``, ...), used for both layers, with its matching bias.
    n_filters : int
        ``F``, the number of filters.
    kernel_size : int
        ``k`` (odd).
    image_size : int
        ``H = W`` of the input; ``pool`` must divide it.
    in_channels : int
        ``C``.
    pool : int
        Max-pool window (and stride). ``pool = image_size`` pools each map to one number.
    n_classes : int
        ``K``.
    seed : int or numpy.random.Generator
        Draws the conv weights first, then the dense ones.
    dtype : float64 or float32

    Returns
    -------
    model : cnnedu.layers.Sequential
        ``x`` ``(N, C, H, W)`` -> logits ``(N, K)``; the dense layer reads
        ``D = F * (H // pool) * (W // pool)`` features.

    >>> build_cnn(n_filters=8).n_params
    1370
    >>> m = build_cnn("constant")
    >>> float(m[0].params["w"].std()), float(m[4].params["w"].min())
    (0.0, 0.05)
    """
    func = "build_cnn"
    F = integer(n_filters, "n_filters", func, minimum=1)
    k = integer(kernel_size, "kernel_size", func, minimum=1)
    if k % 2 == 0:
        raise ValueError(f"{func}: kernel_size must be odd (so padding k // 2 keeps the size); got {k}")
    H = integer(image_size, "image_size", func, minimum=1)
    C = integer(in_channels, "in_channels", func, minimum=1)
    p = integer(pool, "pool", func, minimum=1)
    K = integer(n_classes, "n_classes", func, minimum=2)
    if H % p:
        raise ValueError(f"{func}: pool must divide image_size; got pool={p}, image_size={H}")
    if not isinstance(init, str):
        raise TypeError(f"{func}: init must be an initializer name; got {describe(init)}")
    check_choice(init, ("constant",) + tuple(n for n in _init.NAMES if n != "constant"),
                 "init", func)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if init == "constant":
        w_init, b_init = _constant, "zeros"
    else:
        w_init, b_init = init, None
    D = F * (H // p) ** 2
    return Sequential(
        Conv2D(C, F, k, padding=k // 2, init=w_init, bias_init=b_init, rng=rng, dtype=dtype),
        Activation("relu"),
        MaxPool2D(p),
        Flatten(),
        Dense(D, K, init=w_init, bias_init=b_init, rng=rng, dtype=dtype),
    )


def count_parameters(n_filters: int, kernel_size: int, image_size: int, pool: int,
                     n_classes: int, in_channels: int = 1) -> int:
    """Trainable numbers of :func:`build_cnn`'s network, by formula.

    .. math::

        \\underbrace{F C k^2 + F}_{\\text{conv}} +
        \\underbrace{K F (H/p)^2 + K}_{\\text{dense}}

    >>> count_parameters(16, 3, 8, 2, 10)
    2730
    """
    F, C, k, H, p, K = n_filters, in_channels, kernel_size, image_size, pool, n_classes
    return F * C * k * k + F + K * F * (H // p) ** 2 + K


def _parts(model, func: str):
    """The layers of a :func:`build_cnn` network, or a clear error."""
    ok = (isinstance(model, Sequential) and len(model) == 5
          and isinstance(model[0], Conv2D) and isinstance(model[1], Activation)
          and getattr(model[1], "name", "relu") == "relu" and isinstance(model[2], MaxPool2D)
          and isinstance(model[3], Flatten) and isinstance(model[4], Dense))
    if not ok:
        raise TypeError(f"{func}: model must be a build_cnn network (Conv2D, ReLU, MaxPool2D, "
                        f"Flatten, Dense); got {describe(model)}")
    conv, pool = model[0], model[2]
    if conv.stride != (1, 1) or conv.kernel_size[0] != conv.kernel_size[1] \
            or conv.padding != (conv.kernel_size[0] // 2,) * 2 or pool.size != pool.stride \
            or pool.size[0] != pool.size[1] or "b" not in conv.params:
        raise ValueError(f"{func}: the conv must have stride 1, a square odd kernel, padding "
                         f"k // 2 and a bias, and the pool square non-overlapping windows; got "
                         f"{conv!r} and {pool!r}")
    return conv, pool, model[4]


class FastCNN:
    """The forward and backward passes of a :func:`build_cnn` network, lean and fused.

    Reads and writes the model's own arrays (``conv.params``, ``conv.grads``, ...): after
    :meth:`backward`, the layers' ``grads`` hold exactly what ``model.backward`` would
    put there (the tests compare them), so :class:`cnnedu.optim.SGD` updates the model.

    Inside, maps are channels-last ``(N, H, W, F)``: im2col of the padded input is one
    copy of a strided view, the conv is one GEMM ``(N*H*W, C*k*k) @ (C*k*k, F)``, pooling
    keeps the index of the first maximum of each window (as :class:`MaxPool2D`), and the
    input gradient of the conv, which no parameter needs, is never computed.

    >>> model = build_cnn(seed=0)
    >>> net = FastCNN(model)
    >>> x = np.random.default_rng(1).random((4, 1, 8, 8))
    >>> bool(np.allclose(net.forward(x), model.forward(x)))
    True
    """

    def __init__(self, model):
        self.model = model
        self.conv, self.pool, self.dense = _parts(model, "FastCNN")
        self.k = self.conv.kernel_size[0]
        self.p = self.pool.size[0]
        self._cache = None

    def forward(self, x) -> np.ndarray:
        """Logits ``(N, K)`` for ``x`` ``(N, C, H, W)``; keeps what :meth:`backward` needs."""
        conv, dense, k, p = self.conv, self.dense, self.k, self.p
        w, b = conv.params["w"], conv.params["b"]
        dt = w.dtype
        x = np.asarray(x)
        if x.ndim != 4 or x.shape[1] != conv.in_channels:
            raise ValueError(f"FastCNN.forward: x must have shape (N, C, H, W) with "
                             f"C={conv.in_channels}; got {describe(x)}")
        if x.dtype != dt:
            x = x.astype(dt)
        N, C, H, W = x.shape
        Ho, Wo = H // p, W // p
        F = w.shape[0]
        if F * Ho * Wo != dense.in_features:
            raise ValueError(f"FastCNN.forward: images of {H}x{W} give {F * Ho * Wo} features; "
                             f"the dense layer reads {dense.in_features}")
        r = k // 2
        Hp, Wp = H + 2 * r, W + 2 * r
        xp = np.zeros((N, C, Hp, Wp), dtype=dt)
        xp[:, :, r:r + H, r:r + W] = x
        # im2col by one gather: rows (n, i, j), columns (c, u, v) as in w.reshape(F, -1)
        cols = np.take(xp.reshape(N, -1), self._gather(C, H, W, Hp, Wp), axis=1)
        cols = cols.reshape(N * H * W, C * k * k)
        z = cols @ w.reshape(F, -1).T                                      # (N*H*W, F)
        z += b
        a = np.maximum(z, 0).reshape(N, Ho, p, Wo, p, F)
        # max pool: the p*p window members are strided views; keep the first maximum
        pooled = a[:, :, 0, :, 0].copy()                                   # (N, Ho, Wo, F)
        for u in range(p):
            for v in range(p):
                if u or v:
                    np.maximum(pooled, a[:, :, u, :, v], out=pooled)
        feat = np.ascontiguousarray(pooled.transpose(0, 3, 1, 2)).reshape(N, -1)  # Flatten order
        logits = feat @ dense.params["w"].T
        if "b" in dense.params:
            logits += dense.params["b"]
        self._cache = (cols, z, a, pooled, feat, (N, H, W, Ho, Wo, F))
        return logits

    def _gather(self, C, H, W, Hp, Wp):
        key = (C, H, W)
        if getattr(self, "_gather_key", None) != key:
            k = self.k
            i, j = np.arange(H)[:, None], np.arange(W)[None, :]
            c, u, v = np.meshgrid(np.arange(C), np.arange(k), np.arange(k), indexing="ij")
            idx = (c.ravel()[None, None, :] * (Hp * Wp)
                   + (i[..., None] + u.ravel()) * Wp + (j[..., None] + v.ravel()))
            self._gather_idx = idx.reshape(-1)
            self._gather_key = key
        return self._gather_idx

    __call__ = forward

    def backward(self, dlogits, *, keep: bool = False):
        """Fill the layers' ``grads`` from ``dlogits`` ``(N, K)``.

        Returns ``None``, or with ``keep=True`` the intermediate gradients as a dict:
        ``"features"`` (the dense layer's input, ``(N, D)``), ``"feature_maps"`` (the
        conv output before ReLU, ``(N, F, H, W)``).
        """
        if self._cache is None:
            raise RuntimeError("FastCNN.backward: call forward first")
        cols, z, a, pooled, feat, (N, H, W, Ho, Wo, F) = self._cache
        conv, dense, p = self.conv, self.dense, self.p
        dt = z.dtype
        dlogits = np.asarray(dlogits, dtype=dt)
        if dlogits.shape != (N, dense.out_features):
            raise ValueError(f"FastCNN.backward: dlogits must have shape {(N, dense.out_features)}; "
                             f"got {describe(dlogits)}")
        dense.grads["w"][...] = dlogits.T @ feat
        if "b" in dense.params:
            dense.grads["b"][...] = dlogits.sum(axis=0)
        dfeat = dlogits @ dense.params["w"]                                # (N, D)
        dpooled = dfeat.reshape(N, F, Ho, Wo).transpose(0, 2, 3, 1)        # (N, Ho, Wo, F)
        # each window's gradient goes to its first maximum (row-major), as MaxPool2D
        dz = np.zeros((N, Ho, p, Wo, p, F), dtype=dt)
        taken = np.zeros(pooled.shape, dtype=bool)
        for u in range(p):
            for v in range(p):
                hit = a[:, :, u, :, v] == pooled
                if u or v:
                    hit &= ~taken
                taken |= hit
                np.multiply(dpooled, hit, out=dz[:, :, u, :, v])
        dz = dz.reshape(N * H * W, F)
        dz *= z > 0
        conv.grads["w"][...] = (dz.T @ cols).reshape(conv.params["w"].shape)
        conv.grads["b"][...] = dz.sum(axis=0)
        if keep:
            return {"features": dfeat,
                    "feature_maps": dz.reshape(N, H, W, F).transpose(0, 3, 1, 2).copy()}
        return None


def _loss(logits, labels):
    """Mean softmax cross-entropy and its gradient (as :func:`cnnedu.losses.softmax_cross_entropy`)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(np.mean(np.log(s[:, 0]) - shifted[rows, labels]))
    d = e / s
    d[rows, labels] -= 1
    d /= len(labels)
    return loss, d


def evaluate_fast(net: FastCNN, x, y, batch_size: int = 512) -> tuple[float, float]:
    """Mean loss and accuracy of the network on ``(x, y)`` (no training)."""
    total, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        logits = net.forward(x[i:i + batch_size])
        yb = y[i:i + batch_size]
        total += _loss(logits, yb)[0] * len(yb)
        correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))
    return total / len(x), correct / len(x)


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
        Of :class:`cnnedu.optim.SGD`.
    batch_size : int
    seed : int
        Draws the initial weights (``build_cnn(seed=seed)``) and, from a separate
        generator ``default_rng(seed)``, one permutation of the samples per epoch: the
        batch order of ``cnnedu.optim.fit(..., seed=seed)``.
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

    >>> from cnnedu.synthetic import make_bars
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
        Told after every epoch (e.g. :class:`cnnedu.progress.Progress`), and closed at
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


@dataclass
class GradientLevel:
    """One level of :func:`gradient_chain`: what it is, its gradient and the gradient's norm."""

    name: str
    question: str
    shape: tuple
    grad: np.ndarray

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.grad))


def gradient_chain(model, x, y) -> tuple[float, list[GradientLevel]]:
    """Follow one batch's gradient from the loss back to the filters (one backward pass).

    The levels answer the backward questions in order: how does the loss change with the
    class scores; which features (the pooled maps the dense layer reads) would lower it;
    which feature maps (conv outputs, before ReLU); which filter weights and biases make
    those maps. Nothing is updated.

    Returns
    -------
    loss : float
    levels : list of GradientLevel
        ``"scores"`` (N, K), ``"features"`` (N, D), ``"feature maps"`` (N, F, H, W),
        ``"filter weights"`` (F, C, k, k), ``"filter biases"`` (F,), and the dense
        layer's ``"dense weights"`` (K, D).
    """
    net = FastCNN(model)
    x, y = _check_data(x, y, "batch", "gradient_chain")
    saved = {k: g.copy() for k, g in model.grads.items()}
    logits = net.forward(x)
    loss, dlogits = _loss(logits, y)
    inner = net.backward(dlogits, keep=True)
    conv, dense = model[0], model[4]
    levels = [
        GradientLevel("scores", "how can I lower the loss? change the class scores", dlogits.shape, dlogits),
        GradientLevel("features", "which features would do it?", inner["features"].shape, inner["features"]),
        GradientLevel("feature maps", "which conv outputs make those features?",
                      inner["feature_maps"].shape, inner["feature_maps"]),
        GradientLevel("filter weights", "which filter weights make those maps?",
                      conv.grads["w"].shape, conv.grads["w"].copy()),
        GradientLevel("filter biases", "and which biases?", conv.grads["b"].shape, conv.grads["b"].copy()),
        GradientLevel("dense weights", "(the dense layer's own weights)", dense.grads["w"].shape,
                      dense.grads["w"].copy()),
    ]
    for layer_i, layer in enumerate(model):  # leave the model's gradients as they were
        for k in layer.grads:
            layer.grads[k][...] = saved[f"{layer_i}.{k}"]
    return loss, levels


def filter_spread(w) -> float:
    """The largest difference between any filter and the first: ``max |w[f] - w[0]|``.

    0 means every filter is the same filter. Works on weights ``(F, C, k, k)`` and on their
    gradients.

    >>> filter_spread(np.ones((4, 1, 3, 3)))
    0.0
    """
    w = as_float_array(w, "w", "filter_spread")
    if w.ndim < 2 or w.shape[0] < 1:
        raise ValueError(f"filter_spread: w must have shape (F, C, kh, kw); got {describe(w)}")
    return float(np.max(np.abs(w - w[:1])))


def feature_maps(model, image) -> np.ndarray:
    """The conv layer's maps after ReLU for one image ``(C, H, W)`` (or ``(H, W)``): ``(F, H, W)``."""
    img = as_float_array(image, "image", "feature_maps")
    if img.ndim == 2:
        img = img[None]
    if img.ndim != 3:
        raise ValueError(f"feature_maps: image must have shape (C, H, W) or (H, W); got {describe(img)}")
    conv = _parts(model, "feature_maps")[0]
    return np.maximum(conv.forward(img[None].astype(conv.params["w"].dtype)), 0)[0]
