r"""A small trainable conv stack (stride 1, valid), with or without an activation between
the layers: weights, forward, backward, full-batch Adam, dead filters.

The public face is :mod:`cnnedu.topics.nonlinear` (import from there).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu.nn import activations as _activations
from cnnedu.nn import init as _init
from cnnedu._validate import as_float_array, check_choice, check_ndim, integer, real
from cnnedu.nn.conv import conv2d, conv2d_backward

__all__ = ["init_stack", "stack_forward", "stack_backward", "dead_fraction",
           "TrainResult", "train_stack"]


def init_stack(channels=(1, 4, 4, 1), *, kernel_size: int = 3, seed: int = 0,
               hidden_bias: float = 0.0, scheme: str = "he_normal"):
    """Weights for a conv stack: a list of ``(w, b)``, ``w`` of shape (F, C, k, k).

    Parameters
    ----------
    channels : sequence of int
        ``(C_0, F_1, F_2, ..., F_last)``.
    hidden_bias : float
        The starting bias of every layer but the last (a large negative value kills ReLUs).
    scheme : str
        A weight initializer of :mod:`cnnedu.nn.init` (``"he_normal"``, ``"glorot_normal"``, ...).

    >>> [w.shape for w, b in init_stack((1, 4, 1))]
    [(4, 1, 3, 3), (1, 4, 3, 3)]
    """
    func = "init_stack"
    if not isinstance(channels, (list, tuple)) or len(channels) < 2:
        raise ValueError(f"{func}: channels must list at least (C_in, F_out); got {channels!r}")
    chans = [integer(c, "channels", func, minimum=1) for c in channels]
    k = integer(kernel_size, "kernel_size", func, minimum=1)
    hb = real(hidden_bias, "hidden_bias", func)
    make = _init.get(scheme)
    rng = np.random.default_rng(seed)
    layers = []
    for i, (c, f) in enumerate(zip(chans[:-1], chans[1:])):
        b = np.full(f, hb if i < len(chans) - 2 else 0.0)
        layers.append((make((f, c, k, k), rng), b))
    return layers


def stack_forward(x, layers, activation: str = "relu", **params):
    """Run a conv stack (stride 1, valid) and keep what the backward pass needs.

    Returns ``y`` of shape (N, F_last, H_out, W_out) and a cache: the input of each layer
    and the pre-activations ``z`` of each hidden layer.
    """
    act = _activations.get(activation, **params)
    inputs, pres = [], []
    for i, (w, b) in enumerate(layers):
        inputs.append(x)
        x = conv2d(x, w, b)
        if i < len(layers) - 1:
            pres.append(x)
            x = act.forward(x)
    return x, (inputs, pres, act)


def stack_backward(dy, layers, cache):
    """Gradients ``[(dw, db), ...]`` of a stack from ``dy`` (the loss gradient at the output).

    Checked against central differences in the tests (``cnnedu.nn.gradcheck``).
    """
    inputs, pres, act = cache
    grads = [None] * len(layers)
    for i in range(len(layers) - 1, -1, -1):
        w, _ = layers[i]
        dx, dw, db = conv2d_backward(dy, inputs[i], w)
        grads[i] = (dw, db)
        if i:
            dy = dx * act.grad(pres[i - 1])
    return grads


def dead_fraction(pre) -> float:
    """Fraction of filters whose ReLU never opens: ``pre <= 0`` at every position of every
    image of the batch, so they output 0 and pass no gradient (a "dead ReLU").

    Parameters
    ----------
    pre : ndarray, shape (N, F, H, W)
        Pre-activations of one layer on a batch.

    >>> pre = np.array([[[[-1.0, 2.0]], [[-3.0, 0.0]]]])   # filter 1 never opens
    >>> dead_fraction(pre)
    0.5
    """
    z = as_float_array(pre, "pre", "dead_fraction")
    check_ndim(z, 4, "pre", "dead_fraction", "(N, F, H, W)")
    if z.shape[1] == 0:
        raise ValueError(f"dead_fraction: pre must have at least one filter; got {z.shape}")
    return float(np.mean(np.all(z <= 0, axis=(0, 2, 3))))


@dataclass
class TrainResult:
    """What :func:`train_stack` returns.

    Attributes
    ----------
    layers : list of (w, b)
        The trained weights (new arrays; the starting ones are untouched).
    losses : ndarray, shape (steps + 1,)
        Mean squared error before each step, and after the last.
    dead : ndarray, shape (steps + 1,)
        :func:`dead_fraction` over all hidden filters, at the same moments.
    """

    layers: list
    losses: np.ndarray
    dead: np.ndarray


def train_stack(x, target, layers, activation: str = "relu", *, steps: int = 300,
                lr: float = 0.01, **params) -> TrainResult:
    r"""Train a conv stack on ``(x, target)`` by full-batch Adam on the mean squared error.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    target : ndarray, shape of the stack's output
    layers : list of (w, b)
        The starting weights (e.g. :func:`init_stack`); copied, not changed.
    activation : str
        Between the layers: ``"identity"`` for a linear stack, ``"relu"``, ...
    steps : int
    lr : float
        Adam's step size (:math:`\beta_1 = 0.9, \beta_2 = 0.999, \epsilon = 10^{-8}`).

    Returns
    -------
    TrainResult

    Notes
    -----
    Deterministic: no random draw (full batch), so the same inputs give the same curve.
    """
    func = "train_stack"
    x = as_float_array(x, "x", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    t = as_float_array(target, "target", func)
    steps = integer(steps, "steps", func, minimum=0)
    lr = real(lr, "lr", func, minimum=0)
    check_choice(activation, _activations.NAMES, "activation", func)
    params_ = [[np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)]
               for w, b in layers]
    y, _ = stack_forward(x, params_, activation, **params)
    if y.shape != t.shape:
        raise ValueError(f"{func}: target must have the stack's output shape {y.shape}; "
                         f"got {t.shape}")
    m = [[np.zeros_like(p) for p in layer] for layer in params_]
    v = [[np.zeros_like(p) for p in layer] for layer in params_]
    losses, dead = [], []
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(steps + 1):
        y, cache = stack_forward(x, params_, activation, **params)
        diff = y - t
        losses.append(float(np.mean(diff ** 2)))
        pres = cache[1]
        dead.append(float(np.mean(np.concatenate(
            [np.all(z <= 0, axis=(0, 2, 3)) for z in pres]))) if pres else 0.0)
        if step == steps:
            break
        grads = stack_backward(2.0 * diff / diff.size, params_, cache)
        for layer, g, ml, vl in zip(params_, grads, m, v):
            for j in range(2):
                ml[j] = b1 * ml[j] + (1 - b1) * g[j]
                vl[j] = b2 * vl[j] + (1 - b2) * g[j] ** 2
                mhat = ml[j] / (1 - b1 ** (step + 1))
                vhat = vl[j] / (1 - b2 ** (step + 1))
                layer[j] -= lr * mhat / (np.sqrt(vhat) + eps)
    return TrainResult([tuple(l) for l in params_], np.array(losses), np.array(dead))
