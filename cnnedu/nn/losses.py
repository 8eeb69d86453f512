r"""Softmax and the softmax cross-entropy loss, with its gradient.

Symbols: ``logits`` ``z`` of shape ``(N, K)`` (one score per class), ``labels`` ``t`` of
shape ``(N,)`` with values in ``0 .. K-1``.

.. math::

    p_{n,k} = \frac{e^{z_{n,k}}}{\sum_j e^{z_{n,j}}}, \qquad
    L = -\frac{1}{N} \sum_n \log p_{n, t_n}, \qquad
    \frac{\partial L}{\partial z_{n,k}} = \frac{p_{n,k} - [k = t_n]}{N}

>>> import numpy as np
>>> loss, dlogits = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
>>> print(f"{loss:.4f}")   # log(4): a uniform guess among 4 classes
1.3863
>>> print(np.round(dlogits, 3))
[[-0.375  0.125  0.125  0.125]
 [ 0.125  0.125  0.125 -0.375]]
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy", "SoftmaxCrossEntropy",
           "check_labels"]


def _logits(logits, func: str) -> np.ndarray:
    z = as_float_array(logits, "logits", func)
    check_ndim(z, 2, "logits", func, "(N, K)")
    if z.shape[1] == 0:
        raise ValueError(f"{func}: logits must have at least one class (K >= 1); got shape {z.shape}")
    return z


def _shifted(z: np.ndarray) -> np.ndarray:
    """``z - max(z)`` row by row, with infinite logits taken as limits (no NaN, no warning).

    A row whose maximum is ``+inf`` gives its probability to its ``+inf`` entries, shared
    equally (shift 0 there, ``-inf`` elsewhere); a row of only ``-inf`` is a row of equal
    logits (shift 0: every class alike). ``-inf`` beside finite logits needs nothing: its
    probability is 0. A NaN logit leaves its row NaN (a diverged model shows as NaN).
    """
    with np.errstate(invalid="ignore"):
        m = z.max(axis=1, keepdims=True)
        shifted = z - m
    inf = np.isinf(m[:, 0])
    if inf.any():
        top = m[inf] == np.inf  # (rows, 1): +inf rows; the others are all -inf
        shifted[inf] = np.where(top, np.where(z[inf] == np.inf, 0.0, -np.inf), 0.0)
    return shifted


def log_softmax(logits) -> np.ndarray:
    r"""Log of :func:`softmax`, computed stably: shift by the row maximum first.

    .. math::

        \log p_{n,k} = (z_{n,k} - m_n) - \log \sum_j e^{z_{n,j} - m_n},
        \qquad m_n = \max_j z_{n,j}

    Infinite logits are taken as limits: ``[inf, 0]`` gives ``[0, -inf]``.

    >>> print(np.round(log_softmax(np.array([[1000.0, 1000.0]])), 4))
    [[-0.6931 -0.6931]]
    >>> print(log_softmax(np.array([[np.inf, 0.0]])))
    [[  0. -inf]]
    """
    z = _logits(logits, "log_softmax")
    shifted = _shifted(z)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits) -> np.ndarray:
    """Class probabilities from scores, row by row; each row sums to 1.

    Parameters
    ----------
    logits : ndarray, shape (N, K)

    Returns
    -------
    p : ndarray, shape (N, K)

    >>> print(np.round(softmax(np.array([[0.0, np.log(3.0)]])), 4))
    [[0.25 0.75]]
    """
    z = _logits(logits, "softmax")
    e = np.exp(_shifted(z))
    return e / e.sum(axis=1, keepdims=True)


def check_labels(labels, n: int, k: int, func: str) -> np.ndarray:
    """``labels`` as an int64 array of shape ``(n,)`` with values in ``0 .. k-1``, or raise."""
    t = np.asarray(labels)
    if t.dtype.kind not in "iu" or t.ndim != 1:
        raise ValueError(
            f"{func}: labels must be a 1-D array of integer class indices, shape (N,) = "
            f"({n},); got {describe(t)}"
        )
    if t.shape[0] != n:
        raise ValueError(
            f"{func}: labels must have one entry per row of logits, shape (N,) = ({n},); "
            f"got {t.shape[0]} labels"
        )
    if n and (t.min() < 0 or t.max() >= k):
        bad = t[(t < 0) | (t >= k)][0]
        raise ValueError(
            f"{func}: labels must be class indices in 0..{k - 1} (logits have K={k} "
            f"columns); got {bad}"
        )
    return t.astype(np.int64, copy=False)


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of the softmax of ``logits`` against ``labels``, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
        Unnormalized class scores (the output of the last Dense layer).
    labels : ndarray of int, shape (N,)
        The true class of each sample, in ``0 .. K-1``.

    Returns
    -------
    loss : float
        The mean over the batch of :math:`-\log p_{n, t_n}`.
    dlogits : ndarray, shape (N, K)
        :math:`(p - \mathrm{onehot}(t)) / N`, same dtype as ``logits``.

    Notes
    -----
    Stable for any logits: the row maximum is subtracted before exponentiating, so
    nothing overflows, and infinite logits are taken as limits (as :func:`log_softmax`):
    ``[[inf, 0]]`` with label 0 gives loss 0 and gradient 0; with label 1 the true class
    has probability 0, so the loss is ``inf`` (honestly) and the gradient stays finite,
    ``[[1, -1]]``. A NaN logit gives a NaN loss (a diverged model shows as NaN).

    .. math::

        L = -\frac{1}{N} \sum_{n} \log p_{n, t_n}, \qquad
        \frac{\partial L}{\partial z} = \frac{1}{N}\,(p - \mathrm{onehot}(t))
    """
    func = "softmax_cross_entropy"
    z = _logits(logits, func)
    n, k = z.shape
    if n == 0:
        raise ValueError(f"{func}: logits must have at least one row (N >= 1); got shape {z.shape}")
    t = check_labels(labels, n, k, func)
    shifted = _shifted(z)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(s[:, 0]) - shifted[rows, t]))
    dlogits = e / s
    dlogits[rows, t] -= 1
    dlogits /= n
    return loss, dlogits


class SoftmaxCrossEntropy:
    """:func:`softmax_cross_entropy` as a layer-like object: ``forward`` then ``backward``.

    >>> crit = SoftmaxCrossEntropy()
    >>> print(f"{crit.forward(np.zeros((3, 2)), np.array([0, 1, 1])):.4f}")
    0.6931
    >>> crit.backward().shape
    (3, 2)
    """

    def __init__(self):
        self._dlogits = None

    def forward(self, logits, labels) -> float:
        """The mean loss; keeps the gradient for :meth:`backward`."""
        loss, self._dlogits = softmax_cross_entropy(logits, labels)
        return loss

    __call__ = forward

    def backward(self, dloss: float = 1.0) -> np.ndarray:
        """``dlogits`` of the last :meth:`forward`, times ``dloss``."""
        if self._dlogits is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward: call forward(logits, labels) first")
        return self._dlogits * self._dlogits.dtype.type(dloss)

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"
