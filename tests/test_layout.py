"""cnnedu.topics.layout: NCHW <-> NHWC, weight orders, and a conv in Keras' layout."""
import numpy as np
import pytest

from cnnedu.topics import layout
from cnnedu.nn.conv import conv2d


def test_round_trip_and_pixel_vectors():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    h = layout.nchw_to_nhwc(x)
    assert h.shape == (2, 4, 5, 3)
    np.testing.assert_array_equal(h[1, 2, 3], x[1, :, 2, 3])     # a pixel's channel vector
    np.testing.assert_array_equal(layout.nhwc_to_nchw(h), x)


def test_reshape_is_the_wrong_conversion():
    x = np.random.default_rng(0).normal(size=(1, 3, 4, 5))
    wrong = layout.nchw_to_nhwc_wrong(x)
    assert wrong.shape == layout.nchw_to_nhwc(x).shape
    assert not np.array_equal(wrong, layout.nchw_to_nhwc(x))


def test_weights_round_trip():
    w = np.random.default_rng(1).normal(size=(20, 3, 5, 4))
    k = layout.torch_to_keras_weights(w)
    assert k.shape == (5, 4, 3, 20)
    np.testing.assert_array_equal(k[2, 1, 0, 7], w[7, 0, 2, 1])
    np.testing.assert_array_equal(layout.keras_to_torch_weights(k), w)


def test_conv_in_nhwc_is_the_same_computation():
    rng = np.random.default_rng(2)
    x, w, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    y = layout.conv2d_nhwc(layout.nchw_to_nhwc(x), layout.torch_to_keras_weights(w), b,
                           stride=2, padding=1)
    np.testing.assert_allclose(layout.nhwc_to_nchw(y), conv2d(x, w, b, stride=2, padding=1))


def test_against_torch_permute():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).normal(size=(2, 3, 4, 5))
    np.testing.assert_array_equal(layout.nchw_to_nhwc(x), torch.from_numpy(x).permute(0, 2, 3, 1).numpy())


def test_bad_input_names_the_expected_axes():
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\) \(4-D\); got an array of shape \(3, 4, 5\)"):
        layout.nchw_to_nhwc(np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match="has C=3 but w"):
        layout.conv2d_nhwc(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 2, 4)))
