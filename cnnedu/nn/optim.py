r"""Training: stochastic gradient descent with momentum, and the loop around it.

:class:`SGD` follows PyTorch's ``torch.optim.SGD`` exactly (without dampening or
Nesterov). :func:`fit` trains a model for some epochs on shuffled mini-batches (a seeded
shuffle, so a run is reproducible) and returns the per-epoch history; :func:`accuracy`
and :func:`evaluate` score a model. All of them work on any model with ``forward``,
``backward`` and ``parameters()`` (a :class:`cnnedu.nn.layers.Sequential`).

>>> from cnnedu.nn.layers import Sequential, Flatten, Dense
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(64, 1, 2, 2))
>>> y = (x[:, 0, 0, 0] > 0).astype(int)          # class = sign of one pixel
>>> model = Sequential(Flatten(), Dense(4, 2, rng=rng))
>>> history = fit(model, x, y, epochs=20, batch_size=16, lr=0.1)
>>> history["loss"][-1] < history["loss"][0], accuracy(model, x, y) > 0.9
(True, True)
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, as_rng, check_callable, describe, integer, real
from cnnedu.nn.losses import check_labels, softmax_cross_entropy

__all__ = ["SGD", "train_epoch", "fit", "accuracy", "evaluate"]


#: Keywords of :func:`cnnedu._validate.integer` for a batch size or an epoch count.
_POSITIVE = dict(minimum=1, expected="a positive integer")


class SGD:
    r"""Stochastic gradient descent with momentum (PyTorch's update rule).

    Parameters
    ----------
    model
        Anything with ``parameters()`` returning ``[(name, param, grad), ...]``: a layer
        or a :class:`~cnnedu.nn.layers.Sequential`. The parameters are looked up at every
        :meth:`step` and updated in place.
    lr : float
        Learning rate :math:`\eta`.
    momentum : float
        :math:`\mu` (0 for plain SGD).
    weight_decay : float
        :math:`\lambda`, an L2 penalty added to the gradient.

    Notes
    -----
    For each parameter :math:`p` with gradient :math:`g`, and a velocity :math:`v` that
    starts at 0:

    .. math::

        g &\leftarrow g + \lambda\, p \\
        v &\leftarrow \mu\, v + g \\
        p &\leftarrow p - \eta\, v

    (Some texts write :math:`v \leftarrow \mu v - \eta g,\ p \leftarrow p + v`; with a
    constant :math:`\eta` it is the same update.)

    >>> from cnnedu.nn.layers import Dense
    >>> layer = Dense(1, 1, bias=False, init="ones")
    >>> opt = SGD(layer, lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     layer.grads["w"][...] = 1.0        # pretend backward gave g = 1
    ...     opt.step()
    >>> print(np.round(layer.params["w"], 4))   # 1 - 0.1*1 - 0.1*(0.9 + 1)
    [[0.71]]
    """

    def __init__(self, model, lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 0.0):
        if not hasattr(model, "parameters"):
            raise TypeError(f"SGD: model must have parameters() (a layer or Sequential); "
                            f"got {describe(model)}")
        self.model = model
        self.lr = real(lr, "lr", "SGD", minimum=0, strict=True)
        self.momentum = real(momentum, "momentum", "SGD", minimum=0)
        self.weight_decay = real(weight_decay, "weight_decay", "SGD", minimum=0)
        self.velocity: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        wd = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g}{wd})"

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for name, p, g in self.model.parameters():
            if wd:
                g = g + wd * p
            if mu:
                v = self.velocity.get(name)
                if v is None or v.shape != p.shape or v.dtype != p.dtype:
                    v = self.velocity[name] = np.array(g, dtype=p.dtype)  # mu * 0 + g
                else:
                    v *= mu
                    v += g
                g = v
            p -= lr * g

    def zero_grad(self) -> None:
        """Set every gradient to 0 (backward overwrites them anyway)."""
        for _, _, g in self.model.parameters():
            g.fill(0)


def _check_xy(x, y, func: str):
    x = as_float_array(x, "x", func)
    if x.ndim < 2:
        raise ValueError(f"{func}: x must have shape (N, ...); got {describe(x)}")
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"{func}: y must be a 1-D array of integer labels, shape (N,) = "
                         f"({x.shape[0]},); got {describe(y)}")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"{func}: x and y must have the same length N; got x of shape "
                         f"{x.shape} and {y.shape[0]} labels")
    return x, y


def train_epoch(model, x, y, optimizer, *, batch_size: int = 32, rng=None,
                loss=softmax_cross_entropy, epoch: int = 0, on_step=None):
    """One pass over ``(x, y)`` in shuffled mini-batches: forward, loss, backward, step.

    Parameters
    ----------
    model : Sequential
    x : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)
    optimizer : SGD
    batch_size : int
        The last batch is smaller when it does not divide ``N``.
    rng : numpy.random.Generator or int, optional
        Shuffles the samples; ``None`` keeps their order.
    loss : callable
        ``loss(logits, labels) -> (loss, dlogits)``.
    epoch : int
        Passed on to ``on_step``.
    on_step : callable, optional
        ``on_step(epoch, step, loss)`` after each optimizer step.

    Returns
    -------
    loss : float
        Mean loss over the samples of the epoch.
    accuracy : float
        Fraction of samples classified correctly by the model *as it was when it saw
        them* (the weights change during the epoch).
    """
    func = "train_epoch"
    x, y = _check_xy(x, y, func)
    batch_size = integer(batch_size, "batch_size", func, **_POSITIVE)
    _check_hooks(func, loss=loss, on_step=on_step)
    if not hasattr(optimizer, "step"):
        raise TypeError(f"{func}: optimizer must have a step() method (an SGD); "
                        f"got {describe(optimizer)}")
    n = x.shape[0]
    order = np.arange(n) if rng is None else as_rng(rng, "rng", func).permutation(n)
    total_loss = 0.0
    correct = 0
    for step, start in enumerate(range(0, n, batch_size)):
        idx = order[start:start + batch_size]
        xb, yb = x[idx], y[idx]
        logits = model.forward(xb)
        value, dlogits = _loss_result(loss(logits, yb), logits.shape, func)
        model.backward(dlogits)
        optimizer.step()
        total_loss += value * len(idx)
        correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))
        if on_step is not None:
            on_step(epoch, step, value)
    return total_loss / n, correct / n


def fit(model, x, y, *, epochs: int = 10, batch_size: int = 32, lr: float = 0.1,
        momentum: float = 0.9, optimizer=None, seed=0, validation=None,
        loss=softmax_cross_entropy, on_step=None, on_epoch=None) -> dict[str, list]:
    """Train ``model`` on ``(x, y)`` for ``epochs`` epochs of shuffled mini-batches.

    Parameters
    ----------
    model : Sequential
    x : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)
    epochs, batch_size : int
    lr, momentum : float
        For the default optimizer, ``SGD(model, lr, momentum)``.
    optimizer : SGD, optional
        Use this one instead (``lr`` and ``momentum`` are then ignored).
    seed : int >= 0 or numpy.random.Generator
        Seeds the shuffling: the same seed and initial weights give the same run.
    validation : (x_val, y_val), optional
        Scored with :func:`evaluate` after every epoch.
    loss : callable
        ``loss(logits, labels) -> (loss, dlogits)``.
    on_step : callable, optional
        ``on_step(epoch, step, loss)`` after each optimizer step.
    on_epoch : callable, optional
        ``on_epoch(epoch, history)`` after each epoch (e.g. to snapshot the filters).

    Returns
    -------
    history : dict of lists, one entry per epoch
        ``"loss"`` and ``"accuracy"`` (training, see :func:`train_epoch`), and
        ``"val_loss"`` and ``"val_accuracy"`` when ``validation`` is given.
    """
    func = "fit"
    x, y = _check_xy(x, y, func)
    epochs = integer(epochs, "epochs", func, **_POSITIVE)
    batch_size = integer(batch_size, "batch_size", func, **_POSITIVE)
    _check_hooks(func, loss=loss, on_step=on_step, on_epoch=on_epoch)
    if optimizer is None:
        optimizer = SGD(model, lr=lr, momentum=momentum)
    rng = as_rng(seed, "seed", func, allow_none=False)
    history: dict[str, list] = {"loss": [], "accuracy": []}
    if validation is not None:
        x_val, y_val = _check_xy(*validation, "fit (validation)")
        history["val_loss"], history["val_accuracy"] = [], []
    for epoch in range(epochs):
        l, a = train_epoch(model, x, y, optimizer, batch_size=batch_size, rng=rng,
                           loss=loss, epoch=epoch, on_step=on_step)
        history["loss"].append(l)
        history["accuracy"].append(a)
        if validation is not None:
            vl, va = evaluate(model, x_val, y_val, loss=loss)
            history["val_loss"].append(vl)
            history["val_accuracy"].append(va)
        if on_epoch is not None:
            on_epoch(epoch, history)
    return history


_HOOKS = {"loss": ("loss(logits, labels) -> (loss, dlogits)", 2),
          "on_step": ("on_step(epoch, step, loss)", 3),
          "on_epoch": ("on_epoch(epoch, history)", 2)}


def _check_hooks(func: str, **hooks) -> None:
    """Each hook given (not None) must be callable with its number of arguments."""
    for name, f in hooks.items():
        if f is not None or name == "loss":
            check_callable(f, name, func, *_HOOKS[name])


def _loss_result(result, shape, func: str):
    """``(loss, dlogits)`` from a loss function, checked: a finite-or-inf float and an
    array of the logits' shape."""
    try:
        value, dlogits = result
        value = float(value)
        dlogits = as_float_array(dlogits, "dlogits", func)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: loss must return (loss, dlogits), a number and an array "
                        f"of the logits' shape {shape}; got {describe(result)}") from None
    if dlogits.shape != shape:
        raise ValueError(f"{func}: loss must return dlogits of the logits' shape {shape}; "
                         f"got shape {dlogits.shape}")
    return value, dlogits


def _scores(model, x, batch_size):
    if batch_size is not None:
        batch_size = integer(batch_size, "batch_size", "accuracy", minimum=1,
                             expected="a positive integer or None")
    if batch_size is None or batch_size >= len(x):
        return model.forward(x)
    batch_size = integer(batch_size, "batch_size", "accuracy", **_POSITIVE)
    return np.concatenate([model.forward(x[i:i + batch_size])
                           for i in range(0, len(x), batch_size)])


def evaluate(model, x, y, *, loss=softmax_cross_entropy, batch_size: int | None = 512):
    """Mean loss and accuracy of ``model`` on ``(x, y)`` (no training).

    Returns
    -------
    (loss, accuracy) : (float, float)
    """
    x, y = _check_xy(x, y, "evaluate")
    check_callable(loss, "loss", "evaluate", *_HOOKS["loss"])
    logits = _scores(model, x, batch_size)
    value, _ = _loss_result(loss(logits, y), logits.shape, "evaluate")
    return float(value), float(np.mean(logits.argmax(axis=1) == y))


def accuracy(model, x, y, *, batch_size: int | None = 512) -> float:
    """Fraction of samples whose largest score is the true class.

    Parameters
    ----------
    model : Sequential
    x : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)
    batch_size : int or None
        Forward passes of at most this many samples (``None``: all at once).
    """
    x, y = _check_xy(x, y, "accuracy")
    logits = _scores(model, x, batch_size)
    check_labels(y, logits.shape[0], logits.shape[1], "accuracy")
    return float(np.mean(logits.argmax(axis=1) == y))
