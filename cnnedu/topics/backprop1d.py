r"""Backpropagation through a 1-D convolution, worked out by hand.

The smallest case that shows every idea of the 2-D backward pass: an input ``x`` of 4
numbers, a kernel ``w`` of 2, a "valid" cross-correlation with 3 outputs

.. math::

    y[i] = \sum_{u} x[i + u] \, w[u] + b ,\qquad i = 0, 1, 2 .

With ``dy = dL/dy`` (the upstream gradient), the chain rule gives

.. math::

    \frac{\partial L}{\partial w[u]} &= \sum_i dy[i] \, x[i + u]
        \quad\text{(x correlated with dy, "valid")} \\
    \frac{\partial L}{\partial x[m]} &= \sum_i dy[i] \, w[m - i]
        \quad\text{(dy convolved with w, "full")} \\
    \frac{\partial L}{\partial b} &= \sum_i dy[i]

This module writes those sums out as text (:func:`forward_sums`, :func:`weight_grad_sums`,
:func:`input_grad_sums`), computes them term by term (:func:`backward1d_loops`) and as the
two named operations (:func:`backward1d_formulas`), and builds the dense matrix of the
convolution (:func:`conv1d_matrix`) so the dense-layer rule ``dx = M.T @ dy`` can be seen
to be the same thing.

>>> x = np.array([1.0, 2.0, 3.0, 4.0]); w = np.array([1.0, -1.0])
>>> correlate1d(x, w)
array([-1., -1., -1.])
>>> for line in forward_sums(4, 2): print(line)
y[0] = x[0]*w[0] + x[1]*w[1] + b
y[1] = x[1]*w[0] + x[2]*w[1] + b
y[2] = x[2]*w[0] + x[3]*w[1] + b
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_choice, describe

__all__ = [
    "correlate1d",
    "convolve1d",
    "conv1d_forward",
    "forward_sums",
    "weight_grad_sums",
    "input_grad_sums",
    "backward1d_loops",
    "backward1d_formulas",
    "conv1d_matrix",
    "dense_backward",
]


def _vec(a, name: str, func: str) -> np.ndarray:
    arr = as_float_array(a, name, func)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{func}: {name} must be a non-empty 1-D array, shape (n,); "
                         f"got {describe(arr)}")
    return arr


def _sizes(n_in, k, func: str) -> tuple[int, int]:
    for name, v in (("n_in", n_in), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{func}: {name} must be a positive integer; got {v!r}")
    if k > n_in:
        raise ValueError(f"{func}: the kernel (k={k}) must not be longer than the input "
                         f"(n_in={n_in})")
    return int(n_in), int(k)


def correlate1d(a, k, mode: str = "valid") -> np.ndarray:
    r"""Cross-correlate ``a`` with ``k``: ``out[i] = sum_u a_pad[i + u] k[u]``.

    Parameters
    ----------
    a : ndarray, shape (n,)
    k : ndarray, shape (m,)
    mode : {"valid", "full"}
        ``"valid"``: the ``n - m + 1`` positions with ``k`` inside ``a`` (needs ``m <= n``);
        ``"full"``: every overlap, ``n + m - 1`` positions (``a`` padded with ``m - 1``
        zeros on each side).

    >>> correlate1d([1.0, 2.0, 3.0], [1.0, 1.0], "full")
    array([1., 3., 5., 3.])
    """
    func = "correlate1d"
    a, k = _vec(a, "a", func), _vec(k, "k", func)
    check_choice(mode, ("valid", "full"), "mode", func)
    m = k.size
    if mode == "full":
        a = np.concatenate([np.zeros(m - 1, a.dtype), a, np.zeros(m - 1, a.dtype)])
    elif m > a.size:
        raise ValueError(f"{func}: in 'valid' mode k (length {m}) must not be longer than "
                         f"a (length {a.size})")
    n_out = a.size - m + 1
    return np.array([np.dot(a[i:i + m], k) for i in range(n_out)], dtype=np.result_type(a, k))


def convolve1d(a, k, mode: str = "valid") -> np.ndarray:
    r"""Convolve: correlate with the flipped kernel, ``out[i] = sum_u a_pad[i - u] k[u]``.

    >>> convolve1d([1.0, 2.0, 3.0], [1.0, 0.0], "full")  # a shift by one
    array([1., 2., 3., 0.])
    """
    k = _vec(k, "k", "convolve1d")
    return correlate1d(a, k[::-1], mode)


def conv1d_forward(x, w, b: float = 0.0) -> np.ndarray:
    """The 1-D layer: ``y = correlate1d(x, w, "valid") + b``."""
    return correlate1d(x, w, "valid") + float(b)


def forward_sums(n_in: int = 4, k: int = 2) -> list[str]:
    """Each output of the valid correlation as an explicit sum (text)."""
    n_in, k = _sizes(n_in, k, "forward_sums")
    return [f"y[{i}] = " + " + ".join(f"x[{i + u}]*w[{u}]" for u in range(k)) + " + b"
            for i in range(n_in - k + 1)]


def weight_grad_sums(n_in: int = 4, k: int = 2) -> list[str]:
    """``dL/dw[u] = sum_i dL/dy[i] * dy[i]/dw[u]`` with ``dy[i]/dw[u] = x[i+u]`` (text).

    >>> weight_grad_sums(4, 2)[1]
    'dL/dw[1] = dy[0]*x[1] + dy[1]*x[2] + dy[2]*x[3]'
    """
    n_in, k = _sizes(n_in, k, "weight_grad_sums")
    return [f"dL/dw[{u}] = " + " + ".join(f"dy[{i}]*x[{i + u}]" for i in range(n_in - k + 1))
            for u in range(k)]


def input_grad_sums(n_in: int = 4, k: int = 2) -> list[str]:
    """``dL/dx[m] = sum_i dy[i] * w[m - i]`` over the outputs that used ``x[m]`` (text).

    >>> input_grad_sums(4, 2)
    ['dL/dx[0] = dy[0]*w[0]', 'dL/dx[1] = dy[0]*w[1] + dy[1]*w[0]', 'dL/dx[2] = dy[1]*w[1] + dy[2]*w[0]', 'dL/dx[3] = dy[2]*w[1]']
    """
    n_in, k = _sizes(n_in, k, "input_grad_sums")
    n_out = n_in - k + 1
    return [f"dL/dx[{m}] = " + " + ".join(f"dy[{i}]*w[{m - i}]" for i in range(n_out)
                                          if 0 <= m - i < k)
            for m in range(n_in)]


def _check_backward(dy, x, w, func: str):
    dy, x, w = _vec(dy, "dy", func), _vec(x, "x", func), _vec(w, "w", func)
    if w.size > x.size:
        raise ValueError(f"{func}: w (length {w.size}) must not be longer than x "
                         f"(length {x.size})")
    n_out = x.size - w.size + 1
    if dy.size != n_out:
        raise ValueError(f"{func}: dy must have the shape of y, ({n_out},) for x of length "
                         f"{x.size} and w of length {w.size}; got {describe(dy)}")
    return dy, x, w


def backward1d_loops(dy, x, w):
    """The chain rule term by term: every output ``y[i]`` sends ``dy[i]`` back through
    each product ``x[i+u]*w[u]`` it was made of.

    Returns
    -------
    dx : ndarray, shape (n,)
    dw : ndarray, shape (k,)
    db : float

    >>> dx, dw, db = backward1d_loops([1.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0], [5.0, 6.0])
    >>> dx, dw, db
    (array([5., 6., 0., 0.]), array([1., 2.]), 1.0)
    """
    dy, x, w = _check_backward(dy, x, w, "backward1d_loops")
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for i in range(dy.size):
        for u in range(w.size):
            dw[u] += dy[i] * x[i + u]  # d(x[i+u]*w[u])/dw[u] = x[i+u]
            dx[i + u] += dy[i] * w[u]  # d(x[i+u]*w[u])/dx[i+u] = w[u]
    return dx, dw, float(dy.sum())


def backward1d_formulas(dy, x, w):
    """The same gradients as two named operations.

    ``dw = correlate1d(x, dy, "valid")`` and ``dx = convolve1d(dy, w, "full")`` (which is
    ``correlate1d(dy, w[::-1], "full")``), ``db = dy.sum()``.

    >>> dx, dw, db = backward1d_formulas([1.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0], [5.0, 6.0])
    >>> dx, dw, db
    (array([5., 6., 0., 0.]), array([1., 2.]), 1.0)
    """
    dy, x, w = _check_backward(dy, x, w, "backward1d_formulas")
    return convolve1d(dy, w, "full"), correlate1d(x, dy, "valid"), float(dy.sum())


def conv1d_matrix(w, n_in: int) -> np.ndarray:
    """The valid 1-D correlation as a dense matrix ``M``: ``y = M @ x``.

    Row ``i`` holds ``w`` starting at column ``i``: a dense layer whose weights are
    mostly zero and shared along the diagonals. ``M.T @ dy`` is then ``dx`` (the dense
    rule), the full convolution of ``dy`` with ``w``.

    Returns
    -------
    ndarray, shape (n_in - k + 1, n_in)

    >>> conv1d_matrix([1.0, -1.0], 4)
    array([[ 1., -1.,  0.,  0.],
           [ 0.,  1., -1.,  0.],
           [ 0.,  0.,  1., -1.]])
    """
    w = _vec(w, "w", "conv1d_matrix")
    n_in, k = _sizes(n_in, w.size, "conv1d_matrix")
    m = np.zeros((n_in - k + 1, n_in), dtype=w.dtype)
    for i in range(n_in - k + 1):
        m[i, i:i + k] = w
    return m


def dense_backward(dy, x, W):
    """Backward pass of a dense layer ``y = W @ x + b``.

    Returns ``dx = W.T @ dy``, ``dW = outer(dy, x)``, ``db = dy``.

    >>> dx, dW, db = dense_backward([1.0, 2.0], [3.0, 4.0, 5.0], np.ones((2, 3)))
    >>> dx, dW.shape
    (array([3., 3., 3.]), (2, 3))
    """
    func = "dense_backward"
    dy, x = _vec(dy, "dy", func), _vec(x, "x", func)
    W = as_float_array(W, "W", func)
    if W.shape != (dy.size, x.size):
        raise ValueError(f"{func}: W must have shape (n_out, n_in) = ({dy.size}, {x.size}); "
                         f"got {describe(W)}")
    return W.T @ dy, np.outer(dy, x), dy.copy()
