"""Reference solutions for notebook 05, Backpropagation through a convolution.

Single-channel, stride 1, no padding: ``y = correlate2d(x, w, "valid")``.
"""
import numpy as np


def dw_loops(x, dy):
    """dW[u, v] = sum over i, j of dY[i, j] * X[i + u, j + v]."""
    H, W = x.shape
    Ho, Wo = dy.shape
    kh, kw = H - Ho + 1, W - Wo + 1
    dw = np.zeros((kh, kw))
    for u in range(kh):
        for v in range(kw):
            for i in range(Ho):
                for j in range(Wo):
                    dw[u, v] += dy[i, j] * x[i + u, j + v]
    return dw


def dx_loops(dy, w):
    """Every output y[i, j] used x[i + u, j + v] through w[u, v]: send dY[i, j] * w[u, v]
    back to that input cell."""
    Ho, Wo = dy.shape
    kh, kw = w.shape
    dx = np.zeros((Ho + kh - 1, Wo + kw - 1))
    for i in range(Ho):
        for j in range(Wo):
            for u in range(kh):
                for v in range(kw):
                    dx[i + u, j + v] += dy[i, j] * w[u, v]
    return dx


def gradient_shapes(x_shape, w_shape, stride, padding):
    """Shapes of dy, dx, dw, db for conv2d(x, w, b, stride=stride, padding=padding)."""
    N, C, H, W = x_shape
    F, _, kh, kw = w_shape
    H_out = (H + 2 * padding - kh) // stride + 1
    W_out = (W + 2 * padding - kw) // stride + 1
    return (N, F, H_out, W_out), (N, C, H, W), (F, C, kh, kw), (F,)
