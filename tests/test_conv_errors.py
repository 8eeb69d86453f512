"""Bad input to cnnedu.nn.conv fails at the door: the right error type, and a message that
names what was expected and what arrived (never a raw numpy traceback)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from cnnedu.nn.conv import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_naive,
    convolve2d,
    correlate2d,
    output_size,
    pad2d,
    rot180,
)

x = np.ones((2, 3, 8, 8))
w = np.ones((4, 3, 3, 3))
dy_ok = np.ones((2, 4, 6, 6))
esc = re.escape

# (call, error type, pattern); every pattern names the expectation and what arrived
CASES = {
    "x 3-D": (lambda f: f(np.ones((3, 8, 8)), w), ValueError,
              esc("x must have shape (N, C, H, W) (4-D); got an array of shape (3, 8, 8)")),
    "w 2-D": (lambda f: f(x, np.ones((3, 3))), ValueError,
              esc("w must have shape (F, C, kh, kw) (4-D); got an array of shape (3, 3)")),
    "channel mismatch": (lambda f: f(x, np.ones((4, 2, 3, 3))), ValueError,
                         r"same number of input channels C.*\(2, 3, 8, 8\) has C=3.*"
                         r"\(4, 2, 3, 3\) has C=2"),
    "kernel larger than padded input": (
        lambda f: f(x, np.ones((4, 3, 11, 3)), padding=1), ValueError,
        r"kernel height is larger than the padded input height: kh=11 .* = 11, "
        r"but H \+ 2\*padding = 8 \+ 2\*1 = 10"),
    "dilated kernel too large": (
        lambda f: f(x, w, dilation=(1, 4)), ValueError,
        r"kernel width .* kw=3 with dilation=4 spans .* = 9, but W \+ 2\*padding = 8"),
    "stride 0": (lambda f: f(x, w, stride=0), ValueError, esc("stride must be >= 1; got 0")),
    "stride negative": (lambda f: f(x, w, stride=(1, -2)), ValueError,
                        esc("stride must be >= 1; got (1, -2)")),
    "stride 3 numbers": (lambda f: f(x, w, stride=(1, 2, 3)), ValueError,
                         esc("stride must be an integer or an (h, w) pair; got (1, 2, 3)")),
    "padding negative": (lambda f: f(x, w, padding=-1), ValueError,
                         esc("padding must be >= 0; got -1")),
    "padding float": (lambda f: f(x, w, padding=1.5), TypeError,
                      r"padding must be an integer or a pair of integers; got 1\.5 "
                      r"\(.* takes integer padding\)"),
    "padding string": (lambda f: f(x, w, padding="same"), TypeError,
                       r"got the string 'same'\. .* takes integer padding; the modes "
                       r"'valid', 'same', 'full' belong to correlate2d"),
    "dilation 0": (lambda f: f(x, w, dilation=0), ValueError,
                   esc("dilation must be >= 1; got 0")),
    "bool stride": (lambda f: f(x, w, stride=True), TypeError,
                    esc("stride must be an integer or a pair of integers; got True")),
    "strings": (lambda f: f(np.full((2, 3, 8, 8), "a"), w), TypeError,
                esc("x must be a numeric array; got an array of shape (2, 3, 8, 8) and dtype <U1")),
    "objects": (lambda f: f(x, np.array([None] * 4)), TypeError,
                r"w must be a numeric array; got an array of shape \(4,\) and dtype object"),
    "ragged list": (lambda f: f([[1.0, [2.0]]], w), TypeError,
                    "x must be a numeric array; got a ragged list"),
    "complex": (lambda f: f(x.astype(complex), w), TypeError,
                "x must be real-valued; got complex dtype complex128"),
    "empty batch": (lambda f: f(np.ones((0, 3, 8, 8)), w), ValueError,
                    esc("x must not be empty (every axis of (N, C, H, W) at least 1); "
                        "got an array of shape (0, 3, 8, 8)")),
    "no filters": (lambda f: f(x, np.ones((0, 3, 3, 3))), ValueError,
                   esc("w must not be empty (every axis of (F, C, kh, kw) at least 1); "
                       "got an array of shape (0, 3, 3, 3)")),
}


@pytest.mark.parametrize("func", [conv2d, conv2d_naive, "backward", "backward_naive"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_conv_arguments(case, func):
    """Forward and backward, fast and naive, refuse the same bad calls with one message."""
    call, error, pattern = CASES[case]
    if func == "backward":
        func = lambda x_, w_, **kw: conv2d_backward(dy_ok, x_, w_, **kw)  # noqa: E731
    elif func == "backward_naive":
        func = lambda x_, w_, **kw: conv2d_backward_naive(dy_ok, x_, w_, **kw)  # noqa: E731
    with pytest.raises(error, match=pattern):
        call(func)


@pytest.mark.parametrize("func", [conv2d, conv2d_naive])
@pytest.mark.parametrize("b, arrived", [(np.ones(3), "shape (3,)"),
                                        (np.ones((4, 1)), "shape (4, 1)"),
                                        (np.ones(()), "shape ()")])
def test_bias_of_the_wrong_shape(func, b, arrived):
    expected = esc("b must have shape (F,) = (4,)") + ".*" + esc(arrived)
    with pytest.raises(ValueError, match=expected):
        func(x, w, b)


def test_bias_of_strings():
    with pytest.raises(TypeError, match=r"conv2d: b must be a numeric array; got .* dtype <U1"):
        conv2d(x, w, np.array(list("abcd")))


@pytest.mark.parametrize("func", [conv2d_backward, conv2d_backward_naive])
@pytest.mark.parametrize("dy, arrived", [(np.ones((2, 4, 5, 5)), "(2, 4, 5, 5)"),
                                         (np.ones((4, 6, 6)), "(4, 6, 6)"),
                                         (np.ones((2, 3, 6, 6)), "(2, 3, 6, 6)")])
def test_dy_of_the_wrong_shape(func, dy, arrived):
    expected = esc("dy must have the shape of y, (N, F, H_out, W_out) = (2, 4, 6, 6); "
                   f"got an array of shape {arrived}")
    with pytest.raises(ValueError, match=expected):
        func(dy, x, w)


def test_dy_of_strings():
    with pytest.raises(TypeError, match="dy must be a numeric array"):
        conv2d_backward(np.full((2, 4, 6, 6), "x"), x, w)


@pytest.mark.parametrize("func", [correlate2d, convolve2d])
def test_bad_single_image_calls(func):
    name = func.__name__
    with pytest.raises(ValueError, match=esc(f"{name}: mode must be one of 'valid', 'same', "
                                             "'full'; got 'middle'")):
        func(np.ones((5, 5)), np.ones((3, 3)), mode="middle")
    with pytest.raises(ValueError, match=esc("mode must be one of") + ".*got 1"):
        func(np.ones((5, 5)), np.ones((3, 3)), mode=1)
    with pytest.raises(ValueError, match=esc("image must have shape (H, W) (2-D); got an array "
                                             "of shape (1, 5, 5) (3-D)")):
        func(np.ones((1, 5, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=esc("kernel must have shape (kh, kw) (2-D); got an "
                                             "array of shape (3,) (1-D)")):
        func(np.ones((5, 5)), np.ones(3))
    with pytest.raises(ValueError, match=r"'valid' mode .* image of shape \(H, W\) = \(5, 3\) "
                                         r"and kernel of shape \(kh, kw\) = \(3, 5\)"):
        func(np.ones((5, 3)), np.ones((3, 5)))
    with pytest.raises(ValueError, match=esc("kernel must not be empty") + ".*" + esc("(0, 3)")):
        func(np.ones((5, 5)), np.ones((0, 3)))
    with pytest.raises(TypeError, match="image must be a numeric array; got a list"):
        func([["a", "b"], ["c", "d"]], np.ones((1, 1)))


def test_bad_output_size_calls():
    with pytest.raises(ValueError, match=r"kernel=5 with dilation=1 spans .* = 5, but size "
                                         r"\+ 2\*padding = 3 \+ 2\*0 = 3"):
        output_size(3, 5)
    with pytest.raises(ValueError, match=esc("output_size: stride must be >= 1; got 0")):
        output_size(8, 3, stride=0)
    with pytest.raises(TypeError, match=esc("output_size: padding must be one integer (one "
                                            "axis); got (1, 1)")):
        output_size(8, 3, padding=(1, 1))
    with pytest.raises(TypeError, match=esc("output_size: kernel must be an integer or a pair "
                                            "of integers; got 2.5")):
        output_size(8, 2.5)


def test_bad_helper_calls():
    with pytest.raises(ValueError, match=esc("rot180: w must have at least 2 axes (..., kh, kw); "
                                             "got an array of shape (3,)")):
        rot180(np.ones(3))
    with pytest.raises(ValueError, match=esc("pad2d: padding must be >= 0; got -2")):
        pad2d(np.ones((3, 3)), -2)
    with pytest.raises(ValueError, match=esc("pad2d: x must have at least 2 axes (..., H, W); "
                                             "got an array of shape (4,)")):
        pad2d(np.ones(4), 1)
