"""Convolution: the fast functions (:mod:`.fast`) and the plain loops beside them (:mod:`.naive`).

See :mod:`cnnedu.nn.conv.fast` for the maths and the shapes.
"""
from cnnedu.nn.conv.fast import (
    correlate2d,
    convolve2d,
    conv2d,
    conv2d_backward,
    output_size,
    rot180,
    pad2d,
    conv2d_naive,
    conv2d_backward_naive,
)

__all__ = [
    "correlate2d",
    "convolve2d",
    "conv2d",
    "conv2d_backward",
    "output_size",
    "rot180",
    "pad2d",
    "conv2d_naive",
    "conv2d_backward_naive",
]
