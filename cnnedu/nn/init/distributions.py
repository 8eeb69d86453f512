"""The plain distributions: constants, normal, uniform, and the truncated normal.

Also :data:`TRUNCATED_NORMAL_STD_CORRECTION`, the std of a standard normal truncated to
[-2, 2], which the truncated schemes divide by. The public face is :mod:`cnnedu.nn.init`.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from cnnedu.nn.init._checks import _POSITIVE, _dtype, _rng, _shape
from cnnedu._validate import real

__all__ = [
    "TRUNCATED_NORMAL_STD_CORRECTION",
    "zeros", "ones", "constant", "normal", "uniform", "truncated_normal",
]

TRUNCATED_NORMAL_STD_CORRECTION = 0.87962566103423978
"""The std of a standard normal truncated to [-2, 2].

.. math::

    \\sqrt{1 - \\frac{2 \\cdot 2\\,\\varphi(2)}{\\Phi(2) - \\Phi(-2)}} = 0.8796\\ldots

Cutting off the tails beyond two standard deviations narrows the distribution to 88% of
its std, so a truncated normal meant to have std ``s`` is drawn with ``s / 0.8796`` (as
Keras's ``VarianceScaling`` does).
"""


def zeros(shape, rng=None, *, dtype=np.float64) -> np.ndarray:
    """All zeros (the usual bias start; as a weight, every unit would learn the same thing).

    .. math::

        w = 0

    >>> print(zeros((2, 3)))
    [[0. 0. 0.]
     [0. 0. 0.]]
    """
    return _constant(shape, rng, 0.0, dtype, "zeros")


def ones(shape, rng=None, *, dtype=np.float64) -> np.ndarray:
    """All ones.

    .. math::

        w = 1

    >>> print(ones(3))
    [1. 1. 1.]
    """
    return _constant(shape, rng, 1.0, dtype, "ones")


def constant(shape, rng=None, *, value: float = 0.0, dtype=np.float64) -> np.ndarray:
    """Every entry equal to ``value``.

    .. math::

        w = \\text{value}

    >>> print(constant((2, 2), value=0.5))
    [[0.5 0.5]
     [0.5 0.5]]
    """
    return _constant(shape, rng, value, dtype, "constant")


def _constant(shape, rng, value, dtype, func: str) -> np.ndarray:
    dims = _shape(shape, func)
    _rng(rng, func, required=False)
    value = real(value, "value", func)
    return np.full(dims, value, dtype=_dtype(dtype, func))


def normal(shape, rng, *, mean: float = 0.0, std: float = 1.0,
           dtype=np.float64) -> np.ndarray:
    """Independent normal draws.

    .. math::

        w \\sim \\mathcal{N}(\\text{mean}, \\text{std}^2)

    >>> w = normal((256, 64), np.random.default_rng(0), std=0.1)
    >>> print(round(float(w.std()), 2))
    0.1
    """
    func = "normal"
    dims = _shape(shape, func)
    rng = _rng(rng, func)
    mean = real(mean, "mean", func)
    std = real(std, "std", func, **_POSITIVE)
    dt = _dtype(dtype, func)
    return (mean + std * rng.standard_normal(dims)).astype(dt, copy=False)


def uniform(shape, rng, *, limit: Optional[float] = None, low: Optional[float] = None,
            high: Optional[float] = None, dtype=np.float64) -> np.ndarray:
    """Independent uniform draws on ``[-limit, limit)`` or ``[low, high)``.

    Give either ``limit`` or both ``low`` and ``high``; with neither, ``limit=1``.

    .. math::

        w \\sim U(-\\text{limit}, \\text{limit}), \\qquad
        \\operatorname{std}(w) = \\frac{\\text{limit}}{\\sqrt{3}}
        \\quad \\left(\\text{generally } \\tfrac{\\text{high} - \\text{low}}{\\sqrt{12}}\\right)

    >>> w = uniform((1000,), np.random.default_rng(0), limit=0.5)
    >>> bool(w.min() >= -0.5 and w.max() < 0.5)
    True
    """
    func = "uniform"
    dims = _shape(shape, func)
    rng = _rng(rng, func)
    dt = _dtype(dtype, func)
    lo, hi = _uniform_bounds(limit, low, high, func)
    return rng.uniform(lo, hi, size=dims).astype(dt, copy=False)


def _uniform_bounds(limit, low, high, func: str) -> tuple[float, float]:
    if limit is not None:
        if low is not None or high is not None:
            raise ValueError(
                f"{func}: give either limit or low and high, not both; "
                f"got limit={limit!r}, low={low!r}, high={high!r}"
            )
        limit = real(limit, "limit", func, **_POSITIVE)
        return -limit, limit
    if low is None and high is None:
        return -1.0, 1.0
    if low is None or high is None:
        raise ValueError(f"{func}: give both low and high; got low={low!r}, high={high!r}")
    low, high = real(low, "low", func), real(high, "high", func)
    if not low < high:
        raise ValueError(f"{func}: low must be less than high; got low={low}, high={high}")
    return low, high


def _truncated_standard_normal(dims: tuple, rng: np.random.Generator) -> np.ndarray:
    """Standard normals with every draw beyond [-2, 2] redrawn until it lands inside."""
    z = rng.standard_normal(math.prod(dims))
    bad = np.flatnonzero(np.abs(z) > 2.0)
    while bad.size:  # about 4.6% of draws are rejected each round
        z[bad] = rng.standard_normal(bad.size)
        bad = bad[np.abs(z[bad]) > 2.0]
    return z.reshape(dims)


def truncated_normal(shape, rng, *, std: float = 1.0, mean: float = 0.0,
                     correct: bool = True, dtype=np.float64) -> np.ndarray:
    """Normal draws with the tails beyond two standard deviations redrawn.

    Parameters
    ----------
    shape : tuple of int
    rng : numpy.random.Generator
    std : float, default 1.0
        The target standard deviation.
    mean : float, default 0.0
    correct : bool, default True
        Draw with ``std / TRUNCATED_NORMAL_STD_CORRECTION`` so that the std *after*
        truncation is ``std`` (Keras's ``VarianceScaling``). With ``False`` the normal
        has std ``std`` before truncation and the result about ``0.88 * std``
        (Keras's plain ``TruncatedNormal``).
    dtype : float dtype, default float64

    Returns
    -------
    w : ndarray, shape ``shape``

    Notes
    -----
    .. math::

        \\sigma = \\begin{cases} \\text{std} / 0.8796 & \\text{correct} \\\\
        \\text{std} & \\text{otherwise} \\end{cases}, \\qquad
        w = \\text{mean} + \\sigma z, \\quad z \\sim \\mathcal{N}(0, 1)
        \\text{ conditioned on } |z| \\le 2

    Values beyond :math:`2\\sigma` are redrawn (rejection sampling), never clipped:
    clipping would pile them up at the bounds.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w = truncated_normal((100_000,), rng, std=0.1)
    >>> print(round(float(w.std()), 3), round(float(np.abs(w).max()), 3))
    0.1 0.227
    >>> w = truncated_normal((100_000,), rng, std=0.1, correct=False)
    >>> print(round(float(w.std()), 3), round(float(np.abs(w).max()), 3))
    0.088 0.2
    """
    func = "truncated_normal"
    dims = _shape(shape, func)
    rng = _rng(rng, func)
    std = real(std, "std", func, **_POSITIVE)
    mean = real(mean, "mean", func)
    dt = _dtype(dtype, func)
    if not isinstance(correct, (bool, np.bool_)):
        raise TypeError(f"{func}: correct must be True or False; got {correct!r}")
    sigma = std / TRUNCATED_NORMAL_STD_CORRECTION if correct else std
    return (mean + sigma * _truncated_standard_normal(dims, rng)).astype(dt, copy=False)
