"""Reference solutions for notebook 02, "The convolutional layer".

>>> output_size(32, 5, stride=2, padding=2), param_count(3, 20, 3), weight_shape(3, 20, 5)
(16, 560, (20, 3, 5, 5))
"""
import numpy as np

__all__ = ["output_size", "param_count", "weight_shape", "conv_forward_loops"]


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


def conv_forward_loops(x, w, b):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    H_out, W_out = H - kh + 1, W - kw + 1
    y = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, :, i:i + kh, j:j + kw]       # (C, kh, kw): all channels
                    y[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return y
