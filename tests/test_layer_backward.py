"""The im2col view of the backward pass and the max-pool loops agree with the package's
fast functions, and refuse bad input clearly."""
import numpy as np
import pytest

from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.nn.layers import MaxPool2D
from cnnedu.topics import im2col_backward as ib
from cnnedu.topics import pool_backward as pb

SETTINGS = [((2, 3, 6, 7), (4, 3, 3, 2), 2, 1), ((1, 2, 5, 5), (3, 2, 3, 3), 1, 0),
            ((3, 1, 8, 6), (2, 1, 4, 3), 3, 2), ((2, 2, 4, 5), (2, 2, 1, 1), 1, 1)]


@pytest.mark.parametrize("xs, ws, s, p", SETTINGS)
def test_im2col_forward_and_backward_equal_conv(xs, ws, s, p):
    rng = np.random.default_rng(sum(xs) + s)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    y = conv2d(x, w, b, stride=s, padding=p)
    np.testing.assert_allclose(ib.conv2d_im2col(x, w, b, stride=s, padding=p), y, atol=1e-12)
    dy = rng.standard_normal(y.shape)
    for got, ref in zip(ib.conv2d_backward_im2col(dy, x, w, stride=s, padding=p),
                        conv2d_backward(dy, x, w, stride=s, padding=p)):
        np.testing.assert_allclose(got, ref, atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 5))
    cols = ib.im2col(x, 3, 2, stride=2, padding=1)
    c = rng.standard_normal(cols.shape)
    lhs = np.sum(cols * c)
    rhs = np.sum(x * ib.col2im(c, x.shape, 3, 2, stride=2, padding=1))
    assert abs(lhs - rhs) < 1e-10 * max(1.0, abs(lhs))


def test_im2col_layout():
    x = np.arange(2 * 1 * 3 * 3, dtype=float).reshape(2, 1, 3, 3)
    cols = ib.im2col(x, 2, 2)
    assert cols.shape == (4, 2 * 2 * 2)
    # column n*L + i*Wo + j holds window (i, j) of sample n, row u*kw + v
    assert cols[:, 0].tolist() == [0, 1, 3, 4]
    assert cols[:, 5].tolist() == [10, 11, 13, 14]


def test_im2col_bad_input():
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        ib.im2col(np.zeros((3, 3)), 2, 2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        ib.im2col(np.zeros((1, 1, 3, 3)), 4, 4)
    with pytest.raises(ValueError, match=r"cols must have shape"):
        ib.col2im(np.zeros((3, 3)), (1, 1, 3, 3), 2, 2)
    with pytest.raises(ValueError, match=r"dy must have the shape of y"):
        ib.conv2d_backward_im2col(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3)),
                                  np.zeros((1, 1, 2, 2)))


@pytest.mark.parametrize("shape, size, stride", [((2, 3, 6, 7), 2, 2), ((1, 2, 7, 6), 3, 2),
                                                 ((2, 1, 5, 5), 2, 1), ((1, 1, 7, 8), 3, 3)])
def test_max_pool_loops_equal_the_layer_with_ties(shape, size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    x = rng.integers(0, 3, size=shape).astype(float)        # many ties
    pool = MaxPool2D(size, stride)
    y = pool.forward(x)
    np.testing.assert_array_equal(pb.max_pool_naive(x, size, stride), y)
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(pb.max_pool_backward_naive(dy, x, size, stride),
                               pool.backward(dy), atol=1e-12)


def test_max_pool_ties_go_to_the_first_and_overlaps_add():
    x = np.array([[[[2.0, 2.0, 1.0], [2.0, 0.0, 2.0]]]])
    dx = pb.max_pool_backward_naive(np.array([[[[1.0, 10.0]]]]), x, 2, 1)
    # window (0, 0): first max at (0, 0); window (0, 1): first max at (0, 1)
    assert dx[0, 0].tolist() == [[1.0, 10.0, 0.0], [0.0, 0.0, 0.0]]
    x2 = np.array([[[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]]]])
    dx2 = pb.max_pool_backward_naive(np.array([[[[1.0, 10.0]]]]), x2, 2, 1)
    assert dx2[0, 0, 0, 1] == 11.0                            # both windows chose it


def test_max_pool_bad_input():
    with pytest.raises(ValueError, match="larger than the input"):
        pb.max_pool_naive(np.zeros((1, 1, 2, 2)), 3)
    with pytest.raises(TypeError, match="size must be an integer"):
        pb.max_pool_naive(np.zeros((1, 1, 4, 4)), 2.0)
    with pytest.raises(ValueError, match=r"dy must have the shape of y"):
        pb.max_pool_backward_naive(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), 2)
