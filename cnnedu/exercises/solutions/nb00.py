"""Reference solution for notebook 00, "Introduction" (the prerequisite self-check)."""
from __future__ import annotations

import numpy as np

__all__ = ["window_dot"]


def window_dot(image, kernel, i, j):
    """The window of ``image`` under ``kernel`` with its top-left corner at row ``i``,
    column ``j``, multiplied elementwise with the kernel and summed: one output value."""
    kh, kw = np.shape(kernel)
    window = image[i:i + kh, j:j + kw]          # rows i .. i + kh - 1, columns j .. j + kw - 1
    return float(np.sum(window * kernel))       # the dot product of window and kernel
