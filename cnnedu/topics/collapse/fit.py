r"""With a non-linearity between layers there is no exact collapse: the best single kernel.

Holds :func:`best_single_kernel` (least squares over the windows), :func:`collapse_gap`
and :func:`two_layer_summary`, with their result types :class:`KernelFit` and
:class:`TwoLayerSummary`. Built on :mod:`cnnedu.topics.collapse.conv`. The public face is
:mod:`cnnedu.topics.collapse` (import from there).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnedu._validate import as_float_array, check_ndim, describe, pair
from cnnedu.topics.collapse.conv import _stack, compose_stack, run_stack
from cnnedu.nn.conv import conv2d

__all__ = [
    "KernelFit", "best_single_kernel", "collapse_gap", "TwoLayerSummary", "two_layer_summary",
]


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
    activation : str
        The activation between the layers (named in :meth:`text`).
    """

    kernel: np.ndarray
    bias: float
    exact: bool
    max_difference: float
    unexplained: float
    activation: str = "relu"

    def text(self) -> str:
        k = "x".join(str(n) for n in self.kernel.shape)
        if self.exact:
            return (f"no activation between the layers: one {k} kernel is exactly the two "
                    f"layers (largest difference {self.max_difference:.1e})")
        # below 0.05% the one-decimal "0.0%" would read as exact: say "under 0.1%"
        share = (f"{100 * self.unexplained:.1f}%" if self.unexplained >= 5e-4
                 else "under 0.1%")
        return (f"{self.activation} between the layers: the best single {k} kernel leaves "
                f"{share} of the output's variance unexplained "
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
                           float(np.abs(y - fit.prediction).max()), fit.unexplained, activation)
