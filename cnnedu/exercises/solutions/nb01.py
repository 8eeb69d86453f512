"""Reference solutions for notebook 01, "Filters as templates"."""
from __future__ import annotations

import numpy as np

__all__ = ["correlate2d_loops", "convolve2d_by_flipping", "ncc_loops", "diagonal_edge_kernel",
           "learn_kernel"]


def correlate2d_loops(image, kernel):
    """Valid cross-correlation with two loops: one dot product per output cell."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    H, W = image.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            window = image[i:i + kh, j:j + kw]      # the patch under the kernel
            out[i, j] = np.sum(window * kernel)     # elementwise products, summed
    return out


def convolve2d_by_flipping(image, kernel):
    """Valid convolution: cross-correlation with the kernel rotated by 180 degrees
    (rows reversed and columns reversed), so kernel[u, v] meets image[i - u, j - v]."""
    flipped = np.asarray(kernel, dtype=float)[::-1, ::-1]
    return correlate2d_loops(image, flipped)


def ncc_loops(image, template):
    """Zero-mean normalized cross-correlation, one window at a time:
    the cosine between the centred window and the centred template; 0 on a flat window."""
    image = np.asarray(image, dtype=float)
    t = np.asarray(template, dtype=float)
    t = t - t.mean()                                # centre the template
    th, tw = t.shape
    H, W = image.shape
    out = np.zeros((H - th + 1, W - tw + 1))
    for i in range(H - th + 1):
        for j in range(W - tw + 1):
            a = image[i:i + th, j:j + tw]
            a = a - a.mean()                        # centre the window too
            norms = np.linalg.norm(a) * np.linalg.norm(t)
            if norms > 1e-12:                       # a flat window has no pattern: 0
                out[i, j] = np.sum(a * t) / norms
    return out


def diagonal_edge_kernel():
    """A template of the 45-degree edge, dark above-left and bright below-right: the
    weight of each cell is how far it lies towards the bright side (row + column offset),
    so it sums to 0 (flat regions give 0) and changes along the diagonal only."""
    return np.array([[-2.0, -1.0, 0.0],
                     [-1.0, 0.0, 1.0],
                     [0.0, 1.0, 2.0]])


def learn_kernel(images, targets, lr, steps):
    """Gradient descent on L = mean over all output cells of (prediction - target)**2 / 2.

    dL/dkernel[u, v] = mean of residual[i, j] * image[i + u, j + v]: a correlation of each
    image with its residual map.
    """
    from cnnedu.nn.conv import correlate2d

    H, W = images[0].shape
    Ho, Wo = targets[0].shape
    kernel = np.zeros((H - Ho + 1, W - Wo + 1))     # start from 0
    n = sum(np.size(y) for y in targets)            # number of output cells
    for _ in range(steps):
        grad = np.zeros_like(kernel)
        for x, y in zip(images, targets):
            residual = correlate2d(x, kernel) - y   # prediction - target
            grad += correlate2d(x, residual)        # sum of residual * window
        kernel -= lr * grad / n                     # one step down the mean gradient
    return kernel
