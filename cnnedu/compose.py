r"""Stacked linear layers collapse into one layer: the algebra, for dense nodes and for convolutions.

Dense nodes. ``x1 = m0 x0 + b0`` then ``x2 = m1 x1 + b1`` is ``x2 = (m1 m0) x0 + (m1 b0 + b1)``:
one node with ``M = m1 m0`` and ``B = m1 b0 + b1``. With matrices the same fold works for
any depth (:func:`collapse_dense`).

Convolutions (stride 1, no padding: "valid"). The package's ``conv2d`` is a
cross-correlation. Two correlations in a row are one correlation whose kernel is the *full
convolution* of the two kernels:

.. math::

    \operatorname{corr}(\operatorname{corr}(x, k_1), k_2) = \operatorname{corr}(x, K),
    \qquad K[u] = \sum_a k_1[a]\, k_2[u - a],

of size ``k1 + k2 - 1`` along each axis. With channels, ``w1`` (M, C, k1h, k1w) and ``w2``
(F, M, k2h, k2w), and biases ``b1`` (M,), ``b2`` (F,):

.. math::

    W[o, i] = \sum_m \operatorname{full\_conv}(w_1[m, i], w_2[o, m]), \qquad
    B[o] = b_2[o] + \sum_m b_1[m] \sum_{u, v} w_2[o, m, u, v].

With zero padding the identity holds only away from the border: the second layer pads
the intermediate map with zeros, where the single layer would see the first layer's
response to the padded input (its bias, at least). :func:`padding_difference` shows where.

A non-linearity between the layers breaks the collapse; :func:`best_single_kernel` finds
the best single layer by least squares and reports how much it misses.

>>> import numpy as np
>>> M, B = collapse_dense([2.0, 3.0], [1.0, -4.0])   # x1 = 2 x0 + 1, x2 = 3 x1 - 4
>>> float(M), float(B)
(6.0, -1.0)
>>> print(full_convolve2d(np.array([[1.0, 2.0]]), np.array([[1.0, -1.0]])))
[[ 1.  1. -2.]]
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import activations as _activations
from ._validate import as_float_array, check_ndim, describe, pair, result_dtype
from .conv import conv2d

__all__ = [
    "collapse_dense", "run_dense",
    "full_convolve2d", "compose_conv", "compose_stack", "run_stack",
    "padding_difference", "KernelFit", "best_single_kernel", "collapse_gap",
    "TwoLayerSummary", "two_layer_summary",
]


# ------------------------------------------------------------------------------- dense

def _dense_lists(weights, biases, func):
    if not isinstance(weights, (list, tuple)) or not isinstance(biases, (list, tuple)):
        raise TypeError(f"{func}: weights and biases must be lists (one entry per layer); "
                        f"got {describe(weights)} and {describe(biases)}")
    if len(weights) != len(biases) or not weights:
        raise ValueError(f"{func}: need one bias per weight and at least one layer; got "
                         f"{len(weights)} weights and {len(biases)} biases")
    ms = [as_float_array(m, f"weights[{i}]", func) for i, m in enumerate(weights)]
    bs = [as_float_array(b, f"biases[{i}]", func) for i, b in enumerate(biases)]
    scalar = all(m.ndim == 0 for m in ms) and all(b.ndim == 0 for b in bs)
    if not scalar:
        for i, (m, b) in enumerate(zip(ms, bs)):
            if m.ndim != 2 or b.ndim != 1 or b.shape[0] != m.shape[0]:
                raise ValueError(f"{func}: layer {i} must have m of shape (out, in) and b of "
                                 f"shape (out,); got m {m.shape} and b {b.shape}")
            if i and m.shape[1] != ms[i - 1].shape[0]:
                raise ValueError(f"{func}: layer {i} expects {m.shape[1]} inputs but layer "
                                 f"{i - 1} gives {ms[i - 1].shape[0]} outputs")
    return ms, bs, scalar


def collapse_dense(weights, biases):
    r"""The single affine map ``x -> M x + B`` equal to a stack of affine layers.

    Parameters
    ----------
    weights : list of float or ndarray, shape (out_l, in_l)
        ``m_0, m_1, ...`` in the order the input meets them.
    biases : list of float or ndarray, shape (out_l,)

    Returns
    -------
    M : float array (0-D) or ndarray, shape (out_last, in_0)
    B : float array (0-D) or ndarray, shape (out_last,)

    Notes
    -----
    Folding one layer at a time, from :math:`M = m_0, B = b_0`:

    .. math::

        M \leftarrow m_l M, \qquad B \leftarrow m_l B + b_l

    so for two layers :math:`M = m_1 m_0` and :math:`B = m_1 b_0 + b_1`.

    >>> M, B = collapse_dense([np.eye(2) * 2, np.ones((1, 2))], [np.zeros(2), np.array([1.0])])
    >>> M, B
    (array([[2., 2.]]), array([1.]))
    """
    ms, bs, _ = _dense_lists(weights, biases, "collapse_dense")
    M, B = ms[0], bs[0]
    for m, b in zip(ms[1:], bs[1:]):
        M, B = m @ M if m.ndim else m * M, (m @ B if m.ndim else m * B) + b
    return M, B


def run_dense(weights, biases, x, activation: str = "identity"):
    """Run the affine layers one after the other on ``x``: ``x <- f(m x + b)``.

    ``activation`` (a name from :data:`cnnedu.activations.NAMES`) is applied between the
    layers, not after the last. ``x`` is a scalar, shape (in_0,), or a batch (in_0, N).

    >>> float(run_dense([2.0, 3.0], [1.0, -4.0], 5.0))
    29.0
    """
    ms, bs, scalar = _dense_lists(weights, biases, "run_dense")
    act = _activations.get(activation)
    x = as_float_array(x, "x", "run_dense")
    if not scalar and (x.ndim not in (1, 2) or x.shape[0] != ms[0].shape[1]):
        raise ValueError(f"run_dense: x must have shape ({ms[0].shape[1]},) or "
                         f"({ms[0].shape[1]}, N); got {x.shape}")
    for i, (m, b) in enumerate(zip(ms, bs)):
        x = (m @ x + (b[:, None] if x.ndim == 2 else b)) if m.ndim else m * x + b
        if i < len(ms) - 1:
            x = act.forward(x)
    return x


# ----------------------------------------------------------------------- convolutions

def full_convolve2d(k1, k2):
    r"""Full 2-D convolution of two kernels: the kernel of ``corr(corr(x, k1), k2)``.

    Parameters
    ----------
    k1 : ndarray, shape (h1, w1)
    k2 : ndarray, shape (h2, w2)

    Returns
    -------
    K : ndarray, shape (h1 + h2 - 1, w1 + w2 - 1)

    Notes
    -----
    .. math::

        K[u, v] = \sum_{a, b} k_1[a, b]\, k_2[u - a, v - b]

    (terms with an index outside a kernel are 0). The same as
    ``scipy.signal.convolve2d(k1, k2, mode="full")``; convolution is symmetric, so
    ``full_convolve2d(k1, k2) == full_convolve2d(k2, k1)``.

    >>> full_convolve2d(np.array([[1.0, 1.0]]), np.array([[1.0], [1.0]]))
    array([[1., 1.],
           [1., 1.]])
    """
    a = as_float_array(k1, "k1", "full_convolve2d")
    c = as_float_array(k2, "k2", "full_convolve2d")
    check_ndim(a, 2, "k1", "full_convolve2d", "(h, w)")
    check_ndim(c, 2, "k2", "full_convolve2d", "(h, w)")
    W, _ = compose_conv(a[None, None], None, c[None, None], None)
    return W[0, 0]


def _conv_layer(w, b, name, func):
    w = as_float_array(w, f"w{name}", func)
    check_ndim(w, 4, f"w{name}", func, "(F, C, kh, kw)")
    if min(w.shape) == 0:
        raise ValueError(f"{func}: w{name} must not be empty; got shape {w.shape}")
    if b is None:
        b = np.zeros(w.shape[0], dtype=w.dtype)
    b = as_float_array(b, f"b{name}", func)
    if b.shape != (w.shape[0],):
        raise ValueError(f"{func}: b{name} must have shape (F,) = ({w.shape[0]},) to match "
                         f"w{name} {w.shape}; got {b.shape}")
    return w, b


def compose_conv(w1, b1, w2, b2):
    r"""The single conv layer equal to ``conv2d(conv2d(x, w1, b1), w2, b2)``.

    Both layers have stride 1 and no padding ("valid"); then the identity is exact
    everywhere (see the module notes for padding).

    Parameters
    ----------
    w1 : ndarray, shape (M, C, k1h, k1w)
    b1 : ndarray, shape (M,), or None (zeros)
    w2 : ndarray, shape (F, M, k2h, k2w)
    b2 : ndarray, shape (F,), or None (zeros)

    Returns
    -------
    W : ndarray, shape (F, C, k1h + k2h - 1, k1w + k2w - 1)
    B : ndarray, shape (F,)

    Notes
    -----
    .. math::

        W[o, i, u, v] &= \sum_m \sum_{a, b} w_1[m, i, a, b]\; w_2[o, m, u - a, v - b] \\
        B[o] &= b_2[o] + \sum_m b_1[m] \sum_{p, q} w_2[o, m, p, q]

    Computed tap by tap of ``w2``: each tap ``(p, q)`` adds the channel mix
    ``w2[:, :, p, q] @ w1`` into the window of ``W`` that starts at ``(p, q)``.

    >>> rng = np.random.default_rng(0)
    >>> w1, w2 = rng.normal(size=(4, 3, 3, 3)), rng.normal(size=(2, 4, 5, 5))
    >>> W, B = compose_conv(w1, np.ones(4), w2, np.zeros(2))
    >>> W.shape, B.shape
    ((2, 3, 7, 7), (2,))
    >>> x = rng.normal(size=(1, 3, 12, 12))
    >>> two = conv2d(conv2d(x, w1, np.ones(4)), w2, np.zeros(2))
    >>> bool(np.abs(two - conv2d(x, W, B)).max() < 1e-12)
    True
    """
    func = "compose_conv"
    w1, b1 = _conv_layer(w1, b1, "1", func)
    w2, b2 = _conv_layer(w2, b2, "2", func)
    if w2.shape[1] != w1.shape[0]:
        raise ValueError(f"{func}: w2 must have shape (F, M, kh, kw) with M = {w1.shape[0]} "
                         f"(the filters of w1 {w1.shape}); got w2 {w2.shape}")
    dtype = result_dtype(w1, w2)
    M, C, h1, v1 = w1.shape
    F, _, h2, v2 = w2.shape
    W = np.zeros((F, C, h1 + h2 - 1, v1 + v2 - 1), dtype=np.float64)
    flat1 = w1.reshape(M, -1).astype(np.float64)
    for p in range(h2):
        for q in range(v2):
            W[:, :, p:p + h1, q:q + v1] += (w2[:, :, p, q].astype(np.float64) @ flat1
                                            ).reshape(F, C, h1, v1)
    B = b2.astype(np.float64) + w2.sum(axis=(2, 3)).astype(np.float64) @ b1.astype(np.float64)
    return W.astype(dtype, copy=False), B.astype(dtype, copy=False)


def _stack(layers, func):
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(f"{func}: layers must be a non-empty list of (w, b) pairs; "
                         f"got {describe(layers)}")
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            raise ValueError(f"{func}: layers[{i}] must be a (w, b) pair; got {describe(layer)}")
        out.append(_conv_layer(layer[0], layer[1], f" of layer {i}", func))
    for i in range(1, len(out)):
        if out[i][0].shape[1] != out[i - 1][0].shape[0]:
            raise ValueError(f"{func}: layer {i} expects {out[i][0].shape[1]} input channels "
                             f"but layer {i - 1} gives {out[i - 1][0].shape[0]}")
    return out


def compose_stack(layers):
    """The single conv layer ``(W, B)`` equal to a stack of linear conv layers (stride 1, valid).

    Parameters
    ----------
    layers : list of (w, b)
        ``w`` of shape (F_l, C_l, kh_l, kw_l), ``b`` of shape (F_l,) or None, in the order
        the input meets them.

    Returns
    -------
    W : ndarray, shape (F_last, C_0, 1 + sum(kh_l - 1), 1 + sum(kw_l - 1))
    B : ndarray, shape (F_last,)

    Folds :func:`compose_conv` from the first layer on.

    >>> ones = np.ones((1, 1, 3, 3))
    >>> W, B = compose_stack([(ones, None)] * 3)
    >>> W.shape, float(W.max())   # three 3x3 box filters are one 7x7 filter
    ((1, 1, 7, 7), 49.0)
    """
    stack = _stack(layers, "compose_stack")
    W, B = stack[0]
    for w, b in stack[1:]:
        W, B = compose_conv(W, B, w, b)
    return W, B


def run_stack(x, layers, activation: str = "identity", *, padding=0, **params):
    """Run the conv layers one after the other: ``x <- f(conv2d(x, w, b))``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    layers : list of (w, b)
    activation : str
        A name from :data:`cnnedu.activations.NAMES`, applied between the layers (not after
        the last); ``params`` go to :func:`cnnedu.activations.get` (``alpha``).
    padding : int
        The zero padding of every layer (stride is always 1).

    Returns
    -------
    y : ndarray, shape (N, F_last, H_out, W_out)

    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> run_stack(x, [(np.ones((1, 1, 2, 2)), None), (np.ones((1, 1, 2, 2)), np.array([1.0]))])
    array([[[[ 81.,  97.],
             [145., 161.]]]])
    """
    stack = _stack(layers, "run_stack")
    act = _activations.get(activation, **params)
    for i, (w, b) in enumerate(stack):
        x = conv2d(x, w, b, padding=padding)
        if i < len(stack) - 1:
            x = act.forward(x)
    return x


def padding_difference(x, layers, padding: int = 1):
    """Where zero padding breaks the collapse: |stack - single layer|, shape (N, F, H_out, W_out).

    The stack pads every layer by ``padding``; the single layer (:func:`compose_stack`)
    pads the input by ``padding * len(layers)`` so the output sizes agree. Away from a
    border ring of width ``padding * (len(layers) - 1)`` the two agree to rounding.

    >>> x = np.ones((1, 1, 6, 6))
    >>> d = padding_difference(x, [(np.ones((1, 1, 3, 3)), None)] * 2)
    >>> d.shape, float(d[0, 0, 3, 3]), bool(d[0, 0, 0, 0] > 0)
    ((1, 1, 6, 6), 0.0, True)
    """
    stack = _stack(layers, "padding_difference")
    p = pair(padding, "padding", "padding_difference", minimum=0)[0]
    W, B = compose_stack(stack)
    return np.abs(run_stack(x, stack, padding=p) - conv2d(x, W, B, padding=p * len(stack)))


# ------------------------------------------------------------------ best single kernel

@dataclass(frozen=True)
class KernelFit:
    """The best single conv layer for a target, by least squares.

    Attributes
    ----------
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,)
    prediction : ndarray, shape (N, F, H_out, W_out)
        ``conv2d(x, w, b)``.
    mse : float
        Mean squared error of the prediction.
    unexplained : float
        ``mse / variance of the target``: 0 is a perfect fit, 1 is no better than
        predicting the mean (the fraction of the target's variance the layer misses).
    """

    w: np.ndarray
    b: np.ndarray
    prediction: np.ndarray
    mse: float
    unexplained: float


def best_single_kernel(x, target, kernel_size) -> KernelFit:
    r"""The single conv layer (stride 1, valid) closest to ``target`` in mean squared error.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    target : ndarray, shape (N, F, H - kh + 1, W - kw + 1)
    kernel_size : int or (kh, kw)

    Returns
    -------
    KernelFit

    Notes
    -----
    Every output value is a linear function of one window plus the bias, so the best
    ``(w, b)`` solves one linear least-squares problem,

    .. math::

        \min_{w, b} \sum_{n, i, j} \big(\langle w, x_{n, :, i:i+kh, j:j+kw} \rangle + b
        - t_{n, i, j}\big)^2,

    for every output channel at once: the window matrix :math:`A` (one row per output
    position, one column per weight, and a column of ones for the bias) gives the normal
    equations :math:`A^\top A\, \theta = A^\top t`, a small system. No linear conv stack whose combined kernel has this size can do
    better on this data: its loss is at least ``mse``.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 1, 10, 10))
    >>> w = rng.normal(size=(1, 1, 3, 3))
    >>> fit = best_single_kernel(x, conv2d(x, w, np.array([0.5])), 3)
    >>> bool(np.allclose(fit.w, w)), round(float(fit.b[0]), 6), fit.mse < 1e-20
    (True, 0.5, True)
    """
    func = "best_single_kernel"
    x = as_float_array(x, "x", func)
    t = as_float_array(target, "target", func)
    check_ndim(x, 4, "x", func, "(N, C, H, W)")
    check_ndim(t, 4, "target", func, "(N, F, H_out, W_out)")
    kh, kw = pair(kernel_size, "kernel_size", func)
    N, C, H, W = x.shape
    if kh > H or kw > W:
        raise ValueError(f"{func}: kernel_size ({kh}, {kw}) is larger than x's map ({H}, {W})")
    Ho, Wo = H - kh + 1, W - kw + 1
    if t.shape[0] != N or t.shape[2:] != (Ho, Wo) or t.shape[1] < 1:
        raise ValueError(f"{func}: target must have shape (N, F, H - kh + 1, W - kw + 1) = "
                         f"({N}, F, {Ho}, {Wo}) for x {x.shape} and kernel ({kh}, {kw}); "
                         f"got {t.shape}")
    F = t.shape[1]
    win = sliding_window_view(x.astype(np.float64), (kh, kw), axis=(2, 3))  # N C Ho Wo kh kw
    P = win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, C * kh * kw)  # one row per position
    Y = t.astype(np.float64).transpose(0, 2, 3, 1).reshape(-1, F)
    # the normal equations of [P, 1] (A^T A) theta = A^T Y: a small (D+1)x(D+1) system,
    # solved by lstsq so a rank-deficient window matrix (a flat image) still gets an answer
    D = P.shape[1]
    gram = np.empty((D + 1, D + 1))
    gram[:D, :D] = P.T @ P
    gram[:D, D] = gram[D, :D] = P.sum(axis=0)
    gram[D, D] = P.shape[0]
    rhs = np.vstack([P.T @ Y, Y.sum(axis=0, keepdims=True)])
    coef = np.linalg.lstsq(gram, rhs, rcond=None)[0]
    w = coef[:-1].T.reshape(F, C, kh, kw)
    b = coef[-1].copy()
    pred = conv2d(x.astype(np.float64), w, b)
    mse = float(np.mean((pred - t) ** 2))
    var = float(np.var(t))
    unexplained = mse / var if var > 0 else (0.0 if mse == 0 else float("inf"))
    return KernelFit(w, b, pred, mse, unexplained)


def collapse_gap(x, layers, activation: str = "relu", **params) -> KernelFit:
    """How far a stack with ``activation`` between its layers is from any single layer.

    Runs the stack (valid, stride 1) on ``x`` and fits the best single kernel of the
    combined size (:func:`best_single_kernel`). With ``"identity"`` the fit is exact (the
    collapse); with a non-linearity, ``unexplained`` is what no single layer can reach.

    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=(1, 1, 16, 16))
    >>> layers = [(rng.normal(size=(2, 1, 3, 3)), None), (rng.normal(size=(1, 2, 3, 3)), None)]
    >>> collapse_gap(x, layers, "identity").unexplained < 1e-20
    True
    >>> round(collapse_gap(x, layers, "relu").unexplained, 2) > 0.05
    True
    """
    stack = _stack(layers, "collapse_gap")
    y = run_stack(x, stack, activation, **params)
    kh = 1 + sum(w.shape[2] - 1 for w, _ in stack)
    kw = 1 + sum(w.shape[3] - 1 for w, _ in stack)
    return best_single_kernel(x, y, (kh, kw))


@dataclass(frozen=True)
class TwoLayerSummary:
    """Is there one kernel equal to two conv layers on this image? (See :func:`two_layer_summary`.)

    Attributes
    ----------
    kernel : ndarray, shape (kh1 + kh2 - 1, kw1 + kw2 - 1)
        The collapsed kernel (no activation) or the best-fit kernel (with one).
    bias : float
    exact : bool
        True when the layers are linear, so ``kernel`` is the exact collapse.
    max_difference : float
        Largest |two layers - single layer| over the image.
    unexplained : float
        Mean squared difference over the variance of the two-layer output.
    """

    kernel: np.ndarray
    bias: float
    exact: bool
    max_difference: float
    unexplained: float

    def text(self) -> str:
        k = "x".join(str(n) for n in self.kernel.shape)
        if self.exact:
            return (f"no activation between the layers: one {k} kernel is exactly the two "
                    f"layers (largest difference {self.max_difference:.1e})")
        return (f"activation between the layers: the best single {k} kernel leaves "
                f"{100 * self.unexplained:.1f}% of the output's variance unexplained "
                f"(largest difference {self.max_difference:.3g})")


def two_layer_summary(image, k1, b1: float, k2, b2: float,
                      activation: str = "identity", **params) -> TwoLayerSummary:
    """The single kernel equal to (or closest to) two 2-D conv layers on one image.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    k1, k2 : ndarray, shape (kh, kw)
        The two layers' kernels; ``b1``, ``b2`` their biases.
    activation : str
        Between the layers. ``"identity"``: the exact collapse (:func:`compose_conv`);
        anything else: the least-squares best kernel (:func:`best_single_kernel`).

    Returns
    -------
    TwoLayerSummary

    >>> img = np.arange(36.0).reshape(6, 6) % 5
    >>> s = two_layer_summary(img, np.ones((3, 3)), 1.0, np.eye(3), 0.0)
    >>> s.exact, s.kernel.shape, s.max_difference < 1e-12
    (True, (5, 5), True)
    """
    func = "two_layer_summary"
    img = as_float_array(image, "image", func)
    check_ndim(img, 2, "image", func, "(H, W)")
    ks = []
    for name, k in (("k1", k1), ("k2", k2)):
        k = as_float_array(k, name, func)
        check_ndim(k, 2, name, func, "(kh, kw)")
        ks.append(k[None, None])
    bs = []
    for name, b in (("b1", b1), ("b2", b2)):
        if isinstance(b, (bool, np.bool_)) or not isinstance(b, numbers.Real) \
                or not np.isfinite(b):
            raise ValueError(f"{func}: {name} must be a finite number; got {describe(b)}")
        bs.append(np.array([float(b)]))
    layers = [(ks[0], bs[0]), (ks[1], bs[1])]
    x = img[None, None]
    y = run_stack(x, layers, activation, **params)
    var = float(np.var(y))
    if activation == "identity":
        W, B = compose_stack(layers)
        d = y - conv2d(x, W, B)
        mse = float(np.mean(d ** 2))
        return TwoLayerSummary(W[0, 0], float(B[0]), True, float(np.abs(d).max()),
                               mse / var if var > 0 else 0.0)
    fit = best_single_kernel(x, y, (ks[0].shape[2] + ks[1].shape[2] - 1,
                                    ks[0].shape[3] + ks[1].shape[3] - 1))
    return TwoLayerSummary(fit.w[0, 0], float(fit.b[0]), False,
                           float(np.abs(y - fit.prediction).max()), fit.unexplained)
