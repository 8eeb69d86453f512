"""The im2col teaching view and the cost counts, against conv2d."""
import numpy as np
import pytest

from cnnedu.nn.conv import conv2d
from cnnedu.topics import cost, im2col


@pytest.mark.parametrize("C,H,W,k,s,p", [(2, 4, 5, 3, 1, 0), (3, 7, 6, (3, 2), 2, 1),
                                         (1, 5, 5, 1, 1, 0), (2, 6, 4, 2, 3, 2)])
def test_window_matrix_and_gemm_match_conv2d(C, H, W, k, s, p):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(C, H, W))
    kh, kw = (k, k) if isinstance(k, int) else k
    w = rng.normal(size=(4, C, kh, kw))
    b = rng.normal(size=4)
    loops = im2col.window_matrix_naive(x, k, stride=s, padding=p)
    np.testing.assert_array_equal(im2col.window_matrix(x, k, stride=s, padding=p), loops)
    y = conv2d(x[None], w, b, stride=s, padding=p)[0]
    np.testing.assert_allclose(im2col.conv_as_gemm(x, w, b, stride=s, padding=p), y)
    np.testing.assert_allclose((w.reshape(4, -1) @ loops).reshape(y.shape) + b[:, None, None], y)


def test_copies_of_input_near_k_squared():
    assert 8.5 < im2col.copies_of_input((3, 128, 128), 3) < 9
    assert im2col.copies_of_input((1, 8, 8), 2, stride=2) == 1.0


def test_costs_count_what_conv2d_does():
    c = cost.conv_cost((3, 10, 12), 5, 3, stride=2, padding=1)
    y = conv2d(np.zeros((1, 3, 10, 12)), np.zeros((5, 3, 3, 3)), stride=2, padding=1)
    assert c.output_numbers == y.size and c.macs == y.size * 27 and c.params == 5 * 27 + 5
    assert c.scratch_numbers == 27 * y[0, 0].size
    d = cost.dense_cost(360, 100)
    assert (d.params, d.macs) == (36100, 36000)
    assert c.megabytes(1_000_000) == 8.0


@pytest.mark.parametrize("call,err,words", [
    (lambda: im2col.window_matrix(np.zeros((1, 3, 4, 4)), 2), ValueError, "(C, H, W)"),
    (lambda: im2col.window_matrix(np.zeros((1, 2, 2)), 3), ValueError, "larger"),
    (lambda: im2col.conv_as_gemm(np.zeros((2, 4, 4)), np.zeros((1, 3, 2, 2))), ValueError,
     "expects C = 3"),
    (lambda: cost.conv_cost((3, 2, 2), 4, 5), ValueError, "does not fit"),
    (lambda: cost.dense_cost(0, 3), ValueError, ">= 1"),
])
def test_bad_input(call, err, words):
    with pytest.raises(err) as info:
        call()
    assert words in str(info.value)
