"""Reference solutions for notebook 06, "Learning filters"."""
from __future__ import annotations

import numpy as np

__all__ = ["sgd_momentum_step", "count_parameters", "filter_spread"]


def sgd_momentum_step(p, g, v, lr, momentum):
    """One step of SGD with momentum (PyTorch's rule): v <- momentum * v + g; p <- p - lr * v.

    Returns the new parameters and the new velocity; the inputs are left unchanged.
    """
    v_new = momentum * v + g
    p_new = p - lr * v_new
    return p_new, v_new


def count_parameters(n_filters, kernel_size, image_size, pool, n_classes):
    """Conv: one k x k weight per filter (one input channel) plus one bias per filter.
    Dense: one weight per (class, feature) pair plus one bias per class, where the
    features are the F pooled maps of (image_size // pool)**2 values each."""
    conv = n_filters * kernel_size * kernel_size + n_filters
    features = n_filters * (image_size // pool) ** 2
    dense = n_classes * features + n_classes
    return conv + dense


def filter_spread(w):
    """The largest absolute difference between any filter w[f] and the first filter w[0]."""
    w = np.asarray(w, dtype=float)
    return float(np.max(np.abs(w - w[0])))
