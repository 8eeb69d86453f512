r"""The numbers behind the initializers, derived rather than quoted.

- :func:`he_uniform_limit`: He's uniform limit from the fans, :math:`\sqrt{6/\text{fan\_in}}`
  (variance :math:`2/\text{fan\_in}`, and :math:`\operatorname{Var} U(-\ell, \ell) = \ell^2/3`).
- :func:`kaiming_uniform_limit`: PyTorch's ``kaiming_uniform_(w, a)``, whose default
  ``a = sqrt(5)`` gives :math:`U(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})`.
- :func:`truncated_std` and :func:`truncated_std_numeric`: the std of a standard normal cut
  to :math:`[-c, c]` (0.8796 at ``c = 2``), in closed form and by integrating the density.
- :func:`relu_rms_prediction`: the variance argument's prediction of the root mean square
  of the activations after ``depth`` ReLU layers.

>>> print(f"{truncated_std(2.0):.10f}")
0.8796256610
>>> print(f"{kaiming_uniform_limit(75, 5 ** 0.5) * 75 ** 0.5:.6f}")
1.000000
"""
from __future__ import annotations

import math

import numpy as np

from cnnedu._validate import integer, real
from cnnedu.nn import init as _init

__all__ = ["he_uniform_limit", "kaiming_uniform_limit", "truncated_std",
           "truncated_std_numeric", "trapezoid", "relu_rms_prediction"]


def he_uniform_limit(shape) -> float:
    r"""The limit :math:`\ell` of He's uniform for a conv weight ``(F, C, kh, kw)``.

    .. math::

        \operatorname{Var}(w) = \frac{2}{\text{fan\_in}}, \quad
        \operatorname{Var}\,U(-\ell, \ell) = \frac{\ell^2}{3}
        \;\Rightarrow\; \ell = \sqrt{\frac{6}{\text{fan\_in}}}, \quad
        \text{fan\_in} = C \cdot kh \cdot kw

    >>> print(f"{he_uniform_limit((32, 8, 3, 5)):.4f}")
    0.2236
    """
    fan_in, _ = _init.fans(tuple(shape))
    return math.sqrt(6.0 / fan_in)


def kaiming_uniform_limit(fan_in: int, a: float = 0.0) -> float:
    r"""The limit of PyTorch's ``kaiming_uniform_(w, a=a)`` (``mode="fan_in"``, leaky ReLU).

    .. math::

        g = \sqrt{\frac{2}{1 + a^2}}, \qquad \ell = g \sqrt{\frac{3}{\text{fan\_in}}}

    With ``a = sqrt(5)`` (what ``nn.Conv2d`` uses): :math:`g = \sqrt{1/3}` and
    :math:`\ell = 1/\sqrt{\text{fan\_in}}`.

    >>> print(f"{kaiming_uniform_limit(120, 0.0):.4f}")
    0.2236
    """
    fan_in = integer(fan_in, "fan_in", "kaiming_uniform_limit", minimum=1)
    a = real(a, "a", "kaiming_uniform_limit")
    gain = math.sqrt(2.0 / (1.0 + a * a))
    return gain * math.sqrt(3.0 / fan_in)


def truncated_std(c: float = 2.0) -> float:
    r"""Std of a standard normal truncated to :math:`[-c, c]`, in closed form.

    .. math::

        \operatorname{Var} = 1 - \frac{2 c\, \varphi(c)}{2\Phi(c) - 1}, \qquad
        \varphi(c) = \frac{e^{-c^2/2}}{\sqrt{2\pi}}, \quad
        2\Phi(c) - 1 = \operatorname{erf}(c/\sqrt 2)

    >>> print(f"{truncated_std(1.0):.6f}")
    0.539560
    """
    c = real(c, "c", "truncated_std")
    if not c > 0:
        raise ValueError(f"truncated_std: c must be > 0; got {c!r}")
    phi = math.exp(-c * c / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(c / math.sqrt(2))
    return math.sqrt(1.0 - 2.0 * c * phi / mass)


def truncated_std_numeric(c: float = 2.0, *, points: int = 20_001) -> float:
    r"""The same std by numerical integration (trapezoid rule on ``points`` points).

    .. math::

        \operatorname{Var} = \frac{\int_{-c}^{c} x^2 \varphi(x)\,dx}{\int_{-c}^{c}
        \varphi(x)\,dx}

    (the mean is 0 by symmetry). Agrees with :func:`truncated_std` to about 1e-9.

    >>> print(f"{truncated_std_numeric(2.0):.8f}")
    0.87962566
    """
    c = real(c, "c", "truncated_std_numeric")
    if not c > 0:
        raise ValueError(f"truncated_std_numeric: c must be > 0; got {c!r}")
    points = integer(points, "points", "truncated_std_numeric", minimum=3)
    x = np.linspace(-c, c, points)
    phi = np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)
    return float(np.sqrt(trapezoid(x ** 2 * phi, x) / trapezoid(phi, x)))


def trapezoid(y, x) -> float:
    r"""The trapezoid rule, :math:`\int y\,dx pprox \sum_i (y_i + y_{i+1})(x_{i+1} - x_i)/2`
    (``np.trapezoid`` of numpy 2, written out so that numpy 1 works too).

    >>> trapezoid(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0]))
    2.0
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def relu_rms_prediction(std_w: float, fan_in: int, depth: int) -> float:
    r"""Root mean square of the activations after ``depth`` conv+ReLU layers, predicted.

    An input of second moment 1, weights of std ``std_w`` (mean 0, independent), zero
    biases. Each layer: :math:`\mathbb E[z^2] = n\,\sigma_w^2\,\mathbb E[h^2]` and the ReLU
    keeps half of it, :math:`\mathbb E[h^2] = \mathbb E[z^2]/2`. So

    .. math::

        \sqrt{\mathbb E[h_L^2]} = \left(\frac{n\,\sigma_w^2}{2}\right)^{L/2}

    It predicts the *typical* size: the measured value of one draw scatters around it
    (and, in narrow layers, its median lies below it; see the notebook).

    >>> print(f"{relu_rms_prediction((2 / 72) ** 0.5, 72, 20):.3f}")
    1.000
    """
    std_w = real(std_w, "std_w", "relu_rms_prediction")
    fan_in = integer(fan_in, "fan_in", "relu_rms_prediction", minimum=1)
    depth = integer(depth, "depth", "relu_rms_prediction", minimum=0)
    return float((fan_in * std_w ** 2 / 2.0) ** (depth / 2.0))
