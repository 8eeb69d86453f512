"""Reference solutions for notebook 01, "Filters as templates"."""
from __future__ import annotations

import numpy as np

__all__ = ["correlate2d_loops", "horizontal_edge_preset", "where_is_the_template"]


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


def horizontal_edge_preset():
    """Sobel y: its rows go -1, 0, +1 from top to bottom, so it is a template of
    "dark above, bright below", a horizontal edge; along a row it only smooths."""
    return "sobel_y"


def where_is_the_template(image, template):
    """Top-left (row, col) of the window most like the template, by zero-mean NCC
    (the raw dot product would be pulled towards bright regions)."""
    from cnnedu.topics.templates import best_match, ncc

    m = best_match(ncc(image, template))
    return (m.row, m.col)
