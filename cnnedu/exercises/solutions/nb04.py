"""Reference solutions for notebook 04, "Activations and the linear collapse"."""
from __future__ import annotations

import numpy as np

__all__ = ["collapse_two_nodes", "combined_kernel", "combine", "combine_strided",
           "border_mask", "break_collapse", "predict_saturation"]


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


def combine(w1, b1, w2, b2):
    """One conv layer (W, B) equal to conv2d(conv2d(x, w1, b1), w2, b2) (valid, stride 1).

    w1 (M, C, k1h, k1w), w2 (F, M, k2h, k2w):
    W[o, i] = sum over m of full_conv(w1[m, i], w2[o, m]), shape (F, C, k1h + k2h - 1, ...);
    B[o] = b2[o] + sum over m of b1[m] * sum(w2[o, m]): b1[m] sits at every position of
    map m, and every tap of w2[o, m] picks it up.
    """
    w1, b1, w2, b2 = (np.asarray(a, dtype=float) for a in (w1, b1, w2, b2))
    M, C, h1, v1 = w1.shape
    F, _, h2, v2 = w2.shape
    W = np.zeros((F, C, h1 + h2 - 1, v1 + v2 - 1))
    for o in range(F):
        for i in range(C):
            for m in range(M):                       # sum over the middle channels
                for p in range(h2):
                    for q in range(v2):
                        W[o, i, p:p + h1, q:q + v1] += w2[o, m, p, q] * w1[m, i]
    B = b2 + w2.sum(axis=(2, 3)) @ b1
    return W, B


def combine_strided(k1, k2, s1, s2):
    """Correlate with k1 at stride s1, then with k2 at stride s2: one kernel, one stride.

    One step of the second layer moves s1 pixels of the input, so k2's taps sit s1 apart:
    K = full_conv(k1, k2 dilated by s1), of size k1 + s1 (k2 - 1); the stride is s1 * s2.
    """
    k1 = np.asarray(k1, dtype=float)
    k2 = np.asarray(k2, dtype=float)
    h1, w1 = k1.shape
    h2, w2 = k2.shape
    K = np.zeros((h1 + s1 * (h2 - 1), w1 + s1 * (w2 - 1)))
    for p in range(h2):
        for q in range(w2):
            K[s1 * p:s1 * p + h1, s1 * q:s1 * q + w1] += k2[p, q] * k1
    return K, s1 * s2


def border_mask(size, k1, k2):
    """True where two "same"-padded layers differ from their collapse.

    The stack's second layer reads zeros outside the first layer's map; the single layer
    reads the first layer's response there. Output pixels whose k2 window reaches outside
    differ: a ring k2h // 2 rows and k2w // 2 columns deep. k1 does not matter.
    """
    H, W = size
    ph, pw = k2[0] // 2, k2[1] // 2
    mask = np.zeros((H, W), dtype=bool)
    mask[:ph] = True
    mask[H - ph:] = True
    mask[:, :pw] = True
    mask[:, W - pw:] = True
    return mask


def break_collapse():
    """Two inputs that break S(xa + xb) = S(xa) + S(xb) - S(0).

    xa is a rising edge, xb the same edge falling: the ReLUs open for xa, close for xb,
    and xa + xb = 0 gives S(0). So the gap is S(xa) itself, the edge's full response.
    """
    xa = np.full((8, 8), -1.0)
    xa[:, 4:] = 1.0
    xb = -xa
    return xa, xb


def predict_saturation():
    """Saturated: the derivative is below 1% of its largest value.

    relu: for x <= 0 (derivative exactly 0); leaky_relu with alpha = 0.1: never (its
    left slope is 10% of its largest); sigmoid: for |x| > about 6; tanh: for |x| > about 3.
    """
    return {
        (-1, 2): set(),                         # everything is in its working range
        (4, 10): {"sigmoid", "tanh"},           # tanh from 3 on, sigmoid from 6 on (2/3)
        (-10, -4): {"relu", "sigmoid", "tanh"},  # relu is flat 0, the others in their tails
        (-5, 1): {"relu"},                      # relu on 5/6; tanh only below -3 (1/3)
    }
