"""Pooling (cnnedu.topics.pooling): fast against loops, against PyTorch, shapes and shifts."""
import numpy as np
import pytest

from cnnedu.topics import pooling


@pytest.mark.parametrize("shape,size,stride", [((2, 3, 7, 6), 2, None), ((1, 2, 9, 8), 3, 2),
                                               ((2, 1, 5, 5), 2, 1), ((1, 1, 4, 4), 4, None)])
def test_fast_matches_loops(shape, size, stride):
    x = np.random.default_rng(0).normal(size=shape)
    np.testing.assert_allclose(pooling.max_pool(x, size, stride),
                               pooling.max_pool_naive(x, size, stride))
    np.testing.assert_allclose(pooling.avg_pool(x, size, stride),
                               pooling.avg_pool_naive(x, size, stride))
    s = size if stride is None else stride
    Ho = pooling.pool_output_size(shape[2], size, stride)
    assert Ho == (shape[2] - size) // s + 1
    assert pooling.max_pool(x, size, stride).shape == shape[:2] + (Ho, pooling.pool_output_size(
        shape[3], size, stride))


def test_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(2, 3, 9, 7))
    t = torch.from_numpy(x)
    np.testing.assert_allclose(pooling.max_pool(x, 3, 2),
                               torch.nn.functional.max_pool2d(t, 3, 2).numpy())
    np.testing.assert_allclose(pooling.avg_pool(x, 3, 2),
                               torch.nn.functional.avg_pool2d(t, 3, 2).numpy())


def test_known_values_negative_windows():
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    assert pooling.max_pool_naive(x, 2)[0, 0].tolist() == [[-1.0, -3.0], [-9.0, -11.0]]


def test_shift_agreement_pooling_keeps_more():
    rng = np.random.default_rng(3)
    x = np.zeros((1, 1, 16, 16))
    x[0, 0, 5::4, 5::4] = rng.uniform(1, 2, size=x[0, 0, 5::4, 5::4].shape)  # peaks, odd columns
    raw, pooled = pooling.shift_agreement(x, (0, 1), size=2)
    assert raw == 0.0 and pooled > 0.4
    assert pooling.shift_agreement(x, (0, 0)) == (1.0, 1.0)


@pytest.mark.parametrize("call,err,words", [
    (lambda: pooling.max_pool(np.zeros((3, 4, 4)), 2), ValueError, "(N, C, H, W)"),
    (lambda: pooling.avg_pool(np.zeros((1, 1, 3, 3)), 4), ValueError, "larger than the input"),
    (lambda: pooling.max_pool(np.zeros((1, 1, 4, 4)), 2.0), TypeError, "size must be an integer"),
    (lambda: pooling.shift_agreement(np.zeros((1, 1, 8, 8)), pool="min"), ValueError, "'max'"),
    (lambda: pooling.pool_output_size(3, 4), ValueError, "longer"),
])
def test_bad_input(call, err, words):
    with pytest.raises(err, match=None) as info:
        call()
    assert words in str(info.value)
