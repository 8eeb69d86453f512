"""Reference solutions for notebook 03, "Initializing filters"."""
from __future__ import annotations

import numpy as np

__all__ = ["fan_in_fan_out", "glorot_limit", "relu_initializer"]


def fan_in_fan_out(shape):
    """A conv weight (F, C, kh, kw): one output value sums C*kh*kw products (fan-in);
    one input value is used by F*kh*kw weights (fan-out)."""
    F, C, kh, kw = shape
    return C * kh * kw, F * kh * kw


def glorot_limit(fan_in, fan_out):
    """U(-l, l) has variance l**2 / 3; Glorot wants 2 / (fan_in + fan_out), so
    l = sqrt(3 * 2 / (fan_in + fan_out))."""
    return np.sqrt(6.0 / (fan_in + fan_out))


def relu_initializer():
    """He (Kaiming): Var(w) = 2 / fan_in makes up for the half of the values ReLU zeroes."""
    return "he_normal"
