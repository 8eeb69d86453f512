"""The weight initializers by name (:data:`NAMES`), and the bias that goes with each.

:func:`cnnedu.nn.init.get` looks a weight initializer up here; :func:`init_bias` gives the
bias a scheme starts with. The public face is :mod:`cnnedu.nn.init`.
"""
from __future__ import annotations

import numbers

import numpy as np

from cnnedu.nn.init._checks import _fan, _rng
from cnnedu._validate import check_choice, describe as _describe_value
from cnnedu.nn.init.distributions import (
    constant,
    normal,
    ones,
    truncated_normal,
    uniform,
    zeros,
)
from cnnedu.nn.init.schemes import (
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    keras_default,
    keras_default_bias,
    lecun_normal,
    lecun_uniform,
    pytorch_default,
    pytorch_default_bias,
)
from cnnedu.nn.init.special import dirac, orthogonal

__all__ = ["NAMES", "init_bias"]

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
