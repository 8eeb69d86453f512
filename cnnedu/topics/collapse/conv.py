r"""Conv layers (stride 1, valid) compose into one: the kernel is the full convolution.

Holds :func:`full_convolve2d`, :func:`compose_conv`, stacks of any depth
(:func:`compose_stack`, :func:`run_stack`) and :func:`padding_difference`, with the
shared layer checks. The public face is :mod:`cnnedu.topics.collapse` (import from there); the
identity and why padding breaks it are in its notes.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn import activations as _activations
from cnnedu._validate import as_float_array, check_ndim, describe, pair, result_dtype
from cnnedu.nn.conv import conv2d

__all__ = [
    "full_convolve2d", "compose_conv", "compose_stack", "run_stack", "padding_difference",
]


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
        A name from :data:`cnnedu.nn.activations.NAMES`, applied between the layers (not after
        the last); ``params`` go to :func:`cnnedu.nn.activations.get` (``alpha``).
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
