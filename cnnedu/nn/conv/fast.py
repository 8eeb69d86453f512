"""Convolution, fast: single-image correlation/convolution and the conv2d layer.

Symbols: ``x`` (N, C, H, W), ``w`` (F, C, kh, kw), ``b`` (F,), ``y`` (N, F, H_out, W_out).
``conv2d`` is a cross-correlation, as in deep learning and PyTorch; ``convolve2d`` flips
the kernel (:func:`rot180`) first. The loops that define these live in
:mod:`cnnedu.nn.conv.naive` (re-exported here) and the tests compare the two.

>>> import numpy as np
>>> image = np.arange(9.0).reshape(3, 3)
>>> correlate2d(image, np.array([[1.0, -1.0]]))
array([[-1., -1.],
       [-1., -1.],
       [-1., -1.]])
>>> convolve2d(image, np.array([[1.0, -1.0]]))
array([[1., 1.],
       [1., 1.],
       [1., 1.]])
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.conv import _im2col
from cnnedu.nn.conv._single import _correlate_region
from cnnedu._validate import as_float_array, check_choice, check_ndim, describe, pair, result_dtype
from cnnedu.nn.conv.naive import (
    _check_conv_args,
    _check_dy,
    _check_nonempty,
    _out_len,
    conv2d_backward_naive,
    conv2d_naive,
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

MODES = ("valid", "same", "full")


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------

def output_size(size, kernel, *, stride=1, padding=0, dilation=1):
    """Length of a conv2d output along one axis.

    Parameters
    ----------
    size : int
        Input length (``H`` or ``W``).
    kernel : int
        Kernel length (``kh`` or ``kw``).
    stride, padding, dilation : int
        As in :func:`conv2d`.

    Returns
    -------
    int
        ``(size + 2*padding - dilation*(kernel - 1) - 1) // stride + 1``

    Raises
    ------
    ValueError
        If the dilated kernel ``dilation*(kernel - 1) + 1`` is longer than the padded
        input ``size + 2*padding``.

    Examples
    --------
    >>> output_size(32, 3, stride=1, padding=1)
    32
    >>> output_size(7, 3, stride=2)
    3
    >>> output_size(7, 3, dilation=2)
    3
    """
    func = "output_size"
    values = {"size": size, "kernel": kernel, "stride": stride, "padding": padding,
              "dilation": dilation}
    for name, value in values.items():
        if isinstance(value, (tuple, list, np.ndarray)):
            raise TypeError(f"{func}: {name} must be one integer (one axis); got {value!r}")
    size = pair(size, "size", func, minimum=1)[0]
    kernel = pair(kernel, "kernel", func, minimum=1)[0]
    stride = pair(stride, "stride", func, minimum=1)[0]
    padding = pair(padding, "padding", func, minimum=0)[0]
    dilation = pair(dilation, "dilation", func, minimum=1)[0]
    return _out_len(size, kernel, stride, padding, dilation, func)


def rot180(w):
    """Rotate by 180 degrees: flip the last two axes (a 2-D kernel or ``(F, C, kh, kw)``).

    Parameters
    ----------
    w : ndarray, shape (..., kh, kw)

    Returns
    -------
    ndarray, shape (..., kh, kw)
        ``w[..., ::-1, ::-1]`` (a view).

    Examples
    --------
    >>> rot180(np.array([[1, 2], [3, 4]]))
    array([[4, 3],
           [2, 1]])
    """
    arr = np.asarray(w)
    if arr.ndim < 2:
        raise ValueError(
            f"rot180: w must have at least 2 axes (..., kh, kw); got an array of shape "
            f"{arr.shape} ({arr.ndim}-D)")
    return arr[..., ::-1, ::-1]


def pad2d(x, padding):
    """Zero-pad the last two axes by ``padding`` on each side.

    Parameters
    ----------
    x : ndarray, shape (..., H, W)
    padding : int or (int, int)
        Rows (``ph``) and columns (``pw``) of zeros added on each side.

    Returns
    -------
    ndarray, shape (..., H + 2*ph, W + 2*pw)

    Examples
    --------
    >>> pad2d(np.ones((2, 2)), 1)
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]])
    """
    x = as_float_array(x, "x", "pad2d")
    if x.ndim < 2:
        raise ValueError(
            f"pad2d: x must have at least 2 axes (..., H, W); got an array of shape "
            f"{x.shape} ({x.ndim}-D)")
    ph, pw = pair(padding, "padding", "pad2d", minimum=0)
    out = _im2col.pad(x, ph, pw)
    return out.copy() if out is x else out


# ---------------------------------------------------------------------------------------
# Single-image correlation and convolution (scipy.signal semantics)
# ---------------------------------------------------------------------------------------

def _check_image_kernel(image, kernel, mode, func):
    image = as_float_array(image, "image", func)
    kernel = as_float_array(kernel, "kernel", func)
    check_ndim(image, 2, "image", func, "(H, W)")
    check_ndim(kernel, 2, "kernel", func, "(kh, kw)")
    _check_nonempty(image, "image", func, "(H, W)")
    _check_nonempty(kernel, "kernel", func, "(kh, kw)")
    check_choice(mode, MODES, "mode", func)
    dtype = result_dtype(image, kernel)
    return image.astype(dtype, copy=False), kernel.astype(dtype, copy=False)


def _crop_starts(image_shape, kernel_shape, mode, same_offset, func):
    """Start (row, col) in the full output and the output shape for ``mode``."""
    (H, W), (kh, kw) = image_shape, kernel_shape
    if mode == "full":
        return (0, 0), (H + kh - 1, W + kw - 1)
    if mode == "same":
        return same_offset, (H, W)
    # valid: the positions that need no zero padding; scipy also allows a kernel that is
    # larger than the image in every dimension (then the roles swap).
    if not ((H >= kh and W >= kw) or (H <= kh and W <= kw)):
        raise ValueError(
            f"{func}: in 'valid' mode the image must be at least as large as the kernel in "
            f"every dimension (or the kernel as large as the image); got image of shape "
            f"(H, W) = {image_shape} and kernel of shape (kh, kw) = {kernel_shape}")
    return (min(H, kh) - 1, min(W, kw) - 1), (abs(H - kh) + 1, abs(W - kw) + 1)


def correlate2d(image, kernel, mode="valid"):
    r"""Cross-correlate a 2-D image with a 2-D kernel (as ``scipy.signal.correlate2d``).

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kh, kw)
    mode : {"valid", "same", "full"}
        ``"valid"``: only windows inside the image, shape ``(H - kh + 1, W - kw + 1)``;
        ``"full"``: every overlap, shape ``(H + kh - 1, W + kw - 1)``; ``"same"``: shape
        ``(H, W)``, the full output cropped from row ``kh // 2`` and column ``kw // 2``
        (so an even kernel's centre is the element after its middle).

    Returns
    -------
    ndarray
        With the image zero-padded as the mode requires,

    .. math::

        out[i, j] = \sum_{u} \sum_{v} image[i + u, j + v] \; kernel[u, v]

    Examples
    --------
    >>> image = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> correlate2d(image, np.array([[0.0, 1.0]]), mode="same")
    array([[2., 3., 0.],
           [5., 6., 0.]])
    """
    image, kernel = _check_image_kernel(image, kernel, mode, "correlate2d")
    kh, kw = kernel.shape
    start, out_shape = _crop_starts(image.shape, kernel.shape, mode, (kh // 2, kw // 2),
                                    "correlate2d")
    return _correlate_region(image, kernel, start, out_shape)


def convolve2d(image, kernel, mode="valid"):
    r"""Convolve a 2-D image with a 2-D kernel (as ``scipy.signal.convolve2d``).

    Convolution is cross-correlation with the kernel rotated by 180 degrees
    (:func:`rot180`). Modes as in :func:`correlate2d`, except that ``"same"`` crops the
    full output from row ``(kh - 1) // 2`` and column ``(kw - 1) // 2`` (as scipy does).

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kh, kw)
    mode : {"valid", "same", "full"}

    Returns
    -------
    ndarray

    .. math::

        out[i, j] = \sum_{u} \sum_{v} image[i - u, j - v] \; kernel[u, v]

    Examples
    --------
    >>> image = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> convolve2d(image, np.array([[0.0, 1.0]]), mode="same")
    array([[0., 1., 2.],
           [0., 4., 5.]])
    """
    image, kernel = _check_image_kernel(image, kernel, mode, "convolve2d")
    kh, kw = kernel.shape
    start, out_shape = _crop_starts(image.shape, kernel.shape, mode,
                                    ((kh - 1) // 2, (kw - 1) // 2), "convolve2d")
    return _correlate_region(image, rot180(kernel), start, out_shape)


# ---------------------------------------------------------------------------------------
# The conv2d layer
# ---------------------------------------------------------------------------------------

def conv2d(x, w, b=None, *, stride=1, padding=0, dilation=1):
    r"""2-D convolution layer, forward (a cross-correlation, as in PyTorch).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch.
    w : ndarray, shape (F, C, kh, kw)
        Weights: F filters, each spanning all C input channels.
    b : ndarray, shape (F,), optional
        One bias per filter (cast to the dtype of ``x``).
    stride, padding, dilation : int or (int, int)
        Step between windows, zeros added on each side, spacing of the kernel taps.

    Returns
    -------
    y : ndarray, shape (N, F, H_out, W_out)
        ``H_out = (H + 2*padding - dilation*(kh - 1) - 1) // stride + 1``, the same for
        ``W_out``. Same dtype as ``x`` and ``w`` (float32 stays float32).

    Notes
    -----
    .. math::

        y[n, f, i, j] = b[f] + \sum_{c} \sum_{u} \sum_{v}
            x_{pad}[n, c, i s + u d, j s + v d] \; w[f, c, u, v]

    Computed as one matrix product: the windows of :math:`x_{pad}` are copied into the
    columns of a ``(C*kh*kw, N*H_out*W_out)`` matrix (im2col) and multiplied by ``w``
    reshaped to ``(F, C*kh*kw)``. :func:`conv2d_naive` is the loop version.

    Examples
    --------
    >>> x = np.ones((2, 3, 8, 8), dtype=np.float32)
    >>> w = np.ones((4, 3, 3, 3), dtype=np.float32)
    >>> y = conv2d(x, w, np.zeros(4), stride=2, padding=1)
    >>> y.shape, y.dtype
    ((2, 4, 4, 4), dtype('float32'))
    >>> float(y[0, 0, 1, 1])
    27.0
    """
    x, w, b, stride, padding, dilation, out_hw = _check_conv_args(
        x, w, b, stride, padding, dilation, "conv2d")
    return _im2col.forward(x, w, b, padding, stride, dilation, out_hw)


def conv2d_backward(dy, x, w, *, stride=1, padding=0, dilation=1, input_grad=True):
    r"""Gradients of :func:`conv2d` with respect to ``x``, ``w`` and ``b``.

    Parameters
    ----------
    dy : ndarray, shape (N, F, H_out, W_out)
        Gradient of the loss with respect to ``y``.
    x : ndarray, shape (N, C, H, W)
        The input of the forward pass.
    w : ndarray, shape (F, C, kh, kw)
        The weights of the forward pass.
    stride, padding, dilation : int or (int, int)
        As in the forward pass.
    input_grad : bool, default True
        ``False`` skips ``dx`` (returned as ``None``): the first layer of a model needs
        only ``dw`` and ``db``, and ``dx`` (a GEMM and col2im) is about half the work.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), or None when ``input_grad=False``
    dw : ndarray, shape (F, C, kh, kw)
    db : ndarray, shape (F,)

    Notes
    -----
    .. math::

        dW[f, c, u, v] &= \sum_{n} \sum_{i} \sum_{j}
            dY[n, f, i, j] \; x_{pad}[n, c, i s + u d, j s + v d] \\
        dX_{pad}[n, c, i s + u d, j s + v d] &\mathrel{+}= dY[n, f, i, j] \; w[f, c, u, v] \\
        db[f] &= \sum_{n} \sum_{i} \sum_{j} dY[n, f, i, j]

    With im2col this is two matrix products: ``dw = dy @ cols.T`` and
    ``dcols = w.T @ dy``, then ``dcols`` is added back into the windows it came from
    (col2im) and the padding is cropped. :func:`conv2d_backward_naive` is the loop version.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3))
    >>> w = np.ones((1, 1, 2, 2))
    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> dx[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw.shape, db
    ((1, 1, 2, 2), array([4.]))
    """
    func = "conv2d_backward"
    if not isinstance(input_grad, (bool, np.bool_)):
        raise TypeError(f"{func}: input_grad must be True or False; got {describe(input_grad)}")
    args = _check_conv_args(x, w, None, stride, padding, dilation, func)
    dy = _check_dy(dy, args, func)
    return _im2col.backward(dy, args.x, args.w, args.padding, args.stride,
                            args.dilation, args.out_hw, need_dx=bool(input_grad))
