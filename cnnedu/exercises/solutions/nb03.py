"""Reference solutions for notebook 03, "Initializing filters"."""
from __future__ import annotations

import numpy as np

from cnnedu.nn.activations import relu, relu_grad
from cnnedu.nn.conv import conv2d, conv2d_backward

__all__ = ["fan_in_fan_out", "he_uniform", "kaiming_limit", "truncated_std", "gradient_step",
           "downstream_start", "relu_rms"]


def fan_in_fan_out(shape):
    """A conv weight (F, C, kh, kw): one output value sums C*kh*kw products (fan-in);
    one input value is used by F*kh*kw weights (fan-out)."""
    F, C, kh, kw = shape
    return C * kh * kw, F * kh * kw


def he_uniform(shape, rng):
    """Var(w) = 2 / fan_in; U(-l, l) has variance l**2 / 3, so l = sqrt(6 / fan_in)."""
    F, C, kh, kw = shape
    fan_in = C * kh * kw
    limit = np.sqrt(3 * 2 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def kaiming_limit(fan_in, a):
    """kaiming_uniform_: gain = sqrt(2 / (1 + a**2)), std = gain / sqrt(fan_in), and the
    uniform's limit is sqrt(3) * std. With a = sqrt(5): gain = sqrt(1/3), limit 1/sqrt(fan_in)."""
    gain = np.sqrt(2 / (1 + a ** 2))
    std = gain / np.sqrt(fan_in)
    return np.sqrt(3) * std


def truncated_std(c):
    """Var = integral of x**2 phi(x) over [-c, c], divided by the mass of phi there
    (the mean is 0 by symmetry); the trapezoid rule on a fine grid."""
    x = np.linspace(-c, c, 10_001)
    phi = np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)

    def integral(y):                      # the trapezoid rule (np.trapezoid in numpy 2)
        return np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2

    mass = integral(phi)
    second_moment = integral(x ** 2 * phi) / mass
    return np.sqrt(second_moment)


def gradient_step(w, b, v, x, t, lr):
    """z_f = w_f * x + b_f, h_f = relu(z_f), y = sum_f v_f h_f, L = mean((y - t)**2) / 2;
    one step down every gradient."""
    z = conv2d(x, w, b, padding=1)                       # (N, F, H, W)
    h = relu(z)
    y = (v[None, :, None, None] * h).sum(axis=1, keepdims=True)
    dy = (y - t) / y.size
    dh = v[None, :, None, None] * dy                     # each map is scaled by its v_f
    dz = dh * relu_grad(z)
    _, dw, db = conv2d_backward(dz, x, w, padding=1)
    dv = (dy * h).sum(axis=(0, 2, 3))
    return w - lr * dw, b - lr * db, v - lr * dv


def downstream_start():
    """Three equal filters and biases, but the readout weights differ: the filters get
    gradients scaled by different v_f, so they move apart."""
    w = np.full((3, 1, 3, 3), 0.1)
    b = np.zeros(3)
    v = np.array([0.2, 0.25, 0.3])
    return w, b, v


def relu_rms(std_w, fan_in, depth):
    """Per layer E[z**2] = fan_in * std_w**2 * E[h**2]; the ReLU keeps half of it. After
    depth layers the second moment is (fan_in * std_w**2 / 2)**depth: take its root."""
    per_layer = fan_in * std_w ** 2 / 2
    return per_layer ** (depth / 2)
