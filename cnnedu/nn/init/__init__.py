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

from cnnedu._validate import check_choice
from cnnedu.nn.init.distributions import (
    TRUNCATED_NORMAL_STD_CORRECTION,
    constant,
    normal,
    ones,
    truncated_normal,
    uniform,
    zeros,
)
from cnnedu.nn.init.names import NAMES, _FUNCS, init_bias
from cnnedu.nn.init.schemes import (
    fans,
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
from cnnedu.nn.init.stats import InitStats, describe

__all__ = [
    "fans", "TRUNCATED_NORMAL_STD_CORRECTION",
    "zeros", "ones", "constant", "normal", "uniform", "truncated_normal",
    "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "orthogonal", "dirac",
    "pytorch_default", "keras_default",
    "pytorch_default_bias", "keras_default_bias", "init_bias",
    "NAMES", "get", "describe", "InitStats",
]


def get(name: str):
    """The initializer called ``name`` (one of :data:`NAMES`), to call as ``f(shape, rng)``.

    .. math::

        \\texttt{get(name)(shape, rng)} = \\texttt{name(shape, rng)}

    >>> get("he_uniform") is he_uniform
    True
    """
    check_choice(name, NAMES, "name", "init.get")
    return _FUNCS[name]
