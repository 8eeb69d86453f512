"""Weight initializers: draws whose spread follows each layer's fan-in and fan-out.

Every initializer is called as ``f(shape, rng, **options)`` and returns a new array of
that shape (float64 unless ``dtype=`` says otherwise). ``rng`` is a
``numpy.random.Generator``; the same seed gives the same values, whatever the dtype (the
draws are made in float64 and rounded). ``zeros``, ``ones``, ``constant`` and ``dirac``
draw nothing, so for them ``rng`` may be omitted.

Shapes follow the package's symbols: a conv weight is ``w`` of shape ``(F, C, kh, kw)``, a
dense weight ``(out, in)``; see :func:`fans`.

Biases. The bias that goes with a weight initializer is given by
:func:`init_bias` ``(name, n_out, fan_in, rng)``: PyTorch's default draws it from
:math:`U(-1/\\sqrt{\\text{fan\\_in}}, 1/\\sqrt{\\text{fan\\_in}})` (:func:`pytorch_default_bias`),
every other scheme, Keras's default included, starts it at zero
(:func:`keras_default_bias`).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> w = he_normal((20, 3, 5, 5), rng)
>>> w.shape, fans(w.shape)
((20, 3, 5, 5), (75, 500))
>>> print(describe("he_normal", w.shape))  # doctest: +NORMALIZE_WHITESPACE
he_normal (20, 3, 5, 5): fan_in 75, fan_out 500, mean 0,
    std 0.1633 = sqrt(2 / fan_in), truncated at +-0.3713
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._validate import check_choice, describe as _describe_value, real

__all__ = [
    "fans", "TRUNCATED_NORMAL_STD_CORRECTION",
    "zeros", "ones", "constant", "normal", "uniform", "truncated_normal",
    "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "orthogonal", "dirac",
    "pytorch_default", "keras_default",
    "pytorch_default_bias", "keras_default_bias", "init_bias",
    "NAMES", "get", "describe", "InitStats",
]

TRUNCATED_NORMAL_STD_CORRECTION = 0.87962566103423978
"""The std of a standard normal truncated to [-2, 2].

.. math::

    \\sqrt{1 - \\frac{2 \\cdot 2\\,\\varphi(2)}{\\Phi(2) - \\Phi(-2)}} = 0.8796\\ldots

Cutting off the tails beyond two standard deviations narrows the distribution to 88% of
its std, so a truncated normal meant to have std ``s`` is drawn with ``s / 0.8796`` (as
Keras's ``VarianceScaling`` does).
"""


# --------------------------------------------------------------------------- validation

def _shape(shape, func: str, min_ndim: int = 1) -> tuple:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(
            f"{func}: shape must be a tuple of positive integers; got {_describe_value(shape)}"
        )
    dims = []
    for d in shape:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral):
            raise TypeError(
                f"{func}: shape must be a tuple of positive integers; got {tuple(shape)!r}"
            )
        dims.append(int(d))
    dims = tuple(dims)
    if any(d < 1 for d in dims):
        raise ValueError(
            f"{func}: shape must be a tuple of positive integers; got {dims!r}"
        )
    if len(dims) < min_ndim:
        raise ValueError(
            f"{func}: shape must have at least {min_ndim} dimensions, (out, in) for a "
            f"dense weight or (F, C, kh, kw) for a conv weight; got {dims!r} "
            f"({len(dims)}-D){_BIAS_HINT if len(dims) == 1 else ''}"
        )
    return dims


_BIAS_HINT = (
    ". A 1-D shape is a bias: it has no fan-in of its own (it is the layer's weight that "
    "has one); use init_bias(name, n_out, fan_in, rng)"
)


def _rng(rng, func: str, required: bool = True):
    if rng is None and not required:
        return None
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{func}: rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"got {_describe_value(rng)}"
        )
    return rng


def _dtype(dtype, func: str) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{func}: dtype must be a float dtype; got {dtype!r}") from None
    if dt.kind != "f":
        raise TypeError(f"{func}: dtype must be a float dtype such as np.float32; got {dt}")
    return dt


#: Keywords of :func:`cnnedu._validate.real` for a strictly positive option (std, gain, ...).
_POSITIVE = dict(minimum=0, strict=True, expected="a positive finite number")


# --------------------------------------------------------------------------------- fans

def fans(shape) -> tuple[int, int]:
    """Fan-in and fan-out of a weight: how many inputs feed one output, and vice versa.

    Parameters
    ----------
    shape : tuple of int
        ``(F, C, kh, kw)`` for a conv weight, ``(out, in)`` for a dense weight. More
        generally ``(out_channels, in_channels, *kernel)`` as in PyTorch.

    Returns
    -------
    (fan_in, fan_out) : tuple of int

    Raises
    ------
    ValueError
        For a 1-D shape (a bias): a bias adds to an output, nothing feeds it, so it has no
        fan of its own. Bias initializers take the fan-in of their layer's weight instead
        (:func:`init_bias`).

    Notes
    -----
    .. math::

        \\text{fan\\_in} = C \\cdot kh \\cdot kw, \\qquad
        \\text{fan\\_out} = F \\cdot kh \\cdot kw

    Each output value of a conv layer sums :math:`C \\cdot kh \\cdot kw` products, and in
    the backward pass each input value receives gradient from :math:`F \\cdot kh \\cdot kw`
    weights (ignoring borders and stride).

    Examples
    --------
    >>> fans((20, 3, 5, 5))
    (75, 500)
    >>> fans((10, 784))
    (784, 10)
    """
    dims = _shape(shape, "fans", min_ndim=2)
    receptive = math.prod(dims[2:])
    return dims[1] * receptive, dims[0] * receptive


# ---------------------------------------------------------------- simple distributions

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


# ----------------------------------------------------------------- fan-based schemes
# Each scheme is a std (normal, drawn truncated) or a limit (uniform) from the fans.
# name -> (family, scale, which fan, formula text)
#   normal:  std = sqrt(scale / n);     uniform: limit = sqrt(3 * scale / n)
_SCHEMES = {
    "glorot_uniform": ("uniform", 1.0, "avg", "sqrt(6 / (fan_in + fan_out))"),
    "glorot_normal": ("normal", 1.0, "avg", "sqrt(2 / (fan_in + fan_out))"),
    "he_normal": ("normal", 2.0, "in", "sqrt(2 / fan_in)"),
    "he_uniform": ("uniform", 2.0, "in", "sqrt(6 / fan_in)"),
    "lecun_normal": ("normal", 1.0, "in", "sqrt(1 / fan_in)"),
    "lecun_uniform": ("uniform", 1.0, "in", "sqrt(3 / fan_in)"),
    "pytorch_default": ("uniform", 1.0 / 3.0, "in", "1 / sqrt(fan_in)"),
}


def _scheme_scale(name: str, dims: tuple) -> float:
    """std (normal schemes) or limit (uniform schemes) for a weight of shape ``dims``."""
    family, scale, which, _ = _SCHEMES[name]
    fan_in, fan_out = fans(dims)
    n = {"in": fan_in, "avg": (fan_in + fan_out) / 2.0}[which]
    return math.sqrt(scale / n) if family == "normal" else math.sqrt(3.0 * scale / n)


def _scheme(name: str, shape, rng, dtype, scheme: Optional[str] = None) -> np.ndarray:
    scheme = scheme or name  # name: for messages; scheme: the entry of _SCHEMES
    dims = _shape(shape, name, min_ndim=2)
    rng = _rng(rng, name)
    dt = _dtype(dtype, name)
    s = _scheme_scale(scheme, dims)
    if _SCHEMES[scheme][0] == "uniform":
        w = rng.uniform(-s, s, size=dims)
    else:
        w = (s / TRUNCATED_NORMAL_STD_CORRECTION) * _truncated_standard_normal(dims, rng)
    return w.astype(dt, copy=False)


def glorot_uniform(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """Glorot (Xavier) uniform: keeps the variance in both the forward and backward pass.

    .. math::

        w \\sim U(-\\ell, \\ell), \\qquad
        \\ell = \\sqrt{\\frac{6}{\\text{fan\\_in} + \\text{fan\\_out}}}, \\qquad
        \\operatorname{std} = \\sqrt{\\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}}

    >>> w = glorot_uniform((20, 3, 5, 5), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= np.sqrt(6 / (75 + 500)))
    True
    """
    return _scheme("glorot_uniform", shape, rng, dtype)


def glorot_normal(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """Glorot (Xavier) normal, truncated at two standard deviations (Keras style).

    .. math::

        \\operatorname{std} = \\sqrt{\\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}}
        \\quad \\text{(after truncation; see } \\texttt{truncated\\_normal}\\text{)}

    >>> w = glorot_normal((256, 64, 3, 3), np.random.default_rng(0))
    >>> print(round(float(w.std()), 4), round(np.sqrt(2 / (576 + 2304)), 4))
    0.0264 0.0264
    """
    return _scheme("glorot_normal", shape, rng, dtype)


def he_normal(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """He (Kaiming) normal for ReLU layers, truncated at two standard deviations (Keras).

    A ReLU zeroes half its inputs, halving the second moment; the factor 2 restores it.

    .. math::

        \\operatorname{std} = \\sqrt{\\frac{2}{\\text{fan\\_in}}}
        \\quad \\text{(after truncation)}

    >>> w = he_normal((256, 64, 3, 3), np.random.default_rng(0))
    >>> print(round(float(w.std()), 4), round(np.sqrt(2 / 576), 4))
    0.0589 0.0589
    """
    return _scheme("he_normal", shape, rng, dtype)


def he_uniform(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """He (Kaiming) uniform.

    .. math::

        w \\sim U(-\\ell, \\ell), \\qquad \\ell = \\sqrt{\\frac{6}{\\text{fan\\_in}}},
        \\qquad \\operatorname{std} = \\sqrt{\\frac{2}{\\text{fan\\_in}}}

    >>> w = he_uniform((64, 32, 3, 3), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= np.sqrt(6 / 288))
    True
    """
    return _scheme("he_uniform", shape, rng, dtype)


def lecun_normal(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """LeCun normal (for SELU/tanh-like layers), truncated (Keras style).

    .. math::

        \\operatorname{std} = \\sqrt{\\frac{1}{\\text{fan\\_in}}}
        \\quad \\text{(after truncation)}

    >>> w = lecun_normal((256, 64, 3, 3), np.random.default_rng(0))
    >>> print(round(float(w.std()), 4), round(np.sqrt(1 / 576), 4))
    0.0417 0.0417
    """
    return _scheme("lecun_normal", shape, rng, dtype)


def lecun_uniform(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """LeCun uniform.

    .. math::

        w \\sim U(-\\ell, \\ell), \\qquad \\ell = \\sqrt{\\frac{3}{\\text{fan\\_in}}},
        \\qquad \\operatorname{std} = \\sqrt{\\frac{1}{\\text{fan\\_in}}}

    >>> w = lecun_uniform((64, 32, 3, 3), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= np.sqrt(3 / 288))
    True
    """
    return _scheme("lecun_uniform", shape, rng, dtype)


def pytorch_default(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """What ``torch.nn.Conv2d`` and ``torch.nn.Linear`` do to their weight.

    PyTorch calls ``kaiming_uniform_(w, a=sqrt(5))``: gain
    :math:`g = \\sqrt{2 / (1 + a^2)} = \\sqrt{1/3}` and bound
    :math:`g \\sqrt{3 / \\text{fan\\_in}} = 1 / \\sqrt{\\text{fan\\_in}}`.

    .. math::

        w \\sim U\\left(-\\frac{1}{\\sqrt{\\text{fan\\_in}}},
        \\frac{1}{\\sqrt{\\text{fan\\_in}}}\\right), \\qquad
        \\operatorname{std} = \\frac{1}{\\sqrt{3\\,\\text{fan\\_in}}}

    That std is :math:`1/\\sqrt 6` of He's: activations shrink layer by layer in a deep
    ReLU net started this way.

    >>> w = pytorch_default((20, 3, 5, 5), np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1 / np.sqrt(75))
    True
    """
    return _scheme("pytorch_default", shape, rng, dtype)


def keras_default(shape, rng, *, dtype=np.float64) -> np.ndarray:
    """What Keras's ``Conv2D`` and ``Dense`` do to their kernel: :func:`glorot_uniform`.

    .. math::

        w \\sim U(-\\ell, \\ell), \\qquad
        \\ell = \\sqrt{\\frac{6}{\\text{fan\\_in} + \\text{fan\\_out}}}

    >>> rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    >>> bool(np.array_equal(keras_default((8, 4), rng1), glorot_uniform((8, 4), rng2)))
    True
    """
    return _scheme("keras_default", shape, rng, dtype, scheme="glorot_uniform")


# --------------------------------------------------------------- structured schemes

def orthogonal(shape, rng, *, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """A (semi-)orthogonal matrix, reshaped: the filters are orthonormal vectors.

    The weight is viewed as the matrix :math:`W` of shape ``(F, C*kh*kw)`` (one row per
    filter). If ``F <= C*kh*kw`` its rows are orthonormal, :math:`W W^T = g^2 I_F`;
    otherwise there are too many rows and its columns are, :math:`W^T W = g^2 I`.

    Parameters
    ----------
    shape : tuple of int, at least 2-D
    rng : numpy.random.Generator
    gain : float, default 1.0
        The scale :math:`g`.
    dtype : float dtype, default float64

    Notes
    -----
    .. math::

        A \\sim \\mathcal{N}(0, 1)^{n \\times m}\\ (n \\ge m), \\quad A = QR, \\quad
        Q \\leftarrow Q \\operatorname{diag}(\\operatorname{sign} R_{ii})

    The sign correction makes :math:`Q` uniformly distributed over orthogonal matrices
    (Haar); without it, ``numpy.linalg.qr``'s sign convention biases it. Entries have
    mean square :math:`g^2 / \\max(F, C\\,kh\\,kw)`.

    Examples
    --------
    >>> w = orthogonal((4, 2, 3, 3), np.random.default_rng(0))
    >>> m = w.reshape(4, -1)
    >>> bool(np.allclose(m @ m.T, np.eye(4)))
    True
    """
    func = "orthogonal"
    dims = _shape(shape, func, min_ndim=2)
    rng = _rng(rng, func)
    gain = real(gain, "gain", func, **_POSITIVE)
    dt = _dtype(dtype, func)
    rows, cols = dims[0], math.prod(dims[1:])
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)  # q: orthonormal columns
    q = q * np.where(np.diagonal(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    return (gain * q).reshape(dims).astype(dt, copy=False)


def dirac(shape, rng=None, *, dtype=np.float64) -> np.ndarray:
    """The identity convolution: filter ``f`` copies input channel ``f``.

    Parameters
    ----------
    shape : (F, C, kh, kw), kh and kw odd
    rng : unused (nothing is drawn); accepted for the common signature
    dtype : float dtype, default float64

    Notes
    -----
    .. math::

        w[f, c, i, j] = \\begin{cases} 1 & c = f,\\ i = kh/\\!/2,\\ j = kw/\\!/2 \\\\
        0 & \\text{otherwise} \\end{cases} \\qquad (f < \\min(F, C))

    With ``padding = k // 2`` ("same") and stride 1, ``conv2d(x, dirac(...))`` returns
    ``x`` (the first ``min(F, C)`` channels; extra filters give zero maps). An even
    kernel has no centre, so it is refused.

    Examples
    --------
    >>> w = dirac((2, 2, 3, 3))
    >>> print(w[0, 0])
    [[0. 0. 0.]
     [0. 1. 0.]
     [0. 0. 0.]]
    >>> print(w[0, 1].sum(), w[1, 1, 1, 1])
    0.0 1.0
    """
    func = "dirac"
    dims = _shape(shape, func)
    if len(dims) != 4:
        raise ValueError(
            f"{func}: shape must be (F, C, kh, kw) (4-D); got {dims!r} ({len(dims)}-D)"
        )
    _rng(rng, func, required=False)
    dt = _dtype(dtype, func)
    f_, c_, kh, kw = dims
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(
            f"{func}: kernel size must be odd in both directions, so the kernel has a "
            f"centre; got kh={kh}, kw={kw}"
        )
    w = np.zeros(dims, dtype=dt)
    k = np.arange(min(f_, c_))
    w[k, k, kh // 2, kw // 2] = 1
    return w


# ------------------------------------------------------------------------------ biases

def pytorch_default_bias(shape, rng, *, fan_in: int, dtype=np.float64) -> np.ndarray:
    """PyTorch's default bias for ``Conv2d``/``Linear``: uniform on the weight's bound.

    Parameters
    ----------
    shape : int or tuple of int
        ``(F,)`` for a conv layer, ``(out,)`` for a dense one.
    rng : numpy.random.Generator
    fan_in : int
        The fan-in of the layer's weight (``fans(w.shape)[0]``).
    dtype : float dtype, default float64

    Notes
    -----
    .. math::

        b \\sim U\\left(-\\frac{1}{\\sqrt{\\text{fan\\_in}}},
        \\frac{1}{\\sqrt{\\text{fan\\_in}}}\\right)

    Examples
    --------
    >>> b = pytorch_default_bias(20, np.random.default_rng(0), fan_in=75)
    >>> b.shape, bool(np.abs(b).max() <= 1 / np.sqrt(75))
    ((20,), True)
    """
    func = "pytorch_default_bias"
    dims = _shape(shape, func)
    rng = _rng(rng, func)
    fan_in = _fan(fan_in, func)
    dt = _dtype(dtype, func)
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=dims).astype(dt, copy=False)


def keras_default_bias(shape, rng=None, *, dtype=np.float64) -> np.ndarray:
    """Keras's default bias: zeros (``rng`` unused).

    .. math::

        b = 0

    >>> print(keras_default_bias(3))
    [0. 0. 0.]
    """
    return _constant(shape, rng, 0.0, dtype, "keras_default_bias")


def _fan(fan_in, func: str) -> int:
    if isinstance(fan_in, (bool, np.bool_)) or not isinstance(fan_in, numbers.Integral):
        raise TypeError(
            f"{func}: fan_in must be a positive integer; got {_describe_value(fan_in)}"
        )
    if fan_in < 1:
        raise ValueError(f"{func}: fan_in must be a positive integer; got {fan_in!r}")
    return int(fan_in)


def init_bias(name: str, n_out: int, fan_in: int, rng, *, dtype=np.float64) -> np.ndarray:
    """The bias that goes with weight initializer ``name``, shape ``(n_out,)``.

    Parameters
    ----------
    name : str
        A weight initializer from :data:`NAMES`.
    n_out : int
        ``F`` for a conv layer, ``out`` for a dense one.
    fan_in : int
        The fan-in of the layer's weight (``fans(w.shape)[0]``).
    rng : numpy.random.Generator
        Drawn from only for ``"pytorch_default"``, but always checked.
    dtype : float dtype, default float64

    Returns
    -------
    b : ndarray, shape (n_out,)

    Notes
    -----
    .. math::

        b \\sim U\\left(-\\tfrac{1}{\\sqrt{\\text{fan\\_in}}},
        \\tfrac{1}{\\sqrt{\\text{fan\\_in}}}\\right) \\text{ for pytorch\\_default},
        \\qquad b = 0 \\text{ otherwise}

    Every scheme but PyTorch's default (Keras, Glorot, He, LeCun, orthogonal, dirac)
    starts the bias at zero. Draw the weight first, then the bias, as PyTorch does.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> print(init_bias("he_normal", 3, 75, rng))
    [0. 0. 0.]
    >>> print(init_bias("pytorch_default", 3, 75, rng).shape)
    (3,)
    """
    func = "init_bias"
    check_choice(name, NAMES, "name", func)
    if isinstance(n_out, (bool, np.bool_)) or not isinstance(n_out, numbers.Integral):
        raise TypeError(f"{func}: n_out must be a positive integer; got {_describe_value(n_out)}")
    if n_out < 1:
        raise ValueError(f"{func}: n_out must be a positive integer; got {n_out!r}")
    fan_in = _fan(fan_in, func)
    rng = _rng(rng, func)
    if name == "pytorch_default":
        return pytorch_default_bias((int(n_out),), rng, fan_in=fan_in, dtype=dtype)
    return keras_default_bias((int(n_out),), rng, dtype=dtype)


# ------------------------------------------------------------------------------ lookup

_FUNCS = {
    "zeros": zeros, "ones": ones, "constant": constant, "normal": normal,
    "uniform": uniform, "truncated_normal": truncated_normal,
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_normal": he_normal, "he_uniform": he_uniform,
    "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
    "orthogonal": orthogonal, "dirac": dirac,
    "pytorch_default": pytorch_default, "keras_default": keras_default,
}

NAMES: tuple[str, ...] = tuple(_FUNCS)
"""The weight initializers :func:`get` knows (biases: :func:`init_bias`)."""


def get(name: str):
    """The initializer called ``name`` (one of :data:`NAMES`), to call as ``f(shape, rng)``.

    .. math::

        \\texttt{get(name)(shape, rng)} = \\texttt{name(shape, rng)}

    >>> get("he_uniform") is he_uniform
    True
    """
    check_choice(name, NAMES, "name", "init.get")
    return _FUNCS[name]


@dataclass(frozen=True)
class InitStats:
    """The theoretical distribution of an initializer's entries, for "formula vs measured".

    Attributes
    ----------
    name : str
    shape : tuple of int
    fan_in, fan_out : int or None
        None for shapes without fans (1-D).
    mean, std : float
        Of the entries (population std; for ``orthogonal``, the root mean square).
    low, high : float or None
        Bounds every entry lies in (None: unbounded). Truncated normals: mean +- 2
        sigma.
    formula : str
        How ``std`` follows from the shape, e.g. ``"sqrt(2 / fan_in)"``.
    distribution : str
        ``"constant"``, ``"normal"``, ``"uniform"``, ``"truncated normal"``,
        ``"orthogonal"`` or ``"dirac"``.
    """

    name: str
    shape: tuple
    fan_in: Optional[int]
    fan_out: Optional[int]
    mean: float
    std: float
    low: Optional[float]
    high: Optional[float]
    formula: str
    distribution: str

    @property
    def limit(self) -> Optional[float]:
        """The symmetric bound ``high`` when ``low == -high``, else None."""
        if self.high is not None and self.low == -self.high:
            return self.high
        return None

    def __str__(self) -> str:
        parts = [f"{self.name} {self.shape}:"]
        if self.fan_in is not None:
            parts.append(f"fan_in {self.fan_in}, fan_out {self.fan_out},")
        parts.append(f"mean {self.mean:.4g}, std {self.std:.4f}")
        if self.formula:
            parts[-1] += f" = {self.formula}"
        bounds = (f"+-{self.limit:.4f}" if self.limit is not None
                  else f"[{self.low:.4f}, {self.high:.4f}]")
        if self.distribution == "uniform":
            parts[-1] += f", uniform on {bounds}"
        elif self.distribution == "truncated normal":
            parts[-1] += f", truncated at {bounds}"
        elif self.distribution == "orthogonal":
            parts[-1] += f", entries within {bounds}"
        elif self.distribution == "dirac":
            parts[-1] += ", entries 0 or 1"
        return " ".join(parts)


_OPTIONS = {
    "constant": ("value",), "normal": ("mean", "std"), "uniform": ("limit", "low", "high"),
    "truncated_normal": ("std", "mean", "correct"), "orthogonal": ("gain",),
}
_FAN_BASED = (*_SCHEMES, "keras_default", "orthogonal", "dirac")

_UNIFORM_FORMULA = {
    "glorot_uniform": "sqrt(2 / (fan_in + fan_out))",
    "keras_default": "sqrt(2 / (fan_in + fan_out))",
    "he_uniform": "sqrt(2 / fan_in)", "lecun_uniform": "sqrt(1 / fan_in)",
    "pytorch_default": "1 / sqrt(3 * fan_in)",
}


def describe(name: str, shape, **params) -> InitStats:
    """Theoretical mean, std and bounds of ``get(name)(shape, rng, **params)``'s entries.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    shape : tuple of int
    **params
        The initializer's keywords (``std=``, ``limit=``, ``gain=``, ...), defaults as
        in the initializer.

    Returns
    -------
    InitStats
        ``str()`` of it is a one-line summary; ``.limit`` is the uniform bound.

    Notes
    -----
    .. math::

        U(-\\ell, \\ell):\\ \\operatorname{std} = \\ell / \\sqrt{3}; \\qquad
        \\text{truncated normal: bounds } \\pm 2\\sigma = \\pm 2\\,\\text{std} / 0.8796

    Examples
    --------
    >>> s = describe("glorot_uniform", (20, 3, 5, 5))
    >>> print(round(s.std, 4), round(s.limit, 4))
    0.059 0.1022
    >>> print(describe("pytorch_default", (20, 3, 5, 5)))  # doctest: +NORMALIZE_WHITESPACE
    pytorch_default (20, 3, 5, 5): fan_in 75, fan_out 500, mean 0,
        std 0.0667 = 1 / sqrt(3 * fan_in), uniform on +-0.1155
    """
    func = "init.describe"
    check_choice(name, NAMES, "name", func)
    allowed = _OPTIONS.get(name, ())
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise TypeError(
            f"{func}: {name!r} takes options: {', '.join(allowed) or 'none'}; "
            f"got {', '.join(repr(k) for k in unknown)}"
        )
    for key in ("value", "mean", "low", "high"):
        if params.get(key) is not None:
            real(params[key], key, func)
    for key in ("std", "limit", "gain"):
        if params.get(key) is not None:
            real(params[key], key, func, **_POSITIVE)
    if name == "dirac":
        dirac(shape)  # the same shape checks
    dims = _shape(shape, func, min_ndim=2 if name in _FAN_BASED else 1)
    fan_in = fan_out = None
    if len(dims) >= 2:
        fan_in, fan_out = fans(dims)
    C = TRUNCATED_NORMAL_STD_CORRECTION

    def stats(dist, mean, std, low=None, high=None, formula=""):
        return InitStats(name, dims, fan_in, fan_out, float(mean), float(std),
                         None if low is None else float(low),
                         None if high is None else float(high), formula, dist)

    if name in ("zeros", "ones", "constant"):
        value = {"zeros": 0.0, "ones": 1.0}.get(name, params.get("value", 0.0))
        return stats("constant", value, 0.0, value, value, "0")
    if name == "normal":
        return stats("normal", params.get("mean", 0.0), params.get("std", 1.0),
                     formula="std")
    if name == "uniform":
        lo, hi = _uniform_bounds(params.get("limit"), params.get("low"), params.get("high"),
                                 func)
        return stats("uniform", (lo + hi) / 2, (hi - lo) / math.sqrt(12), lo, hi,
                     "(high - low) / sqrt(12)")
    if name == "truncated_normal":
        std, mean = params.get("std", 1.0), params.get("mean", 0.0)
        correct = params.get("correct", True)
        sigma = std / C if correct else std
        return stats("truncated normal", mean, sigma * C, mean - 2 * sigma,
                     mean + 2 * sigma, "std" if correct else "0.8796 * std")
    if name == "orthogonal":
        gain = params.get("gain", 1.0)
        rms = gain / math.sqrt(max(dims[0], math.prod(dims[1:])))
        return stats("orthogonal", 0.0, rms, -gain, gain, "gain / sqrt(max(F, C*kh*kw))")
    if name == "dirac":
        p = min(dims[0], dims[1]) / math.prod(dims)
        return stats("dirac", p, math.sqrt(p * (1 - p)), 0.0, 1.0,
                     "sqrt(p (1 - p)), p = min(F, C) / size")
    scheme = "glorot_uniform" if name == "keras_default" else name
    family, _, _, formula = _SCHEMES[scheme]
    s = _scheme_scale(scheme, dims)
    if family == "uniform":
        return stats("uniform", 0.0, s / math.sqrt(3), -s, s, _UNIFORM_FORMULA[name])
    return stats("truncated normal", 0.0, s, -2 * s / C, 2 * s / C, formula)
