r"""Why a constant start never breaks symmetry: train a small conv layer and watch its filters.

The model is one conv layer of ``F`` filters, a ReLU, and a 1x1 readout that adds the ``F``
maps with weights ``v`` (no bias):

.. math::

    z_f = w_f * x + b_f, \qquad h_f = \mathrm{relu}(z_f), \qquad
    y = \sum_f v_f\, h_f, \qquad L = \tfrac12 \operatorname{mean}\big((y - t)^2\big)

and the gradients every step are

.. math::

    \frac{\partial L}{\partial y} = \frac{y - t}{n}, \quad
    \frac{\partial L}{\partial h_f} = v_f \frac{\partial L}{\partial y}, \quad
    \frac{\partial L}{\partial z_f} = \frac{\partial L}{\partial h_f} \odot \mathrm{relu}'(z_f),

    \frac{\partial L}{\partial w_f} = \frac{\partial L}{\partial z_f} \star x, \quad
    \frac{\partial L}{\partial b_f} = \textstyle\sum \frac{\partial L}{\partial z_f}, \quad
    \frac{\partial L}{\partial v_f} = \textstyle\sum \frac{\partial L}{\partial y} \odot h_f

If all :math:`w_f` are equal, all :math:`b_f` equal and all :math:`v_f` equal, every line
gives the same value for every ``f`` (each filter sees the same input ``x``): the filters
receive identical gradients and stay identical forever.

Exactly 0, not merely small, needs one more thing: identical *arithmetic*. Each filter is
computed by the same code on the same numbers (one :func:`cnnedu.nn.conv.conv2d` call per
filter), so every sum is added in the same order and the difference is exactly 0 on any
CPU and BLAS. All filters in ONE call (one matrix product) need not give that: the BLAS
kernel may sum the rows of an edge tile in another order, and identical filters then
differ by about 1e-15 on some CPUs and by 0 on others (:func:`one_call_difference`).

The default step ``lr = 0.15`` keeps the runs well conditioned: the loss falls
monotonically, and a change of 1e-12 in the start moves the result by less than 1e-11 (at
0.3 the constant run starts to oscillate after about 170 steps and amplifies rounding
noise a billion-fold, so the fourth digit would depend on the CPU).

The task (:func:`edge_task`) asks for the edge strength of a real photograph, a sum of four
rectified edge detectors: filters that differ are needed to fit it.

>>> x, t = edge_task(size=16)
>>> w0, b0, v0 = start("constant", filters=4, value=0.1)
>>> run = train_filters(w0, b0, v0, x, t, steps=20)
>>> print(max_filter_difference(run.w_end), run.w_end.shape)
0.0 (4, 1, 3, 3)
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from cnnedu.nn import activations as _act
from cnnedu.nn import init as _init
from cnnedu._validate import as_float_array, check_choice, describe, integer
from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.data import load_grey_image

__all__ = ["STARTS", "edge_task", "start", "max_filter_difference", "layer_gradients",
           "train_filters", "SymmetryRun", "one_call_difference", "gradient_step", "LR"]

#: The default step of :func:`train_filters` (see the module docstring for why not larger).
LR = 0.15

STARTS = ("constant", "zeros", "random")

# the "teacher": four edge detectors (Sobel), each rectified
_SOBEL = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4.0


def edge_task(size: int = 32, image: str = "camera"):
    r"""A real photograph and the map to learn from it: its rectified edges.

    Returns
    -------
    x : ndarray, shape (1, 1, size, size)
        The grey photograph, standardized (mean 0, std 1).
    t : ndarray, shape (1, 1, size, size)
        :math:`\sum_{k} \mathrm{relu}(s_k * x)` for the four Sobel filters
        :math:`s_k \in \{s, -s, s^\top, -s^\top\}` ("same" padding): :math:`|g_x| + |g_y|`.

    >>> x, t = edge_task(size=16)
    >>> x.shape, t.shape, bool(t.min() >= 0)
    ((1, 1, 16, 16), (1, 1, 16, 16), True)
    """
    x = load_grey_image(image, size=size)[None, None]
    x = (x - x.mean()) / x.std()
    teacher = np.stack([_SOBEL, -_SOBEL, _SOBEL.T, -_SOBEL.T])[:, None]
    t = _act.relu(conv2d(x, teacher, padding=1)).sum(axis=1, keepdims=True)
    return x, t


def start(kind: str, *, filters: int = 4, channels: int = 1, kernel_size: int = 3,
          value: float = 0.1, readout: float = 0.25, seed: int = 0):
    r"""Initial ``(w, b, v)`` for :func:`train_filters`, drawn with :mod:`cnnedu.nn.init`.

    Parameters
    ----------
    kind : ``"constant"``, ``"zeros"`` or ``"random"``
        ``"constant"``: every weight ``value`` (:func:`cnnedu.nn.init.constant`), biases 0,
        readout weights all ``readout``. ``"zeros"``: weights and biases 0
        (:func:`cnnedu.nn.init.zeros`), readout weights all ``readout`` (so the readout
        passes the gradient on). ``"random"``: weights He normal
        (:func:`cnnedu.nn.init.he_normal`), biases 0, readout LeCun normal.

    Returns
    -------
    w : ndarray, shape (filters, channels, k, k)
    b : ndarray, shape (filters,)
    v : ndarray, shape (filters,)

    >>> w, b, v = start("random", filters=3, seed=1)
    >>> w.shape, b.shape, v.shape
    ((3, 1, 3, 3), (3,), (3,))
    """
    check_choice(kind, STARTS, "kind", "start")
    shape = (filters, channels, kernel_size, kernel_size)
    rng = np.random.default_rng(seed)
    if kind == "constant":
        w = _init.constant(shape, value=value)
    elif kind == "zeros":
        w = _init.zeros(shape)
    else:
        w = _init.he_normal(shape, rng)
    b = _init.zeros((filters,))
    if kind == "random":
        v = _init.lecun_normal((1, filters, 1, 1), rng).reshape(filters)
    else:
        v = _init.constant((filters,), value=readout)
    return w, b, v


def max_filter_difference(w) -> float:
    r"""The largest difference between any two filters: :math:`\max_{i<j} \max |w_i - w_j|`.

    Parameters
    ----------
    w : ndarray, shape (F, ...)
        Filters along the first axis (also works for ``b`` or ``v``, shape ``(F,)``).

    Returns
    -------
    float
        0.0 when every filter is identical (or ``F == 1``).

    >>> max_filter_difference(np.array([[1.0, 2.0], [1.0, 2.5], [0.0, 2.0]]))
    1.0
    """
    w = as_float_array(w, "w", "max_filter_difference")
    if w.ndim < 1 or w.shape[0] == 0:
        raise ValueError(f"max_filter_difference: w must have shape (F, ...); got {describe(w)}")
    flat = w.reshape(w.shape[0], -1)
    # max over pairs of |w_i - w_j| per entry = (max - min) per entry
    return float((flat.max(axis=0) - flat.min(axis=0)).max()) if flat.size else 0.0


def _check(w, b, v, x, t, func):
    w = as_float_array(w, "w", func)
    if w.ndim != 4:
        raise ValueError(f"{func}: w must have shape (F, C, kh, kw); got {describe(w)}")
    F, C, kh, kw = w.shape
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"{func}: kernel sizes must be odd ('same' padding); got {(kh, kw)}")
    b = as_float_array(b, "b", func)
    v = as_float_array(v, "v", func)
    if b.shape != (F,) or v.shape != (F,):
        raise ValueError(f"{func}: b and v must have shape (F,) = ({F},); got "
                         f"{b.shape} and {v.shape}")
    x = as_float_array(x, "x", func)
    t = as_float_array(t, "t", func)
    if x.ndim != 4 or x.shape[1] != C:
        raise ValueError(f"{func}: x must have shape (N, C, H, W) with C={C}; got {describe(x)}")
    if t.shape != (x.shape[0], 1, *x.shape[2:]):
        raise ValueError(f"{func}: t must have shape (N, 1, H, W) = "
                         f"{(x.shape[0], 1, *x.shape[2:])}; got {describe(t)}")
    return w, b, v, x, t


def layer_gradients(w, b, v, x, t) -> dict:
    r"""Loss and every gradient of the model for one step (see the module docstring).

    Returns
    -------
    dict with ``loss`` (float), ``z``, ``h``, ``dh``, ``dz`` (N, F, H, W), ``dw``
    (F, C, kh, kw), ``db`` and ``dv`` (F,).

    >>> x, t = edge_task(size=16)
    >>> g = layer_gradients(*start("zeros"), x, t)
    >>> print(float(np.abs(g["dh"]).max()) > 0, float(np.abs(g["dw"]).max()))
    True 0.0
    """
    func = "layer_gradients"
    w, b, v, x, t = _check(w, b, v, x, t, func)
    F = w.shape[0]
    pad = (w.shape[2] // 2, w.shape[3] // 2)
    z = np.concatenate([conv2d(x, w[f:f + 1], b[f:f + 1], padding=pad) for f in range(F)], axis=1)
    h = _act.relu(z)
    y = np.zeros_like(t)
    for f in range(F):
        y += v[f] * h[:, f:f + 1]
    r = y - t
    loss = 0.5 * float(np.mean(r ** 2))
    dy = r / r.size
    dh = np.concatenate([v[f] * dy for f in range(F)], axis=1)
    dz = dh * _act.relu_grad(z)
    dw = np.empty_like(w)
    db = np.empty_like(b)
    dv = np.empty_like(v)
    for f in range(F):
        _, dwf, dbf = conv2d_backward(dz[:, f:f + 1], x, w[f:f + 1], padding=pad)
        dw[f], db[f] = dwf[0], dbf[0]
        dv[f] = np.sum(dy * h[:, f:f + 1])
    return {"loss": loss, "z": z, "h": h, "dh": dh, "dz": dz, "dw": dw, "db": db, "dv": dv}


def gradient_step(w, b, v, x, t, *, lr: float = LR):
    r"""One step of gradient descent on ``w``, ``b`` and ``v``: the new ``(w, b, v)``.

    .. math::

        \theta \leftarrow \theta - \text{lr} \cdot \partial L / \partial \theta

    with the gradients of :func:`layer_gradients`. The inputs are not modified.

    >>> x, t = edge_task(size=16)
    >>> w, b, v = gradient_step(*start("constant"), x, t)
    >>> max_filter_difference(w), w.shape
    (0.0, (4, 1, 3, 3))
    """
    g = layer_gradients(w, b, v, x, t)
    return (np.asarray(w, dtype=float) - lr * g["dw"], np.asarray(b, dtype=float) - lr * g["db"],
            np.asarray(v, dtype=float) - lr * g["dv"])


@dataclass
class SymmetryRun:
    """The outcome of :func:`train_filters`.

    Attributes
    ----------
    w_start, w_end : ndarray, shape (F, C, kh, kw)
    b_end, v_end : ndarray, shape (F,)
    losses : ndarray, shape (steps + 1,)
        The loss before each step and after the last.
    max_grad_difference : float
        The largest :func:`max_filter_difference` of ``dw`` over all steps.
    max_change : float
        :math:`\\max |\\theta_{end} - \\theta_{start}|` over ``w``, ``b`` and ``v``.
    """

    w_start: np.ndarray
    w_end: np.ndarray
    b_end: np.ndarray
    v_end: np.ndarray
    losses: np.ndarray
    max_grad_difference: float
    max_change: float


def train_filters(w0, b0, v0, x, t, *, steps: int = 200, lr: float = LR) -> SymmetryRun:
    r"""Plain gradient descent on ``w``, ``b`` and ``v`` from the given start.

    Raises ``ValueError`` when the loss overflows (``lr`` too large).

    .. math::

        \theta \leftarrow \theta - \text{lr} \cdot \partial L / \partial \theta

    The start arrays are not modified.

    >>> x, t = edge_task(size=16)
    >>> run = train_filters(*start("random", seed=0), x, t, steps=50)
    >>> bool(run.losses[-1] < run.losses[0]), max_filter_difference(run.w_end) > 0
    (True, True)
    """
    func = "train_filters"
    w, b, v, x, t = _check(w0, b0, v0, x, t, func)
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"{func}: steps must be a non-negative integer; got {steps!r}")
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"{func}: lr must be a positive number; got {lr!r}")
    w_start, b_start, v_start = w.copy(), b.copy(), v.copy()
    w, b, v = w.copy(), b.copy(), v.copy()
    losses = []
    grad_diff = 0.0
    for step in range(int(steps)):
        with np.errstate(over="ignore", invalid="ignore"):
            g = layer_gradients(w, b, v, x, t)
        if not np.isfinite(g["loss"]):
            raise ValueError(f"{func}: the loss overflowed at step {step} (lr={lr} is too "
                             "large); try a smaller lr")
        losses.append(g["loss"])
        grad_diff = max(grad_diff, max_filter_difference(g["dw"]))
        w -= lr * g["dw"]
        b -= lr * g["db"]
        v -= lr * g["dv"]
    losses.append(layer_gradients(w, b, v, x, t)["loss"])
    change = max(float(np.abs(w - w_start).max()), float(np.abs(b - b_start).max()),
                 float(np.abs(v - v_start).max()))
    return SymmetryRun(w_start, w, b, v, np.array(losses), grad_diff, change)


def one_call_difference(filters: int = 5, *, channels: int = 8, size: int = 16,
                        seed: int = 0) -> float:
    r"""Identical filters computed in ONE :func:`cnnedu.nn.conv.conv2d` call: how far apart
    their output maps come out.

    ``filters`` copies of one random ``(channels, 3, 3)`` filter are applied to a random
    ``(2, channels, size, size)`` input in a single call (one matrix product). Every
    output map is the same sum of the same products, but the BLAS kernel may add them in
    a different order for different rows, so the answer is 0.0 on some CPUs and about
    1e-15 on others (it depends on the kernel OpenBLAS picks and on ``filters``).

    Returns
    -------
    float
        :func:`max_filter_difference` of the output maps.

    >>> bool(one_call_difference(4) < 1e-12)
    True
    """
    filters = integer(filters, "filters", "one_call_difference", minimum=1, maximum=64)
    rng = np.random.default_rng(seed)
    w = np.repeat(rng.standard_normal((1, channels, 3, 3)), filters, axis=0)
    x = rng.standard_normal((2, channels, size, size))
    y = conv2d(x, w, padding=1)
    return max_filter_difference(y.transpose(1, 0, 2, 3))
