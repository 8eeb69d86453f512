"""Reference solutions for notebook 02, "The convolutional layer".

>>> output_size(32, 5, stride=2, padding=2), param_count(3, 20, 3), weight_shape(3, 20, 5)
(16, 560, (20, 3, 5, 5))
>>> receptive_field([(3, 2), (3, 2), (3, 1)])
15
"""
import numpy as np

__all__ = ["output_size", "param_count", "weight_shape", "conv_forward", "max_pool_forward",
           "receptive_field", "window_matrix"]


def output_size(H, k, stride=1, padding=0):
    # padding zeros on BOTH sides; a window must fit entirely, so round DOWN
    return (H + 2 * padding - k) // stride + 1


def param_count(in_channels, out_channels, kernel_size):
    # every filter spans all input channels: C * k * k weights, plus one bias per filter
    weights = out_channels * in_channels * kernel_size * kernel_size
    biases = out_channels
    return weights + biases


def weight_shape(in_channels, out_channels, kernel_size):
    # PyTorch order: (F, C, kh, kw), the filters first
    return (out_channels, in_channels, kernel_size, kernel_size)


def conv_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    p, s = padding, stride
    # zeros on BOTH sides of each spatial axis (not on N or C)
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    H_out = (H + 2 * p - kh) // s + 1            # floor: a window must fit entirely
    W_out = (W + 2 * p - kw) // s + 1
    y = np.zeros((N, F, H_out, W_out))           # (N, F, ...): one map per filter
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    # the window starts at (i*s, j*s) and spans ALL C channels
                    window = x_pad[n, :, i * s:i * s + kh, j * s:j * s + kw]
                    # no flip (cross-correlation); one bias per filter, added once
                    y[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return y


def max_pool_forward(x, size, stride):
    N, C, H, W = x.shape
    H_out = (H - size) // stride + 1             # partial windows at the edge are dropped
    W_out = (W - size) // stride + 1
    y = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):                       # each channel on its own
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    y[n, c, i, j] = window.max()     # not a running max started at 0
    return y


def receptive_field(layers):
    r, jump = 1, 1                   # one output pixel sees 1 pixel of its own map
    for k, s in layers:              # from the input up
        r += (k - 1) * jump          # k - 1 more steps of this layer's input, each `jump` pixels
        jump *= s                    # this layer's stride matters only to the layers above
    return r


def window_matrix(x, k):
    C, H, W = x.shape
    H_out, W_out = H - k + 1, W - k + 1
    cols = np.zeros((C * k * k, H_out * W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, i:i + k, j:j + k]              # (C, k, k)
            cols[:, i * W_out + j] = window.reshape(-1)  # rows (c, u, v), like w.reshape(F, -1)
    return cols
