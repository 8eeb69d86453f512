"""Reference solutions for notebook 06, "Learning filters"."""
from __future__ import annotations

import numpy as np

from cnnedu.nn.losses import softmax_cross_entropy

__all__ = ["sgd_momentum_step", "conv_forward", "conv_backward", "train_one_epoch",
           "symmetry_experiment"]


def sgd_momentum_step(p, g, v, lr, momentum):
    """One step of SGD with momentum (PyTorch's rule): v <- momentum * v + g; p <- p - lr * v.

    Returns the new parameters and the new velocity; the inputs are left unchanged.
    """
    v_new = momentum * v + g
    p_new = p - lr * v_new
    return p_new, v_new


def conv_forward(x, w, b, padding):
    """y[n, f, i, j] = b[f] + sum over c, u, v of x_pad[n, c, i + u, j + v] * w[f, c, u, v].

    One loop over the kernel offsets (u, v); each step adds one shifted slice of the padded
    batch times one weight per (filter, channel), for every image and position at once.
    """
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    p = padding
    xp = np.zeros((N, C, H + 2 * p, W + 2 * p))
    xp[:, :, p:p + H, p:p + W] = x
    Ho, Wo = H + 2 * p - kh + 1, W + 2 * p - kw + 1
    y = np.zeros((N, F, Ho, Wo))
    for u in range(kh):
        for v in range(kw):
            window = xp[:, :, u:u + Ho, v:v + Wo]               # (N, C, Ho, Wo)
            y += np.einsum("nchw,fc->nfhw", window, w[:, :, u, v])
    return y + b[None, :, None, None]


def conv_backward(dy, x, w, padding):
    """The three gradients of conv_forward, offset by offset (notebook 05):

    dw[f, c, u, v] = sum over n, i, j of dy[n, f, i, j] * x_pad[n, c, i + u, j + v]
    dx_pad[n, c, i + u, j + v] += dy[n, f, i, j] * w[f, c, u, v]   (then cut the padding off)
    db[f] = sum over n, i, j of dy[n, f, i, j]
    """
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    p = padding
    xp = np.zeros((N, C, H + 2 * p, W + 2 * p))
    xp[:, :, p:p + H, p:p + W] = x
    Ho, Wo = dy.shape[2:]
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    for u in range(kh):
        for v in range(kw):
            window = xp[:, :, u:u + Ho, v:v + Wo]
            dw[:, :, u, v] = np.einsum("nfhw,nchw->fc", dy, window)
            dxp[:, :, u:u + Ho, v:v + Wo] += np.einsum("nfhw,fc->nchw", dy, w[:, :, u, v])
    db = dy.sum(axis=(0, 2, 3))
    return dxp[:, :, p:p + H, p:p + W], dw, db


def train_one_epoch(model, x, y, order, batch_size, lr, momentum, velocity):
    """One epoch of mini-batch SGD with momentum over the batches ``order`` gives.

    For each batch: forward, loss, backward, then for every parameter
    v <- momentum * v + g and p <- p - lr * v, in place. ``velocity`` (a dict, name ->
    array) carries v from one epoch to the next. Returns the epoch's mean loss per sample
    (the last batch may be smaller, so each batch counts by its size).
    """
    total = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        logits = model.forward(x[idx])
        loss, dlogits = softmax_cross_entropy(logits, y[idx])
        model.backward(dlogits)
        for name, p, g in model.parameters():
            v = momentum * velocity.get(name, 0.0) + g
            velocity[name] = v
            p -= lr * v
        total += loss * len(idx)
    return total / len(order)


def symmetry_experiment(model, x, y, steps, lr):
    """Train ``steps`` steps of plain SGD on the batch (x, y); then one more forward and
    backward pass. Return (the RMS per entry of the filters' gradient dL/dw, the RMS per
    entry of w[f] - w[0], how far the filters are from being one filter)."""
    for _ in range(steps):
        _, dlogits = softmax_cross_entropy(model.forward(x), y)
        model.backward(dlogits)
        for _, p, g in model.parameters():
            p -= lr * g
    _, dlogits = softmax_cross_entropy(model.forward(x), y)
    model.backward(dlogits)
    dw = model[0].grads["w"]
    w = model[0].params["w"]
    return float(np.sqrt(np.mean(dw ** 2))), float(np.sqrt(np.mean((w - w[0]) ** 2)))
