r"""What a layer costs, counted from its shapes: parameters, multiply-adds and memory.

For one image ``(C, H, W)`` and a conv layer of ``F`` filters of ``k x k``:

.. math::

    \text{params} = F C k^2 + F, \qquad
    \text{MACs} = F \, H_{out} W_{out} \, C k^2

(each of the ``F*H_out*W_out`` outputs is a dot product of length ``C*k*k``), and the
im2col matrix holds ``C k^2 H_out W_out`` numbers. A dense layer from the same ``C*H*W``
inputs to the same ``F*H_out*W_out`` outputs has ``n_in * n_out`` weights and as many
multiply-adds. Bytes are ``numbers * itemsize`` (8 for float64, 4 for float32).

>>> c = conv_cost((3, 128, 128), 20, 3)
>>> c.params, c.macs, c.output_numbers
(560, 8573040, 317520)
>>> d = dense_cost(3 * 128 * 128, 20 * 126 * 126)
>>> d.params == d.macs + 317520
True
"""
from __future__ import annotations

from dataclasses import dataclass

from cnnedu._validate import integer

__all__ = ["LayerCost", "conv_cost", "dense_cost"]


@dataclass(frozen=True)
class LayerCost:
    """Counts for one image: learned numbers, multiply-adds, and array sizes (numbers)."""

    params: int
    macs: int
    input_numbers: int
    output_numbers: int
    scratch_numbers: int = 0   # the im2col matrix (conv) or 0 (dense)

    def megabytes(self, numbers: int, itemsize: int = 8) -> float:
        """``numbers * itemsize / 1e6``."""
        return numbers * itemsize / 1e6


def conv_cost(in_shape, out_channels, k, *, stride: int = 1, padding: int = 0) -> LayerCost:
    """Cost of a conv layer (``F = out_channels`` filters of ``k x k``) on one image.

    Parameters
    ----------
    in_shape : (C, H, W)
    out_channels, k, stride, padding : int

    Returns
    -------
    LayerCost
        ``params = F*C*k*k + F``, ``macs = F*H_out*W_out*C*k*k``, ``scratch_numbers`` the
        im2col matrix ``C*k*k * H_out*W_out``, with ``H_out = (H + 2*padding - k) //
        stride + 1``.
    """
    C, H, W = (integer(v, "in_shape", "conv_cost", minimum=1) for v in in_shape)
    F = integer(out_channels, "out_channels", "conv_cost", minimum=1)
    k = integer(k, "k", "conv_cost", minimum=1)
    s = integer(stride, "stride", "conv_cost", minimum=1)
    p = integer(padding, "padding", "conv_cost", minimum=0)
    Ho, Wo = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    if Ho < 1 or Wo < 1:
        raise ValueError(f"conv_cost: a {k}x{k} kernel does not fit (C, H, W) = {(C, H, W)} "
                         f"with padding {p}")
    L = Ho * Wo
    return LayerCost(params=F * C * k * k + F, macs=F * L * C * k * k,
                     input_numbers=C * H * W, output_numbers=F * L,
                     scratch_numbers=C * k * k * L)


def dense_cost(in_features, out_features) -> LayerCost:
    """Cost of a dense layer ``in_features -> out_features`` (with bias) on one input."""
    n_in = integer(in_features, "in_features", "dense_cost", minimum=1)
    n_out = integer(out_features, "out_features", "dense_cost", minimum=1)
    return LayerCost(params=n_in * n_out + n_out, macs=n_in * n_out, input_numbers=n_in,
                     output_numbers=n_out)
