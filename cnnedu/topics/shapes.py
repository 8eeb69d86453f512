r"""Shapes and sizes of a conv layer: output size, padding modes, parameter counts, windows.

One axis at a time (``H`` and ``W`` follow the same rule). With ``k`` the kernel length,
``s`` the stride, ``d`` the dilation and ``p_before``, ``p_after`` the zeros added at the
two ends,

.. math::

    H_{out} = \left\lfloor \frac{H + p_{before} + p_{after} - d (k - 1) - 1}{s} \right\rfloor + 1

which for the usual symmetric padding ``p`` is ``(H + 2*p - d*(k - 1) - 1) // s + 1``.
It floors because a window must fit entirely inside the padded input: the last rows that
cannot hold a whole window are dropped.

Padding modes (as in ``scipy.signal`` and PyTorch's ``padding=`` strings):

- ``"valid"``: no padding;
- ``"full"``: ``d*(k - 1)`` zeros on each side (every partial overlap);
- ``"same"``: ``d*(k - 1)`` zeros in total, ``total // 2`` before and the rest after, so an
  even kernel gets one more zero at the end (bottom/right), exactly as PyTorch's
  ``padding="same"`` does. Like PyTorch, ``"same"`` needs ``stride=1``.

The common mistakes are here too, as functions that compute the *wrong* answer
(:func:`output_size_ceil`, :func:`output_size_one_side`), so a notebook can show where
they go wrong.

>>> output_size(32, 3, padding=1)
32
>>> output_size(7, 3, stride=2, padding="same")
Traceback (most recent call last):
...
ValueError: output_size: padding='same' needs stride=1 (as PyTorch); got stride=2
>>> padding_amounts(4, "same")
(1, 2)
>>> conv_params(3, 20, 3)
560
>>> window_starts(7, 3, stride=2)
[0, 2, 4]
"""
from __future__ import annotations

import math


from cnnedu._validate import integer

__all__ = [
    "PADDING_MODES",
    "padding_amounts",
    "output_size",
    "output_size_formula",
    "output_size_ceil",
    "output_size_one_side",
    "uncovered",
    "window_starts",
    "conv_params",
    "conv_params_formula",
    "dense_params",
    "weight_shape",
    "common_mistakes",
    "layer_summary",
]

PADDING_MODES = ("valid", "same", "full")


#: Keywords of :func:`cnnedu._validate.integer` for a count (>= 1) and an amount (>= 0).
_COUNT = dict(minimum=1, expected=">= 1")
_AMOUNT = dict(minimum=0, expected=">= 0")


def padding_amounts(kernel, padding=0, *, dilation=1, stride=1,
                    func: str = "padding_amounts") -> tuple[int, int]:
    """Zeros added before and after the input along one axis: ``(p_before, p_after)``.

    Parameters
    ----------
    kernel : int
        Kernel length ``k``.
    padding : int, (int, int) or {"valid", "same", "full"}
        An integer ``p`` (the same on both sides), an explicit ``(p_before, p_after)``
        pair, or a mode.
    dilation, stride : int
        ``"same"`` and ``"full"`` depend on the dilated span ``d*(k - 1) + 1``;
        ``"same"`` needs ``stride=1``.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> padding_amounts(3, "same"), padding_amounts(3, "full"), padding_amounts(3, 2)
    ((1, 1), (2, 2), (2, 2))
    >>> padding_amounts(3, "same", dilation=2)
    (2, 2)
    """
    k = integer(kernel, "kernel", func, **_COUNT)
    d = integer(dilation, "dilation", func, **_COUNT)
    s = integer(stride, "stride", func, **_COUNT)
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ValueError(f"{func}: padding must be an integer or one of "
                             f"{', '.join(repr(m) for m in PADDING_MODES)}; got {padding!r}")
        total = d * (k - 1)
        if padding == "valid":
            return 0, 0
        if padding == "full":
            return total, total
        if s != 1:
            raise ValueError(f"{func}: padding='same' needs stride=1 (as PyTorch); got "
                             f"stride={s}")
        return total // 2, total - total // 2
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"{func}: padding as a pair must be (p_before, p_after); "
                             f"got {padding!r}")
        return (integer(padding[0], "padding[0]", func, **_AMOUNT),
                integer(padding[1], "padding[1]", func, **_AMOUNT))
    p = integer(padding, "padding", func, **_AMOUNT)
    return p, p


def output_size(size, kernel, *, stride=1, padding=0, dilation=1) -> int:
    """Output length along one axis (``H_out`` from ``H``).

    Parameters
    ----------
    size, kernel, stride, dilation : int
        ``H``, ``k``, ``s``, ``d``.
    padding : int, (int, int) or {"valid", "same", "full"}
        See :func:`padding_amounts`.

    Returns
    -------
    int
        ``(size + p_before + p_after - d*(k - 1) - 1) // s + 1``

    Raises
    ------
    ValueError
        When the dilated kernel ``d*(k - 1) + 1`` is longer than the padded input: there
        is not a single window, so no output.

    Examples
    --------
    >>> output_size(5, 3), output_size(5, 3, padding="full"), output_size(6, 3, stride=2)
    (3, 7, 2)
    >>> output_size(6, 4, padding="same")
    6
    """
    func = "output_size"
    n = integer(size, "size", func, **_COUNT)
    k = integer(kernel, "kernel", func, **_COUNT)
    s = integer(stride, "stride", func, **_COUNT)
    d = integer(dilation, "dilation", func, **_COUNT)
    before, after = padding_amounts(k, padding, dilation=d, stride=s, func=func)
    span = d * (k - 1) + 1
    padded = n + before + after
    if span > padded:
        raise ValueError(
            f"{func}: the kernel (dilated span d*(k - 1) + 1 = {d}*({k} - 1) + 1 = {span}) "
            f"is larger than the padded input ({n} + {before} + {after} = {padded}): there "
            f"is no window, so no output. Use a smaller kernel or dilation, or more padding")
    return (padded - span) // s + 1


def output_size_formula(size, kernel, *, stride=1, padding=0, dilation=1) -> str:
    """The output-size formula with the numbers filled in, step by step (one line).

    >>> print(output_size_formula(7, 3, stride=2, padding=1))
    H_out = (7 + 2*1 - 1*(3 - 1) - 1) // 2 + 1 = 6 // 2 + 1 = 3 + 1 = 4
    >>> print(output_size_formula(6, 4, padding="same"))
    H_out = (6 + 1 + 2 - 1*(4 - 1) - 1) // 1 + 1 = 5 // 1 + 1 = 5 + 1 = 6
    """
    out = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    before, after = padding_amounts(kernel, padding, dilation=dilation, stride=stride,
                                    func="output_size_formula")
    pad = f"2*{before}" if before == after else f"{before} + {after}"
    top = size + before + after - dilation * (kernel - 1) - 1
    return (f"H_out = ({size} + {pad} - {dilation}*({kernel} - 1) - 1) // {stride} + 1"
            f" = {top} // {stride} + 1 = {top // stride} + 1 = {out}")


def output_size_ceil(size, kernel, *, stride=1, padding=0, dilation=1) -> int:
    """A common mistake: rounding up instead of down. Usually WRONG (on purpose).

    It counts a last window that would hang over the end of the padded input.

    >>> output_size_ceil(6, 3, stride=2), output_size(6, 3, stride=2)
    (3, 2)
    """
    output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)  # validate
    before, after = padding_amounts(kernel, padding, dilation=dilation, stride=stride,
                                    func="output_size_ceil")
    span = dilation * (kernel - 1) + 1
    return math.ceil((size + before + after - span) / stride) + 1


def output_size_one_side(size, kernel, *, stride=1, padding=0, dilation=1) -> int:
    """A common mistake: adding ``padding`` once instead of ``2*padding``. WRONG (on purpose).

    ``padding=p`` puts ``p`` zeros on *each* side of the input.

    >>> output_size_one_side(32, 3, padding=1), output_size(32, 3, padding=1)
    (31, 32)
    """
    p = integer(padding, "padding", "output_size_one_side", **_AMOUNT)
    span = dilation * (kernel - 1) + 1
    return (size + p - span) // stride + 1


def uncovered(size, kernel, *, stride=1, padding=0, dilation=1) -> int:
    """How many cells at the end of the padded input no window reaches (why the formula floors).

    >>> uncovered(6, 3, stride=2), uncovered(7, 3, stride=2)
    (1, 0)
    """
    out = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    before, after = padding_amounts(kernel, padding, dilation=dilation, stride=stride,
                                    func="uncovered")
    last_end = (out - 1) * stride + dilation * (kernel - 1) + 1
    return size + before + after - last_end


def window_starts(size, kernel, *, stride=1, padding=0, dilation=1) -> list[int]:
    """First index (in padded coordinates) of every window along one axis.

    >>> window_starts(5, 3, padding=1)
    [0, 1, 2, 3, 4]
    """
    out = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    return [i * stride for i in range(out)]


def conv_params(in_channels, out_channels, kernel_size, *, bias: bool = True) -> int:
    """Learned numbers in a conv layer: ``F*C*kh*kw`` weights ``+ F`` biases.

    ``kernel_size`` is ``k`` or ``(kh, kw)``. The size of the input image does not appear:
    the same filters slide over every position (weight sharing).

    >>> conv_params(3, 20, 5), conv_params(3, 20, (3, 5), bias=False)
    (1520, 900)
    """
    func = "conv_params"
    c = integer(in_channels, "in_channels", func, **_COUNT)
    f = integer(out_channels, "out_channels", func, **_COUNT)
    kh, kw = _kernel_pair(kernel_size, func)
    return f * c * kh * kw + (f if bias else 0)


def conv_params_formula(in_channels, out_channels, kernel_size, *, bias: bool = True) -> str:
    """The parameter count written out: ``F*C*kh*kw + F = ...``.

    >>> print(conv_params_formula(3, 20, 3))
    F*C*kh*kw + F = 20*3*3*3 + 20 = 540 + 20 = 560
    """
    total = conv_params(in_channels, out_channels, kernel_size, bias=bias)
    kh, kw = _kernel_pair(kernel_size, "conv_params_formula")
    f, c = int(out_channels), int(in_channels)
    weights = f * c * kh * kw
    if not bias:
        return f"F*C*kh*kw = {f}*{c}*{kh}*{kw} = {total}"
    return f"F*C*kh*kw + F = {f}*{c}*{kh}*{kw} + {f} = {weights} + {f} = {total}"


def _kernel_pair(kernel_size, func: str) -> tuple[int, int]:
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"{func}: kernel_size must be k or (kh, kw); got {kernel_size!r}")
        return (integer(kernel_size[0], "kernel_size[0]", func, **_COUNT),
                integer(kernel_size[1], "kernel_size[1]", func, **_COUNT))
    k = integer(kernel_size, "kernel_size", func, **_COUNT)
    return k, k


def dense_params(in_features, out_features, *, bias: bool = True) -> int:
    """Learned numbers in a dense layer: ``in*out`` weights ``+ out`` biases.

    >>> dense_params(3 * 32 * 32, 10)
    30730
    """
    func = "dense_params"
    n_in = integer(in_features, "in_features", func, **_COUNT)
    n_out = integer(out_features, "out_features", func, **_COUNT)
    return n_in * n_out + (n_out if bias else 0)


def weight_shape(in_channels, out_channels, kernel_size) -> tuple[int, int, int, int]:
    """Shape of a conv layer's weight tensor, ``(F, C, kh, kw)`` (PyTorch's order).

    >>> weight_shape(3, 20, 5)
    (20, 3, 5, 5)
    """
    c = integer(in_channels, "in_channels", "weight_shape", **_COUNT)
    f = integer(out_channels, "out_channels", "weight_shape", **_COUNT)
    kh, kw = _kernel_pair(kernel_size, "weight_shape")
    return f, c, kh, kw


def common_mistakes(size, kernel, *, stride=1, padding=0) -> list[tuple[str, int, int]]:
    """The right output size and two common wrong ones: ``[(what, value, right), ...]``.

    >>> for row in common_mistakes(32, 5, stride=2, padding=2): print(row)
    ('right: floor((H + 2p - k) / s) + 1', 16, 16)
    ('mistake: ceil instead of floor', 17, 16)
    ('mistake: padding on one side only', 15, 16)
    """
    right = output_size(size, kernel, stride=stride, padding=padding)
    return [
        ("right: floor((H + 2p - k) / s) + 1", right, right),
        ("mistake: ceil instead of floor",
         output_size_ceil(size, kernel, stride=stride, padding=padding), right),
        ("mistake: padding on one side only",
         output_size_one_side(size, kernel, stride=stride, padding=padding), right),
    ]


# -------------------------------------------------------------------------------- drawing


def layer_summary(size, kernel, *, stride=1, padding=0, dilation=1, in_channels=3,
                  out_channels=20, batch: int = 1) -> list[str]:
    """What a conv layer with these settings does to a square ``size x size`` input, in lines.

    The output size (the formula with numbers), the input and output shapes, the weight
    shape, the parameter count, and what the common mistakes would have said.

    Raises ``ValueError`` (a clear message) for impossible settings, as :func:`output_size`.

    >>> for line in layer_summary(7, 3, stride=2, padding=1, in_channels=3, out_channels=20):
    ...     print(line)
    padding: 1 before, 1 after (on each side)
    H_out = (7 + 2*1 - 1*(3 - 1) - 1) // 2 + 1 = 6 // 2 + 1 = 3 + 1 = 4
    x (N, C, H, W) = (1, 3, 7, 7)  ->  y (N, F, H_out, W_out) = (1, 20, 4, 4)
    w (F, C, kh, kw) = (20, 3, 3, 3), b (F,) = (20,)
    parameters: F*C*kh*kw + F = 20*3*3*3 + 20 = 540 + 20 = 560
    cells no window reaches (dropped by the floor): 0
    with ceil instead of floor: 4; with padding on one side only: 3
    """
    out = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    before, after = padding_amounts(kernel, padding, dilation=dilation, stride=stride,
                                    func="layer_summary")
    w_shape = weight_shape(in_channels, out_channels, kernel)
    side = "(on each side)" if before == after else "(one more at the end, as PyTorch)"
    lines = [
        f"padding: {before} before, {after} after {side}",
        output_size_formula(size, kernel, stride=stride, padding=padding, dilation=dilation),
        f"x (N, C, H, W) = {(batch, w_shape[1], size, size)}  ->  "
        f"y (N, F, H_out, W_out) = {(batch, w_shape[0], out, out)}",
        f"w (F, C, kh, kw) = {w_shape}, b (F,) = ({w_shape[0]},)",
        "parameters: " + conv_params_formula(in_channels, out_channels, kernel),
        "cells no window reaches (dropped by the floor): "
        + str(uncovered(size, kernel, stride=stride, padding=padding, dilation=dilation)),
    ]
    ceil = output_size_ceil(size, kernel, stride=stride, padding=padding, dilation=dilation)
    mistakes = [f"with ceil instead of floor: {ceil}"]
    if not isinstance(padding, str) and not isinstance(padding, (tuple, list)):
        one = output_size_one_side(size, kernel, stride=stride, padding=padding,
                                   dilation=dilation)
        mistakes.append(f"with padding on one side only: {max(one, 0)}")
    lines.append("; ".join(mistakes))
    return lines
