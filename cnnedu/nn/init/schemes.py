"""Fan-based schemes: Glorot, He, LeCun, and PyTorch's and Keras's defaults, with biases.

:func:`fans` gives a weight's fan-in and fan-out; each scheme turns them into a std
(normal, drawn truncated) or a limit (uniform). PyTorch's and Keras's default biases are
here too. The public face is :mod:`cnnedu.nn.init`.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from cnnedu.nn.init._checks import _dtype, _fan, _rng, _shape
from cnnedu.nn.init.distributions import (
    TRUNCATED_NORMAL_STD_CORRECTION,
    _constant,
    _truncated_standard_normal,
)

__all__ = [
    "fans",
    "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "pytorch_default", "keras_default",
    "pytorch_default_bias", "keras_default_bias",
]


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
