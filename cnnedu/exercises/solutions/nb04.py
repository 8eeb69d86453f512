"""Reference solutions for notebook 04, "Activations and the linear collapse"."""
from __future__ import annotations

import numpy as np

__all__ = ["collapse_two_nodes", "combined_kernel", "predict_saturation"]


def collapse_two_nodes(m0, b0, m1, b1):
    """x1 = m0 x0 + b0 and x2 = m1 x1 + b1 give x2 = (m1 m0) x0 + (m1 b0 + b1).

    With matrices the order matters: m0 acts first, so it stands on the right.
    """
    m0, b0, m1, b1 = (np.asarray(a, dtype=float) for a in (m0, b0, m1, b1))
    M = m1 @ m0
    B = m1 @ b0 + b1
    return M, B


def combined_kernel(k1, k2):
    """The full convolution of k1 and k2: K[u, v] = sum over a, b of k1[a, b] k2[u - a, v - b].

    Every tap of k2 adds a copy of k1, scaled by that tap, shifted to where the tap is.
    """
    k1 = np.asarray(k1, dtype=float)
    k2 = np.asarray(k2, dtype=float)
    h1, w1 = k1.shape
    h2, w2 = k2.shape
    K = np.zeros((h1 + h2 - 1, w1 + w2 - 1))
    for p in range(h2):
        for q in range(w2):
            K[p:p + h1, q:q + w1] += k2[p, q] * k1
    return K


def predict_saturation():
    """Saturated: the derivative is below 1% of its largest value.

    relu: for x <= 0 (derivative exactly 0); leaky_relu: never (slope alpha > 0.01 * 1);
    sigmoid: for |x| > about 6; tanh: for |x| > about 3.
    """
    return {
        (-1, 2): set(),                         # everything is in its working range
        (4, 10): {"sigmoid", "tanh"},           # tanh from 3 on, sigmoid from 6 on (2/3)
        (-10, -4): {"relu", "sigmoid", "tanh"},  # relu is flat 0, the others in their tails
        (-5, 1): {"relu"},                      # relu on 5/6; tanh only below -3 (1/3)
    }
