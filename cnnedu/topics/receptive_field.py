r"""The receptive field: which input pixels one output of a stack of layers can see.

Along one axis, a stack of layers with kernels ``k_l``, strides ``s_l`` and dilations
``d_l`` (``l = 1..L``) gives

.. math::

    r_L = 1 + \sum_{l=1}^{L} d_l (k_l - 1) \, j_{l-1}, \qquad
    j_l = \prod_{m=1}^{l} s_m, \quad j_0 = 1

``j_{l-1}`` (the *jump*) is how many input pixels one step of layer ``l``'s input spans: the
strides of the layers **below** layer ``l`` multiply it, its own stride does not (it only
matters to the layers above). So three 3x3 layers of stride 1 see 7x7 pixels, and with
strides 2, 2, 1 they see 15x15.

:func:`receptive_field` is the formula, :func:`receptive_field_table` its running values,
and :func:`paths_to_output` measures it independently: it sends a gradient of 1 from one
output back through the stack (:func:`cnnedu.nn.conv.conv2d_backward`, all weights 1), so
each input pixel gets the number of paths that reach that output. Its non-zero square is
the receptive field.

>>> receptive_field([(3, 1), (3, 1), (3, 1)])
7
>>> receptive_field([(3, 2), (3, 2), (3, 1)])
15
>>> receptive_field([(3, 1, 2), (3, 1, 4)])
13
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import integer
from cnnedu.nn.conv import conv2d_backward

__all__ = ["receptive_field", "receptive_field_table", "RFRow", "paths_to_output"]


def _layers(layers, func):
    out = []
    try:
        items = list(layers)
    except TypeError:
        raise TypeError(f"{func}: layers must be a list of (kernel, stride) or "
                        f"(kernel, stride, dilation) tuples; got {layers!r}") from None
    if not items:
        raise ValueError(f"{func}: layers is empty; give at least one (kernel, stride) pair")
    for i, layer in enumerate(items):
        if not isinstance(layer, (tuple, list)) or len(layer) not in (2, 3):
            raise TypeError(f"{func}: layer {i} must be (kernel, stride) or (kernel, stride, "
                            f"dilation); got {layer!r}")
        k = integer(layer[0], f"layers[{i}] kernel", func, minimum=1)
        s = integer(layer[1], f"layers[{i}] stride", func, minimum=1)
        d = integer(layer[2], f"layers[{i}] dilation", func, minimum=1) if len(layer) == 3 else 1
        out.append((k, s, d))
    return out


@dataclass(frozen=True)
class RFRow:
    """One layer of :func:`receptive_field_table`: its settings, the jump of its input and
    the receptive field after it."""

    layer: int
    kernel: int
    stride: int
    dilation: int
    jump: int
    field: int


def receptive_field_table(layers) -> list[RFRow]:
    """The running receptive field, layer by layer.

    Parameters
    ----------
    layers : list of (k, s) or (k, s, d)

    Returns
    -------
    list of RFRow
        ``jump`` is ``j_{l-1}`` (input pixels per step of this layer's input), ``field`` is
        ``r_l``.
    """
    rows, r, jump = [], 1, 1
    for i, (k, s, d) in enumerate(_layers(layers, "receptive_field_table"), start=1):
        r += d * (k - 1) * jump
        rows.append(RFRow(i, k, s, d, jump, r))
        jump *= s
    return rows


def receptive_field(layers) -> int:
    """Receptive field (pixels along one axis) of one output of the last layer.

    ``r = 1 + sum(d_l * (k_l - 1) * j_{l-1})`` with ``j_{l-1}`` the product of the strides
    of the layers below layer ``l``.
    """
    return receptive_field_table(layers)[-1].field


def paths_to_output(layers, size: int, position: tuple[int, int] | None = None) -> np.ndarray:
    """Count, for every pixel of a ``size x size`` input, the paths to one output.

    The stack is run backwards with all weights 1 and no padding: a gradient of 1 at
    output ``position`` (default: the centre of the last map) is pushed through each
    layer's :func:`~cnnedu.nn.conv.conv2d_backward`. The result's non-zero cells are the
    receptive field (a square of side :func:`receptive_field`); their values say how many
    ways the output can see each pixel (the middle is seen by many more paths).

    Returns
    -------
    ndarray, shape (size, size)
    """
    stack = _layers(layers, "paths_to_output")
    size = integer(size, "size", "paths_to_output", minimum=1)
    sizes = [size]
    for k, s, d in stack:
        n = (sizes[-1] - d * (k - 1) - 1) // s + 1
        if n < 1:
            raise ValueError(f"paths_to_output: an input of {size} pixels is too small for "
                             f"these layers (layer {len(sizes)} gets {sizes[-1]} pixels, "
                             f"its window spans {d * (k - 1) + 1})")
        sizes.append(n)
    last = sizes[-1]
    if position is None:
        position = (last // 2, last // 2)
    i, j = (integer(v, "position", "paths_to_output", minimum=0, maximum=last - 1)
            for v in position)
    grad = np.zeros((1, 1, last, last))
    grad[0, 0, i, j] = 1.0
    for (k, s, d), n_in in zip(reversed(stack), reversed(sizes[:-1])):
        x = np.zeros((1, 1, n_in, n_in))
        grad, _, _ = conv2d_backward(grad, x, np.ones((1, 1, k, k)), stride=s, dilation=d)
    return grad[0, 0]
