"""Reference solutions for notebook 05, Backpropagation through a convolution.

Exercises 1 and 2: single channel, stride 1, no padding, ``y = correlate2d(x, w, "valid")``.
Exercise 3: the whole conv layer, ``x`` (N, C, H, W), ``w`` (F, C, kh, kw), stride, padding.
Exercise 4: max pooling. Exercises 5 and 6: a gradient checker of your own.
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


def conv_backward(dy, x, w, stride, padding):
    """dx, dw, db of y = conv2d(x, w, b, stride=stride, padding=padding).

    Output y[n, f, i, j] read the window of x_pad at rows i*s .. i*s + kh - 1 (and columns
    likewise) through all of w[f]: its gradient goes back to exactly that window.
    """
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    _, _, H_out, W_out = dy.shape
    s, p = stride, padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad = np.zeros(x_pad.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            db[f] += dy[n, f].sum()                  # over the batch and the map
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * s, i * s + kh)  # the window this output read
                    cols = slice(j * s, j * s + kw)
                    dw[f] += dy[n, f, i, j] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += dy[n, f, i, j] * w[f]   # += : windows overlap
    dx = dx_pad[:, :, p:p + H, p:p + W]              # the padding is not an input: crop it
    return dx, dw, db


def max_pool_backward(dy, x, size, stride):
    """Each output's gradient goes to the first maximum of its window; overlapping
    windows that chose the same input add up."""
    N, C, H, W = x.shape
    _, _, H_out, W_out = dy.shape
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    u, v = divmod(int(np.argmax(window)), size)   # argmax: the first maximum
                    dx[n, c, i * stride + u, j * stride + v] += dy[n, c, i, j]
    return dx


def numerical_gradient(f, x, df):
    """Central differences of L(x) = sum(f(x) * df), with a step chosen for x's dtype:
    h = eps ** (1/3) balances truncation (~h**2) and rounding (~eps / h)."""
    h = float(np.finfo(x.dtype).eps) ** (1 / 3)      # 6e-6 for float64, 5e-3 for float32
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = np.sum(f(x) * df)
        x[idx] = old - h
        minus = np.sum(f(x) * df)
        x[idx] = old                                  # put it back
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def gradient_check(f, x, analytic, df):
    """True when the analytic gradient agrees with central differences: relative error
    of the whole array, ||a - n|| / (||a|| + ||n||), below 1e-6."""
    num = numerical_gradient(f, x.copy(), df)
    a = np.asarray(analytic, dtype=float)
    den = np.linalg.norm(a) + np.linalg.norm(num)
    return bool(den == 0 or np.linalg.norm(a - num) / den < 1e-6)
