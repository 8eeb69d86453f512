"""Weight sharing and equivariance (cnnedu.topics.weight_sharing)."""
import numpy as np
import pytest

from cnnedu.nn.conv import conv2d
from cnnedu.topics import weight_sharing as ws


def test_conv_as_matrix_is_the_layer():
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=(2, 3, 3, 2)), rng.normal(size=(1, 3, 6, 5))
    M = ws.conv_as_matrix(w, (3, 6, 5))
    np.testing.assert_allclose(M @ x.ravel(), conv2d(x, w).ravel())


@pytest.mark.parametrize("stride,dx,equivariant", [(1, 1, True), (1, 3, True), (2, 2, True),
                                                   (2, 1, False), (2, 3, False), (3, 1, False),
                                                   (3, 6, True)])
def test_shift_error_zero_exactly_for_multiples_of_the_stride(stride, dx, equivariant):
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(1, 2, 12, 30)), rng.normal(size=(3, 2, 3, 3))
    e = ws.shift_error(x, w, np.zeros(3), dx=dx, stride=stride)
    assert (e < 1e-12) == equivariant, e


def test_shift_error_bad_input():
    with pytest.raises(ValueError, match="dx must be an integer >= 1"):
        ws.shift_error(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), dx=0)
    with pytest.raises(ValueError, match="no output column"):
        ws.shift_error(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), dx=2)
